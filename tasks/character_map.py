"""Map every character of a text to a replacement chosen one character at a time, without a Python step
per character.

The cleaning passes split lines into words with regexes such as `\\w+`; on a non-ASCII line those test a
Unicode category at every character, and most lines of real news are non-ASCII for a few characters
only (£, curly quotes, dashes, accented names). A CharacterMap gets the same result in C-speed passes:
the ASCII characters through one bytes.translate of the UTF-8 text, the few distinct non-ASCII ones
through one str.replace each, their replacements worked out once per process and remembered.
"""

from __future__ import annotations

from collections.abc import Callable

_ASCII_BYTES = bytes(range(128))


class CharacterMap:
    """`replacement(character)` for every character of a text, in one go (`apply`).

    `replacement` must give the character itself or a string of ASCII characters (a space, "0", ...);
    for an ASCII character, exactly one ASCII character. It is asked once per distinct character: at most
    the ~150,000 characters Unicode assigns are remembered, a few hundred per language in practice."""

    def __init__(self, replacement: Callable[[str], str]):
        self._replacement = replacement
        table = bytearray(range(256))  # bytes of multi-byte characters (128 and up) stay as they are
        for code in range(128):
            replaced = replacement(chr(code))
            if len(replaced) != 1 or not replaced.isascii():
                raise ValueError(f"an ASCII character must map to one ASCII character, not {replaced!r}")
            table[code] = ord(replaced)
        self._ascii_table = bytes(table)
        self._non_ascii: dict[str, str] = {}

    def apply(self, text: str) -> str:
        encoded = text.encode("utf-8")
        mapped = encoded.translate(self._ascii_table).decode("utf-8")
        if len(mapped) == len(encoded):
            return mapped  # ASCII text
        # The distinct non-ASCII characters: the UTF-8 bytes left when the ASCII ones are deleted.
        for character in set(encoded.translate(None, _ASCII_BYTES).decode("utf-8")):
            replaced = self._non_ascii.get(character)
            if replaced is None:
                replaced = self._non_ascii[character] = self._replacement_of(character)
            if replaced != character:
                # An ASCII replacement cannot make another non-ASCII character: the replacements of
                # the distinct characters do not interfere, in any order.
                mapped = mapped.replace(character, replaced)
        return mapped

    def _replacement_of(self, character: str) -> str:
        replaced = self._replacement(character)
        if replaced != character and not replaced.isascii():
            raise ValueError(f"{character!r} must map to itself or to ASCII characters, not {replaced!r}")
        return replaced


# A word character (\w: a letter or digit of any script, or "_") stays, any other becomes a space: split
# at spaces, the result is the text's words as `\w+` finds them (no word character is white space).
WORD_OR_SPACE = CharacterMap(lambda character: character if character.isalnum() or character == "_" else " ")

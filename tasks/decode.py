"""Decode: from raw bytes to clean lines of text.

- Encoding: a byte-order mark decides (UTF-8, UTF-16, UTF-32); UTF-16 without a mark is recognised by its
  NUL bytes; otherwise UTF-8, then the fallbacks of `ingest.fallback_encodings` (cp1252, latin-1).
- Binary files are recognised by their magic number, NUL bytes or a high share of control bytes.
- Each line is repaired: mojibake (UTF-8 read as cp1252, "donâ€™t") is fixed with ftfy, control
  characters are dropped, lone surrogates become U+FFFD, and the line is NFC-normalised.

Lines end at CRLF, LF or a lone CR, as editors count them (form feeds, vertical tabs and U+2028 do not end
a line, unlike str.splitlines()).
"""

from __future__ import annotations

import re
import unicodedata

import ftfy

SNIFF_BYTES = 8192

# Encodings recorded in RawDocument.encoding when a byte-order mark (or its absence) decides.
_BOMS = [  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
]

# Formats often found under a text extension; naming them makes the quarantine detail useful.
_MAGIC = [
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx/.epub)"),
    (b"\x1f\x8b", "gzip-compressed data (name it .gz to have it read)"),
    (b"BZh", "bzip2-compressed data (name it .bz2 to have it read)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (name it .zst to have it read)"),
    (b"PAR1", "a Parquet file (name it .parquet to have it read)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
]

# C0 control bytes that text never holds (tab, LF, VT, FF, CR and ESC are left out: text may have them).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_MAX_CONTROL_SHARE = 0.05
_MIN_CONTROL_BYTES = 4  # a stray backspace in a one-line file is still text

# A line needs ftfy only if it holds what mojibake, C1 controls, terminal escapes or lossy decoding leave:
# ESC, a C1 control, U+FFFD, or a UTF-8 lead byte read as cp1252/latin-1 (Â-ô) followed by something
# other than an ASCII letter, digit or common punctuation: a continuation byte read as cp1252/latin-1 is
# never one ("Ã©", "â€™"; "Ã " is an "à" whose \xa0 became a space). "café," and "naïve" do not call
# ftfy, which was 65% of reading news text with accents. Checked: the same output on the 74k lines of
# the BBC corpus, the fundus pages and the lingua sentences (3,103 ftfy calls fewer).
_NEEDS_FTFY = re.compile("[\x1b\x80-\x9f\ufffd]|[\u00c2-\u00f4](?![A-Za-z0-9.,;:!'\"()\\-])")
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # "&amp;" in plain text is the author's business, not an encoding fault
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,  # the rest would change correctly encoded text
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=True,
    normalization=None,  # NFC below, for every line
    explain=False,
)
# The pound sign's mojibake ("Â£": UTF-8 read as latin-1 or cp1252) in otherwise printable ASCII is the
# only fault of nearly every line that needs ftfy in British news, and ftfy takes about 1 ms on such a
# line (most of reading the bench corpus). ftfy's answer there is always the plain replacement: "Â£" is
# on its list of bad sequences, and the line, encoded as latin-1/cp1252, decodes as UTF-8 with only the
# pairs changed. Checked against ftfy on the bench corpus and on 50,000 random such lines.
_POUND_MOJIBAKE = "\u00c2\u00a3"
# Dropped from every line: C0 controls but tab and form feed (a form feed separates articles), DEL, C1
# controls, byte-order marks inside text, and invisible format characters ftfy also drops. Line breaks
# are dropped too: a repaired line must stay one line.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0a\x0b\x0d-\x1f\x7f-\x9f\ufeff\u206a-\u206f\ufff9-\ufffc]+")
_SURROGATES = re.compile("[\ud800-\udfff]")
# One pass to tell whether a line needs any of the three above.
_NEEDS_ANY_REPAIR = re.compile(
    "[\x00-\x08\x0a\x0b\x0d-\x1f\x7f-\x9f\u00c2-\u00f4\ufeff\u206a-\u206f\ufff9-\ufffd\ud800-\udfff]"
)


def encoding_from_bom(head: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when most odd (even) bytes are NUL, as in UTF-16 text of Latin script,
    and the bytes decode to printable text."""
    if len(head) < 4 or b"\x00" not in head:  # (one scan: most files hold no NUL byte at all)
        return None
    even, odd = head[0::2], head[1::2]
    for encoding, zeros, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.5 * len(zeros) and others.count(0) <= 0.05 * len(others):
            sample = head[: len(head) - len(head) % 2].decode(encoding, errors="replace")
            printable = sum(char.isprintable() or char in "\t\n\r\f" for char in sample)
            if printable >= 0.95 * len(sample):
                return encoding
    return None


def binary_reason(head: bytes) -> str | None:
    """Why the first bytes of a file (without byte-order mark) are not text, or None if they may be."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"looks like {what}"
    if b"\x00" in head:
        return "NUL bytes found: not a text file"
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls >= _MIN_CONTROL_BYTES and controls > _MAX_CONTROL_SHARE * len(head):
        return f"{controls} of the first {len(head)} bytes are control bytes: not a text file"
    return None


def candidate_encodings(head: bytes, fallback_encodings: list[str]) -> list[str]:
    """Encodings to try, in order, for a file starting with `head` (binary files excluded beforehand)."""
    bom_encoding = encoding_from_bom(head)
    if bom_encoding:
        return [bom_encoding]
    utf16 = utf16_without_bom(head)
    if utf16:
        return [utf16]
    return ["utf-8", *[encoding for encoding in fallback_encodings if encoding != "utf-8"]]


def split_lines(text: str) -> list[str]:
    """Lines as a text editor counts them: CRLF, LF and lone CR all end a line.

    str.splitlines() is not used because it also breaks on form feeds, vertical tabs and U+2028, which
    would shift line numbers away from what `wc -l` and editors show.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n")


def clean_line(text: str, repair_mojibake: bool = True) -> str:
    """One line of decoded text, repaired: mojibake fixed, control characters dropped, NFC."""
    if text.isascii() and text.isprintable():
        return text  # most lines: nothing to repair, and ASCII is always NFC
    if _NEEDS_ANY_REPAIR.search(text):
        if repair_mojibake and _NEEDS_FTFY.search(text):
            text = fix_mojibake(text)
        text = _CONTROL_CHARS.sub("", text)
        text = _SURROGATES.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


def fix_mojibake(text: str) -> str:
    if is_ascii_with_pound_mojibake(text):
        return text.replace(_POUND_MOJIBAKE, "\u00a3")
    return ftfy.fix_text(text, _FTFY_CONFIG)


def is_ascii_with_pound_mojibake(text: str) -> bool:
    """Whether text is printable ASCII (U+0020-U+007E) and "Â£" pairs only. (Two passes in C: a regular
    expression of one character or the pair took five times as long.)"""
    rest = text.replace(_POUND_MOJIBAKE, "")
    return rest.isascii() and rest.isprintable()  # isprintable: of ASCII, exactly U+0020-U+007E


def clean_text_lines(text: str, repair_mojibake: bool = True) -> list[str]:
    """A multi-line value (a record's text field) as clean lines."""
    return [clean_line(line, repair_mojibake) for line in split_lines(text)]

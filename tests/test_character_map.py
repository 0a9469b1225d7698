"""CharacterMap: each character replaced on its own, in a few C-speed passes."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tasks.character_map import CharacterMap


def _digit_letter_or_space(character: str) -> str:
    if character.isdecimal():
        return "0"
    return character if character.isalnum() else " "


def _spell_out_pound(character: str) -> str:
    return "GBP" if character == "£" else character if character.isalnum() else "-"


@pytest.mark.parametrize("replacement", [_digit_letter_or_space, _spell_out_pound])
@given(text=st.one_of(st.text(max_size=60), st.text(alphabet=st.sampled_from("a1 £é’٣\u0301😀"), max_size=30)))
@example(text="£1,250 – “quoted” 😀 é\u0301")
def test_a_text_is_mapped_as_one_character_at_a_time(replacement, text):
    assert CharacterMap(replacement).apply(text) == "".join(map(replacement, text))


def test_the_same_map_applies_again_from_what_it_remembers():
    characters = CharacterMap(_digit_letter_or_space)
    assert characters.apply("£5 ’x’") == characters.apply("£5 ’x’") == " 0  x "


@pytest.mark.parametrize("replacement", [lambda c: "", lambda c: "ab", lambda c: "é"])
def test_an_ascii_character_must_map_to_one_ascii_character(replacement):
    with pytest.raises(ValueError):
        CharacterMap(replacement)


def test_a_non_ascii_character_must_map_to_itself_or_to_ascii():
    characters = CharacterMap(lambda c: "ü" if c == "é" else c)
    with pytest.raises(ValueError):
        characters.apply("café")

import pytest

from tasks.headline import looks_like_headline


@pytest.mark.parametrize(
    "text",
    [
        "Ad sales boost Time Warner profit",
        "Could Yukos be a blessing in disguise?",
        "'My memories of Marley...'",
        "Britain must ‘lead from the front’",
        "Parties warned over 'grey vote'",
    ],
)
def test_headlines(text):
    assert looks_like_headline(text, max_words=20)


@pytest.mark.parametrize(
    "text",
    [
        "Quarterly profits at US media giant TimeWarner jumped 76%.",
        "How about bringing Catweazle to the big screen? He could give Gandalf a run for his money",
        " - How to fold a serviette like an elf's boot? ",
        "1. Any lasting peace must guarantee Ukraine’s sovereignty and security",
        "At its heart is a four-point plan:",
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twentyone",
    ],
)
def test_not_headlines(text):
    assert not looks_like_headline(text, max_words=20)

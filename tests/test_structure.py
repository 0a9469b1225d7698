"""Structural heuristics (neighbours) and the main-text span of a full page."""

import pytest

from tasks import main_text, structure
from tasks.config import MainTextSettings, StructureSettings
from tasks.records import RawLine
from tasks.structure import LineVerdict
from tasks.text_density import BAD, GOOD, NEAR_GOOD, SHORT

SETTINGS = StructureSettings()
PARAGRAPH = "The council said the barriers had been tested in March, and an inquiry would be held into the failure."


def verdicts(*lines: str | tuple[str, str]) -> list[LineVerdict]:
    """Lines in order; a (text, kind) pair is a line already removed by a rule of that kind."""
    result = []
    for number, line in enumerate(lines, start=1):
        text, kind = line if isinstance(line, tuple) else (line, None)
        verdict = LineVerdict(RawLine(number, text), text)
        if kind:
            verdict.remove(f"pack.{kind}", kind)
        result.append(verdict)
    return result


def removed(lines: list[LineVerdict]) -> dict[str, str]:
    return {verdict.text: verdict.rule for verdict in lines if not verdict.kept and not verdict.rule.startswith("pack.")}


def test_caption_after_a_credit_but_not_a_sentence():
    lines = verdicts(PARAGRAPH, ("Getty Images", "credit"), "Nato was founded in Washington DC in 1949", PARAGRAPH,
                     ("Reuters", "credit"), "The alliance has 32 members across Europe and North America.")
    structure.remove_captions(lines, SETTINGS)
    assert removed(lines) == {"Nato was founded in Washington DC in 1949": structure.CAPTION_AFTER_CREDIT_RULE}


def test_caption_after_a_lone_media_marker():
    lines = verdicts(PARAGRAPH, ("Image caption,", "media_marker"), "The prime minister arrives in Downing Street.")
    structure.remove_captions(lines, SETTINGS)
    assert removed(lines) == {"The prime minister arrives in Downing Street.": structure.CAPTION_AFTER_MARKER_RULE}


def test_author_name_after_a_lone_byline_marker():
    lines = verdicts(("Von", "byline_marker"), "Jasper Riemann", PARAGRAPH)
    structure.remove_byline_names(lines, structure.BYLINE_NAME_MAX_WORDS)
    assert removed(lines) == {"Jasper Riemann": structure.BYLINE_AFTER_MARKER_RULE}


def test_a_line_repeated_three_times_in_one_article():
    lines = verdicts("Article content", PARAGRAPH, "Article content", "Sub-heading", "Article content")
    structure.remove_repeated_lines(lines, 3)
    assert removed(lines) == {"Article content": structure.REPEATED_LINE_RULE}


def test_a_run_of_links_is_removed_but_the_sub_heading_before_the_story_stays():
    # BBC: three related links in the middle of the story, then a sub-heading.
    links = ["No 10 says Falklands sovereignty rests with UK", "Nato says 'no provision' to expel members",
             "Trump criticises Nato as alliance chief describes meeting"]
    lines = verdicts(PARAGRAPH, *links, "What is Nato?", PARAGRAPH)
    structure.remove_link_runs(lines, SETTINGS)
    assert removed(lines) == {link: structure.LINK_RUN_RULE for link in links}


def test_a_related_header_makes_a_short_run():
    lines = verdicts(PARAGRAPH, ("Mehr zum Thema", "related_header"), "Gaetz verzichtet auf Posten",
                     "Bondi schon lange in Trumps Orbit", PARAGRAPH)
    structure.remove_link_runs(lines, SETTINGS)
    assert removed(lines) == {"Gaetz verzichtet auf Posten": structure.LINK_RUN_RULE}


def test_in_an_extracted_body_only_runs_with_a_header_are_links():
    fixtures = ["Arsenal v Chelsea", "Everton v Leeds", "Fulham v Spurs"]
    lines = verdicts(PARAGRAPH, *fixtures, PARAGRAPH)
    structure.remove_link_runs(lines, SETTINGS, need_header=True)
    assert removed(lines) == {}


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_RUN_LINES = st.sampled_from(
    [PARAGRAPH, "Arsenal v Chelsea", "What is Nato?", "Price: £40", "1. First point", "Short line.",
     ("More from Politics", "related_header"), ("Menu", "navigation"), ("Advertisement", "advert"),
     ("Getty Images", "credit"), ("Privacy", "legal")]
)


@given(st.lists(_RUN_LINES, max_size=12), st.booleans())
def test_an_extracted_body_without_a_header_keeps_every_run(lines, with_header):
    """The early return of remove_link_runs(need_header=True) on a body without a header line gives what
    walking its runs gives: a run is removed only with a header in it."""
    if with_header:
        lines = [*lines, ("Related stories", "related_header")]
    walked = verdicts(*lines)
    structure.remove_link_runs(walked, SETTINGS, need_header=True)
    has_header = any(isinstance(line, tuple) and line[1] in ("related_header", "navigation") for line in lines)
    if not has_header:
        assert removed(walked) == {}
    # A header added after the lines (which then need not be in a run with them) must leave the verdicts
    # the early return gave for the lines without it whenever a paragraph parts the two.
    parted = verdicts(*lines, PARAGRAPH, ("Related stories", "related_header"))
    structure.remove_link_runs(parted, SETTINGS, need_header=True)
    if not has_header:
        assert removed(parted[: len(lines)]) == {}


def classed(*pairs: tuple[str, str | None]) -> list[LineVerdict]:
    """(class, text) for kept lines; (None, text) for a line removed by a rule."""
    lines = []
    for number, (cls, text) in enumerate(pairs, start=1):
        verdict = LineVerdict(RawLine(number, text), text)
        if cls is None:
            verdict.remove("pack.rule", "byline")
        else:
            verdict.density_class = cls
        lines.append(verdict)
    return lines


def test_best_span_is_the_maximum_subarray():
    assert main_text.best_span([-5, 3, -1, 4, -10, 2]) == (1, 4)
    assert main_text.best_span([-1, -2]) is None


def test_the_main_text_is_the_story_with_its_lead_not_the_teasers():
    page = classed(
        *[(SHORT, f"Menu item {n}") for n in range(20)],
        (NEAR_GOOD, "Flood barriers failed in three towns on Monday, leaving homes under water."),  # the lead
        (None, "By Jane Smith"),
        (None, "3 May 2024"),
        (SHORT, "Residents watch the river rise"),
        (GOOD, "A" * 300),
        (NEAR_GOOD, "B" * 150 + "."),
        (SHORT, "What happens next?"),
        (GOOD, "C" * 400),
        *[(SHORT, f"Footer link {n}") for n in range(6)],
        (NEAR_GOOD, "A teaser of another story, standing alone between its headline and its byline."),
        *[(SHORT, f"Footer link {n}") for n in range(6, 12)],
    )
    assert main_text.looks_like_page(page, MainTextSettings())
    assert main_text.main_text_span(page, MainTextSettings()) == (20, 28)
    main_text.remove_outside_main_text(page, MainTextSettings())
    # The caption between the lead and the body is not part of either.
    assert [verdict.text[:5] for verdict in page if verdict.kept] == ["Flood", "AAAAA", "BBBBB", "What ", "CCCCC"]
    assert {verdict.rule for verdict in page if not verdict.kept} == {"pack.rule", main_text.OUTSIDE_MAIN_TEXT_RULE}


def test_an_extracted_body_is_not_a_page():
    body = classed(*[(GOOD, "A" * 300)] * 20, *[(SHORT, "A sub-heading")] * 5, (BAD, "Getty"))
    assert not main_text.looks_like_page(body, MainTextSettings())


@pytest.mark.parametrize(("lead_max_gap", "start"), [(0, 4), (1, 0)])
def test_the_lead_is_taken_in_across_the_byline_and_date_if_the_gap_allows(lead_max_gap, start):
    # The byline and the date are furniture rules recognised: they cost no gap. The unknown short line
    # (a caption no rule knows) costs one.
    lines = classed(
        (NEAR_GOOD, "L" * 120 + "."), (None, "By Jane Smith"), (None, "3 May 2024"), (SHORT, "Residents watch"),
        (GOOD, "A" * 300),
    )
    # Furniture this expensive keeps the lead out of the best-scoring stretch itself.
    settings = MainTextSettings(lead_max_gap=lead_max_gap, furniture_penalty=500, short_penalty=500)
    assert main_text.main_text_span(lines, settings) == (start, 5)


def test_the_headline_under_the_page_title_is_a_title_repeat():
    title = "Storm closes schools across Wales - Daily News"
    lead = "Storm Bert closed more than 200 schools across Wales on Monday as winds reached 90mph."
    lines = verdicts("News Wales", "Storm closes schools across Wales", "Storm closes schools across Wales", lead,
                     PARAGRAPH, PARAGRAPH, "10:05: Storm closes schools across Wales", PARAGRAPH)
    structure.remove_title_repeats(lines, title, SETTINGS, story_start=3)
    # The headline copies above the story go; the lead, which tells more, and a live blog's entry
    # further down that says the title again stay.
    assert [verdict.line.line_no for verdict in lines if not verdict.kept] == [2, 3]
    assert {verdict.rule for verdict in lines if not verdict.kept} == {structure.TITLE_REPEAT_RULE}


def test_a_headline_after_its_breadcrumb_repeats_the_title():
    lines = verdicts("Zprávy Domácí Politika Fialova vláda podá demisi. Jak rychle teď bude postupovat Babiš", PARAGRAPH)
    title = "Fialova vláda podá demisi. Jak rychle teď bude postupovat Babiš | Seznam"
    structure.remove_title_repeats(lines, title, SETTINGS, story_start=1)
    assert removed(lines) == {lines[0].text: structure.TITLE_REPEAT_RULE}


def test_a_headline_that_opens_the_first_two_paragraphs_is_a_title_repeat():
    # A headline that ends like a sentence makes the story's first two prose lines in a row with the
    # standfirst under it; it goes, and the standfirst stays.
    title = "What's next for Gaza, after Yahya Sinwar's appointment as Hamas political head? | CBC News"
    headline = "What's next for Gaza, after Yahya Sinwar's appointment as Hamas political head?"
    lines = verdicts(headline, PARAGRAPH, PARAGRAPH)
    structure.remove_title_repeats(lines, title, SETTINGS, story_start=0)
    assert removed(lines) == {headline: structure.TITLE_REPEAT_RULE}


def test_a_short_title_repeats_nothing():
    lines = verdicts("Brexit talks", PARAGRAPH)
    structure.remove_title_repeats(lines, "Brexit talks", SETTINGS, story_start=1)
    assert removed(lines) == {}


def test_the_story_begins_at_its_first_two_paragraphs_in_a_row():
    lines = verdicts("Teaser headline", PARAGRAPH, ("Getty Images", "credit"), "Menu", PARAGRAPH,
                     ("Advertisement", "advert"), PARAGRAPH)
    for verdict in lines:
        verdict.density_class = GOOD if verdict.text == PARAGRAPH else SHORT
    assert main_text.first_paragraph_pair(lines) == 4


def test_a_list_of_links_parted_by_an_advert_slot_is_one_run():
    links = ["AP News Values and Principles", "AP Leads", "AP Stylebook"]
    lines = verdicts(PARAGRAPH, links[0], ("Advertisement", "advert"), *links[1:], ("Copyright 2024 AP", "legal"))
    structure.remove_link_runs(lines, SETTINGS)
    assert removed(lines) == {link: structure.LINK_RUN_RULE for link in links}


def test_an_advert_slot_does_not_part_a_sub_heading_from_its_paragraph():
    links = ["Canada adds 88,000 jobs", "Keep out of hiring choices"]
    lines = verdicts(PARAGRAPH, ("Read More", "related_header"), *links, ("Advertisement", "advert"),
                     "BoC to stay on sidelines next week", ("Article content", "chrome"), PARAGRAPH)
    structure.remove_link_runs(lines, SETTINGS)
    assert removed(lines) == {link: structure.LINK_RUN_RULE for link in links}


# --- the faster passes give what the plain ones gave ---------------------------------------------------

_CLASSES = st.sampled_from([GOOD, NEAR_GOOD, SHORT, BAD])


@given(st.lists(st.tuples(st.booleans(), _CLASSES), max_size=12))
def test_the_first_paragraph_pair_is_the_one_prose_flags_show(lines):
    result = verdicts(*[PARAGRAPH if kept else (PARAGRAPH, "credit") for kept, _ in lines])
    for verdict, (_, density_class) in zip(result, lines):
        verdict.density_class = density_class
    prose = main_text.prose_flags(result)
    kept = [index for index, verdict in enumerate(result) if verdict.kept]
    pairs = [first for first, second in zip(kept, kept[1:]) if prose[first] and prose[second]]
    assert main_text.first_paragraph_pair(result) == (pairs[0] if pairs else len(result))


_NAME_PIECES = ["Anna", "Ross", "A.", "von", "der", "The", "Jean-Luc", "O'Neil", "WORLD", "Bad", "Homburg",
                "Main", "said", "1", " ", "  ", "/", ".", "\t"]


@given(st.lists(st.sampled_from(_NAME_PIECES), max_size=9).map(" ".join), st.booleans())
def test_names_and_datelines_are_told_from_the_words_as_split_whole(text, full_stop):
    text += "." if full_stop else ""
    # The plain checks: every word split off, then counted.
    words = text.split()
    name_length_fits = 2 <= len(words) <= 4
    if not name_length_fits:
        assert not structure.looks_like_person_name(text)
    place_words = text[:-1].replace("/", " ").split()
    expected_dateline = (
        text.endswith(".") and not text.endswith("..") and 1 <= len(place_words) <= 2
        and all(word.isalpha() and word[0].isupper() and word[1:].islower() for word in place_words)
    )
    assert structure.looks_like_dateline(text) == expected_dateline


@pytest.mark.parametrize(
    ("scores", "expected_end"),
    [
        # A story (scores 500) ends; a valley of 12 menu lines (-40 each, depth 480); a tail that gains 600.
        ([500] * 5 + [-40] * 12 + [300, 300], 5),
        # A tail that gains more than twice the valley's depth is the story going on.
        ([500] * 5 + [-40] * 12 + [500, 500], 19),
        # A shallow valley (a few headings) never cuts.
        ([500] * 5 + [-40] * 5 + [210, 210], 12),
    ],
)
def test_a_weak_tail_after_a_deep_valley_is_cut(scores, expected_end):
    assert main_text.weak_tail_cut(scores, 0, len(scores), gain_ratio=2, min_depth=400) == expected_end


@given(st.lists(st.integers(-100, 600), max_size=60), st.floats(1, 4), st.floats(1, 1000))
def test_the_tail_cut_ends_the_main_text_at_a_high_point_inside_the_best_stretch(scores, ratio, depth):
    span = main_text.best_span(scores)
    if span is None:
        return
    start, end = span
    cut = main_text.weak_tail_cut(scores, start, end, ratio, depth)
    assert start < cut <= end
    # The kept part scores no less than any shorter start of the stretch: it ends at a running maximum.
    assert sum(scores[start:cut]) >= max(sum(scores[start:k]) for k in range(start + 1, cut + 1))
    assert main_text.weak_tail_cut(scores, start, end, 1, depth) == end


def plain_weak_tail_cut(scores, start, end, gain_ratio, min_depth):
    """weak_tail_cut written plainly: at each new high point, the lowest score after it, found anew."""
    if gain_ratio <= 1:
        return end
    prefix = [sum(scores[start : index + 1]) for index in range(start, end)]
    high = float("-inf")
    for offset in range(len(prefix) - 1):
        if prefix[offset] > high:
            high = prefix[offset]
            valley = min(prefix[offset + 1 :])
            if high - valley >= min_depth and prefix[-1] - valley < gain_ratio * (high - valley):
                return start + offset + 1
    return end


@given(st.lists(st.integers(-100, 600), max_size=60), st.floats(1, 4), st.floats(1, 1000))
def test_the_tail_cut_agrees_with_its_plain_version(scores, ratio, depth):
    span = main_text.best_span(scores)
    if span is not None:
        assert main_text.weak_tail_cut(scores, *span, ratio, depth) == plain_weak_tail_cut(scores, *span, ratio, depth)


def test_teasers_after_the_story_s_last_paragraphs_are_cut_off():
    story = [(GOOD, "A" * 300), (GOOD, "B" * 300), (GOOD, "C" * 300)]
    teaser = [(SHORT, "Politics"), (SHORT, "Council votes on the plan"), (SHORT, "Jane Smith"),
              (GOOD, "D" * 250)]
    lines = classed(*story, *teaser)
    # Three non-prose lines in a row after the last paragraph pair: the story ended with "C".
    assert main_text.teaser_run_cut(lines, main_text.prose_flags(lines), 0, len(lines), 3) == 3
    assert main_text.teaser_run_cut(lines, main_text.prose_flags(lines), 0, len(lines), 4) == len(lines)
    assert main_text.teaser_run_cut(lines, main_text.prose_flags(lines), 0, len(lines), 0) == len(lines)


def test_a_sub_heading_and_its_paragraph_after_the_last_pair_stay():
    # A heading between lone paragraphs, and lines removed by rules (a caption's credit), part nothing.
    lines = classed((GOOD, "A" * 300), (GOOD, "B" * 300), (SHORT, "What happens next?"), (GOOD, "C" * 300),
                    (None, "Getty Images"), (None, "By Jane Smith"), (SHORT, "The background"), (GOOD, "D" * 300))
    assert main_text.teaser_run_cut(lines, main_text.prose_flags(lines), 0, len(lines), 3) == len(lines)

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tasks import repeated_blocks
from tasks.config import SplitSettings
from tasks.records import RawLine
from tasks.repeated_blocks import BlockOutlines, outline_blocks, plan_article_spans
from tasks.safe_regex import SafePattern
from tasks.split import SEPARATOR_RULE, _separator, split_documents

from tests.helpers import DATE, document

SETTINGS = SplitSettings()
STORY_A = "Alpha one.\nAlpha two.\nAlpha three.\nAlpha four."
STORY_B = "Beta one.\nBeta two.\nBeta three."


def spans(*documents, settings=SETTINGS):
    result = split_documents(list(documents), DATE, settings)
    return [(a.source_file, a.line_start, a.line_end) for a in result.articles], result.removed


def test_single_article_spans_its_non_blank_lines():
    assert spans(document("\n" + STORY_A + "\n\n"))[0] == [("a.txt", 2, 5)]


EVERY_BLANK_RUN = SplitSettings(blank_run_needs_headline=False)


def test_blank_line_run_separates_articles_but_a_single_blank_does_not():
    assert spans(document(STORY_A + "\n\n\n" + STORY_B), settings=EVERY_BLANK_RUN)[0] == [("a.txt", 1, 4), ("a.txt", 7, 9)]
    assert spans(document(STORY_A + "\n\n" + STORY_B), settings=EVERY_BLANK_RUN)[0] == [("a.txt", 1, 8)]
    three_blanks_needed = SplitSettings(blank_lines_between_articles=3, blank_run_needs_headline=False)
    assert spans(document(STORY_A + "\n\n\n" + STORY_B), settings=three_blanks_needed)[0] == [("a.txt", 1, 9)]


def test_separator_line_splits_and_is_recorded_as_removed():
    articles, removed = spans(document(STORY_A + "\n* * *\n" + STORY_B))
    assert articles == [("a.txt", 1, 4), ("a.txt", 6, 8)]
    assert [(line.line_no, line.rule, line.article_id) for line in removed] == [(5, SEPARATOR_RULE, None)]


def test_a_separator_pattern_from_the_config_replaces_the_default_and_runs_under_the_time_limit():
    own = SplitSettings(separator_pattern=r"^%{3,}$")
    articles, removed = spans(document(STORY_A + "\n%%%%\n" + STORY_B + "\n* * *\nGamma one."), settings=own)
    assert articles == [("a.txt", 1, 4), ("a.txt", 6, 10)]  # "* * *" is no separator any more
    assert [line.line_no for line in removed] == [5]
    assert isinstance(_separator(own.separator_pattern), SafePattern)
    assert not isinstance(_separator(SETTINGS.separator_pattern), SafePattern)


def test_form_feed_splits():
    assert spans(document(STORY_A + "\n\f" + STORY_B))[0] == [("a.txt", 1, 4), ("a.txt", 5, 7)]


def test_block_repeating_a_whole_article_from_another_file_is_cut_out():
    # The second seed file's shape: a known article, then a new one, with no delimiter between them.
    first = document(STORY_A, "000.txt")
    second = document(STORY_A + "\n" + STORY_B, "001.txt")
    expected = [("000.txt", 1, 4), ("001.txt", 1, 4), ("001.txt", 5, 7)]
    assert spans(first, second)[0] == expected
    # The order the files come in does not matter.
    assert sorted(spans(second, first)[0]) == expected


def test_partial_overlap_does_not_cut():
    # Two versions of one story share most lines; neither is contained whole in the other.
    first = document("Alpha one.\nAlpha two.\nAlpha three.\nAlpha four.", "000.txt")
    second = document("Alpha one.\nAlpha two, updated.\nAlpha three.\nAlpha four.\nAlpha five.", "001.txt")
    assert spans(first, second)[0] == [("000.txt", 1, 4), ("001.txt", 1, 5)]


def test_short_shared_block_below_the_minimum_does_not_cut():
    first = document("Read more.\nShare this.", "000.txt")
    second = document("Story one.\nRead more.\nShare this.\nStory two.", "001.txt")
    assert spans(first, second)[0] == [("000.txt", 1, 2), ("001.txt", 1, 4)]


def test_article_ids_are_stable_and_distinct():
    first = split_documents([document(STORY_A + "\n\n\n" + STORY_B)], DATE, EVERY_BLANK_RUN).articles
    again = split_documents([document(STORY_A + "\n\n\n" + STORY_B)], DATE, EVERY_BLANK_RUN).articles
    assert [a.article_id for a in first] == [a.article_id for a in again]
    assert len({a.article_id for a in first}) == 2


def test_a_longer_version_of_a_story_is_not_cut():
    # The shorter file is contained in the longer one, but one extra paragraph is not an article.
    short = document(STORY_A, "000.txt")
    longer = document(STORY_A + "\nAlpha five, added in an update.", "001.txt")
    assert spans(short, longer)[0] == [("000.txt", 1, 4), ("001.txt", 1, 5)]


def test_blank_line_run_inside_an_article_does_not_split_without_a_headline():
    # BBC articles separate their own sections with two or three blank lines.
    text = "Headline one\n\nAlpha one.\nAlpha two.\n\n\n\nMore of the same story follows here."
    assert spans(document(text))[0] == [("a.txt", 1, 8)]
    text = "Headline one\n\nAlpha one.\nAlpha two.\n\n\nHeadline two\n\nBeta one."
    assert spans(document(text))[0] == [("a.txt", 1, 4), ("a.txt", 7, 9)]
    every_run = SplitSettings(blank_run_needs_headline=False)
    text = "Alpha one.\nAlpha two.\n\n\nMore of the same story follows here."
    assert spans(document(text), settings=every_run)[0] == [("a.txt", 1, 2), ("a.txt", 5, 5)]


def test_outlines_of_chunks_concatenated_plan_the_same_cuts_as_the_whole_batch_outlined_at_once():
    # The plan step outlines each chunk on a worker and concatenates them: block and line offsets shift.
    blocks = [
        ("a.txt", lines_of(STORY_A)),
        ("b.txt", lines_of(STORY_B)),
        ("c.txt", lines_of(STORY_B + "\n" + STORY_A)),  # repeats both: cut at the first, then the second
        ("d.txt", lines_of("Gamma 1.\nGamma 2.\n\nGamma 3.\n" + STORY_A + "\nGamma 4.\nGamma 5.\nGamma 6.")),
        ("e.txt", lines_of("Delta 1.\n" + STORY_A + "\nDelta 2.\nDelta 3.")),  # 1 line before: no cut
    ]
    names = [name for name, _ in blocks]
    numbered = [(number, lines) for number, (_, lines) in enumerate(blocks)]
    whole = outline_blocks(numbered)
    parts = BlockOutlines.concatenate(
        [outline_blocks(numbered[:1]), outline_blocks(numbered[1:3]), outline_blocks(numbered[3:])]
    )
    assert parts == whole
    expected = {"c.txt": [(1, 3), (4, 7)], "d.txt": [(1, 4), (5, 8), (9, 11)]}
    assert plan_article_spans(parts, 3, names.__getitem__) == expected


def lines_of(text: str) -> list[RawLine]:
    return [RawLine(number, line) for number, line in enumerate(text.split("\n"), start=1)]


def test_run_hashes_computed_a_slice_at_a_time_match_those_computed_where_asked(monkeypatch):
    monkeypatch.setattr(repeated_blocks, "_SLICE", 7)  # many slices, and runs across their ends
    rng = np.random.default_rng(2)
    keys = rng.integers(0, 50, 100, dtype=np.uint64)  # few distinct keys: runs repeat
    runs = repeated_blocks._RunHashes(keys, 3)
    every_run = runs.at(np.arange(98))
    wanted = np.unique(every_run[[0, 13, 50, 97]])
    assert runs.start_in(wanted).tolist() == np.isin(every_run, wanted).tolist()
    # The hash of a run depends on its lines in order.
    assert runs.at(np.array([0]))[0] != repeated_blocks._RunHashes(keys[[2, 1, 0]], 3).at(np.array([0]))[0]


@given(st.lists(st.integers(0, 20), max_size=60))
def test_distinct_and_repeated_values_are_those_np_unique_counts(values):
    expected_values, counts = np.unique(np.array(values, dtype=np.uint64), return_counts=True)
    distinct, repeated = repeated_blocks._distinct_and_repeated(np.array(values, dtype=np.uint64))
    assert distinct.tolist() == expected_values.tolist()
    assert repeated.tolist() == expected_values[counts > 1].tolist()

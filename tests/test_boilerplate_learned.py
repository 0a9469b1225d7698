"""Learned boilerplate: lines recurring across different stories, in the batch and in earlier partitions."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import ValidationError

from tasks.boilerplate_learned import (
    INDEX_DATASET,
    INDEX_SCHEMA,
    batch_line_index,
    batch_line_keys,
    index_dir,
    learned_line_keys,
    line_index_table,
    line_key,
    load_index_history,
    _normalise_by_regex,
    normalise_line,
    rows_to_keep,
)
from tasks.clean import clean_articles
from tasks.config import LEARNED_HISTORY_CAP, CleanSettings, LearnedSettings
from tasks.rules import load_rules
from tasks.write import replace_partitions

from tests.helpers import DATE, draft

SETTINGS = LearnedSettings(min_stories=3, min_files=3)
FOOTER = "Daily Example Media Group, registered in Exampleshire No. 123456"


TOWNS = ["Ashford", "Bexley", "Crawley", "Dover", "Epsom", "Frome", "Goole", "Hythe", "Ilford", "Jarrow"]


def story(n: int, extra: str = FOOTER) -> str:
    town = TOWNS[n]
    return (
        f"The council of {town} met and agreed to spend more on the roads in the north of the county.\n"
        f"Residents of {town} said they had waited for years for the repairs to begin.\n{extra}"
    )


def learned(drafts, history=None, settings=SETTINGS):
    batch = batch_line_index(drafts, DATE, settings)
    return learned_line_keys(batch, history if history is not None else INDEX_SCHEMA.empty_table(), settings)


def test_normalised_lines_ignore_case_digits_and_punctuation():
    assert normalise_line("Updated 12:45, 3 May 2024!") == normalise_line("updated 09:10 - 14 May 2024")
    assert normalise_line("Updated 12:45") != normalise_line("Published 12:45")


# Characters where Unicode's case folding, compatibility form or digit classes do something unusual: ß
# and the ligatures fold to two letters, İ to i and a combining dot, every sigma to σ; superscripts,
# circled and full-width digits and ligatures change under NFKC; a combining accent composes with the
# letter before it, Hangul jamo into a syllable; Arabic-Indic and Devanagari digits are digits (\\d).
UNUSUAL = "ßẞİıΣσςﬁﬀǅ²³¹①０９Ａｚ\u0301\u0308\u0327e\u1100\u1161\u11a8가٣۴९_·'’“”£€–—\u00a0\u2009\u200b\ufeff\u0345ΐŉ"
TRICKY_TEXT = st.text(alphabet=st.sampled_from(UNUSUAL + "aZ09 ,.-"), max_size=40)


@given(st.one_of(st.text(max_size=80), TRICKY_TEXT, st.text(alphabet=st.characters(max_codepoint=127), max_size=80)))
@example("  Updated 12:45,\t3 May 2024!  007 a_b 0 00x")
@example("STRASSE Straße ΣΟΦΟΣ σοφος ﬁnal İstanbul")
@example("x²+y² ① ٣٤ 12٣ ９９ a\u0301 e\u0301 \u1100\u1161\u11a8")
def test_every_way_of_normalising_gives_the_definition(text):
    """The learned line keys are stored in the state and compared across days: the fast path must give
    the regex's string for every text."""
    assert normalise_line.__wrapped__(text) == _normalise_by_regex(text)


@pytest.mark.parametrize(
    "text, normalised",
    [
        ("Straße", "strasse"),
        ("ΣΑΣ σας", "σασ σασ"),  # case folding has no final sigma
        ("İ", "i"),  # folded to i and a combining dot above, which is no letter: dropped
        ("ﬁle ²", "file 0"),  # NFKC first
        ("e\u0301t\u00e9", "\u00e9t\u00e9"),  # composed: both spell the same word
        ("q\u0301", "q"),  # nothing to compose with: the accent is dropped like punctuation
        ("٣٤ and 12٣", "0 and 0"),
        ("snake_case", "snake case"),
        ("£1,250.00 – “quoted”", "0 0 0 quoted"),
    ],
)
def test_normalising_unusual_characters(text, normalised):
    assert normalise_line.__wrapped__(text) == _normalise_by_regex(text) == normalised


def test_a_line_in_different_stories_from_different_files_is_learned():
    drafts = [draft(story(n), f"{n}.txt") for n in range(3)]
    assert learned(drafts) == {line_key(FOOTER)}


def test_the_same_story_saved_many_times_is_not_evidence():
    drafts = [draft(story(1), f"{n}.txt") for n in range(5)]
    assert learned(drafts) == frozenset()


def test_stories_from_too_few_files_are_not_enough():
    drafts = [draft(story(n), f"{n % 2}.txt") for n in range(4)]
    assert learned(drafts) == frozenset()


def test_long_lines_are_not_counted():
    long_footer = "This article was produced with the support of the Example Foundation, " * 4
    drafts = [draft(story(n, long_footer), f"{n}.txt") for n in range(4)]
    assert learned(drafts, settings=LearnedSettings(min_stories=3, min_files=3, max_chars=200)) == frozenset()


def test_earlier_partitions_count_but_not_this_date_or_later(tmp_path):
    state = tmp_path / "state"
    for offset, day in [(-2, 0), (-1, 1), (0, 2), (1, 3)]:
        date = DATE + dt.timedelta(days=offset)
        batch = batch_line_index([draft(story(day), "a.txt")], date, SETTINGS)
        replace_partitions(state, date, {INDEX_DATASET: batch}, "zstd", 3)
    assert sorted(path.name for path in index_dir(state).iterdir()) == [
        f"date={DATE + dt.timedelta(days=offset)}" for offset in (-2, -1, 0, 1)
    ]
    history = load_index_history(state, DATE, SETTINGS)
    assert history.num_rows == 2 * len(batch_line_index([draft(story(0), "a.txt")], DATE, SETTINGS))
    # Two earlier days plus one story of this batch: three stories in three files.
    assert learned([draft(story(9), "b.txt")], history) == {line_key(FOOTER)}
    only_last = load_index_history(state, DATE, LearnedSettings(min_stories=3, min_files=3, history_partitions=1))
    assert learned([draft(story(9), "b.txt")], only_last) == frozenset()


def test_history_read_for_the_batchs_lines_holds_only_their_rows_and_learns_the_same(tmp_path):
    state = tmp_path / "state"
    for offset, day in [(-2, 0), (-1, 1)]:
        date = DATE + dt.timedelta(days=offset)
        index = batch_line_index([draft(story(day), "a.txt")], date, SETTINGS)
        replace_partitions(state, date, {INDEX_DATASET: index}, "zstd", 3)
    today = batch_line_index([draft(story(9), "b.txt")], DATE, SETTINGS)
    everything = load_index_history(state, DATE, SETTINGS)
    for_today = load_index_history(state, DATE, SETTINGS, batch_line_keys(today))
    # Each story has its own lines and shares the footer: only the footer's rows concern today.
    assert set(for_today["line_key"].to_pylist()) == {line_key(FOOTER)} and for_today.num_rows == 2
    assert everything.num_rows > for_today.num_rows
    both = learned_line_keys(today, everything, SETTINGS), learned_line_keys(today, for_today, SETTINGS)
    assert both[0] == both[1] == {line_key(FOOTER)}


def test_a_learned_line_is_removed_with_its_rule():
    drafts = [draft(story(n), f"{n}.txt") for n in range(3)]
    settings = CleanSettings(learned=SETTINGS)
    cleaned = clean_articles(drafts, load_rules(settings), settings, learned(drafts))
    for article in cleaned:
        assert [(line.text, line.rule) for line in article.removed] == [(FOOTER, "learned.recurring_line")]
        assert len(article.paragraphs) == 2


def test_the_index_holds_hashes_only():
    batch = batch_line_index([draft(story(1), "a.txt")], DATE, SETTINGS)
    assert batch.schema.equals(INDEX_SCHEMA)
    assert all(str(field.type) == "int64" for field in batch.schema)


def test_lines_of_numbers_alone_are_not_learned():
    drafts = [draft(story(n, f"{n * 1000 + 17:,}"), f"{n}.txt") for n in range(5)]
    assert learned(drafts) == frozenset()


def test_the_line_index_has_each_row_once_sorted_by_line_story_file():
    rows = np.array([[5, 1, 1], [2, 9, 9], [5, 1, 0], [2, 9, 9], [5, 0, 7], [2, 9, 9]], dtype=np.int64)
    table = line_index_table(rows)
    assert table.to_pylist() == [
        {"line_key": 2, "story_key": 9, "file_key": 9},
        {"line_key": 5, "story_key": 0, "file_key": 7},
        {"line_key": 5, "story_key": 1, "file_key": 0},
        {"line_key": 5, "story_key": 1, "file_key": 1},
    ]
    assert line_index_table(rows[:0]).num_rows == 0


def test_history_keeps_a_capped_number_of_rows_per_line_and_learns_the_same():
    rng = np.random.default_rng(5)
    days = []
    for day in range(6):
        # Half the rows are on lines 0-4 (furniture: many stories); the others on lines 0-39.
        lines = rng.integers(0, 40, 3000) // np.where(rng.random(3000) < 0.5, 8, 1)
        rows = np.stack([lines, rng.integers(0, 300, 3000), rng.integers(0, 50, 3000) + 1000 * day], axis=1)
        days.append(line_index_table(rows))
    cap = 5
    kept = [rows_to_keep(day, cap) for day in days]
    assert sum(table.num_rows for table in kept) < sum(table.num_rows for table in days) / 3
    for table in kept:
        lines, stories, files = (table[name].to_numpy() for name in ("line_key", "story_key", "file_key"))
        for line in range(5):
            on_line = lines == line
            # At least cap distinct stories and files; the rows kept for their files bring a few more
            # stories: at most 2 * cap rows a line.
            assert len(set(stories[on_line])) >= cap and len(set(files[on_line])) >= cap
            assert on_line.sum() <= 2 * cap
    today = days[0].filter(pc.less(days[0]["story_key"], 3))  # few stories today: history decides
    history, capped = pa.concat_tables(days[1:]), pa.concat_tables(kept[1:])
    for min_stories, min_files in [(2, 2), (3, 5), (5, 4), (5, 5)]:
        settings = LearnedSettings(min_stories=min_stories, min_files=min_files)
        full = learned_line_keys(today, history, settings)
        assert learned_line_keys(today, capped, settings) == full and full


def test_thresholds_above_the_history_cap_are_rejected():
    with pytest.raises(ValidationError):
        LearnedSettings(min_stories=LEARNED_HISTORY_CAP + 1)

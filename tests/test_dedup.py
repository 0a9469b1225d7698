import datetime as dt

import pyarrow.parquet as pq

from tasks.config import DedupSettings
from tasks.dedup import content_hash, deduplicate, history_dir, history_table, load_history
from tasks.records import CleanArticle, Paragraph
from tasks.write import replace_partitions

DATE = dt.date(2025, 3, 4)


def article(article_id: str, text: str, source_file: str = "a.txt", line_start: int = 1) -> CleanArticle:
    paragraphs = [Paragraph(line_start + i, "body", line) for i, line in enumerate(text.split("\n"))]
    return CleanArticle(article_id, source_file, line_start, line_start + len(paragraphs) - 1, None, None, paragraphs, [])


def test_hash_ignores_case_punctuation_quotes_whitespace_and_unicode_form():
    assert content_hash("“Hello,” she said.\nBye") == content_hash('"hello" she  said\nbye!')
    assert content_hash("Cafe\u0301") == content_hash("Caf\u00e9")
    assert content_hash("50,271 people") != content_hash("50,272 people")


def test_first_copy_in_source_order_survives():
    later = article("b", "Same story.", "b.txt")
    earlier = article("a", "Same story.", "a.txt", line_start=5)
    survivors, duplicates = deduplicate([later, earlier], DATE, {}, DedupSettings())
    assert [a.article_id for a in survivors] == ["a"]
    assert [(d.article_id, d.duplicate_of, d.duplicate_of_date, d.method, d.similarity) for d in duplicates] == [
        ("b", "a", DATE, "exact", 1.0)
    ]


def test_copy_of_an_earlier_partition_is_a_duplicate_of_it():
    earlier_date = DATE - dt.timedelta(days=1)
    history = {content_hash("Same story."): ("old", earlier_date)}
    survivors, duplicates = deduplicate([article("new", "Same story.")], DATE, history, DedupSettings())
    assert survivors == []
    assert (duplicates[0].duplicate_of, duplicates[0].duplicate_of_date) == ("old", earlier_date)


def test_exact_dedup_can_be_switched_off():
    articles = [article("a", "Same."), article("b", "Same.", "b.txt")]
    survivors, duplicates = deduplicate(articles, DATE, {}, DedupSettings(exact=False))
    assert len(survivors) == 2 and duplicates == []


def test_history_only_holds_earlier_dates(tmp_path):
    state = tmp_path / "state"
    for date, article_id in [(DATE - dt.timedelta(days=2), "first"), (DATE, "today"), (DATE + dt.timedelta(days=1), "later")]:
        table = history_table([_hashed(article(article_id, "Same story."))])
        replace_partitions(state, date, {history_dir(state).name: table}, "zstd", 3)
    assert load_history(state, before=DATE) == {content_hash("Same story."): ("first", DATE - dt.timedelta(days=2))}
    assert load_history(state, before=DATE - dt.timedelta(days=2)) == {}
    # The index holds hashes and ids, never text.
    files = list(history_dir(state).rglob("*.parquet"))
    assert pq.read_schema(files[0]).names == ["content_hash", "article_id"]


def _hashed(clean_article: CleanArticle) -> CleanArticle:
    clean_article.content_hash = content_hash(clean_article.text)
    return clean_article

"""fingerprint() against the plain way of computing the same values, one paragraph and one word at a time.

The values are persisted in the dedup index and compared with later days' values, so a faster way of
computing them must give exactly the same ones, for any text."""

import datetime as dt
import hashlib
import os

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tasks import minhash
from tasks.config import DedupSettings
from tasks.fingerprint import ANCHOR_MIN_WORDS, fingerprint, normalise_for_hash
from tasks.records import CleanArticle, Paragraph

DATE = dt.date(2025, 3, 4)
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("NEWSETL_PROPERTY_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Letters, digits and word separators of ASCII; characters that normalisation changes (a combining accent,
# the "fi" ligature, a full-width A, German sharp s, a dotted capital I); non-ASCII punctuation (pound
# sign, curly quotes, no-break space, em dash); words of scripts without case, and bytes no text should
# hold but that must not break the byte arithmetic (NUL, newline, form feed).
ALPHABET = "aZz09_ \t.,'-()£’“”\u00a0—\u0301ﬁＡßİ東京Ωσς\x00\n\x0c"
paragraph_texts = st.one_of(st.text(alphabet=ALPHABET, max_size=80), st.text(max_size=30))
articles_strategy = st.lists(st.lists(paragraph_texts, max_size=6), max_size=8)


def make_articles(texts: list[list[str]]) -> list[CleanArticle]:
    return [
        CleanArticle(f"a{i}", "a.txt", 1, 1, None, None, [Paragraph(j + 1, "body", text) for j, text in enumerate(paragraphs)], [])
        for i, paragraphs in enumerate(texts)
    ]


def plain_fingerprint(articles: list[CleanArticle], settings: DedupSettings):
    """What fingerprint() computes, the plain way: normalise_for_hash per paragraph, a Python call per
    hash, and minhash.shingle_sets over the normalised texts."""
    texts, content_hashes, anchors, anchor_words, anchor_counts = [], [], [], [], []
    for article in articles:
        paragraphs = [text for paragraph in article.paragraphs if (text := normalise_for_hash(paragraph.text))]
        texts.append(" ".join(paragraphs))
        content_hashes.append(hashlib.sha256(texts[-1].encode("utf-8")).hexdigest()[:32])
        counted = [(text, text.count(" ") + 1) for text in paragraphs]
        long_enough = [(text, words) for text, words in counted if words >= ANCHOR_MIN_WORDS]
        for text, words in long_enough:
            anchors.append(int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest(), "little"))
            anchor_words.append(words)
        anchor_counts.append(len(long_enough))
    shingles = minhash.shingle_sets(texts, settings.shingle_size)
    return {
        "content_hashes": content_hashes,
        "anchors": anchors,
        "anchor_words": anchor_words,
        "anchor_offsets": np.concatenate(([0], np.cumsum(anchor_counts))).tolist(),
        "n_words": [len(text.split()) for text in texts],
        "shingle_hashes": shingles.hashes.tolist(),
        "shingle_offsets": shingles.offsets.tolist(),
        "signatures": minhash.signatures(shingles, settings.num_perm, settings.seed).values.tolist(),
    }


def fast_fingerprint(articles: list[CleanArticle], settings: DedupSettings):
    found = fingerprint(articles, DATE, settings)
    assert [article.content_hash for article in articles] == found.prints.content_hashes
    return {
        "content_hashes": found.prints.content_hashes,
        "anchors": found.prints.anchors.tolist(),
        "anchor_words": found.anchor_words.tolist(),
        "anchor_offsets": found.prints.anchor_offsets.tolist(),
        "n_words": found.n_words.tolist(),
        "shingle_hashes": found.shingles.hashes.tolist(),
        "shingle_offsets": found.shingles.offsets.tolist(),
        "signatures": found.prints.signatures.tolist(),
    }


@PROPERTY_SETTINGS
@given(articles_strategy, st.integers(1, 4))
@example([["Ein   Café, über-alles!", "", "£5 for   the ﬁrst ONE two three four five six seven eight."], []], 2)
@example([[" ".join(["word"] * ANCHOR_MIN_WORDS)], [" ".join(["word"] * (ANCHOR_MIN_WORDS - 1))]], 2)
def test_fingerprint_gives_the_values_of_the_plain_computation(texts, shingle_size):
    settings = DedupSettings(shingle_size=shingle_size, num_perm=32, bands=8, rows=4)
    assert fast_fingerprint(make_articles(texts), settings) == plain_fingerprint(make_articles(texts), settings)


def test_fingerprint_of_no_articles():
    found = fingerprint([], DATE, DedupSettings())
    assert found.prints.content_hashes == [] and found.prints.anchor_offsets.tolist() == [0]
    assert found.prints.signatures.shape == (0, DedupSettings().num_perm)

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


MASK = (1 << 64) - 1


def plain_mix64(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def plain_shingles(text: str, shingle_size: int) -> list[int]:
    """The shingle hashes of a normalised text, sorted, one word and one shingle at a time."""
    words = [int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little") for word in text.split()]
    runs = [words[i : i + shingle_size] for i in range(len(words) - shingle_size + 1)] or ([words] if words else [])
    hashes = []
    for run in runs:
        value = run[0]
        for word in run[1:]:
            value = ((((value << 27) | (value >> 37)) & MASK) * 0x9E3779B97F4A7C15 & MASK) ^ word
        hashes.append(plain_mix64(value))
    return sorted(hashes)


def plain_fingerprint(articles: list[CleanArticle], settings: DedupSettings):
    """What fingerprint() computes, the plain way: normalise_for_hash per paragraph, and a Python call per
    hash and per shingle."""
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
    per_text = [plain_shingles(text, settings.shingle_size) for text in texts]
    offsets = np.concatenate(([0], np.cumsum([len(hashes) for hashes in per_text]))).astype(np.int64)
    shingles = minhash.ShingleSets(np.array([h for hashes in per_text for h in hashes], dtype=np.uint64), offsets)
    return {
        "content_hashes": content_hashes,
        "anchors": anchors,
        "anchor_words": anchor_words,
        "anchor_offsets": np.concatenate(([0], np.cumsum(anchor_counts))).tolist(),
        "n_words": [len(text.split()) for text in texts],
        "n_shingles": shingles.sizes().tolist(),
        "shingle_hashes": shingles.hashes.tolist(),
        "shingle_offsets": shingles.offsets.tolist(),
        "signatures": minhash.signatures(shingles, settings.num_perm, settings.seed).values.tolist(),
    }


def fast_fingerprint(articles: list[CleanArticle], settings: DedupSettings, batch_articles: int | None = None):
    found = fingerprint(articles, DATE, settings, batch_articles)
    assert [article.content_hash for article in articles] == found.prints.content_hashes
    return {
        "content_hashes": found.prints.content_hashes,
        "anchors": found.prints.anchors.tolist(),
        "anchor_words": found.anchor_words.tolist(),
        "anchor_offsets": found.prints.anchor_offsets.tolist(),
        "n_words": found.n_words.tolist(),
        "n_shingles": found.prints.n_shingles.tolist(),
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


@PROPERTY_SETTINGS
@given(articles_strategy, st.integers(1, 3))
def test_fingerprints_do_not_depend_on_how_many_articles_are_fingerprinted_at_once(texts, batch_articles):
    settings = DedupSettings(num_perm=32, bands=8, rows=4)
    at_once = fast_fingerprint(make_articles(texts), settings)
    assert fast_fingerprint(make_articles(texts), settings, batch_articles) == at_once


@PROPERTY_SETTINGS
@given(st.lists(st.text(alphabet="ab c", max_size=12), max_size=6), st.integers(1, 4))
def test_shingle_sets_of_texts_give_the_values_of_the_plain_computation(texts, shingle_size):
    normalised = [normalise_for_hash(text) for text in texts]
    shingles = minhash.shingle_sets(normalised, shingle_size)
    assert [shingles.hashes[start:end].tolist() for start, end in zip(shingles.offsets[:-1], shingles.offsets[1:])] == [
        plain_shingles(text, shingle_size) for text in normalised
    ]


def test_fingerprint_of_no_articles():
    found = fingerprint([], DATE, DedupSettings())
    assert found.prints.content_hashes == [] and found.prints.anchor_offsets.tolist() == [0]
    assert found.prints.signatures.shape == (0, DedupSettings().num_perm)

"""Fingerprints: what dedup compares of an article, and what the index keeps of it, without its text.

- the normalised text (case-folded words, Unicode compatibility form) and its hash (exact copies);
- the set of word shingles and its MinHash signature (near copies; tasks/minhash.py);
- anchors: 32-bit hashes of its paragraphs of ANCHOR_MIN_WORDS words or more, with their word counts
  (an article that is a small part of a longer one shares a paragraph with it, but too few shingles for
  LSH to notice).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from tasks import minhash
from tasks.config import DedupSettings
from tasks.dedup_index import ArticleFingerprints
from tasks.records import CleanArticle

# A paragraph of fewer words is no anchor: short lines (headings, "Read more") recur in unrelated stories.
ANCHOR_MIN_WORDS = 8
# Shingles and signatures are computed this many articles at a time: arrays of a few million entries stay
# fast and the peak memory small (a signature does not depend on the other articles of its batch).
_CHUNK = 5000

_WORD = re.compile(r"\w+")

# For ASCII text the same result as the regex, about twice as fast: \w is [A-Za-z0-9_] there.
_ASCII_NON_WORD = str.maketrans({chr(code): " " for code in range(128) if not (chr(code).isalnum() or chr(code) == "_")})


def normalise_for_hash(text: str) -> str:
    """Text as compared for duplicates: Unicode compatibility form, case-folded, its words (runs of
    letters, digits and underscores) separated by single spaces. Curly vs straight quotes, a changed line
    break or a trailing full stop do not make a different article."""
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_NON_WORD).split())
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def _hash_normalised(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]


def content_hash(text: str) -> str:
    return _hash_normalised(normalise_for_hash(text))


# The bytes of words in UTF-8 normalised text: ASCII letters, digits and the underscore (\w in ASCII), and
# every byte of a multi-byte character, since non-ASCII paragraphs are normalised before they reach bytes.
_IS_WORD_BYTE = np.zeros(256, dtype=bool)
_IS_WORD_BYTE[[ord(character) for character in string.ascii_letters + string.digits + "_"]] = True
_IS_WORD_BYTE[128:] = True
# Each byte as normalised text has it: capitals in small letters, any other byte outside words a space.
_NORMALISED_BYTE = np.where(_IS_WORD_BYTE, np.arange(256), ord(" ")).astype(np.uint8)
_NORMALISED_BYTE[ord("A") : ord("Z") + 1] += ord("a") - ord("A")


@dataclass
class _NormalisedWords:
    """The normalised text of a batch of articles and its words, found with numpy over the UTF-8 bytes of
    all their paragraphs at once: the same text as normalise_for_hash gives paragraph by paragraph, with
    no Python object per word (a batch has millions).

    ASCII paragraphs go in as they are and become words here; the others are normalised first by
    normalise_for_hash (Unicode compatibility form and case folding need Python) and go in as their words
    and single spaces, which this leaves unchanged."""

    text: bytes  # the normalised texts of the articles, one after the other (words joined by single spaces)
    words: pa.Array  # every word, in order (large_string)
    word_starts: np.ndarray  # int64, where each word starts in `text`
    word_ends: np.ndarray
    article_offsets: np.ndarray  # int64: article i owns words article_offsets[i]:article_offsets[i + 1]
    paragraph_offsets: np.ndarray  # the same for paragraphs, all articles' paragraphs in order
    paragraphs_of_articles: np.ndarray  # article i owns paragraphs paragraphs_of_articles[i]:[i + 1]

    @classmethod
    def of(cls, articles: list[CleanArticle]) -> _NormalisedWords:
        paragraphs = [paragraph.text for article in articles for paragraph in article.paragraphs]
        encoded = [text.encode() if text.isascii() else normalise_for_hash(text).encode() for text in paragraphs]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        raw = np.frombuffer(b"\n".join(encoded), dtype=np.uint8)  # a newline: no word spans two paragraphs
        is_word = _IS_WORD_BYTE[raw]
        edges = np.flatnonzero(np.diff(is_word, prepend=False, append=False))  # a word's first byte and the byte after it
        raw_starts, raw_ends = edges[0::2], edges[1::2]
        word_lengths = raw_ends - raw_starts
        normalised = _NORMALISED_BYTE[raw]
        word_bytes = np.concatenate(([0], np.cumsum(word_lengths)))
        words = pa.Array.from_buffers(
            pa.large_string(), len(raw_starts), [None, pa.py_buffer(word_bytes), pa.py_buffer(normalised[is_word])]
        )
        paragraph_starts = np.cumsum(lengths + 1) - (lengths + 1)
        paragraph_offsets = np.append(np.searchsorted(raw_starts, paragraph_starts), len(raw_starts))
        paragraphs_of_articles = np.concatenate(([0], np.cumsum([len(article.paragraphs) for article in articles], dtype=np.int64)))
        article_offsets = paragraph_offsets[paragraphs_of_articles]
        # Within an article every word but the first has a space before it: the byte before the word (a
        # space, a punctuation mark or the newline between paragraphs) is kept, as normalised a space.
        spaced = np.ones(len(raw_starts), dtype=bool)
        spaced[article_offsets[:-1][article_offsets[:-1] < len(raw_starts)]] = False
        keep = is_word
        keep[raw_starts[spaced] - 1] = True
        word_starts = word_bytes[:-1] + np.cumsum(spaced)
        return cls(
            normalised[keep].tobytes(),
            words,
            word_starts,
            word_starts + word_lengths,
            article_offsets,
            paragraph_offsets,
            paragraphs_of_articles,
        )

    @property
    def article_words(self) -> np.ndarray:
        return np.diff(self.article_offsets)

    @property
    def paragraph_words(self) -> np.ndarray:
        return np.diff(self.paragraph_offsets)

    def text_span(self, offsets: np.ndarray, which: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Where in `text` the normalised text of each group of words starts and ends: the words
        offsets[i]:offsets[i + 1] for each i of `which` (default: all); (0, 0) for a group of no words."""
        first, stop = offsets[:-1], offsets[1:]
        if which is not None:
            first, stop = first[which], stop[which]
        has_words = stop > first
        # One more entry for the index of a group that has none (the first word after the last).
        starts, ends = np.append(self.word_starts, 0), np.append(self.word_ends, 0)
        return np.where(has_words, starts[first], 0), np.where(has_words, ends[stop - 1], 0)


@dataclass
class Fingerprinted:
    """Articles with what dedup compares: fingerprints, shingle sets, and the word count of each anchor."""

    prints: ArticleFingerprints
    shingles: minhash.ShingleSets
    anchor_words: np.ndarray  # int64, aligned with prints.anchors
    n_words: np.ndarray  # int64 per article

    @classmethod
    def concatenate(cls, parts: list[Fingerprinted]) -> Fingerprinted:
        """Fingerprints computed chunk by chunk (on worker processes), joined in chunk order: the same as
        fingerprinting all the articles at once, since nothing in them depends on the other articles."""
        shingle_kind = type(parts[0].shingles) if parts else minhash.ShingleSets
        return cls(
            ArticleFingerprints.concatenate([part.prints for part in parts]),
            shingle_kind.concatenate([part.shingles for part in parts]),
            np.concatenate([part.anchor_words for part in parts]),
            np.concatenate([part.n_words for part in parts]),
        )


    def spill(self, path: Path) -> Fingerprinted:
        """The same fingerprints with the shingle sets moved to a file (see minhash.SpilledShingleSets)."""
        return Fingerprinted(self.prints, self.shingles.spill(path), self.anchor_words, self.n_words)


def fingerprint(articles: list[CleanArticle], date: dt.date, settings: DedupSettings) -> Fingerprinted:
    """Fingerprints of articles (in the given order); sets each article's content_hash."""
    batches = [_fingerprint_batch(articles[start : start + _CHUNK], settings) for start in range(0, len(articles), _CHUNK)]
    content_hashes = [content for batch in batches for content in batch.content_hashes]
    for article, content in zip(articles, content_hashes):
        article.content_hash = content
    shingles = minhash.ShingleSets.concatenate([batch.shingles for batch in batches])
    anchor_counts = np.concatenate([batch.anchor_counts for batch in batches] or [np.zeros(0, dtype=np.int64)])
    prints = ArticleFingerprints(
        article_ids=[article.article_id for article in articles],
        dates=[date] * len(articles),
        content_hashes=content_hashes,
        n_shingles=shingles.sizes(),
        signatures=np.concatenate([batch.signatures for batch in batches] or [np.zeros((0, settings.num_perm), dtype=np.uint8)]),
        anchors=np.concatenate([batch.anchors for batch in batches] or [np.zeros(0, dtype=np.uint32)]),
        anchor_offsets=np.concatenate(([0], np.cumsum(anchor_counts, dtype=np.int64))),
    )
    anchor_words = np.concatenate([batch.anchor_words for batch in batches] or [np.zeros(0, dtype=np.int64)])
    n_words = np.concatenate([batch.n_words for batch in batches] or [np.zeros(0, dtype=np.int64)])
    return Fingerprinted(prints, shingles, anchor_words, n_words)


@dataclass
class _Batch:
    content_hashes: list[str]
    shingles: minhash.ShingleSets
    signatures: np.ndarray
    anchors: np.ndarray  # uint32
    anchor_words: np.ndarray  # int64, per anchor
    anchor_counts: np.ndarray  # int64, per article
    n_words: np.ndarray  # int64, per article


def _fingerprint_batch(articles: list[CleanArticle], settings: DedupSettings) -> _Batch:
    words = _NormalisedWords.of(articles)
    text, anchor_paragraphs = memoryview(words.text), np.flatnonzero(words.paragraph_words >= ANCHOR_MIN_WORDS)
    article_starts, article_ends = words.text_span(words.article_offsets)
    content_hashes = [
        hashlib.sha256(text[start:end]).hexdigest()[:32] for start, end in zip(article_starts.tolist(), article_ends.tolist())
    ]
    anchor_starts, anchor_ends = words.text_span(words.paragraph_offsets, anchor_paragraphs)
    # blake2b digests read little-endian: the same values as int.from_bytes(digest, "little").
    digests = b"".join(
        [hashlib.blake2b(text[start:end], digest_size=4).digest() for start, end in zip(anchor_starts.tolist(), anchor_ends.tolist())]
    )
    is_anchor = np.zeros(len(words.paragraph_words), dtype=np.int64)
    is_anchor[anchor_paragraphs] = 1
    anchors_before = np.concatenate(([0], np.cumsum(is_anchor)))[words.paragraphs_of_articles]
    shingles = minhash.shingle_sets_of_words(words.words, words.article_words, settings.shingle_size)
    return _Batch(
        content_hashes,
        shingles,
        minhash.signatures(shingles, settings.num_perm, settings.seed).values,
        np.frombuffer(digests, dtype="<u4").astype(np.uint32),
        words.paragraph_words[anchor_paragraphs],
        np.diff(anchors_before),
        words.article_words,
    )

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
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from tasks import minhash
from tasks.character_map import WORD_OR_SPACE
from tasks.config import DedupSettings
from tasks.dedup_index import ArticleFingerprints
from tasks.records import CleanArticle

# A paragraph of fewer words is no anchor: short lines (headings, "Read more") recur in unrelated stories.
ANCHOR_MIN_WORDS = 8
# Articles are fingerprinted this many at a time unless told otherwise: arrays of a few million entries
# stay fast and the peak memory small (nothing in an article's fingerprints depends on the other articles
# of its batch). Computing the signatures takes ~14 KB an article at once (a day of 300-byte articles:
# 58 MB for one 1 MB chunk of 4,159 at once, 16 MB 1,000 at a time, for 0.03 s more of a core).
DEFAULT_BATCH_ARTICLES = 5000


def normalise_for_hash(text: str) -> str:
    """Text as compared for duplicates: Unicode compatibility form, case-folded, its words (runs of
    letters, digits and underscores) separated by single spaces. Curly vs straight quotes, a changed line
    break or a trailing full stop do not make a different article."""
    return " ".join(_words_and_spaces(text).split())


def _words_and_spaces(text: str) -> str:
    """The text in Unicode compatibility form, case-folded, every character outside words a space (a
    CharacterMap: a few C-speed passes rather than a regex testing every character)."""
    return WORD_OR_SPACE.apply(unicodedata.normalize("NFKC", text).casefold())


def _hash_normalised(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]


def content_hash(text: str) -> str:
    return _hash_normalised(normalise_for_hash(text))


# The bytes of words in UTF-8 normalised text: ASCII letters, digits and the underscore (\w in ASCII), and
# every byte of a multi-byte character (those outside words are spaces by then).
# Both tables are for bytes.translate, which maps a buffer several times faster than numpy's indexing.
_WORD_BYTES = frozenset((string.ascii_letters + string.digits + "_").encode()) | frozenset(range(128, 256))
_IS_WORD_BYTE = bytes(byte in _WORD_BYTES for byte in range(256))
# Each byte as normalised text has it: capitals in small letters, any other byte outside words a space.
_NORMALISED_BYTE = bytes(byte if byte in _WORD_BYTES else ord(" ") for byte in range(256)).lower()


@dataclass
class _NormalisedWords:
    """The normalised text of a batch of articles and its words, found with numpy over the UTF-8 bytes of
    all their paragraphs at once: the same text as normalise_for_hash gives paragraph by paragraph, with
    no Python object per word (a batch has millions).

    ASCII paragraphs go in as they are; the others first get the Unicode compatibility form and case
    folding, and spaces for their characters outside words (_words_and_spaces, in Python), so that here
    a word is a run of ASCII word characters and bytes of multi-byte characters."""

    text: bytes  # the articles' normalised texts one after the other, each word followed by a space
    words: pa.Array  # every word followed by its space, in order (large_string over `text`)
    word_starts: np.ndarray  # int64, where each word starts in `text`
    word_ends: np.ndarray  # and ends (its space excluded)
    article_offsets: np.ndarray  # int64: article i owns words article_offsets[i]:article_offsets[i + 1]
    paragraph_offsets: np.ndarray  # the same for paragraphs, all articles' paragraphs in order
    paragraphs_of_articles: np.ndarray  # article i owns paragraphs paragraphs_of_articles[i]:[i + 1]

    @classmethod
    def of(cls, articles: list[CleanArticle]) -> _NormalisedWords:
        paragraphs = [paragraph.text for article in articles for paragraph in article.paragraphs]
        encoded = [text.encode() if text.isascii() else _words_and_spaces(text).encode() for text in paragraphs]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        # A newline after each paragraph: no word spans two, and a byte follows every word.
        raw = b"\n".join(encoded) + b"\n"
        is_word = np.frombuffer(bytearray(raw.translate(_IS_WORD_BYTE)), dtype=bool)
        edges = np.flatnonzero(np.diff(is_word, prepend=False))  # a word's first byte and the byte after it
        raw_starts, raw_ends = edges[0::2], edges[1::2]
        paragraph_starts = np.cumsum(lengths + 1) - (lengths + 1)
        paragraph_offsets = np.append(np.searchsorted(raw_starts, paragraph_starts), len(raw_starts))
        paragraphs_of_articles = np.concatenate(([0], np.cumsum([len(article.paragraphs) for article in articles], dtype=np.int64)))
        # Each word and the byte after it (a space, a punctuation mark, the newline), made a space.
        keep = is_word
        keep[raw_ends] = True
        text = np.frombuffer(raw.translate(_NORMALISED_BYTE), dtype=np.uint8)[keep].tobytes()
        word_starts = np.concatenate(([0], np.cumsum(raw_ends - raw_starts + 1)))
        words = pa.Array.from_buffers(pa.large_string(), len(raw_starts), [None, pa.py_buffer(word_starts), pa.py_buffer(text)])
        return cls(
            text, words, word_starts[:-1], word_starts[1:] - 1, paragraph_offsets[paragraphs_of_articles], paragraph_offsets, paragraphs_of_articles
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


def fingerprint(
    articles: list[CleanArticle], date: dt.date, settings: DedupSettings, batch_articles: int | None = None
) -> Fingerprinted:
    """Fingerprints of articles (in the given order), batch_articles at a time (the same values for any
    number); sets each article's content_hash."""
    size = batch_articles or DEFAULT_BATCH_ARTICLES
    batches = [_fingerprint_batch(articles[start : start + size], settings) for start in range(0, len(articles), size)]
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
    word_hashes = minhash.word_hashes(words.words, separator_bytes=1)
    shingles = minhash.shingle_sets_of_word_hashes(word_hashes, words.article_words, settings.shingle_size)
    return _Batch(
        content_hashes,
        shingles,
        minhash.signatures(shingles, settings.num_perm, settings.seed).values,
        np.frombuffer(digests, dtype="<u4").astype(np.uint32),
        words.paragraph_words[anchor_paragraphs],
        np.diff(anchors_before),
        words.article_words,
    )

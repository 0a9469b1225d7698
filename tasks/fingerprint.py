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
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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
    """Fingerprints of articles (in the given order); sets each article's content_hash.

    Paragraphs are normalised one by one: a word never spans a line break, so joining them gives the
    normalised text of the whole article, and each paragraph is ready to be an anchor."""
    normalised: list[str] = []
    anchors: list[int] = []
    anchor_words: list[int] = []
    anchor_counts: list[int] = []
    for article in articles:
        paragraphs = [text for paragraph in article.paragraphs if (text := normalise_for_hash(paragraph.text))]
        normalised.append(" ".join(paragraphs))
        article.content_hash = _hash_normalised(normalised[-1])
        count = 0
        for text in paragraphs:
            words = text.count(" ") + 1
            if words >= ANCHOR_MIN_WORDS:
                anchors.append(int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest(), "little"))
                anchor_words.append(words)
                count += 1
        anchor_counts.append(count)
    chunks = [
        minhash.shingle_sets(normalised[start : start + _CHUNK], settings.shingle_size)
        for start in range(0, len(normalised), _CHUNK)
    ]
    signatures = [minhash.signatures(chunk, settings.num_perm, settings.seed).values for chunk in chunks]
    shingles = minhash.ShingleSets.concatenate(chunks)
    prints = ArticleFingerprints(
        article_ids=[article.article_id for article in articles],
        dates=[date] * len(articles),
        content_hashes=[article.content_hash for article in articles],
        n_shingles=shingles.sizes(),
        signatures=np.concatenate(signatures) if signatures else np.zeros((0, settings.num_perm), dtype=np.uint8),
        anchors=np.array(anchors, dtype=np.uint32),
        anchor_offsets=np.concatenate(([0], np.cumsum(anchor_counts, dtype=np.int64))),
    )
    n_words = np.array([text.count(" ") + 1 if text else 0 for text in normalised], dtype=np.int64)
    return Fingerprinted(prints, shingles, np.array(anchor_words, dtype=np.int64), n_words)

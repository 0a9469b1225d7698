"""Language identification with langdetect's own n-gram profiles, scored deterministically and fast.

langdetect itself walks the text character by character in Python and then samples n-grams at random
(seven trials), which costs about 4 ms per news article and needs a seed to be reproducible. This
module keeps langdetect's text normalisation exactly and its model with one correction (the last point
below), but

* extracts the n-grams with numpy instead of a Python loop, for many texts at once, and sums each
  distinct word's n-grams once per process (_WordSums);
* scores *every* n-gram (naive Bayes: the product that langdetect estimates by sampling), so there is
  no randomness at all: the same text always gets the same answer, whatever the order of calls or
  the thread;
* reads the text in growing stages and stops as soon as one language leads by a wide margin, since a
  news article is usually settled by its first few hundred characters;
* cuts every profile at the same relative frequency (see _common_cut), which langdetect does not.

`LangdetectIdentifier` is plain, seeded langdetect behind the same interface: the reference the
benchmark and the tests compare against.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.lang_profile import LangProfile
from langdetect.utils.ngram import NGram

from tasks.array_cache import load_arrays, save_arrays
from tasks.config import LangidSettings
from tasks.numeric import ranges

log = logging.getLogger(__name__)

UNDETERMINED = "und"
# langdetect tells Simplified from Traditional Chinese; langid.merge_chinese reports both as "zh".
CHINESE_SCRIPTS = ("zh-cn", "zh-tw")

# langdetect's smoothing: every language gets p(n-gram) + alpha / BASE_FREQ, so that an n-gram never
# seen in a language lowers its score rather than ruling it out.
_SMOOTHING = Detector.ALPHA_DEFAULT / Detector.BASE_FREQ
_BITS_PER_CHAR = 21  # every Unicode code point fits in 21 bits, so an n-gram of 1-3 fits in 64
_SPACE = ord(" ")
_URL = Detector.URL_RE
_EMAIL = Detector.MAIL_RE
_VIETNAMESE_MARK = re.compile("[" + NGram.DMARK_CLASS + "]")


@dataclass(frozen=True)
class _Model:
    languages: tuple[str, ...]
    # float64 (n-grams, languages): log(p(n-gram | language) + smoothing), exact float32 values (the cache
    # keeps them so); float64 in memory, as the sums add them: scipy converted the table at every product.
    log_probs: np.ndarray
    gram_keys: np.ndarray  # uint64: the n-gram of each row of log_probs, packed by _gram_key
    slot_keys: np.ndarray  # uint64 hash table (_hash_table) of every profile n-gram packed by _gram_key
    slot_rows: np.ndarray  # int32: the row of log_probs of the key in the same slot
    normalized: np.ndarray  # uint32 over all code points: NGram.normalize applied to each character
    is_upper: np.ndarray  # bool over all code points: str.isupper, for langdetect's ALL-CAPS rule

    def rows_of(self, keys: np.ndarray) -> np.ndarray:
        """Row of log_probs of each key; -1 for an n-gram that no profile lists."""
        rows = np.full(len(keys), -1, dtype=np.int32)
        pending = np.arange(len(keys))
        slots = _home_slots(keys, len(self.slot_keys))
        while len(pending):
            found = self.slot_keys[slots]
            hit = found == keys[pending]
            rows[pending[hit]] = self.slot_rows[slots[hit]]
            probe_on = ~hit & (found != _EMPTY_SLOT)
            pending, slots = pending[probe_on], (slots[probe_on] + 1) & (len(self.slot_keys) - 1)
        return rows


# An open-addressing hash table with linear probing: a lookup costs a few array passes, where a binary
# search of ~60k sorted keys cost ~150 ns per n-gram in cache misses. Keys use 63 bits, so all ones
# marks a free slot.
_EMPTY_SLOT = np.uint64(2**64 - 1)
_FIBONACCI = np.uint64(0x9E3779B97F4A7C15)


def _home_slots(keys: np.ndarray, n_slots: int) -> np.ndarray:
    shift = np.uint64(64 - (n_slots.bit_length() - 1))
    return ((keys * _FIBONACCI) >> shift).astype(np.int64)  # multiplication wraps modulo 2**64


def _hash_table(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(slot_keys, slot_rows) holding row i under keys[i]; a quarter full, so most lookups take one probe."""
    n_slots = 1 << (4 * len(keys)).bit_length()
    slot_keys = np.full(n_slots, _EMPTY_SLOT, dtype=np.uint64)
    slot_rows = np.zeros(n_slots, dtype=np.int32)
    pending = np.arange(len(keys))
    slots = _home_slots(keys, n_slots)
    while len(pending):
        # Of the keys whose slot is free, the first per slot takes it; every other key moves one slot on.
        free = np.flatnonzero(slot_keys[slots] == _EMPTY_SLOT)
        _, first = np.unique(slots[free], return_index=True)
        placed = free[first]
        slot_keys[slots[placed]] = keys[pending[placed]]
        slot_rows[slots[placed]] = pending[placed]
        moving = np.ones(len(pending), dtype=bool)
        moving[placed] = False
        pending, slots = pending[moving], (slots[moving] + 1) & (n_slots - 1)
    return slot_keys, slot_rows


def _gram_key(gram: str) -> int:
    key = 0
    for char in gram:
        key = (key << _BITS_PER_CHAR) | ord(char)
    return key


# Every log-probability, as float32, is a multiple of 2**-23 of magnitude 1.1-9.9 (checked on loading),
# so float64 adds any 2**30 / 9.9 (about 10**8) of them without rounding: a text's sum is exact whatever
# the order of its n-grams, which lets texts be scored in batches and still give the same bits as one
# at a time. A text has at most 3 * max_chars n-grams.
_SUM_QUANTUM = 2.0**-23
_MAX_EXACT_SUM = 2.0**30


def _check_sums_are_exact(log_probs: np.ndarray) -> None:
    in_quanta = log_probs.astype(np.float64) / _SUM_QUANTUM
    if not np.array_equal(in_quanta, np.round(in_quanta)):
        raise AssertionError("a log-probability is not a multiple of 2**-23: sums would depend on order")


# langdetect builds a profile by dropping every n-gram seen at most n_words[0] // ratio times
# (LangProfile.omit_less_freq). 46 of its 55 shipped profiles were cut with ratio 10,000; the other nine
# (ca, cy, et, ko, lt, lv, ro, sl, vi) with 100,000, so they also list n-grams 10x rarer. Scored side by
# side, the two kinds are not comparable: an n-gram between the two cuts is "seen" in one of the nine
# but "unseen" (smoothing only) in a related language, and the nine spread their probability over more
# n-grams. Cutting those nine again at 10,000 makes all profiles equally detailed and leaves the other
# 46 unchanged. On the dev sentences it is right on 5 sentences the uncut profiles get wrong and wrong on
# 2, with no parameter fitted (bench/langid_eval.py; the figures are in the commit that added it).
PROFILE_CUT_RATIO = 10_000


def _common_cut(profile: dict) -> dict:
    """The profile with langdetect's frequency cut re-applied at PROFILE_CUT_RATIO.

    Only the frequency step of omit_less_freq: its second step (dropping Latin n-grams from profiles in
    other scripts) would change profiles that were built without it. As in omit_less_freq, the counts
    of the dropped n-grams leave n_words, so the probabilities of the kept ones stay relative frequencies.
    """
    threshold = max(profile["n_words"][0] // PROFILE_CUT_RATIO, LangProfile.MINIMUM_FREQ)
    freq, n_words = {}, list(profile["n_words"])
    for gram, count in profile["freq"].items():
        if count > threshold:
            freq[gram] = count
        elif 1 <= len(gram) <= 3:
            n_words[len(gram) - 1] -= count
    return {**profile, "freq": freq, "n_words": n_words}


# The model is cached on disk (tasks/array_cache.py) under a key of everything that shapes it: this
# file's code (the cut, the smoothing, the hash table, the tables), the values of its settings (a test may
# change them at run time), langdetect's version (its profiles and normalisation), the Unicode version
# (str.isupper) and numpy's (np.log). A few files are kept: worktrees or versions run side by side.
_MODEL_CACHE_NAME = "langid-model"
_MODEL_CACHE_FILES_KEPT = 4
_CODE_POINTS = 0x110000  # every Unicode code point: normalized and is_upper have an entry for each


def _model_cache_key() -> str:
    facts = {
        "code": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "settings": [PROFILE_CUT_RATIO, _SMOOTHING, _BITS_PER_CHAR],
        "langdetect": importlib.metadata.version("langdetect"),
        "unicode": unicodedata.unidata_version,
        "numpy": np.__version__,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:20]


def _load_model() -> _Model:
    """The model from the cache, or built (about half a second) and cached."""
    try:
        key = _model_cache_key()
    except (OSError, importlib.metadata.PackageNotFoundError):  # an unusual install: build every time
        return _build_model()
    cached = load_arrays(_MODEL_CACHE_NAME, key)
    if cached is not None:
        try:
            return _model_of(cached)
        except ValueError as error:
            log.warning("rebuilding the language model: its cache file is not a model (%s)", error)
    tables = _build_tables()
    save_arrays(_MODEL_CACHE_NAME, key, tables, keep=_MODEL_CACHE_FILES_KEPT)
    return _model_of(tables)


def _build_model() -> _Model:
    """The model built from langdetect's profiles, without the cache."""
    return _model_of(_build_tables())


def _build_tables() -> dict[str, np.ndarray]:
    """The arrays of a _Model, by field name (languages as a str array)."""
    # Files in sorted order, so that the language order (and any tie-break) is the same everywhere.
    profiles = [
        _common_cut(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(Path(PROFILES_DIRECTORY).iterdir())
    ]
    languages = [profile["name"] for profile in profiles]
    # Each n-gram's row, in the order first seen; the probabilities as (row, column, value) entries,
    # written into one array at the end (an array per n-gram took half of loading the model).
    row_of: dict[str, int] = {}
    rows, columns, values = [], [], []
    for column, profile in enumerate(profiles):
        for gram, count in profile["freq"].items():
            if 1 <= len(gram) <= 3:  # as langdetect: longer entries never get a probability
                rows.append(row_of.setdefault(gram, len(row_of)))
                columns.append(column)
                values.append(count / profile["n_words"][len(gram) - 1])
    probabilities = np.zeros((len(row_of), len(languages)))
    probabilities[rows, columns] = values
    gram_keys = np.array([_gram_key(gram) for gram in row_of], dtype=np.uint64)
    slot_keys, slot_rows = _hash_table(gram_keys)
    log_probs = np.log(probabilities + _SMOOTHING).astype(np.float32)
    _check_sums_are_exact(log_probs)

    # NGram.normalize only changes characters of the Basic Multilingual Plane; tabulating it once
    # replaces a Python call per character by one numpy lookup per text.
    normalized = np.arange(_CODE_POINTS, dtype=np.uint32)
    for code_point in range(0x10000):
        replacement = NGram.normalize(chr(code_point))
        if replacement != chr(code_point):
            normalized[code_point] = ord(replacement)
    is_upper = np.frombuffer(bytes(map(str.isupper, map(chr, range(_CODE_POINTS)))), dtype=np.bool_)
    return {
        "languages": np.array(languages),
        "log_probs": log_probs,
        "gram_keys": gram_keys,
        "slot_keys": slot_keys,
        "slot_rows": slot_rows,
        "normalized": normalized,
        "is_upper": is_upper,
    }


def _model_of(tables: dict[str, np.ndarray]) -> _Model:
    """The model of _build_tables' arrays; ValueError when they are not the arrays of a model (a cache
    file of something else)."""
    expected = {
        "languages": (np.str_, 1),
        "log_probs": (np.float32, 2),
        "gram_keys": (np.uint64, 1),
        "slot_keys": (np.uint64, 1),
        "slot_rows": (np.int32, 1),
        "normalized": (np.uint32, 1),
        "is_upper": (np.bool_, 1),
    }
    if set(tables) != set(expected):
        raise ValueError(f"arrays {sorted(tables)}, not {sorted(expected)}")
    for name, (dtype, n_dims) in expected.items():
        if tables[name].dtype.type is not dtype or tables[name].ndim != n_dims:
            raise ValueError(f"{name} is {tables[name].ndim}-d {tables[name].dtype}")
    n_slots = len(tables["slot_keys"])
    shapes_agree = (
        tables["log_probs"].shape == (len(tables["gram_keys"]), len(tables["languages"]))
        and n_slots > len(tables["gram_keys"])  # a free slot ends every probe
        and n_slots & (n_slots - 1) == 0  # _home_slots needs a power of two
        and len(tables["slot_rows"]) == n_slots
        and len(tables["normalized"]) == len(tables["is_upper"]) == _CODE_POINTS
    )
    if not shapes_agree:
        raise ValueError("array shapes do not agree")
    model = _Model(
        languages=tuple(tables["languages"].tolist()),
        log_probs=tables["log_probs"].astype(np.float64),
        gram_keys=tables["gram_keys"],
        slot_keys=tables["slot_keys"],
        slot_rows=tables["slot_rows"],
        normalized=tables["normalized"],
        is_upper=tables["is_upper"],
    )
    for table in (model.log_probs, model.gram_keys, model.slot_keys, model.slot_rows, model.normalized, model.is_upper):
        table.flags.writeable = False  # shared by every thread: nothing may change it after loading
    return model


_model: _Model | None = None
_model_lock = threading.Lock()


def loaded_model() -> _Model:
    """The model, loaded once per process on first use (from the cache: ~15 ms; built: ~0.5 s)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = _load_model()
    return _model


def _normalized_chars(texts: list[str], model: _Model) -> tuple[np.ndarray, np.ndarray]:
    """The texts as langdetect sees them before n-gram extraction, one after the other as code points
    (uint32), and the number of code points of each text.

    Same steps as Detector.append + Detector.cleaning_text + NGram.normalize. The `in` tests and the
    search of the joined text only skip regular expressions that could not match anyway (the e-mail one
    is slow on long text). No array holds an entry per character beyond the code points and a mask or
    two: a batch has ~50,000 characters, and each such array was a pass over memory.
    """
    cleaned = []
    for text in texts:
        if "://" in text:
            text = _URL.sub(" ", text)
        if "@" in text:
            text = _EMAIL.sub(" ", text)
        cleaned.append(text)
    joined = "".join(cleaned)
    # Five `in` tests: a search of the regular expression over a batch's text cost a hundred times more
    # (a string of Latin-1 characters, most text, cannot hold a combining mark: `in` says so at once).
    if any(mark in joined for mark in NGram.DMARK_CLASS):
        cleaned = [NGram.normalize_vi(text) if _VIETNAMESE_MARK.search(text) else text for text in cleaned]
        joined = "".join(cleaned)
    # surrogatepass: a lone surrogate (left by a lossy decode upstream) stays a code point, as it
    # does for langdetect, instead of raising.
    chars = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lengths = np.array([len(text) for text in cleaned], dtype=np.int64)

    # langdetect drops Latin letters from text that is mostly in another script (e.g. an English
    # brand name in a Russian article). Its "Latin" is the code point range 'A'..'z'.
    latin = (chars >= ord("A")) & (chars <= ord("z"))
    latin_extended_additional = (chars >= 0x1E00) & (chars <= 0x1EFF)
    non_latin = (chars >= 0x300) & ~latin_extended_additional
    n_latin = _count_by_text(latin, lengths)
    mostly_other_script = 2 * n_latin < _count_by_text(non_latin, lengths)
    if (mostly_other_script & (n_latin > 0)).any():
        chars = chars[~(latin & np.repeat(mostly_other_script, lengths))]
        lengths = lengths - np.where(mostly_other_script, n_latin, 0)

    return model.normalized[chars], lengths


def _count_by_text(mask: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """How many characters of each text (texts one after the other, of these lengths) the mask holds."""
    counts = np.zeros(len(lengths), dtype=np.int64)
    non_empty = lengths > 0
    if non_empty.any():  # reduceat sums from each start to the next; an empty text has no range of its own
        counts[non_empty] = np.add.reduceat(mask, (np.cumsum(lengths) - lengths)[non_empty], dtype=np.int64)
    return counts


@dataclass(frozen=True)
class _Texts:
    """Texts one after the other, as _normalized_chars gives them."""

    chars: np.ndarray  # uint32 code points
    starts: np.ndarray  # int64: where each text's characters begin in chars
    ends: np.ndarray  # int64: where they end

    @classmethod
    def of(cls, chars: np.ndarray, lengths: np.ndarray) -> _Texts:
        ends = np.cumsum(lengths, dtype=np.int64)
        return cls(chars, ends - lengths, ends)

    def owner(self, at: np.ndarray) -> np.ndarray:
        """The text of each character index `at`."""
        return np.searchsorted(self.ends, at, side="right")


def _ngrams_ending_at(texts: _Texts, at: np.ndarray, model: _Model) -> tuple[np.ndarray, np.ndarray]:
    """Keys of the n-grams that langdetect's NGram buffer yields at the character indexes `at`, and the
    text of each (all 1-grams, then all 2-grams, then all 3-grams: the sums they go into do not depend
    on the order).

    The buffer restarts at every space (punctuation and digits are spaces after normalisation), so
    each word w yields the 1-, 2- and 3-grams of " w " except the lone space. Inside a word, a
    capital letter that follows a capital letter yields nothing (langdetect's ALL-CAPS rule).
    """
    chars, owner = texts.chars, texts.owner(at)
    position = at - texts.starts[owner]
    char = chars[at].astype(np.uint64)
    # Two spaces before each text stand for "start of text", which langdetect treats as a word boundary.
    # (np.maximum: at - 2 may lie before the first character; what it reads there is not used.)
    previous = np.where(position >= 1, chars[np.maximum(at - 1, 0)], _SPACE).astype(np.uint64)
    before_previous = np.where(position >= 2, chars[np.maximum(at - 2, 0)], _SPACE).astype(np.uint64)

    yields = ~(model.is_upper[char] & model.is_upper[previous])
    is_space = char == _SPACE
    previous_is_space = previous == _SPACE

    shift = np.uint64(_BITS_PER_CHAR)
    bigrams = (previous << shift) | char
    trigrams = (before_previous << (shift + shift)) | bigrams
    yielded = (yields & ~is_space, yields & ~(is_space & previous_is_space), yields & ~previous_is_space)
    keys = np.concatenate([grams[mask] for grams, mask in zip((char, bigrams, trigrams), yielded)])
    return keys, np.concatenate([owner[mask] for mask in yielded])


def _sums_by_owner(table: np.ndarray, rows: np.ndarray, owner: np.ndarray, n_texts: int) -> np.ndarray:
    """float64 (n_texts, languages): for each text, the sum of the rows of `table` it lists.

    A sparse (texts x rows) matrix of counts times the table: scipy's product adds each listed row into
    its text's sums in one pass, single-threaded. numpy's ways copied every listed row out first (np.take,
    then np.add.reduceat: ~4x the time on a batch of 400,000 rows, and a first call in a fresh worker
    spent most of it faulting in the copy's pages); a dense matrix product goes to a multi-threaded BLAS,
    whose threads made it 2-3x slower on a machine whose cores the workers already use. Every entry is a
    whole number of _SUM_QUANTUM, so the sums are exact in any order (_check_sums_are_exact). Building
    the matrix costs a few tens of microseconds a call: texts are scored in batches (identify_many).
    """
    # The matrix in CSR form directly (each text's rows, texts in order): from (owner, rows) pairs scipy
    # would sort them itself and sum repeats, ~15% more time on a chunk's paragraphs.
    order = np.argsort(owner, kind="stable")
    row_starts = np.zeros(n_texts + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n_texts), out=row_starts[1:])
    counts = scipy.sparse.csr_array((np.ones(len(rows)), rows[order], row_starts), shape=(n_texts, table.shape[0]))
    return counts @ table


# The word hash: a polynomial in the characters (modulo 2**64, numpy's wrapping arithmetic), then
# splitmix64's finaliser, so that similar words land in distant slots. Only speed depends on it: a
# word found by its hash is still compared with the stored word (_WordSums).
_HASH_BASE = np.uint64(0x100000001B3)
_MIX = (np.uint64(30), np.uint64(0xBF58476D1CE4E5B9), np.uint64(27), np.uint64(0x94D049BB133111EB), np.uint64(31))
_hash_powers = np.ones(1, dtype=np.uint64)


def _powers(n: int) -> np.ndarray:
    """_HASH_BASE ** 0 .. n - 1, modulo 2**64."""
    global _hash_powers
    powers = _hash_powers  # (read once: another thread may replace it meanwhile)
    if len(powers) < n:  # the longest word so far; a whole text in scripts written without spaces
        powers = _hash_powers = np.cumprod(np.concatenate(([1], np.full(n - 1, _HASH_BASE))), dtype=np.uint64)
    return powers


@dataclass(frozen=True)
class _Words:
    """The whole words of some ranges of texts: where each lies in `chars`, its hash and its text."""

    chars: np.ndarray  # uint32: the texts' characters (_Texts.chars)
    starts: np.ndarray  # int64: where each word begins in chars
    lengths: np.ndarray  # int64: its number of characters (> 0)
    unclosed: np.ndarray  # bool: no space after it (its text's last word)
    owner: np.ndarray  # int64: its text
    hashes: np.ndarray  # uint64

    @classmethod
    def of(cls, texts: _Texts, first: np.ndarray, last: np.ndarray) -> _Words:
        """The words of each non-empty texts.chars[first:last], which holds whole words and spaces."""
        chars, sizes = texts.chars, last - first
        at = ranges(first, sizes)
        in_word = np.take(chars, at) != _SPACE
        # A word starts at a character of a word after a space or at a range's start, and ends before a
        # space or at a range's end.
        range_ends = np.cumsum(sizes)
        range_starts = range_ends - sizes
        starts_word, ends_word = in_word.copy(), in_word.copy()
        starts_word[1:] &= ~in_word[:-1]
        starts_word[range_starts] = in_word[range_starts]
        ends_word[:-1] &= ~in_word[1:]
        ends_word[range_ends - 1] = in_word[range_ends - 1]
        starts = at[starts_word]
        lengths = at[ends_word] + 1 - starts
        owner = texts.owner(starts)
        unclosed = starts + lengths == texts.ends[owner]
        if not len(starts):  # only spaces
            return cls(chars, starts, lengths, unclosed, owner, np.zeros(0, dtype=np.uint64))
        # The hash of each word from its characters, its length and whether it is closed.
        offsets = np.cumsum(lengths) - lengths
        position = np.arange(int(lengths.sum())) - np.repeat(offsets, lengths)
        terms = np.take(chars, position + np.repeat(starts, lengths)).astype(np.uint64)
        terms *= _powers(int(lengths.max()))[position]
        hashes = np.add.reduceat(terms, offsets) ^ ((lengths.astype(np.uint64) << np.uint64(1)) | unclosed)
        shift_1, multiplier_1, shift_2, multiplier_2, shift_3 = _MIX
        hashes = (hashes ^ (hashes >> shift_1)) * multiplier_1
        hashes = (hashes ^ (hashes >> shift_2)) * multiplier_2
        return cls(chars, starts, lengths, unclosed, owner, hashes ^ (hashes >> shift_3))

    def spans(self, which: np.ndarray) -> tuple[np.ndarray, ...]:
        """The words `which` as _same_words compares them."""
        return self.chars, self.starts[which], self.lengths[which], self.unclosed[which]

    def chars_of(self, which: np.ndarray) -> np.ndarray:
        """The characters of the words `which`, one word after the other."""
        return np.take(self.chars, ranges(self.starts[which], self.lengths[which]))


def _same_words(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> np.ndarray:
    """Whether word i of `a` equals word i of `b`; each given as (chars, starts, lengths, unclosed)."""
    chars_a, starts_a, lengths_a, unclosed_a = a
    chars_b, starts_b, lengths_b, unclosed_b = b
    same = (lengths_a == lengths_b) & (unclosed_a == unclosed_b)
    check = np.flatnonzero(same)
    lengths = lengths_a[check]
    differ = np.take(chars_a, ranges(starts_a[check], lengths)) != np.take(chars_b, ranges(starts_b[check], lengths))
    same[check[np.searchsorted(np.cumsum(lengths), np.flatnonzero(differ), side="right")]] = False
    return same


class _WordSums:
    """The log-likelihood sum and n-gram count of whole words, computed once per word and process.

    A word (a run of characters between spaces, after normalisation) yields the same n-grams wherever
    it stands: those of " word", plus the last 2- and 3-gram of " word " when a space closes it. So a
    text's sum is the sum of its words' sums (exact, _check_sums_are_exact), and news text repeats its
    words. A word is told apart by its characters and whether a space closes it (a text's last word has
    none after it).

    Words are found by a hash of their characters in an open-addressing table (numpy, like the model's
    n-grams): a Python dict keyed by each word's str cost half of scoring a stage (making the strings,
    then hashing them). A hash is only a pointer: every word found is compared with the stored
    characters of its row, and a word whose hash belongs to another word is scored on its own, so no
    collision can change a sum.
    """

    MAX_WORDS = 50_000  # emptied when full: the sums then take ~30 MB at most
    # Also emptied when the words' characters would pass this (16 MB): the "words" of a text in a script
    # written without spaces are whole phrases.
    MAX_CHARS = 4_000_000
    # Table slots: at most half of them in use (a miss ends at a free slot after a few probes).
    _SLOTS = 1 << 17
    _INDEXED_AT_MOST = _SLOTS // 2

    def __init__(self, model: _Model):
        self._model = model
        self._slot_hashes = np.zeros(self._SLOTS, dtype=np.uint64)
        self._slot_rows = np.full(self._SLOTS, -1, dtype=np.int64)  # -1: a free slot
        self._n_indexed = 0
        # Per row: the sums, the n-gram count, where the word's characters are in self._chars, how
        # many, and whether no space closes it. Rows past self._n_rows are free: arrays grow by doubling.
        self._n_rows = 0
        self._sums = np.zeros((1024, len(model.languages)))
        self._counts = np.zeros(1024, dtype=np.int64)
        self._char_starts = np.zeros(1024, dtype=np.int64)
        self._lengths = np.zeros(1024, dtype=np.int64)
        self._unclosed = np.zeros(1024, dtype=bool)
        self._chars = np.zeros(1 << 16, dtype=np.uint32)
        self._n_chars = 0
        self.lock = threading.Lock()  # held while the arrays returned by rows are read

    def rows(self, words: _Words) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sums, counts, row of each word in them); the arrays are valid until the next call."""
        rows, taken = self._look_up(words)
        new = np.flatnonzero(rows < 0)
        if not len(new):
            return self._sums, self._counts, rows
        if self._n_rows + len(new) > self.MAX_WORDS or self._n_chars + words.lengths[new].sum() > self.MAX_CHARS:
            self._empty()
            rows, taken = self._look_up(words)
            new = np.arange(len(rows))
        # One row per distinct new word: the first word of each hash, and each word that differs from
        # the first of its hash (a collision: scored on its own). The others share their first's row.
        _, first_of_hash, hash_group = np.unique(words.hashes[new], return_index=True, return_inverse=True)
        firsts = new[first_of_hash]
        first = firsts[hash_group]
        same_as_first = _same_words(words.spans(new), words.spans(first))
        scored = np.concatenate((firsts, new[~same_as_first]))
        rows[scored] = self._add_rows(words, scored)
        rows[new[same_as_first]] = rows[first[same_as_first]]
        # The first words of their hashes go into the table, unless their hash leads to another word
        # there; and while the table is at most half full.
        to_index = firsts[~taken[firsts]][: max(0, self._INDEXED_AT_MOST - self._n_indexed)]
        self._index(words.hashes[to_index], rows[to_index])
        return self._sums, self._counts, rows

    def _look_up(self, words: _Words) -> tuple[np.ndarray, np.ndarray]:
        """(row of each word, -1 if none; whether the word's hash is in the table for another word)."""
        n_words = len(words.hashes)
        rows = np.full(n_words, -1, dtype=np.int64)
        pending = np.arange(n_words)
        slots = _home_slots(words.hashes, self._SLOTS)
        while len(pending):
            slot_rows = self._slot_rows[slots]
            hit = (slot_rows >= 0) & (self._slot_hashes[slots] == words.hashes[pending])
            rows[pending[hit]] = slot_rows[hit]
            probe_on = (slot_rows >= 0) & ~hit
            pending, slots = pending[probe_on], (slots[probe_on] + 1) & (self._SLOTS - 1)
        found = np.flatnonzero(rows >= 0)
        stored = rows[found]
        stored_spans = (self._chars, self._char_starts[stored], self._lengths[stored], self._unclosed[stored])
        other_word = found[~_same_words(words.spans(found), stored_spans)]
        rows[other_word] = -1
        taken = np.zeros(n_words, dtype=bool)
        taken[other_word] = True
        return rows, taken

    def _index(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        """Put each row under its hash (hashes distinct and not in the table yet)."""
        self._n_indexed += len(hashes)
        slots = _home_slots(hashes, self._SLOTS)
        pending = np.arange(len(hashes))
        while len(pending):
            # Of the words whose slot is free, the first per slot takes it; every other moves one slot on.
            free = np.flatnonzero(self._slot_rows[slots] < 0)
            _, first = np.unique(slots[free], return_index=True)
            placed = free[first]
            self._slot_hashes[slots[placed]] = hashes[pending[placed]]
            self._slot_rows[slots[placed]] = rows[pending[placed]]
            moving = np.ones(len(pending), dtype=bool)
            moving[placed] = False
            pending, slots = pending[moving], (slots[moving] + 1) & (self._SLOTS - 1)

    def _add_rows(self, words: _Words, which: np.ndarray) -> np.ndarray:
        """Score the words `which` and store them in new rows; the rows."""
        first, last = self._n_rows, self._n_rows + len(which)
        if last > len(self._counts):
            capacity = max(last, 2 * len(self._counts))
            self._sums = _grown(self._sums, first, capacity)
            self._counts, self._char_starts, self._lengths, self._unclosed = (
                _grown(array, first, capacity) for array in (self._counts, self._char_starts, self._lengths, self._unclosed)
            )
        chars = words.chars_of(which)
        if self._n_chars + len(chars) > len(self._chars):
            self._chars = _grown(self._chars, self._n_chars, max(self._n_chars + len(chars), 2 * len(self._chars)))
        lengths = words.lengths[which]
        self._chars[self._n_chars : self._n_chars + len(chars)] = chars
        self._char_starts[first:last] = self._n_chars + np.cumsum(lengths) - lengths
        self._lengths[first:last], self._unclosed[first:last] = lengths, words.unclosed[which]
        self._sums[first:last], self._counts[first:last] = self._score(chars, lengths, words.unclosed[which])
        self._n_chars += len(chars)
        self._n_rows = last
        return np.arange(first, last)

    def _empty(self) -> None:
        self._slot_rows[:] = -1
        self._n_indexed = self._n_rows = self._n_chars = 0

    def _score(self, chars: np.ndarray, lengths: np.ndarray, unclosed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sums and n-gram counts of words (their characters one after the other, and their lengths)."""
        model = self._model
        # Each word as a text of its own, closed by a space if it has one: "word " or "word".
        sizes = lengths + ~unclosed
        ends = np.cumsum(sizes)
        with_spaces = np.full(ends[-1], _SPACE, dtype=np.uint32)
        with_spaces[ranges(ends - sizes, lengths)] = chars
        texts = _Texts.of(with_spaces, sizes)
        keys, owner = _ngrams_ending_at(texts, np.arange(len(with_spaces)), model)
        rows = model.rows_of(keys)
        known = rows >= 0
        counts = np.bincount(owner[known], minlength=len(lengths))
        return _sums_by_owner(model.log_probs, rows[known], owner[known], len(lengths)), counts


def _grown(array: np.ndarray, used: int, capacity: int) -> np.ndarray:
    """A copy of array[:used] with room for `capacity` entries along its first axis."""
    grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[:used] = array[:used]
    return grown


_word_sums: dict[int, _WordSums] = {}  # by id() of the model: one per model, shared by identifiers
_word_sums_lock = threading.Lock()


def _word_sums_of(model: _Model) -> _WordSums:
    with _word_sums_lock:
        found = _word_sums.get(id(model))
        if found is None or found._model is not model:  # (an id can be reused once a model is gone)
            found = _word_sums[id(model)] = _WordSums(model)
        return found


def _whole_words(
    texts: _Texts, spaces: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(first, last) of each text read: chars[first:last] holds the whole words whose n-grams all lie at
    positions start..end-1 of the text (end <= its end); the n-grams of [start, first) and [last, end)
    belong to words cut by a bound. `spaces`: the positions of the spaces in texts.chars, in order."""
    chars, owner = texts.chars, texts.owner(start)
    text_start, text_end = texts.starts[owner], texts.ends[owner]
    # With -1 and len(chars) around them, every position has a space before and after it.
    spaces = np.concatenate(([-1], spaces, [len(chars)]))
    # A word running on from the previous stage ends at the first space of this one.
    runs_on = (start > text_start) & (chars[np.maximum(start - 1, 0)] != _SPACE)
    closing = spaces[np.searchsorted(spaces, start)]
    first = np.where(runs_on, np.where(closing < end, closing + 1, end), start)
    # A word after the stage's last space runs past end, unless end is the end of the text.
    last_space = spaces[np.searchsorted(spaces, end) - 1]
    last = np.where(end == text_end, end, np.maximum(first, last_space + 1))
    return first, last


# Texts are scored together in batches of at most this many characters and texts: enough to spread
# numpy's per-call cost over many texts, few enough that the rows gathered by _sums_by_owner stay small
# (a stage's words, at most ~40,000 here: ~20 MB of float64 rows). Batches of 50,000 characters cost
# ~0.1 s more of a core per 20 MB of news paragraphs (about 1,300 of them per chunk).
_BATCH_CHARS = 200_000
_BATCH_TEXTS = 2048


def _batches(texts: list[tuple[int, str]]):
    batch: list[tuple[int, str]] = []
    size = 0
    for entry in texts:
        if batch and (size + len(entry[1]) > _BATCH_CHARS or len(batch) == _BATCH_TEXTS):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += len(entry[1])
    if batch:
        yield batch


class LanguageIdentifier:
    """Naive Bayes over all of langdetect's n-grams; deterministic, so settings.seed is not used."""

    def __init__(self, settings: LangidSettings, model: _Model | None = None):
        """`model`: another model than the shipped profiles' (the tests compare profile cuts)."""
        self.settings = settings
        # math.inf reads all max_chars characters (the benchmark does, to measure what stopping
        # early costs).
        self.early_stop_margin = settings.early_stop_margin
        # -log(smoothing) bounds every log-probability, since p(n-gram | language) >= 0.
        if 3 * settings.max_chars * -math.log(_SMOOTHING) >= _MAX_EXACT_SUM:
            raise ValueError(f"langid.max_chars={settings.max_chars} is too large for exact log-likelihood sums")
        self._model = model or loaded_model()
        self._words = _word_sums_of(self._model)

    def identify(self, text: str) -> tuple[str, float]:
        """(ISO 639-1 code as langdetect names it, e.g. 'en', 'de', 'zh-cn'; probability).

        ('und', 0.0) when text is shorter than min_chars after stripping; ('und', p) when the best
        probability p < min_score.
        """
        return self.identify_many([text])[0]

    def identify_many(self, texts: list[str]) -> list[tuple[str, float]]:
        """identify of each text; scoring many texts together costs a fraction of one call per text."""
        results = [(UNDETERMINED, 0.0)] * len(texts)
        long_enough = []
        for index, text in enumerate(texts):
            text = text.strip()
            if len(text) >= self.settings.min_chars:
                long_enough.append((index, text[: self.settings.max_chars]))
        for batch in _batches(long_enough):
            for (index, _), result in zip(batch, self._identify_batch([text for _, text in batch])):
                results[index] = result
        return results

    def _identify_batch(self, texts: list[str]) -> list[tuple[str, float]]:
        log_likelihood, n_grams = self._log_likelihoods(texts)
        # The naive-Bayes posterior with equal priors. It is sharper than langdetect's average of seven
        # sampled trials: a few hundred characters of one language already give 1.0 to float
        # precision, so min_score only catches short or truly ambiguous text.
        probabilities = np.exp(log_likelihood - log_likelihood.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        best = np.argmax(probabilities, axis=1)
        best_probability = probabilities[np.arange(len(texts)), best]
        results = []
        for language_index, probability, text_n_grams in zip(best.tolist(), best_probability.tolist(), n_grams.tolist()):
            language = self._model.languages[language_index]
            if text_n_grams == 0:  # no letters at all, e.g. only digits and punctuation
                results.append((UNDETERMINED, 0.0))
            elif probability < self.settings.min_score:
                results.append((UNDETERMINED, probability))
            elif self.settings.merge_chinese and language in CHINESE_SCRIPTS:
                results.append(("zh", probability))
            else:
                results.append((language, probability))
        return results

    def _log_likelihoods(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """float64 (texts, languages) log-likelihoods and the number of profile n-grams read, per text.

        Each text is read in stages (first_stage_chars, then doubling the total) until one language
        leads the runner-up by early_stop_margin; every text of the batch reads the same stage together.
        A stage's whole words come from _WordSums, the n-grams of words cut by its bounds one by one.
        The sums are exact (_check_sums_are_exact), so they do not depend on the order of the n-grams.
        """
        model = self._model
        chars, lengths = _normalized_chars(texts, model)
        texts_read = _Texts.of(chars, lengths)
        log_likelihood = np.zeros((len(texts), len(model.languages)))
        n_grams = np.zeros(len(texts), dtype=np.int64)
        reading = lengths > 0
        spaces = np.flatnonzero(chars == _SPACE)
        start, end = 0, self.settings.first_stage_chars
        while reading.any():
            text_starts = texts_read.starts[reading]
            stage_start = text_starts + start
            stage_end = np.minimum(text_starts + end, texts_read.ends[reading])
            first, last = _whole_words(texts_read, spaces, stage_start, stage_end)
            cut_starts, cut_ends = np.concatenate((stage_start, last)), np.concatenate((first, stage_end))
            self._add_cut_ngrams(texts_read, cut_starts, cut_ends, log_likelihood, n_grams)
            has_words = first < last
            if has_words.any():
                self._add_words(_Words.of(texts_read, first[has_words], last[has_words]), log_likelihood, n_grams)
            runner_up, best = np.partition(log_likelihood, -2, axis=1)[:, -2:].T
            reading &= (best - runner_up < self.early_stop_margin) & (lengths > end)
            start, end = end, 2 * end
        return log_likelihood, n_grams

    def _add_cut_ngrams(self, texts_read: _Texts, starts: np.ndarray, ends: np.ndarray, log_likelihood, n_grams) -> None:
        keys, owner = _ngrams_ending_at(texts_read, ranges(starts, ends - starts), self._model)
        rows = self._model.rows_of(keys)
        known = rows >= 0
        log_likelihood += _sums_by_owner(self._model.log_probs, rows[known], owner[known], len(log_likelihood))
        n_grams += np.bincount(owner[known], minlength=len(n_grams))

    def _add_words(self, words: _Words, log_likelihood, n_grams) -> None:
        if not len(words.starts):
            return
        with self._words.lock:  # identify may be called from several threads
            sums, counts, rows = self._words.rows(words)
            log_likelihood += _sums_by_owner(sums, rows, words.owner, len(log_likelihood))
            n_grams += np.bincount(words.owner, weights=counts[rows], minlength=len(n_grams)).astype(np.int64)


_factory: DetectorFactory | None = None
_factory_lock = threading.Lock()


def _loaded_factory() -> DetectorFactory:
    global _factory
    if _factory is None:
        with _factory_lock:
            if _factory is None:
                factory = DetectorFactory()
                factory.load_profile(PROFILES_DIRECTORY)
                _factory = factory
    return _factory


class LangdetectIdentifier:
    """Plain langdetect (random sampling, seeded per call) with LanguageIdentifier's interface."""

    def __init__(self, settings: LangidSettings):
        self.settings = settings
        self._factory = _loaded_factory()

    def identify(self, text: str) -> tuple[str, float]:
        text = text.strip()
        if len(text) < self.settings.min_chars:
            return UNDETERMINED, 0.0
        detector = self._factory.create()
        # Each detector owns its random generator; seeding it (not the global DetectorFactory.seed)
        # makes the answer independent of call order and threads.
        detector.seed = self.settings.seed
        detector.set_max_text_length(self.settings.max_chars)
        detector.append(text[: self.settings.max_chars])
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:  # no letters at all
            return UNDETERMINED, 0.0
        if not ranked:  # langdetect lists only languages above 0.1
            return UNDETERMINED, 0.0
        best = ranked[0]
        if best.prob < self.settings.min_score:
            return UNDETERMINED, best.prob
        return best.lang, best.prob

    def identify_many(self, texts: list[str]) -> list[tuple[str, float]]:
        return [self.identify(text) for text in texts]

"""Language identification with langdetect's own n-gram profiles, scored deterministically and fast.

langdetect itself walks the text character by character in Python and then samples n-grams at random
(seven trials), which costs about 4 ms per news article and needs a seed to be reproducible. This
module keeps langdetect's text normalisation exactly and its model with one correction (the last point
below), but

* extracts the n-grams with numpy instead of a Python loop;
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

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.lang_profile import LangProfile
from langdetect.utils.ngram import NGram

from tasks.config import LangidSettings

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
    gram_keys: np.ndarray  # sorted uint64: every profile n-gram packed by _gram_key
    log_probs: np.ndarray  # float32 (n-grams, languages): log(p(n-gram | language) + smoothing)
    normalized: np.ndarray  # uint32 over all code points: NGram.normalize applied to each character
    is_upper: np.ndarray  # bool over all code points: str.isupper, for langdetect's ALL-CAPS rule

    def rows_of(self, keys: np.ndarray) -> np.ndarray:
        """Rows of log_probs for the keys that are profile n-grams; unknown n-grams are dropped."""
        rows = np.searchsorted(self.gram_keys, keys)
        rows[rows == len(self.gram_keys)] = 0
        return rows[self.gram_keys[rows] == keys]


def _gram_key(gram: str) -> int:
    key = 0
    for char in gram:
        key = (key << _BITS_PER_CHAR) | ord(char)
    return key


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


def _load_model() -> _Model:
    # Files in sorted order, so that the language order (and any tie-break) is the same everywhere.
    profiles = [
        _common_cut(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(Path(PROFILES_DIRECTORY).iterdir())
    ]
    languages = tuple(profile["name"] for profile in profiles)
    probabilities: dict[str, np.ndarray] = {}
    for column, profile in enumerate(profiles):
        for gram, count in profile["freq"].items():
            if 1 <= len(gram) <= 3:  # as langdetect: longer entries never get a probability
                row = probabilities.setdefault(gram, np.zeros(len(languages)))
                row[column] = count / profile["n_words"][len(gram) - 1]
    grams = list(probabilities)
    keys = np.array([_gram_key(gram) for gram in grams], dtype=np.uint64)
    order = np.argsort(keys)
    log_probs = np.log(np.array([probabilities[gram] for gram in grams]) + _SMOOTHING)

    # NGram.normalize only changes characters of the Basic Multilingual Plane; tabulating it once
    # replaces a Python call per character by one numpy lookup per text.
    normalized = np.arange(0x110000, dtype=np.uint32)
    for code_point in range(0x10000):
        replacement = NGram.normalize(chr(code_point))
        if replacement != chr(code_point):
            normalized[code_point] = ord(replacement)
    is_upper = np.frombuffer(bytes(chr(c).isupper() for c in range(0x110000)), dtype=np.bool_)

    model = _Model(
        languages=languages,
        gram_keys=keys[order],
        log_probs=log_probs[order].astype(np.float32),
        normalized=normalized,
        is_upper=is_upper,
    )
    for table in (model.gram_keys, model.log_probs, model.normalized, model.is_upper):
        table.flags.writeable = False  # shared by every thread: nothing may change it after loading
    return model


_model: _Model | None = None
_model_lock = threading.Lock()


def loaded_model() -> _Model:
    """The model, built once per process on first use (about half a second)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = _load_model()
    return _model


def _normalized_chars(text: str, model: _Model) -> np.ndarray:
    """The text as langdetect sees it before n-gram extraction, as code points (uint64).

    Same steps as Detector.append + Detector.cleaning_text + NGram.normalize. The `in` tests only
    skip a regular expression that could not match anyway (the e-mail one is slow on long text).
    """
    if "://" in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    if _VIETNAMESE_MARK.search(text):
        text = NGram.normalize_vi(text)
    # surrogatepass: a lone surrogate (left by a lossy decode upstream) stays a code point, as it
    # does for langdetect, instead of raising.
    chars = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)

    # langdetect drops Latin letters from text that is mostly in another script (e.g. an English
    # brand name in a Russian article). Its "Latin" is the code point range 'A'..'z'.
    latin = (chars >= ord("A")) & (chars <= ord("z"))
    latin_extended_additional = (chars >= 0x1E00) & (chars <= 0x1EFF)
    non_latin = (chars >= 0x300) & ~latin_extended_additional
    if 2 * np.count_nonzero(latin) < np.count_nonzero(non_latin):
        chars = chars[~latin]

    return model.normalized[chars].astype(np.uint64)


def _ngram_keys(chars: np.ndarray, start: int, end: int, model: _Model) -> np.ndarray:
    """Keys of the n-grams that langdetect's NGram buffer yields at positions start..end-1.

    The buffer restarts at every space (punctuation and digits are spaces after normalisation), so
    each word w yields the 1-, 2- and 3-grams of " w " except the lone space. Inside a word, a
    capital letter that follows a capital letter yields nothing (langdetect's ALL-CAPS rule).
    """
    # Two leading spaces stand for "start of text", which langdetect treats as a word boundary.
    context = chars[max(start - 2, 0) : end]
    if start < 2:
        context = np.concatenate((np.full(2 - start, _SPACE, dtype=np.uint64), context))
    char, previous, before_previous = context[2:], context[1:-1], context[:-2]

    upper = model.is_upper[char]
    yields = ~(upper & model.is_upper[previous])
    is_space = char == _SPACE
    previous_is_space = previous == _SPACE

    shift = np.uint64(_BITS_PER_CHAR)
    unigrams = char[yields & ~is_space]
    bigrams = ((previous << shift) | char)[yields & ~(is_space & previous_is_space)]
    trigrams = ((before_previous << (shift + shift)) | (previous << shift) | char)[yields & ~previous_is_space]
    return np.concatenate((unigrams, bigrams, trigrams))


def _stages(length: int, first_stage_chars: int):
    """(start, end) character ranges read in turn: first_stage_chars, then doubling the total."""
    start, end = 0, first_stage_chars
    while start < length:
        yield start, min(end, length)
        start, end = end, 2 * end


class LanguageIdentifier:
    """Naive Bayes over all of langdetect's n-grams; deterministic, so settings.seed is not used."""

    def __init__(self, settings: LangidSettings):
        self.settings = settings
        # math.inf reads all max_chars characters (the benchmark does, to measure what stopping
        # early costs).
        self.early_stop_margin = settings.early_stop_margin
        self._model = loaded_model()

    def identify(self, text: str) -> tuple[str, float]:
        """(ISO 639-1 code as langdetect names it, e.g. 'en', 'de', 'zh-cn'; probability).

        ('und', 0.0) when text is shorter than min_chars after stripping; ('und', p) when the best
        probability p < min_score.
        """
        text = text.strip()
        if len(text) < self.settings.min_chars:
            return UNDETERMINED, 0.0
        model = self._model
        chars = _normalized_chars(text[: self.settings.max_chars], model)

        log_likelihood = np.zeros(len(model.languages))
        n_grams = 0
        for start, end in _stages(len(chars), self.settings.first_stage_chars):
            rows = model.rows_of(_ngram_keys(chars, start, end, model))
            n_grams += len(rows)
            log_likelihood += model.log_probs[rows].sum(axis=0, dtype=np.float64)
            runner_up, best = np.partition(log_likelihood, -2)[-2:]
            if best - runner_up >= self.early_stop_margin:
                break
        if n_grams == 0:  # no letters at all, e.g. only digits and punctuation
            return UNDETERMINED, 0.0

        # The naive-Bayes posterior with equal priors. It is sharper than langdetect's average of seven
        # sampled trials: a few hundred characters of one language already give 1.0 to float
        # precision, so min_score only catches short or truly ambiguous text.
        probabilities = np.exp(log_likelihood - log_likelihood.max())
        probabilities /= probabilities.sum()
        best = int(np.argmax(probabilities))
        probability = float(probabilities[best])
        if probability < self.settings.min_score:
            return UNDETERMINED, probability
        language = model.languages[best]
        if self.settings.merge_chinese and language in CHINESE_SCRIPTS:
            language = "zh"
        return language, probability

    def identify_many(self, texts: list[str]) -> list[tuple[str, float]]:
        return [self.identify(text) for text in texts]


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

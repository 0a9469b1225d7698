"""Corpora for bench/dedup_eval.py, built from the real BBC articles of ../shared/eval/corpus/bbc.

- `read_bbc`: the 2225 articles as CleanArticles (headline = title, every other non-blank line a
  paragraph), as the clean stage leaves these boilerplate-free files.
- `PERTURBATIONS`: the ways copies of one news story differ, each a function (paragraphs, rng, donor) ->
  paragraphs, where donor is another article of the same topic.
- `synthetic_corpus`: many distinct articles made of sentences drawn from one topic's articles, plus
  perturbed copies of some of them: a corpus of any size with the vocabulary and rhythm of real news.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from tasks.records import CleanArticle, Paragraph

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
_DATE_WORD = re.compile(r"\b(" + "|".join(_DAYS + _MONTHS) + r")\b")
BOILERPLATE = [
    "Share this article on Facebook, Twitter or by email",
    "Follow us on Twitter for the latest news and updates from our newsroom",
    "Sign up for our daily newsletter and get the top stories in your inbox every morning",
    "Copyright 2005 All rights reserved. This material may not be published, broadcast or redistributed",
    "Related topics",
    "Advertisement",
    "Most read stories in this section today",
    "Click here to download our free app for the latest breaking news alerts",
    "Have your say: tell us what you think in the comments below",
]


@dataclass(frozen=True)
class BbcArticle:
    path: str  # "business/001.txt"
    topic: str
    title: str
    paragraphs: list[str]


def read_bbc(root: Path) -> list[BbcArticle]:
    articles = []
    for path in sorted(root.glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")  # sport/199.txt: one Latin-1 pound sign
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        relative = path.relative_to(root).as_posix()
        articles.append(BbcArticle(relative, path.parent.name, lines[0], lines[1:]))
    return articles


def clean_article(article_id: str, paragraphs: list[str], source_file: str, title: str | None = None) -> CleanArticle:
    line = 3 if title else 1
    body = [Paragraph(line + i, "body", text) for i, text in enumerate(paragraphs)]
    return CleanArticle(article_id, source_file, 1, line + len(paragraphs) - 1, title, 1 if title else None, body, [])


def sentences(paragraph: str) -> list[str]:
    return [sentence for sentence in _SENTENCE_END.split(paragraph) if sentence]


# --- perturbations: (paragraphs, rng, donor paragraphs) -> paragraphs ---------------------------------


def edited_sentences(paragraphs, rng, donor):
    """Rewrite a few sentences (a third of their words replaced or dropped), as a sub-editor would."""
    units = [(p, s) for p, paragraph in enumerate(paragraphs) for s, _ in enumerate(sentences(paragraph))]
    chosen = set(rng.sample(units, max(1, len(units) // 8)))
    vocabulary = " ".join(donor).split()
    out = []
    for p, paragraph in enumerate(paragraphs):
        edited = []
        for s, sentence in enumerate(sentences(paragraph)):
            if (p, s) in chosen:
                words = sentence.split()
                words = [rng.choice(vocabulary) if rng.random() < 0.25 else w for w in words if rng.random() > 0.1]
                sentence = " ".join(words)
            edited.append(sentence)
        out.append(" ".join(edited))
    return out


def changed_numbers_and_dates(paragraphs, rng, donor):
    """An update: every figure and every day or month name changed."""

    def number(match):
        digits = re.sub(r"\D", "", match.group())
        return str(int(digits) + rng.randint(1, 9) if digits else rng.randint(1, 99))

    def date_word(match):
        names = _DAYS if match.group() in _DAYS else _MONTHS
        return rng.choice([name for name in names if name != match.group()])

    return [_DATE_WORD.sub(date_word, _NUMBER.sub(number, paragraph)) for paragraph in paragraphs]


def _units(paragraphs):
    """Paragraphs, or sentences when there are fewer than 4 paragraphs (many BBC 'paragraphs' are long
    lines of several paragraphs), as (paragraph number, text)."""
    if len(paragraphs) >= 4:
        return list(enumerate(paragraphs))
    return [(p, sentence) for p, paragraph in enumerate(paragraphs) for sentence in sentences(paragraph)]


def _join_units(units):
    out = {}
    for p, text in units:
        out[p] = f"{out[p]} {text}" if p in out else text
    return [out[p] for p in sorted(out)]


def _word_count(texts) -> int:
    return sum(len(text.split()) for text in texts)


def paragraphs_removed(paragraphs, rng, donor, low=0.1, high=0.3):
    """An edited-down copy: paragraphs (sentences in a short article) removed, 10-30% of the words,
    never the first."""
    units = _units(paragraphs)
    total, budget = _word_count(paragraphs), rng.uniform(low, high)
    removed, candidates = set(), list(range(1, len(units)))
    rng.shuffle(candidates)
    for index in candidates:
        if _word_count(units[i][1] for i in removed | {index}) > budget * total:
            continue
        removed.add(index)
    if not removed and candidates:
        removed.add(min(candidates, key=lambda i: len(units[i][1].split())))
    return _join_units([unit for i, unit in enumerate(units) if i not in removed])


def paragraphs_added(paragraphs, rng, donor, low=0.1, high=0.3):
    """A fuller version: one or two new paragraphs (sentences of a same-topic article no other story of
    the benchmark uses) adding 10-30% to the words."""
    budget = rng.uniform(low, high) * _word_count(paragraphs)
    pool = [sentence for paragraph in donor for sentence in sentences(paragraph)]
    start = rng.randrange(len(pool))
    added: list[str] = []
    for sentence in pool[start:] + pool[:start]:
        if added and _word_count(added) + len(sentence.split()) > budget:
            break
        added.append(sentence)
    new = [" ".join(added)] if len(added) < 2 or rng.random() < 0.5 else [" ".join(added[: len(added) // 2]), " ".join(added[len(added) // 2 :])]
    out = list(paragraphs)
    for paragraph in new:
        out.insert(rng.randint(1, len(out)), paragraph)
    return out


def boilerplate_added(paragraphs, rng, donor):
    """A scraped copy: share buttons, newsletter prompts, a copyright line around the story."""
    lines = rng.sample(BOILERPLATE, rng.randint(3, 6))
    split = rng.randint(0, len(lines))
    return lines[:split] + list(paragraphs) + lines[split:]


def truncated(paragraphs, rng, donor, low=0.3, high=0.9):
    """A teaser or a cut-off scrape: the first 30-90% of the words, cut mid-sentence."""
    words = sum(len(p.split()) for p in paragraphs)
    keep = max(20, int(words * rng.uniform(low, high)))
    out = []
    for paragraph in paragraphs:
        split = paragraph.split()
        if keep <= 0:
            break
        out.append(" ".join(split[:keep]))
        keep -= len(split)
    return out


def paragraph_order(paragraphs, rng, donor):
    """The same paragraphs in another order (a re-edited page, a different template)."""
    out = list(paragraphs)
    while len(out) > 1 and out == paragraphs:
        rng.shuffle(out)
    return out


def combined(paragraphs, rng, donor):
    """Two of the above at once."""
    first, second = rng.sample(SINGLE_PERTURBATIONS, 2)
    return second(first(paragraphs, rng, donor), rng, donor)


SINGLE_PERTURBATIONS = [
    edited_sentences,
    changed_numbers_and_dates,
    paragraphs_removed,
    paragraphs_added,
    boilerplate_added,
    truncated,
    paragraph_order,
]
PERTURBATIONS = {function.__name__: function for function in SINGLE_PERTURBATIONS + [combined]}
# Beyond what the targets cover: where the method stops finding copies.
STRESS = {
    "truncated_to_10_30_percent": lambda paragraphs, rng, donor: truncated(paragraphs, rng, donor, 0.1, 0.3),
    "paragraphs_removed_30_60_percent": lambda paragraphs, rng, donor: paragraphs_removed(paragraphs, rng, donor, 0.3, 0.6),
    "paragraphs_added_50_100_percent": lambda paragraphs, rng, donor: paragraphs_added(paragraphs, rng, donor, 0.5, 1.0),
    "three_perturbations": lambda paragraphs, rng, donor: _chain(rng.sample(SINGLE_PERTURBATIONS, 3), paragraphs, rng, donor),
}


def _chain(perturbations, paragraphs, rng, donor):
    for perturb in perturbations:
        paragraphs = perturb(paragraphs, rng, donor)
    return paragraphs


# --- a synthetic corpus of any size -------------------------------------------------------------------


def _replace_a_word(sentence: str, rng: random.Random, vocabulary: list[str]) -> str:
    words = sentence.split()
    words[rng.randrange(len(words))] = rng.choice(vocabulary)
    return " ".join(words)


def synthetic_corpus(bbc: list[BbcArticle], n_articles: int, copy_share: float, seed: int) -> list[CleanArticle]:
    """n_articles: distinct articles of 8-30 sentences drawn from one topic's sentence pool (grouped in
    paragraphs of 1-4), and `copy_share` of them perturbed copies of earlier ones (any perturbation)."""
    rng = random.Random(seed)
    pools: dict[str, list[str]] = {}
    for article in bbc:
        pools.setdefault(article.topic, []).extend(s for p in article.paragraphs for s in sentences(p))
    vocabulary = {topic: " ".join(pool).split() for topic, pool in pools.items()}
    topics = sorted(pools)
    n_copies = int(n_articles * copy_share)
    originals: list[list[str]] = []
    articles: list[CleanArticle] = []
    for index in range(n_articles - n_copies):
        topic = topics[index % len(topics)]
        # A drawn sentence gets one word replaced: distinct articles rarely share a whole paragraph,
        # and a pool of ~8,000 sentences per topic is drawn from many times.
        chosen = [_replace_a_word(sentence, rng, vocabulary[topic]) for sentence in rng.sample(pools[topic], rng.randint(8, 30))]
        paragraphs, position = [], 0
        while position < len(chosen):
            size = rng.randint(1, 4)
            paragraphs.append(" ".join(chosen[position : position + size]))
            position += size
        originals.append(paragraphs)
        articles.append(clean_article(f"s{index:07d}", paragraphs, f"synthetic/{index // 1000:03d}.txt"))
    perturbations = list(PERTURBATIONS.values())
    for index in range(n_copies):
        original = rng.randrange(len(originals))
        donor = originals[rng.randrange(len(originals))]
        paragraphs = rng.choice(perturbations)(originals[original], rng, donor)
        articles.append(clean_article(f"c{index:07d}", paragraphs, f"copies/{index // 1000:03d}.txt"))
    for position, article in enumerate(articles):  # distinct lines within each file
        article.line_start = position * 100 + 1
        article.line_end = article.line_start + len(article.paragraphs) - 1
    return articles

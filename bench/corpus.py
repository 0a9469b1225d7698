"""A realistic raw corpus of a given size, for benchmarks.

Articles are made from real ones (../shared/eval/corpus/bbc when present, else the seeds): each
synthetic article takes the title of one real article and 4-12 paragraphs of 2-6 sentences drawn from
real articles of the same topic, so texts read like news and share vocabulary the way one day's stories
do. Paragraphs are new combinations of real sentences, not real paragraphs: the BBC corpus has ~10,600
paragraphs (~5 MB), so a 1 GB corpus of whole paragraphs would repeat each one ~200 times, and a
process that caches per line (rules, line facts) would look far faster than on a real day, where a body
line recurs only in copies of its article. Then, like a real scrape:
- page furniture is mixed in (captions, credits, video durations and titles, section links, adverts);
- 10% of articles are exact copies of an earlier one, 5% near copies (a changed figure, a dropped or
  added paragraph);
- files hold one to three articles, separated by a "* * *" line.
The same arguments always give the same bytes.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVAL_DIR = Path(os.environ.get("NEWSETL_EVAL_DIR", REPO.parent / "shared" / "eval"))
BBC = EVAL_DIR / "corpus" / "bbc"

FURNITURE = [
    "Image: {name} speaking in London on Monday. Pic: PA",
    "Image: Pic: AP",
    "Please use Chrome browser for a more accessible video player",
    "More from {section}",
    "Advertisement",
    "Share this article",
    "Follow Sky News on WhatsApp",
    "Getty Images",
]
NAMES = ["Sir Keir Starmer", "the chancellor", "Protesters", "The health secretary", "Fans"]


def load_sources() -> dict[str, list[tuple[str, list[str]]]]:
    """topic -> [(title, paragraphs)] from the BBC corpus, or the seeds as one topic."""
    topics: dict[str, list[tuple[str, list[str]]]] = {}
    if BBC.is_dir():
        for path in sorted(BBC.glob("*/*.txt")):
            lines = [line.strip() for line in path.read_text(encoding="latin-1").splitlines()]
            paragraphs = [line for line in lines[1:] if line]
            if lines and paragraphs:
                topics.setdefault(path.parent.name, []).append((lines[0], paragraphs))
    else:
        for path in sorted((REPO / "seeds").glob("*.txt")):
            paragraphs = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            topics.setdefault("seeds", []).append((paragraphs[0][:60], paragraphs))
    return topics


SENTENCE_END = re.compile(r'(?<=[.!?"])\s+(?=[A-Z"])')


def _sentences(paragraph: str) -> list[str]:
    return SENTENCE_END.split(paragraph)


def _near_copy(article: list[str], rng: random.Random) -> list[str]:
    copy = list(article)
    change = rng.choice(["figure", "drop", "add"])
    body = range(2, len(copy))
    if change == "figure" or len(copy) < 5:
        index = rng.choice(body) if len(copy) > 2 else len(copy) - 1
        copy[index] = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), copy[index]) + " Officials confirmed the figure."
    elif change == "drop":
        del copy[rng.choice(body)]
    else:
        copy.insert(rng.choice(body), "The figures were confirmed by officials later on Tuesday.")
    return copy


def build_corpus(out_dir: Path, target_bytes: int, seed: int = 0) -> dict[str, int]:
    """Write raw files under out_dir until they hold about target_bytes. Returns what was made."""
    rng = random.Random(seed)
    topics = load_sources()
    topic_names = sorted(topics)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = n_articles = n_exact = n_near = n_files = 0
    made: list[list[str]] = []
    while written < target_bytes:
        articles = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            roll = rng.random()
            if made and roll < 0.10:
                article, n_exact = rng.choice(made), n_exact + 1
            elif made and roll < 0.15:
                article, n_near = _near_copy(rng.choice(made), rng), n_near + 1
            else:
                topic = rng.choice(topic_names)
                title, _ = rng.choice(topics[topic])
                stories = rng.sample(topics[topic], min(6, len(topics[topic])))
                pool = [sentence for _, paragraphs in stories for paragraph in paragraphs for sentence in _sentences(paragraph)]
                body = [" ".join(rng.sample(pool, min(len(pool), rng.randint(2, 6)))) for _ in range(rng.randint(4, 12))]
                article = [title, ""] + body
                for _ in range(rng.randint(1, 4)):
                    line = rng.choice(FURNITURE).format(name=rng.choice(NAMES), section=topic.title())
                    article.insert(rng.randint(3, len(article)), line)
                if rng.random() < 0.3:
                    at = rng.randint(3, len(article))
                    article[at:at] = ["2:15", "The week in pictures"]
                made.append(article)
            articles.append(article)
            n_articles += 1
        text = "\n* * *\n".join("\n".join(article) for article in articles) + "\n"
        path = out_dir / f"{n_files // 1000:03d}" / f"{n_files:06d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += len(text.encode("utf-8"))
        n_files += 1
    # Which text it is made of: without the eval data the seeds' two articles stand in, a very different
    # corpus (a few hundred distinct words, every article a near copy of another).
    source = str(BBC) if BBC.is_dir() else "seeds"
    return {"source": source, "bytes": written, "files": n_files, "articles": n_articles, "exact_copies": n_exact,
            "near_copies": n_near}


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(json.dumps(build_corpus(args.out_dir, int(args.mb * 1e6), args.seed)))

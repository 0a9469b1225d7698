"""A day of many tiny articles, for measuring what grows with the number of articles in a chunk.

    .venv/bin/python bench/tiny_corpus.py OUT_DIR --mb 50 --layout one-jsonl|many-jsonl|txt

Each article is a real BBC headline and one or two real BBC sentences on one line (../shared/eval/corpus/bbc,
or the seeds without the eval data), 200-400 bytes, as a news feed or a wire's briefs deliver them:
~10 times as many articles to the megabyte as bench/corpus.py's pages. 10% are exact copies of an
earlier article, as in bench/corpus.py. Layouts:
- one-jsonl: one large JSON-lines file (records with id, title, text, url, published);
- many-jsonl: JSON-lines files of about 1 MB;
- txt: text files of 20 articles each (their text, without the headline), "* * *" lines between them
  (tasks/split.py's separator).
The same arguments always give the same bytes.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import BBC, _sentences, load_sources  # noqa: E402

LAYOUTS = ("one-jsonl", "many-jsonl", "txt")
MIN_BYTES, MAX_BYTES = 200, 400  # of an article's title and text
FILE_BYTES = 1_000_000  # of a many-jsonl file
ARTICLES_PER_TEXT_FILE = 20


def tiny_articles(rng: random.Random) -> Iterator[tuple[str, str]]:
    """(title, one or two sentences on one line) for ever: a real headline and sentences of its topic.
    The text is one line, so that a line recurs only in copies of its article: with a line per sentence,
    the ~40,000 BBC sentences would recur across files, and learned boilerplate would remove them."""
    topics = load_sources()
    pools = {
        topic: ([title for title, _ in stories], [s for _, paragraphs in stories for p in paragraphs for s in _sentences(p)])
        for topic, stories in topics.items()
    }
    names = sorted(pools)
    made: list[tuple[str, list[str]]] = []
    while True:
        if made and rng.random() < 0.10:
            yield rng.choice(made)
            continue
        titles, sentences = pools[rng.choice(names)]
        title = rng.choice(titles)
        body = rng.choice(sentences)
        if len(title) + len(body) < MIN_BYTES:
            body += " " + rng.choice(sentences)
        if not MIN_BYTES <= len(title) + len(body) <= MAX_BYTES:
            continue
        made.append((title, body))
        yield title, body


def build_tiny_corpus(out_dir: Path, target_bytes: int, layout: str, seed: int = 0) -> dict:
    rng = random.Random(seed)
    articles = tiny_articles(rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = n_articles = n_files = 0
    lines: list[str] = []  # of the file being filled

    def flush() -> None:
        nonlocal written, n_files, lines
        if not lines:
            return
        if layout == "txt":
            name, text = f"{n_files // 1000:03d}/{n_files:06d}.txt", "\n* * *\n".join(lines) + "\n"
        else:
            name, text = f"{n_files:06d}.jsonl", "\n".join(lines) + "\n"
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += len(text.encode("utf-8"))
        n_files += 1
        lines = []

    file_bytes = 0
    while written + file_bytes < target_bytes:
        title, body = next(articles)
        if layout == "txt":
            lines.append(body)  # no title line: ~2,200 BBC titles would recur, and be learned as boilerplate
        else:
            published = f"2025-01-01T{n_articles // 3600 % 24:02d}:{n_articles // 60 % 60:02d}:{n_articles % 60:02d}Z"
            record = {"id": f"a{n_articles}", "title": title, "text": body,
                      "url": f"https://example.com/news/{n_articles}", "published": published}
            lines.append(json.dumps(record, ensure_ascii=False))
        file_bytes += len(lines[-1].encode("utf-8")) + 1
        n_articles += 1
        full = len(lines) >= ARTICLES_PER_TEXT_FILE if layout == "txt" else file_bytes >= FILE_BYTES
        if full and layout != "one-jsonl":
            flush()
            file_bytes = 0
    flush()
    source = str(BBC) if BBC.is_dir() else "seeds"
    return {"source": source, "layout": layout, "bytes": written, "files": n_files, "articles": n_articles}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--layout", choices=LAYOUTS, default="one-jsonl")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(json.dumps(build_tiny_corpus(args.out_dir, int(args.mb * 1e6), args.layout, args.seed)))

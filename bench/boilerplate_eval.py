"""Line-level precision and recall of boilerplate cleaning on real news pages.

    .venv/bin/python bench/boilerplate_eval.py [--show-errors N] [--split tune|holdout] [--no-learned]

Data: ../shared/eval/boilerplate/fundus_pages_dev.jsonl (or $NEWSETL_EVAL_DIR/boilerplate/...): real news
pages with all their visible text (`raw_text_html_text`, one block per line) and the article body
curated by the fundus maintainers (`gold_body`). A raw line is content iff it appears (stripped,
NFC) as a text of gold_body; every other line is boilerplate.

Two test sets, both run through the real stages without Prefect (ingest -> split -> clean, with learned
boilerplate over the whole batch, as a daily run would, and no history):

- pages: each page's raw text as one raw file, as a scraper would save it. The default split settings
  apply: the pages hold no runs of 2 blank lines or separator lines, so each file is one article (the
  script checks this and reports any page that split).
- bodies: extracted article bodies with the furniture inside them, built from the same pages: the raw
  lines from the first to the last content line of each page, blank lines dropped (one paragraph per
  line, like the seeds). The stray lines are the page's own furniture inside the story (captions,
  credits, related links, adverts, share prompts) at their real positions: on average far more than
  "a few" (about 2 for every 3 content lines).
- few-stray bodies: "extracted article bodies with a few stray lines", like the seeds (7 stray lines in
  45): the content lines of each body plus a seeded random sample of its stray lines, 15% as many as
  content lines (at least one), at their real positions.

A fourth, unlabelled set measures retention alone: the BBC News corpus (../shared/eval/corpus/bbc), real
extracted articles with no boilerplate, where every removed line is a loss.

Held-out split: every page falls in one of two halves by a hash of its id (`split_half`): "tune", the
half whose errors one reads while changing rules, and "holdout", the half one does not look at. All pages
are always run together (learned boilerplate sees the whole batch); each table has a row per half, and
`--split` only chooses which half's errors `--show-errors` prints.

Scores: content precision = kept content lines / kept lines; content recall (= content retention) =
kept content lines / content lines; boilerplate recall = removed boilerplate lines / boilerplate lines.
Kept lines are the lines of the article text (paragraphs); the title line, which goes to the separate
`title` column, is reported apart and also counted as kept in the "with title" row. Languages are the
page's declared <html lang> primary subtag. Prints a table and writes bench/results/boilerplate.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tasks.boilerplate_learned import INDEX_SCHEMA, batch_line_index, learned_line_keys  # noqa: E402
from tasks.clean import clean_articles  # noqa: E402
from tasks.config import Settings, load_config, parse_config  # noqa: E402
from tasks.ingest import ingest  # noqa: E402
from tasks.rules import load_rules  # noqa: E402
from tasks.split import SplitResult, split_documents  # noqa: E402

EVAL_DIR = Path(os.environ.get("NEWSETL_EVAL_DIR", REPO.parent / "shared" / "eval"))
PAGES = EVAL_DIR / "boilerplate" / "fundus_pages_dev.jsonl"
BBC = EVAL_DIR / "corpus" / "bbc"
RESULTS = REPO / "bench" / "results" / "boilerplate.json"
DATE = dt.date(2025, 1, 1)
MAIN_LANGUAGES = ["en", "de", "fr", "es", "it"]
STRAY_SHARE = 0.15  # the seeds: 7 stray lines in 45


HALVES = ("tune", "holdout")


def split_half(page_id: str) -> str:
    """The page's half: fixed by a hash of its id, so it does not move when pages are added."""
    return HALVES[hashlib.sha256(page_id.encode("utf-8")).digest()[0] % 2]


def norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def load_pages() -> list[dict]:
    with PAGES.open(encoding="utf-8") as lines:
        pages = [json.loads(line) for line in lines if line.strip()]
    for page in pages:
        page["gold"] = {norm(item["text"]) for item in page["gold_body"] if norm(item["text"])}
        page["language"] = (page.get("html_lang_attr") or "und").split("-")[0].lower()
        page["file"] = page["id"].replace("/", "_") + ".txt"
        page["half"] = split_half(page["id"])
    return pages


def body_lines(page: dict) -> list[str]:
    """The raw lines from the first to the last content line, blank lines dropped."""
    lines = [line.strip() for line in page["raw_text_html_text"].split("\n") if line.strip()]
    content = [index for index, line in enumerate(lines) if norm(line) in page["gold"]]
    return lines[content[0] : content[-1] + 1] if content else []


def body_text(page: dict) -> str:
    return "\n".join(body_lines(page))


def few_stray_text(page: dict, seed: str = "") -> str:
    """The body's content lines plus a sample of its own stray lines, STRAY_SHARE of the content lines
    (at least one), kept at their places; the sample is seeded with the page id (and `seed`, for other
    samples to train on), so it is the same on every run."""
    lines = body_lines(page)
    content = [index for index, line in enumerate(lines) if norm(line) in page["gold"]]
    stray = [index for index, line in enumerate(lines) if norm(line) not in page["gold"]]
    wanted = min(len(stray), max(1, round(STRAY_SHARE * len(content))))
    chosen = set(random.Random(page["id"] + seed).sample(stray, wanted))
    return "\n".join(line for index, line in enumerate(lines) if index in chosen or index in set(content))


def split_and_learn(texts: dict[str, str], settings: Settings, use_learned: bool) -> tuple[SplitResult, frozenset[int]]:
    """Each text as one raw file, ingested and split; with the line keys learned as boilerplate over them."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, text in texts.items():
            (root / name).write_text(text, encoding="utf-8")
        ingested = ingest(root, settings.input.extensions, settings.ingest)
    split = split_documents(ingested.documents, DATE, settings.split)
    learned: frozenset[int] = frozenset()
    if use_learned:
        learned = learned_line_keys(
            batch_line_index(split.articles, DATE, settings.clean.learned), INDEX_SCHEMA.empty_table(), settings.clean.learned
        )
    return split, learned


def run_pipeline(texts: dict[str, str], settings: Settings, use_learned: bool) -> tuple[dict, dict]:
    """Each text as one raw file; returns per file {line_no: (kept, rule)} and the title line numbers."""
    split, learned = split_and_learn(texts, settings, use_learned)
    cleaned = clean_articles(split.articles, load_rules(settings.clean), settings.clean, learned)
    decisions: dict[str, dict[int, tuple[bool, str]]] = defaultdict(dict)
    titles: dict[str, set[int]] = defaultdict(set)
    articles_per_file = Counter(article.source_file for article in cleaned)
    for article in cleaned:
        for paragraph in article.paragraphs:
            decisions[article.source_file][paragraph.line_no] = (True, "kept")
        for line in article.removed:
            decisions[article.source_file][line.line_no] = (False, line.rule)
        if article.title_line_no is not None:
            titles[article.source_file].add(article.title_line_no)
    for line in split.removed:
        decisions[line.source_file][line.line_no] = (False, line.rule)
    return {"decisions": decisions, "titles": titles, "articles_per_file": articles_per_file}, {
        "learned_lines": len(learned)
    }


def score(pages: list[dict], texts: dict[str, str], result: dict) -> dict:
    per_language: dict[str, Counter] = defaultdict(Counter)
    per_half: dict[str, Counter] = defaultdict(Counter)
    removed_content_by_rule: Counter = Counter()
    removed_boilerplate_by_rule: Counter = Counter()
    errors: list[dict] = []
    for page in pages:
        text = texts.get(page["file"])
        if text is None:
            continue
        decisions = result["decisions"][page["file"]]
        titles = result["titles"][page["file"]]
        counts = per_language[page["language"]]
        half = per_half[page["half"]]
        half["pages"] += 1
        before = Counter(counts)
        for line_no, raw in enumerate(text.split("\n"), start=1):
            line = norm(raw)
            if not line:
                continue
            is_content = line in page["gold"]
            if line_no in titles:
                counts["title_lines"] += 1
                counts["title_content" if is_content else "title_boilerplate"] += 1
                continue
            kept, rule = decisions.get(line_no, (False, "unaccounted"))
            counts["lines"] += 1
            counts["content"] += is_content
            counts["kept"] += kept
            counts["kept_content"] += kept and is_content
            if not kept:
                (removed_content_by_rule if is_content else removed_boilerplate_by_rule)[rule] += 1
            if kept != is_content:
                errors.append({
                    "page": page["id"], "half": page["half"], "line_no": line_no, "content": is_content,
                    "rule": rule, "text": line,
                })
        after = Counter(counts)
        after.subtract(before)
        half.update(+after)
    return {
        "per_language": per_language,
        "per_half": per_half,
        "removed_content_by_rule": removed_content_by_rule,
        "removed_boilerplate_by_rule": removed_boilerplate_by_rule,
        "errors": errors,
    }


def figures(counts: Counter) -> dict:
    kept, content, lines = counts["kept"], counts["content"], counts["lines"]
    boilerplate = lines - content
    kept_with_title = kept + counts["title_lines"]
    return {
        "pages": counts["pages"],
        "lines": lines,
        "content_lines": content,
        "precision": counts["kept_content"] / kept if kept else 0.0,
        "recall": counts["kept_content"] / content if content else 0.0,
        "boilerplate_recall": (boilerplate - (kept - counts["kept_content"])) / boilerplate if boilerplate else 0.0,
        "precision_with_title": (counts["kept_content"] + counts["title_content"]) / kept_with_title if kept_with_title else 0.0,
        "title_lines": counts["title_lines"],
        "title_lines_in_gold_body": counts["title_content"],
    }


def evaluate(name: str, pages: list[dict], texts: dict[str, str], settings: Settings, use_learned: bool) -> dict:
    started = time.perf_counter()
    result, extra = run_pipeline(texts, settings, use_learned)
    seconds = time.perf_counter() - started
    scored = score(pages, texts, result)
    per_language = scored["per_language"]
    for page in pages:
        if page["file"] in texts:
            per_language[page["language"]]["pages"] += 1
    overall: Counter = Counter()
    for counts in per_language.values():
        overall.update(counts)
    grouped: dict[str, Counter] = defaultdict(Counter)
    for language, counts in per_language.items():
        grouped[language if language in MAIN_LANGUAGES else "other"].update(counts)
    split_pages = sorted(name for name, n in result["articles_per_file"].items() if n > 1)
    return {
        "set": name,
        "seconds": round(seconds, 2),
        "overall": figures(overall),
        "by_language": {language: figures(counts) for language, counts in sorted(grouped.items())},
        "by_half": {half: figures(scored["per_half"][half]) for half in HALVES},
        "by_declared_language": {language: figures(counts) for language, counts in sorted(per_language.items())},
        "content_removed_by_rule": dict(scored["removed_content_by_rule"].most_common()),
        "boilerplate_removed_by_rule": dict(scored["removed_boilerplate_by_rule"].most_common()),
        "pages_split_into_several_articles": split_pages,
        **extra,
        "errors": scored["errors"],
    }


def evaluate_clean_corpus(settings: Settings, use_learned: bool) -> dict | None:
    """Content retention on real extracted articles that hold no boilerplate: every line of the BBC corpus
    (title line, blank line, paragraphs) is content, so every removed line is a loss."""
    files = sorted(BBC.glob("*/*.txt"))
    if not files:
        return None
    texts = {f"{path.parent.name}_{path.name}": path.read_text(encoding="utf-8", errors="replace") for path in files}
    started = time.perf_counter()
    result, extra = run_pipeline(texts, settings, use_learned)
    seconds = time.perf_counter() - started
    lines = kept = 0
    removed_by_rule: Counter = Counter()
    for name, text in texts.items():
        decisions, titles = result["decisions"][name], result["titles"][name]
        for line_no, raw in enumerate(text.split("\n"), start=1):
            if not raw.strip() or line_no in titles:
                continue
            lines += 1
            is_kept, rule = decisions.get(line_no, (False, "unaccounted"))
            kept += is_kept
            if not is_kept:
                removed_by_rule[rule] += 1
    return {
        "set": "clean corpus (BBC News, every line content)",
        "articles": len(texts),
        "lines": lines,
        "retention": kept / lines,
        "seconds": round(seconds, 2),
        "removed_by_rule": dict(removed_by_rule.most_common()),
        **extra,
    }


def print_table(report: dict) -> None:
    print(f"\n{report['set']}: {report['overall']['pages']} pages, {report['overall']['lines']} lines, "
          f"{report['seconds']} s (learned lines: {report['learned_lines']})")
    print(f"  {'language':<10}{'pages':>6}{'lines':>7}{'content':>8}{'P':>7}{'R':>7}{'BP-R':>7}{'P+title':>9}")
    rows = [("overall", report["overall"])] + list(report["by_half"].items()) + list(report["by_language"].items())
    for label, row in rows:
        print(f"  {label:<10}{row['pages']:>6}{row['lines']:>7}{row['content_lines']:>8}{row['precision']:>7.3f}"
              f"{row['recall']:>7.3f}{row['boilerplate_recall']:>7.3f}{row['precision_with_title']:>9.3f}")
    lost = report["content_removed_by_rule"]
    print("  content lines removed, by rule: " + (", ".join(f"{rule} {n}" for rule, n in lost.items()) or "none"))
    if report["pages_split_into_several_articles"]:
        print(f"  pages split into several articles: {len(report['pages_split_into_several_articles'])}")


def with_overrides(settings: Settings, assignments: list[str]) -> Settings:
    """The settings with each "dotted.key=value" applied (value parsed as YAML), validated again."""
    import yaml

    data = settings.model_dump(mode="json")
    for assignment in assignments:
        key, _, value = assignment.partition("=")
        *parents, last = key.split(".")
        section = data
        for parent in parents:
            section = section[parent]
        section[last] = yaml.safe_load(value)
    return parse_config(data, Path("--set"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-errors", type=int, default=0, help="print this many wrong lines per kind and set")
    parser.add_argument(
        "--split", choices=HALVES, default=None,
        help="print errors (--show-errors) of this half only; figures are always given for both halves",
    )
    parser.add_argument("--no-learned", action="store_true", help="switch learned boilerplate off")
    parser.add_argument("--config", type=Path, default=REPO / "config.yaml")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="override a setting for this run, e.g. clean.text_density.length_high=150 (YAML value)",
    )
    args = parser.parse_args()
    if not PAGES.exists():
        print(f"evaluation data not found: {PAGES}", file=sys.stderr)
        return 2
    settings = with_overrides(load_config(args.config), args.set)
    pages = load_pages()
    page_texts = {page["file"]: page["raw_text_html_text"] for page in pages}
    body_texts = {page["file"]: text for page in pages if (text := body_text(page))}
    stray_texts = {page["file"]: text for page in pages if (text := few_stray_text(page))}
    reports = [
        evaluate("pages (full page text)", pages, page_texts, settings, not args.no_learned),
        evaluate("bodies (page text from first to last content line)", pages, body_texts, settings, not args.no_learned),
        evaluate("few-stray bodies (content lines + 15% stray lines)", pages, stray_texts, settings, not args.no_learned),
    ]
    for report in reports:
        print_table(report)
        if args.show_errors:
            for content in (True, False):
                wrong = [
                    error for error in report["errors"]
                    if error["content"] == content and args.split in (None, error["half"])
                ]
                print(f"  --- {'content removed' if content else 'boilerplate kept'}: {len(wrong)}")
                for error in wrong[: args.show_errors]:
                    print(f"    {error['page']}:{error['line_no']} [{error['rule']}] {error['text'][:130]}")
    corpus = evaluate_clean_corpus(settings, not args.no_learned)
    if corpus:
        print(f"\n{corpus['set']}: {corpus['articles']} articles, {corpus['lines']} lines, {corpus['seconds']} s")
        print(f"  content retention {corpus['retention']:.4f}; removed by rule: "
              + ", ".join(f"{rule} {n}" for rule, n in corpus["removed_by_rule"].items()))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "data": str(PAGES),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "learned": not args.no_learned,
        "reports": [{key: value for key, value in report.items() if key != "errors"} for report in reports],
        "clean_corpus": corpus,
    }
    RESULTS.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nwritten: {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

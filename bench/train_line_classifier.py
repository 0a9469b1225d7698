"""Fit the line classifier's weights (tasks/line_classifier.py) on the tune half of the boilerplate eval.

    NEWSETL_EVAL_DIR=/work/shared/eval .venv/bin/python bench/train_line_classifier.py [--out PATH]

Only the pages that bench/boilerplate_eval.py puts in the "tune" half (`split_half`) are read: the
holdout half stays unseen, so its figures in the eval are the honest ones. The tune pages go through the
real stages (ingest -> split -> learned boilerplate over the tune batch -> clean) with the classifier
switched off, in three forms as in the eval: full pages, page text from the first to the last content
line, and bodies with a few stray lines (several seeded samples of the strays, to have more of them).
Each line still kept after the other passes becomes a row of features (tasks/line_features.py) labelled
boilerplate iff it is not in the page's gold body.

Two models, as the pipeline applies them: "page" on the lines of articles taken for full pages, "body"
on the rest. Each is an L2-regularised logistic regression (Newton's method, numpy only, deterministic),
its penalty the one of L2_GRID that does best out of fold. Each model's threshold is chosen on
out-of-fold probabilities (5 folds by outlet, so that a page's sibling from the same outlet is never in
the training folds): the lowest probability at which at most `--max-content-loss` of the content lines
would go (0.5% for pages, 0.2% for bodies by default), so that it is not chosen on the very lines the
model was fitted to. The weights file holds weights, thresholds and counts only: no text of the eval
data. The same tune pages and code give the same file byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from boilerplate_eval import (  # noqa: E402
    PAGES, body_text, few_stray_text, load_pages, norm, split_and_learn, with_overrides,
)

from tasks.clean import judge_lines  # noqa: E402
from tasks.config import load_config  # noqa: E402
from tasks.line_classifier import DEFAULT_WEIGHTS, MODEL_NAMES, judged_lines  # noqa: E402
from tasks.line_features import FEATURE_NAMES  # noqa: E402
from tasks.rules import load_rules  # noqa: E402

FEW_STRAY_SAMPLES = 5
FOLDS = 5
L2_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
TRADE_OFF_LOSSES = (0.002, 0.005, 0.01, 0.02, 0.05)


def kept_line_rows(texts: dict[str, str], settings) -> list[tuple[str, bool, np.ndarray, list[str]]]:
    """Per article: its file, whether it was taken for a page, its kept lines' features and texts."""
    split, learned = split_and_learn(texts, settings, use_learned=True)
    rules = load_rules(settings.clean)
    rows = []
    for draft in split.articles:
        _, verdicts, context = judge_lines(draft, rules, settings.clean, learned)
        positions, features = judged_lines(verdicts, context)
        rows.append((draft.source_file, context.page, features, [verdicts[index].text for index in positions]))
    return rows


def outlet(page: dict) -> str:
    """The page's outlet, from its id ("uk/TheTelegraph_2023_08_30" -> "uk/TheTelegraph")."""
    return page["id"].split("_")[0]


def fit_logistic(features: np.ndarray, labels: np.ndarray, l2: float, steps: int = 50) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method; the bias (column 0) is not penalised."""
    weights = np.zeros(features.shape[1])
    penalty = np.full(features.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(steps):
        probabilities = 1.0 / (1.0 + np.exp(-(features @ weights)))
        gradient = features.T @ (probabilities - labels) + penalty * weights
        curvature = (features * (probabilities * (1 - probabilities))[:, None]).T @ features + np.diag(penalty + 1e-9)
        step = np.linalg.solve(curvature, gradient)
        weights -= step
        if np.abs(step).max() < 1e-8:
            break
    return weights


def out_of_fold(features: np.ndarray, labels: np.ndarray, groups: np.ndarray, l2: float) -> np.ndarray:
    """Each row's probability from a model fitted without its outlet's fold."""
    result = np.zeros(len(labels))
    for fold in range(FOLDS):
        held = groups % FOLDS == fold
        weights = fit_logistic(features[~held], labels[~held], l2)
        result[held] = 1.0 / (1.0 + np.exp(-(features[held] @ weights)))
    return result


def choose_threshold(probabilities: np.ndarray, labels: np.ndarray, content_lines: int, max_loss: float) -> float:
    """The lowest threshold at which at most max_loss of all content lines would be removed."""
    allowed = int(max_loss * content_lines)
    content_scores = np.sort(probabilities[labels == 0])[::-1]
    # Removing lines with probability >= t loses the content lines scoring at least t: allow `allowed`.
    if allowed >= len(content_scores):
        return 0.5
    return float(min(max(content_scores[allowed] + 1e-6, 0.5), 0.999))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS)
    parser.add_argument("--max-content-loss", type=float, nargs=2, default=[0.005, 0.002], metavar=("PAGE", "BODY"),
                        help="share of the tune content lines each model may remove (out of fold)")
    parser.add_argument("--l2", type=float, nargs="+", default=list(L2_GRID),
                        help="L2 penalties on the weights (not the bias) to choose from, out of fold")
    args = parser.parse_args()
    if not PAGES.exists():
        print(f"evaluation data not found: {PAGES}", file=sys.stderr)
        return 2
    # The classifier off: it is trained on the lines the other passes leave.
    settings = with_overrides(load_config(REPO / "config.yaml"), ["clean.line_classifier.enabled=false"])
    pages = [page for page in load_pages() if page["half"] == "tune"]
    by_file = {page["file"]: page for page in pages}
    # Folds go by outlet, not by page: an outlet's pages share their furniture, so a page's sibling in the
    # training folds would make the out-of-fold figures (and the thresholds) too hopeful for new outlets.
    outlets = sorted({outlet(page) for page in pages})
    outlet_number = {page["file"]: outlets.index(outlet(page)) for page in pages}
    forms = [{page["file"]: page["raw_text_html_text"] for page in pages},
             {page["file"]: text for page in pages if (text := body_text(page))}]
    forms += [{page["file"]: text for page in pages if (text := few_stray_text(page, f"train{sample}"))}
              for sample in range(FEW_STRAY_SAMPLES)]
    data: dict[str, dict[str, list]] = {name: defaultdict(list) for name in MODEL_NAMES}
    for texts in forms:
        for source_file, page, features, texts_kept in kept_line_rows(texts, settings):
            gold = by_file[source_file]["gold"]
            part = data["page" if page else "body"]
            part["features"].append(features)
            part["labels"].extend(norm(text) not in gold for text in texts_kept)
            part["groups"].extend([outlet_number[source_file]] * len(texts_kept))
    models = {}
    for name in MODEL_NAMES:
        features = np.concatenate(data[name]["features"])
        labels = np.array(data[name]["labels"], dtype=float)
        groups = np.array(data[name]["groups"])
        content = int((labels == 0).sum())
        max_loss = dict(zip(MODEL_NAMES, args.max_content_loss))[name]
        # The penalty is chosen out of fold too: the one that removes most boilerplate within the budget
        # (the first on a tie, so the smallest).
        candidates = []
        for l2 in args.l2:
            oof = out_of_fold(features, labels, groups, l2)
            threshold = choose_threshold(oof, labels, content, max_loss)
            candidates.append(((oof[labels == 1] >= threshold).mean(), -args.l2.index(l2), l2, oof, threshold))
        _, _, l2, oof, threshold = max(candidates, key=lambda candidate: candidate[:2])
        weights = fit_logistic(features, labels, l2)
        removed = oof >= threshold
        print(f"{name}: {len(labels)} kept lines ({int(labels.sum())} boilerplate); L2 {l2}; out of fold at threshold "
              f"{threshold:.3f}: boilerplate removed {removed[labels == 1].mean():.3f}, "
              f"content removed {removed[labels == 0].mean():.4f}")
        # How well the features part the classes at all: what each budget of lost content would buy.
        print("    out of fold, content lines removed -> boilerplate lines removed: " + ", ".join(
            f"{loss:.1%} -> {(oof[labels == 1] >= choose_threshold(oof, labels, content, loss)).mean():.1%}"
            for loss in TRADE_OFF_LOSSES
        ))
        for feature, weight in sorted(zip(FEATURE_NAMES, weights), key=lambda pair: -abs(pair[1])):
            print(f"    {feature:<22}{weight:+.3f}")
        models[name] = {
            "threshold": round(threshold, 4),
            "l2": l2,
            "weights": {feature: round(float(weight), 4) for feature, weight in zip(FEATURE_NAMES, weights)},
            "trained_on": {"kept_lines": len(labels), "boilerplate_lines": int(labels.sum())},
        }
    document = {
        "about": "Line classifier weights (tasks/line_classifier.py), written by bench/train_line_classifier.py "
                 "from the tune half of the boilerplate eval; P(boilerplate) = sigmoid(sum of weight x feature).",
        "max_content_loss": dict(zip(MODEL_NAMES, args.max_content_loss)),
        "models": models,
    }
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

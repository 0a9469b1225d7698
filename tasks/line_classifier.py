"""Line classifier: the last cleaning pass, a logistic model over each kept line's features.

The earlier passes remove what a rule, a neighbour or the story span can name. What they leave on a page
is furniture that looks a little like prose: related headlines between paragraphs, captions written as
sentences, a newsletter prompt inside the story. No single cut separates those from the story's own
short lines (every structural cut tried so far lost story lines on pages it was not chosen on), but
several weak signals together do: a logistic model weighs the features of tasks/line_features.py and
removes a kept line when its probability of being boilerplate reaches a threshold, as
"classifier.line_score".

The weights are data (tasks/line_classifier_weights.json), one model for full pages and one for extracted
article bodies, each with its threshold, fitted by bench/train_line_classifier.py on the tune half of
the boilerplate evaluation only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tasks.config import ConfigError, LineClassifierSettings
from tasks.line_features import FEATURE_NAMES, ArticleContext, feature_matrix, in_list_runs
from tasks.structure import LineVerdict

RULE = "classifier.line_score"
KIND = "classifier"
DEFAULT_WEIGHTS = Path(__file__).parent / "line_classifier_weights.json"
MODEL_NAMES = ("page", "body")


@dataclass(frozen=True)
class LineModel:
    weights: np.ndarray  # one per FEATURE_NAMES
    threshold: float  # a kept line whose probability of boilerplate reaches this is removed

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        # A row-wise sum rather than a matrix product: numpy hands `@` to a multi-threaded BLAS, which
        # competes with the pipeline's own worker processes and may sum in another order per machine.
        return 1.0 / (1.0 + np.exp(-(features * self.weights).sum(axis=1)))


def parse_models(data: dict, source: str) -> dict[str, LineModel]:
    """The models of a weights file; every feature must have a weight, and no weight may name an unknown
    feature (a file trained on other features would silently mean something else)."""
    models = {}
    for name in MODEL_NAMES:
        entry = data.get("models", {}).get(name)
        if entry is None:
            raise ConfigError(f"{source}: no model {name!r}")
        weights = entry["weights"]
        if set(weights) != set(FEATURE_NAMES):
            differing = sorted(set(weights) ^ set(FEATURE_NAMES))
            raise ConfigError(f"{source}: model {name!r} weights do not match the features: {differing}")
        vector = np.array([float(weights[feature]) for feature in FEATURE_NAMES])
        models[name] = LineModel(vector, float(entry["threshold"]))
    return models


@lru_cache(maxsize=4)
def load_models(path: Path) -> dict[str, LineModel]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"line classifier weights {path}: {error}") from error
    return parse_models(data, str(path))


def applies(settings: LineClassifierSettings, page: bool) -> bool:
    return settings.enabled and ("page" if page else "body") in settings.models


def model_for(settings: LineClassifierSettings, page: bool) -> LineModel:
    model = load_models(settings.weights or DEFAULT_WEIGHTS)["page" if page else "body"]
    threshold = settings.page_threshold if page else settings.body_threshold
    return model if threshold is None else LineModel(model.weights, threshold)


def judged_lines(verdicts: list[LineVerdict], context: ArticleContext) -> tuple[list[int], np.ndarray]:
    """The kept lines the classifier judges (indexes into verdicts) and their features: every kept line
    but those in a list (tasks/line_features.in_list_runs), which the classifier leaves alone: lists of
    the story's own (results, winners) are rare in the tune pages, so the model has not learned them."""
    positions, features = feature_matrix(verdicts, context)
    if not positions:
        return positions, features
    alone = ~in_list_runs(verdicts, positions)
    return [index for index, keep in zip(positions, alone) if keep], features[alone]


def remove_by_score(verdicts: list[LineVerdict], context: ArticleContext, model: LineModel) -> None:
    positions, features = judged_lines(verdicts, context)
    if not positions:
        return
    for index, probability in zip(positions, model.probabilities(features)):
        if probability >= model.threshold:
            verdicts[index].remove(RULE, KIND)

"""The line classifier (tasks/line_classifier.py): its weights file, what it judges, and its decisions
with the shipped weights, down to the rule name in removed_lines."""

import json

import numpy as np
import pytest

from tasks import line_classifier
from tasks.clean import clean_article
from tasks.config import CleanSettings, ConfigError, LineClassifierSettings
from tasks.line_features import FEATURE_NAMES, ArticleContext, feature_matrix, in_list_runs
from tasks.records import RawLine
from tasks.rules import load_rules
from tasks.structure import LineVerdict
from tasks.text_density import line_class, load_stopwords

from tests.helpers import draft
from tests.test_clean import page_text

SETTINGS = CleanSettings()
EN = load_stopwords("en")
STORY = [
    "Flood barriers failed in three towns on Monday, leaving hundreds of homes under water and roads closed.",
    "The council said that the barriers had been tested in March and that an inquiry would be held into why "
    "they had not held back the water this time.",
    "Engineers were on site by the afternoon, and the environment agency said the worst was over for now.",
    "Residents who have lost their homes will be housed in hotels while the damage is assessed, the council "
    "said, and payments of up to £500 will be made to every household affected by the floods.",
]
# Furniture that no rule names, between the story's paragraphs: a mega-menu, a caption with its credit,
# a product's spec line.
FURNITURE = [
    "Travel Culture Food Style Motors Health Science Technology Business Markets Weather Lottery Puzzles Podcasts "
    "Video",
    "Residents watch the flood water rise in the town centre on Monday. Photo: Jane Smith (Reuters) | Getty",
    "Rating: 30°F/-1.1°C",
]


def verdicts_of(lines: list[str]) -> list[LineVerdict]:
    verdicts = [LineVerdict(RawLine(number, text), text) for number, text in enumerate(lines, start=1)]
    for verdict in verdicts:
        verdict.density_class = line_class(verdict.text, EN, SETTINGS.text_density)
    return verdicts


def page_probabilities(lines: list[str]) -> dict[str, float]:
    verdicts = verdicts_of(lines)
    context = ArticleContext(EN, page=True, story_start=0, title="Flood barriers fail in three towns")
    positions, features = line_classifier.judged_lines(verdicts, context)
    model = line_classifier.model_for(SETTINGS.line_classifier, page=True)
    return {verdicts[index].text: probability for index, probability in zip(positions, model.probabilities(features))}


@pytest.mark.parametrize("furniture", FURNITURE)
def test_the_page_model_scores_furniture_above_every_story_sentence(furniture):
    probabilities = page_probabilities(STORY[:2] + [furniture] + STORY[2:])
    assert probabilities[furniture] > 0.75
    assert max(probabilities[line] for line in STORY) < 0.5


def test_the_shipped_page_model_removes_a_spec_line_and_keeps_the_story():
    verdicts = verdicts_of(STORY[:2] + ["Rating: 30°F/-1.1°C"] + STORY[2:])
    context = ArticleContext(EN, page=True, story_start=0)
    line_classifier.remove_by_score(verdicts, context, line_classifier.model_for(SETTINGS.line_classifier, page=True))
    assert [verdict.text for verdict in verdicts if not verdict.kept] == ["Rating: 30°F/-1.1°C"]
    assert verdicts[2].rule == line_classifier.RULE == "classifier.line_score"


def test_a_lower_threshold_removes_the_menu_line_too():
    settings = LineClassifierSettings(page_threshold=0.75)
    menu = FURNITURE[0]
    verdicts = verdicts_of(STORY[:2] + [menu] + STORY[2:])
    line_classifier.remove_by_score(verdicts, ArticleContext(EN, True, 0), line_classifier.model_for(settings, True))
    assert [verdict.text for verdict in verdicts if not verdict.kept] == [menu]


def test_removed_lines_name_the_classifier_on_a_full_page():
    lines = page_text().split("\n")
    at = lines.index(STORY[2])
    more = "The agency said that it had warned the council about the barriers in a report last year, which was never published."
    text = "\n".join(lines[:at] + ["Rating: 30°F/-1.1°C", more] + lines[at:])
    article = clean_article(draft(text), load_rules(SETTINGS), SETTINGS)
    assert {line.text: line.rule for line in article.removed}["Rating: 30°F/-1.1°C"] == "classifier.line_score"
    kept = [paragraph.text for paragraph in article.paragraphs]
    assert all(line in kept for line in [STORY[1], more, STORY[2]])


def test_the_body_model_is_off_by_default_and_the_switch_turns_it_on():
    assert line_classifier.applies(SETTINGS.line_classifier, page=True)
    assert not line_classifier.applies(SETTINGS.line_classifier, page=False)
    assert line_classifier.applies(LineClassifierSettings(models=["page", "body"]), page=False)
    assert not line_classifier.applies(LineClassifierSettings(enabled=False), page=True)


def test_lines_in_a_list_are_left_to_the_other_passes():
    results = ["Arsenal v Stoke", "Man Utd v Exeter", "Plymouth v Everton"]
    verdicts = verdicts_of(STORY[:2] + results + STORY[2:])
    positions, _ = feature_matrix(verdicts, ArticleContext(EN, False, 0))
    assert list(in_list_runs(verdicts, positions)) == [False, False, True, True, True, False, False]
    judged, features = line_classifier.judged_lines(verdicts, ArticleContext(EN, False, 0))
    assert [verdicts[index].text for index in judged] == STORY
    assert features.shape == (len(STORY), len(FEATURE_NAMES))


def weights_file(tmp_path, change):
    data = json.loads(line_classifier.DEFAULT_WEIGHTS.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data["models"]["page"]["weights"].pop("ends_sentence"),
        lambda data: data["models"]["body"]["weights"].update(unknown_feature=1.0),
        lambda data: data["models"].pop("body"),
    ],
)
def test_a_weights_file_that_does_not_fit_the_features_is_refused(tmp_path, change):
    with pytest.raises(ConfigError):
        line_classifier.load_models(weights_file(tmp_path, change))


def test_the_shipped_weights_cover_every_feature_and_hold_no_text():
    models = line_classifier.load_models(line_classifier.DEFAULT_WEIGHTS)
    assert set(models) == {"page", "body"}
    for model in models.values():
        assert model.weights.shape == (len(FEATURE_NAMES),)
        assert np.isfinite(model.weights).all() and 0.5 <= model.threshold < 1


def test_a_weights_file_named_in_the_config_is_checked_at_start_up(tmp_path):
    broken = weights_file(tmp_path, lambda data: data["models"]["page"]["weights"].pop("bias"))
    with pytest.raises(ValueError, match="bias"):
        LineClassifierSettings(weights=broken)
    assert LineClassifierSettings(weights=line_classifier.DEFAULT_WEIGHTS).weights == line_classifier.DEFAULT_WEIGHTS

"""Cleaning against real pages (bench/boilerplate_eval.py): story lines are almost never deleted.

These tests use ../shared/eval (or $NEWSETL_EVAL_DIR) and skip without it; the split test does not.
"""

import sys

import pytest

from tests.conftest import REPO, requires_eval

sys.path.insert(0, str(REPO / "bench"))
import boilerplate_eval  # noqa: E402

from tasks.config import load_config  # noqa: E402


def test_pages_fall_in_two_fixed_halves_by_a_hash_of_their_id():
    ids = [f"de/Site{n}_2024_01_01" for n in range(200)]
    halves = [boilerplate_eval.split_half(page_id) for page_id in ids]
    assert set(halves) == {"tune", "holdout"}
    assert 60 < halves.count("tune") < 140
    assert halves == [boilerplate_eval.split_half(page_id) for page_id in ids]


@pytest.fixture(scope="module")
def pages():
    if not boilerplate_eval.PAGES.exists():
        pytest.skip(f"evaluation data not found: {boilerplate_eval.PAGES}")
    return boilerplate_eval.load_pages()


@requires_eval
def test_story_lines_of_real_pages_are_kept(pages):
    settings = load_config(REPO / "config.yaml")
    texts = {page["file"]: page["raw_text_html_text"] for page in pages}
    report = boilerplate_eval.evaluate("pages", pages, texts, settings, use_learned=True)
    for half in boilerplate_eval.HALVES:
        assert report["by_half"][half]["recall"] >= 0.95, half


@requires_eval
def test_story_lines_of_bodies_with_a_few_stray_lines_are_kept(pages):
    settings = load_config(REPO / "config.yaml")
    texts = {page["file"]: text for page in pages if (text := boilerplate_eval.few_stray_text(page))}
    report = boilerplate_eval.evaluate("few-stray bodies", pages, texts, settings, use_learned=True)
    for half in boilerplate_eval.HALVES:
        assert report["by_half"][half]["recall"] >= 0.99, half

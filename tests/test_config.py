import pytest

from tasks.config import ConfigError, Settings, load_config

from tests.conftest import REPO


def write(tmp_path, text: str):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_the_shipped_config_is_valid_and_matches_the_defaults():
    assert load_config(REPO / "config.yaml") == Settings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("clean:\n  heading_max_words: many\n", "config.yaml: clean.heading_max_words: Input should be a valid integer"),
        ("clean:\n  headng_max_words: 3\n", "config.yaml: unknown key 'clean.headng_max_words'"),
        ("cleen: {}\n", "config.yaml: unknown key 'cleen'"),
        ("langid:\n  min_score: 2\n", "config.yaml: langid.min_score: Input should be less than or equal to 1"),
        ("split:\n  separator_pattern: '(['\n", "config.yaml: split.separator_pattern: not a valid regular expression"),
        ("clean:\n  rules:\n    - name: x\n      pattern: '*'\n", "config.yaml: clean.rules.0.pattern: not a valid regular expression"),
        ("ingest:\n  fallback_encodings: [klingon]\n", "config.yaml: ingest.fallback_encodings: unknown encoding 'klingon'"),
        ("parallel:\n  chunk_max_articles: 0\n", "config.yaml: parallel.chunk_max_articles: Input should be greater than or equal to 1"),
        ("- a list\n", "config.yaml: the top level must be a mapping"),
        ("clean: [\n", "config.yaml: not valid YAML"),
    ],
)
def test_config_errors_are_one_line_naming_file_and_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text))
    assert str(error.value).startswith(str(tmp_path / message))
    assert "\n" not in str(error.value)


def test_partial_config_keeps_defaults_for_the_rest(tmp_path):
    settings = load_config(write(tmp_path, "langid:\n  min_chars: 10\n"))
    assert settings.langid.min_chars == 10
    assert settings.clean == Settings().clean


def test_fingerprint_changes_with_any_setting_that_changes_the_datasets():
    assert Settings().fingerprint() == Settings().fingerprint()
    assert Settings().fingerprint() != Settings.model_validate({"langid": {"seed": 1}}).fingerprint()
    # Where and when the work runs gives the same bytes: no reason to call a partition stale.
    elsewhere = {
        "parallel": {"workers": 2, "dask_address": "tcp://127.0.0.1:8786"},
        "schedule": {"cron": "0 3 * * *"},
        "backfill": {"max_parallel": 4},
    }
    assert Settings().fingerprint() == Settings.model_validate(elsewhere).fingerprint()


def test_a_dask_address_must_name_a_protocol(tmp_path):
    with pytest.raises(ConfigError, match=r"parallel.dask_address: '10.0.0.5:8786' is not a Dask scheduler address"):
        load_config(write(tmp_path, "parallel:\n  dask_address: 10.0.0.5:8786\n"))

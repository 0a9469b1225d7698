"""Imported once by the fork server that worker processes are forked from (tasks/parallel.py).

Every worker then starts with the stages imported, langdetect's model built and the run's rule library
compiled, instead of each worker of each stage doing it again (about 0.7 s and 0.4 s of one core).
"""

import os

import tasks.article_language  # noqa: F401
import tasks.boilerplate_learned  # noqa: F401
import tasks.clean  # noqa: F401
import tasks.ingest  # noqa: F401
import tasks.segment  # noqa: F401
from tasks.config import CleanSettings
from tasks.langid import loaded_model
from tasks.parallel import PRELOAD_CLEAN_SETTINGS
from tasks.per_article import rules_for

loaded_model()


def compile_rules() -> None:
    """The rule library of the clean settings the flow put in the environment, if any."""
    settings_json = os.environ.get(PRELOAD_CLEAN_SETTINGS)
    if not settings_json:
        return
    try:
        rules_for(CleanSettings.model_validate_json(settings_json))
    except Exception:  # noqa: BLE001 - a bad rule stops the run itself, with its message; not the fork server
        return


compile_rules()

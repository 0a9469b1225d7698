"""Imported once by the fork server that worker processes are forked from (tasks/parallel.py).

Every worker then starts with the stages imported and langdetect's model built, instead of each worker
of each stage building the model again (about 0.7 s of one core each time).
"""

import tasks.article_language  # noqa: F401
import tasks.boilerplate_learned  # noqa: F401
import tasks.clean  # noqa: F401
import tasks.ingest  # noqa: F401
import tasks.per_article  # noqa: F401
import tasks.segment  # noqa: F401
from tasks.langid import loaded_model

loaded_model()

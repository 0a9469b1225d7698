import os
from pathlib import Path

import pytest
from hypothesis import settings


REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
EVAL_DIR = Path(os.environ.get("NEWSETL_EVAL_DIR", REPO.parent / "shared" / "eval"))

# Prefect keeps its database in the repo (git-ignored), and a fresh database needs more than the default
# 20 s to come up. Both must be set before prefect is first imported.
os.environ.setdefault("PREFECT_HOME", str(REPO / ".prefect"))
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# Built models (the language model) are cached in the repo too (git-ignored), not in the user's home.
os.environ.setdefault("NEWSETL_CACHE_DIR", str(REPO / ".cache"))

# Property tests draw the same examples on every run, so that the suite (and CI) passes or fails the same
# way each time; NEWSETL_PROPERTY_EXPLORE=1 draws new ones, with NEWSETL_PROPERTY_EXAMPLES=5000 for a deep
# search. (A random draw once failed CI on a case no earlier run had met: now pinned with @example.)
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile("explore" if os.environ.get("NEWSETL_PROPERTY_EXPLORE") == "1" else "repeatable")

requires_eval = pytest.mark.skipif(not EVAL_DIR.is_dir(), reason=f"evaluation data not found at {EVAL_DIR}")

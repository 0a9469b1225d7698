import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
EVAL_DIR = Path(os.environ.get("NEWSETL_EVAL_DIR", REPO.parent / "shared" / "eval"))

# Prefect keeps its database in the repo (git-ignored), and a fresh database needs more than the default
# 20 s to come up. Both must be set before prefect is first imported.
os.environ.setdefault("PREFECT_HOME", str(REPO / ".prefect"))
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

requires_eval = pytest.mark.skipif(not EVAL_DIR.is_dir(), reason=f"evaluation data not found at {EVAL_DIR}")

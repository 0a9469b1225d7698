"""Orchestration: the Prefect flows, the run report and the CLI.

Prefect reads its settings when first imported, so the defaults below are set here, before any module of
this package imports it. Users can still override each one in the environment.
"""

import os

# A fresh machine's first flow run creates Prefect's database, which takes longer than the default 20 s
# start-up timeout of the temporary server.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# The temporary server's telemetry cannot reach the internet from most batch hosts and logs an error.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# pyarrow's default mimalloc pool keeps freed memory for reuse; the system allocator hands it back. On a
# 10 MB day (bench/pipeline_bench.py, same run): peak RSS 533 -> 475 MB, no slower. Read at pyarrow's import.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

"""`newsetl serve` against a real Prefect server on loopback: the deployment and its schedule."""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def test_serve_registers_the_deployment_with_the_configured_cron_and_timezone(tmp_path):
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": api_url,
    }
    config = tmp_path / "config.yaml"
    config.write_text(
        (REPO / "config.yaml").read_text().replace('cron: "0 2 * * *"', 'cron: "30 4 * * *"').replace("timezone: UTC", "timezone: Europe/London")
    )
    prefect = os.path.join(os.path.dirname(sys.executable), "prefect")
    server = subprocess.Popen(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    serving = None
    try:
        def healthy():
            try:
                return httpx.get(f"{api_url}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, 150, "the Prefect server")
        serving = subprocess.Popen(
            [sys.executable, "-m", "flows", "serve", "--config", str(config)],
            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )

        def deployment():
            response = httpx.get(f"{api_url}/deployments/name/newsetl-scheduled/daily", timeout=5)
            return response.json() if response.status_code == 200 else None

        found = wait_for(deployment, 120, "the deployment")
        schedules = [entry["schedule"] for entry in found["schedules"]]
        assert schedules == [{"cron": "30 4 * * *", "timezone": "Europe/London", "day_or": True}]
        assert found["parameters"]["config_path"] == str(config.resolve())
        assert serving.poll() is None, "serve should keep running"
    finally:
        for process in (serving, server):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()

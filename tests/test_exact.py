"""--exact counts through the real anthropic SDK against a local count_tokens server."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.helpers import run_cli

FAKE_KEY = "sk-ant-test-PROMPTLINT-FAKE-KEY-0123456789"
SYSTEM = "You are the billing assistant. " * 40
pytestmark = pytest.mark.slow  # the real SDK against a local server: run by CI's slow step
APP = f'''
import anthropic
client = anthropic.Anthropic()
SYSTEM = {SYSTEM!r}
def ask(q):
    return client.messages.create(model="claude-sonnet-4-5", max_tokens=100, system=SYSTEM,
                                  messages=[{{"role": "user", "content": q}}])
'''


class CountServer:
    """POST /v1/messages/count_tokens: 1 token per 4 characters of system text, plus 10."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.script: list[int] = []  # status codes to answer with before succeeding
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                server.requests.append(body)
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                if server.delay:
                    time.sleep(server.delay)
                status = server.script.pop(0) if server.script else 200
                if self.path != "/v1/messages/count_tokens":
                    status = 404
                if status == 200:
                    system = body.get("system") or ""
                    payload = {"input_tokens": len(system) // 4 + 10}
                else:
                    kind = {401: "authentication_error", 429: "rate_limit_error"}.get(
                        status, "api_error")
                    payload = {"type": "error", "error": {"type": kind, "message": "no"}}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                if status == 429:
                    self.send_header("retry-after", "0")
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> CountServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def env_for(server: CountServer, **extra: str) -> dict[str, str]:
    return {"ANTHROPIC_API_KEY": FAKE_KEY, "ANTHROPIC_BASE_URL": server.url, **extra}


def test_exact_counts_and_disk_cache(project: Path) -> None:
    with CountServer() as server:
        first = run_cli("tokens", "--exact", "--output-format", "json", "app.py", cwd=project,
                        env=env_for(server))
        assert first.returncode == 0, first.stderr
        row = json.loads(first.stdout)[0]
        assert row["exact"] is True
        assert row["static_tokens"] == len(SYSTEM) // 4  # minus the one-message baseline
        assert len(server.requests) == 2  # the baseline and the system prompt
        assert server.requests[1]["system"] == SYSTEM
        assert server.requests[1]["model"] == "claude-sonnet-4-5-20250929"
        assert server.headers[0]["authorization"] == f"Bearer {FAKE_KEY}" or (
            server.headers[0].get("x-api-key") == FAKE_KEY)
        second = run_cli("tokens", "--exact", "app.py", cwd=project, env=env_for(server))
        assert second.returncode == 0
        assert len(server.requests) == 2  # served from .promptlint_cache: no new calls
        assert f"{len(SYSTEM) // 4:,}" in second.stdout and "~" not in second.stdout.split(
            "\n")[1]
    cache_files = list((project / ".promptlint_cache").rglob("*.json"))
    assert cache_files and all(FAKE_KEY not in f.read_text() for f in cache_files)


def test_no_key_is_one_clear_sentence(project: Path) -> None:
    proc = run_cli("tokens", "--exact", "app.py", cwd=project, env={"ANTHROPIC_API_KEY": ""})
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "promptlint: error: --exact needs an API key: set ANTHROPIC_API_KEY (and "
        "ANTHROPIC_BASE_URL for a proxy)")


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ([401], "the API rejected the key (401 authentication_error)"),
        ([500, 500, 500], "the API returned 500"),
    ],
)
def test_api_errors_fall_back_to_the_estimate(project: Path, script: list[int],
                                              message: str) -> None:
    with CountServer() as server:
        server.script = list(script)
        proc = run_cli("tokens", "--exact", "app.py", cwd=project, env=env_for(server))
    assert proc.returncode == 0
    assert f"app.py:6:28: estimate shown: {message}" in proc.stdout
    assert "~" in proc.stdout.splitlines()[1]
    assert FAKE_KEY not in proc.stdout + proc.stderr


def test_rate_limit_is_retried(project: Path) -> None:
    with CountServer() as server:
        server.script = [429]
        proc = run_cli("tokens", "--exact", "--output-format", "json", "app.py", cwd=project,
                       env=env_for(server))
        assert json.loads(proc.stdout)[0]["exact"] is True
        assert len(server.requests) == 3  # 429, retried baseline, then the prompt


def test_timeout_falls_back(project: Path) -> None:
    with CountServer() as server:
        server.delay = 1.5
        proc = run_cli("tokens", "--exact", "app.py", cwd=project,
                       env=env_for(server, PROMPTLINT_API_TIMEOUT="0.3"))
    assert proc.returncode == 0
    assert "estimate shown: the API did not answer in time" in proc.stdout


def test_nothing_is_sent_without_exact(project: Path) -> None:
    with CountServer() as server:
        proc = run_cli("tokens", "app.py", cwd=project, env=env_for(server))
        run_cli("check", "app.py", cwd=project, env=env_for(server))
        assert proc.returncode == 0
        assert server.requests == []
    assert "~" in proc.stdout

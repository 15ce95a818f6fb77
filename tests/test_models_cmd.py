"""`promptlint models` and `models --refresh` through the real anthropic SDK against a local
Models API (GET /v1/models, paginated with has_more / first_id / last_id and `after_id`)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import run_cli

pytestmark = pytest.mark.slow  # the real SDK against a local server: run by CI's slow step

FAKE_KEY = "sk-ant-test-PROMPTLINT-FAKE-MODELS-KEY-9876543210"
THINKING_TYPES = ("adaptive", "between_tools", "enabled", "disabled")


def model(model_id: str, name: str, created: str, *, lifecycle: str = "active",
          max_input: int | None = 200_000, max_tokens: int | None = 64_000,
          retires_at: str | None = None, thinking: tuple[str, ...] = ("enabled", "disabled"),
          structured: bool = True, line: str | None = None) -> dict:
    """One ModelInfo object as the API sends it (every field of anthropic 2.12.0's type)."""

    def yes(flag: bool) -> dict:
        return {"supported": flag}

    return {
        "type": "model",
        "id": model_id,
        "display_name": name,
        "created_at": f"{created}T00:00:00Z",
        "lifecycle": lifecycle,
        "deprecated_at": "2026-06-01T00:00:00Z" if lifecycle != "active" else None,
        "retires_at": f"{retires_at}T00:00:00Z" if retires_at else None,
        "line": line,
        "max_input_tokens": max_input,
        "max_tokens": max_tokens,
        "capabilities": {
            "batch": yes(True),
            "citations": yes(True),
            "code_execution": yes(False),
            "context_management": {"supported": True, "clear_thinking_20251015": yes(True),
                                   "clear_tool_uses_20250919": yes(True),
                                   "compact_20260112": None},
            "effort": {"supported": True, "low": yes(True), "medium": yes(True),
                       "high": yes(True), "max": yes(False), "xhigh": None},
            "image_input": yes(True),
            "pdf_input": yes(True),
            "server_tools": {"supported": True, "code_execution": yes(True),
                             "web_search": yes(True)},
            "structured_outputs": yes(structured),
            "thinking": {"supported": thinking != ("disabled",),
                         "types": {t: yes(t in thinking) for t in THINKING_TYPES}},
        },
    }


MODELS = [
    # newest first, as the API lists them
    model("claude-opus-7", "Claude Opus 7", "2026-11-20", max_input=1_000_000,
          max_tokens=256_000, thinking=("adaptive",), line="opus"),
    model("claude-fable-5-2", "Claude Fable 5.2", "2026-11-09", max_input=1_000_000,
          max_tokens=128_000, thinking=("adaptive",), line="fable"),
    # bundled: 64,000; the API now says 128,000
    model("claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-24", max_tokens=128_000,
          lifecycle="deprecated", retires_at="2027-01-22", line="opus"),
    # bundled: 64,000; the API now says 32,000
    model("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15", max_tokens=32_000,
          line="haiku"),
    model("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29",
          lifecycle="deprecated", retires_at="2026-11-30", line="sonnet"),
    model("claude-3-haiku-20240307", "Claude 3 Haiku", "2024-03-07", lifecycle="retired",
          retires_at="2026-04-20", max_input=200_000, max_tokens=4_096, thinking=("disabled",),
          structured=False),
]


class ModelsServer:
    """GET /v1/models as the Models API serves it: newest first, at most `page_size` per page,
    `after_id` cursor, `lifecycle[]` filter (active and deprecated when absent)."""

    def __init__(self, models: list[dict] | None = None, page_size: int = 2) -> None:
        self.models = list(MODELS if models is None else models)
        self.page_size = page_size
        self.requests: list[dict] = []
        self.script: list[int] = []  # statuses to answer with, one per request, before 200s
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                server.requests.append({
                    "path": url.path, "query": query,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                })
                if server.delay:
                    time.sleep(server.delay)
                status = server.script.pop(0) if server.script else 200
                if url.path != "/v1/models":
                    status = 404
                payload = server.page(query) if status == 200 else {
                    "type": "error",
                    "error": {"type": {401: "authentication_error"}.get(status, "api_error"),
                              "message": "no"},
                }
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def page(self, query: dict[str, list[str]]) -> dict:
        lifecycles = query.get("lifecycle[]") or ["active", "deprecated"]
        listed = [m for m in self.models if m["lifecycle"] in lifecycles]
        start = 0
        if "after_id" in query:
            ids = [m["id"] for m in listed]
            start = ids.index(query["after_id"][0]) + 1
        size = min(int(query.get("limit", ["20"])[0]), self.page_size)
        data = listed[start:start + size]
        return {
            "data": data,
            "has_more": start + size < len(listed),
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
        }

    def __enter__(self) -> ModelsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


APP = '''
import anthropic
client = anthropic.Anthropic()

def write(q):
    return client.messages.create(model="claude-opus-4-5", max_tokens=100000,
                                  messages=[{"role": "user", "content": q}])

def summarize(q):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=50000,
                                  messages=[{"role": "user", "content": q}])
'''


@pytest.fixture
def home(tmp_path: Path) -> Path:
    cache = tmp_path / "cache"
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(APP)
    return cache


def env_for(cache: Path, server: ModelsServer | None = None, **extra: str) -> dict[str, str]:
    env = {
        "PROMPTLINT_CACHE_HOME": str(cache),
        "PROMPTLINT_NO_USER_CATALOGUE": "",  # this test is about the user file: read it
        "ANTHROPIC_API_KEY": FAKE_KEY,
        "ANTHROPIC_AUTH_TOKEN": "",
        "NO_PROXY": "127.0.0.1,localhost",
        **extra,
    }
    if server is not None:
        env["ANTHROPIC_BASE_URL"] = server.url
    return env


def over_limit(cache: Path) -> dict[int, str]:
    """PRL102 findings of the project's app.py: {line: message}."""
    proc = run_cli("check", "--output-format", "json", "--select", "PRL102", "app.py",
                   cwd=cache.parent / "project", env=env_for(cache))
    assert proc.returncode in (0, 1), proc.stderr
    return {f["line"]: f["message"] for f in json.loads(proc.stdout)}


def user_file(cache: Path) -> Path:
    return cache / "models.json"


def test_served_payload_is_what_the_sdk_parses() -> None:
    """The fake server speaks the SDK's own types (strict validation, no extra fields)."""
    from anthropic.pagination import SyncPage
    from anthropic.types import ModelInfo

    with ModelsServer() as server:
        page = server.page({"lifecycle[]": ["active", "deprecated", "retired"]})
    assert set(page) == set(SyncPage.model_fields) == {"data", "has_more", "first_id", "last_id"}
    for item in MODELS:
        parsed = ModelInfo.model_validate(item, strict=False)
        assert set(item) == set(type(parsed).model_fields)
        assert parsed.capabilities is not None and parsed.lifecycle == item["lifecycle"]


def test_refresh_updates_limits_and_the_next_check_uses_them(home: Path) -> None:
    before = over_limit(home)
    assert list(before) == [6]  # opus-4-5: 100,000 > 64,000; haiku-4-5: 50,000 <= 64,000
    assert "output limit of 64000" in before[6]

    with ModelsServer() as server:
        proc = run_cli("models", "--refresh", env=env_for(home, server))
        assert proc.returncode == 0, proc.stderr
        requests = list(server.requests)
    summary = proc.stdout.splitlines()
    assert summary[0] == f"Models API: 6 models listed; wrote {user_file(home)}"
    assert "claude-opus-4-5-20251101: max_output_tokens 64000 -> 128000" in summary
    assert "claude-haiku-4-5-20251001: max_output_tokens 64000 -> 32000" in summary
    assert ("new model claude-opus-7 (status active, context_window 1000000, "
            "max_output_tokens 256000)") in summary
    assert "claude-fable-5-2: structured_outputs unknown -> yes" in summary
    # the bundled date is tentative; the API's matching date confirms it
    assert ("claude-opus-4-5-20251101: confirmed retirement_date (no longer uncertain)"
            in summary)
    # nothing about facts that did not change (sonnet-4-5 is deprecated in both)
    assert not [line for line in summary if line.startswith("claude-sonnet-4-5")]
    assert proc.stderr == ""

    # the SDK followed the pages with after_id, asked for retired models too, sent the key
    assert [r["query"].get("after_id") for r in requests] == [
        None, ["claude-fable-5-2"], ["claude-haiku-4-5-20251001"]]
    assert all(r["query"]["lifecycle[]"] == ["active", "deprecated", "retired"]
               for r in requests)
    sent = requests[0]["headers"]  # this SDK sends the key as a bearer token
    assert sent.get("authorization") == f"Bearer {FAKE_KEY}" or sent.get("x-api-key") == FAKE_KEY

    written = json.loads(user_file(home).read_text())
    assert written["source"] == "Models API" and written["refreshed_at"]
    opus = written["models"]["claude-opus-4-5-20251101"]
    assert opus["max_output_tokens"] == 128_000 and opus["context_window"] == 200_000
    assert opus["status"] == "deprecated" and opus["retirement_date"] == "2027-01-22"
    haiku = written["models"]["claude-haiku-4-5-20251001"]
    assert "status" not in haiku  # "active" in the API; the catalogue's "legacy" is kept
    assert opus["sources"]["limits"].startswith("Models API (")
    retired = written["models"]["claude-3-haiku-20240307"]
    assert retired["status"] == "retired" and retired["retirement_date"] == "2026-04-20"
    assert written["models"]["claude-sonnet-4-5-20250929"]["retirement_date"] == "2026-11-30"
    assert written["models"]["claude-opus-7"]["thinking"] == ["adaptive"]

    after = over_limit(home)
    assert list(after) == [10]  # opus-4-5 now fits; haiku-4-5's 50,000 is over 32,000
    assert "output limit of 32000" in after[10] and "third-party" not in after[10]

    listing = run_cli("models", env=env_for(home))
    assert listing.returncode == 0, listing.stderr
    rows = {line.split()[0]: line for line in listing.stdout.splitlines() if line}
    assert "128,000" in rows["claude-opus-4-5-20251101"]
    assert "deprecated (retires 2027-01-22, in 50 days)" in rows["claude-opus-4-5-20251101"]
    assert "legacy" in rows["claude-haiku-4-5-20251001"]
    assert "32,000" in rows["claude-haiku-4-5-20251001"]
    assert "256,000" in rows["claude-opus-7"]
    assert "4,096*" not in rows["claude-3-haiku-20240307"]  # confirmed by the API
    assert f"refreshed from the Models API on {written['refreshed_at']}" in listing.stdout
    as_json = json.loads(run_cli("models", "--output-format", "json", env=env_for(home)).stdout)
    entry = next(m for m in as_json if m["id"] == "claude-opus-4-5-20251101")
    assert entry["max_output_tokens"] == 128_000 and entry["status"] == "deprecated"
    assert entry["sources"]["limits"].startswith("Models API")
    assert entry["sources"]["price"]  # the bundled sources are kept beside the refreshed ones

    # a second refresh with the same answers changes nothing
    with ModelsServer() as server:
        again = run_cli("models", "--refresh", env=env_for(home, server))
    assert again.stdout.splitlines()[1:] == ["no changes"]

    everything = proc.stdout + proc.stderr + listing.stdout + user_file(home).read_text()
    assert FAKE_KEY not in everything


def test_listing_without_a_refresh(home: Path) -> None:
    proc = run_cli("models", env=env_for(home))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["MODEL", "STATUS", "CONTEXT"]
    row = next(line for line in lines if line.startswith("claude-fable-5-2 "))
    assert row.split()[-1] == "no"  # prefill rejected
    haiku = next(line for line in lines if line.startswith("claude-3-5-haiku-20241022 "))
    assert "8,192*" in haiku  # a third-party limit
    # status as of the day (the tests' fixed 2026-12-03): past its date, Sonnet 4.5 is retired
    sonnet = next(line for line in lines if line.startswith("claude-sonnet-4-5-20250929 "))
    assert "retired 2026-11-30" in sonnet and sonnet.endswith("claude-sonnet-4-5")
    assert "catalogue 2026-12-03" in proc.stdout and "status as of 2026-12-03" in proc.stdout
    assert "bundled data only" in proc.stdout
    data = json.loads(run_cli("models", "--output-format", "json", env=env_for(home)).stdout)
    fable = next(m for m in data if m["id"] == "claude-fable-5-2")
    assert "price_per_mtok" in fable["uncertain"] and fable["prefill"] is False
    sonnet_json = next(m for m in data if m["id"] == "claude-sonnet-4-5-20250929")
    assert sonnet_json["status"] == "deprecated" and sonnet_json["status_today"] == "retired"
    assert {"id", "aliases", "status", "retirement_date", "context_window", "max_output_tokens",
            "input_price_per_mtok", "output_price_per_mtok", "min_cacheable_tokens", "prefill",
            "uncertain", "sources"} <= set(fable)


def test_no_key_is_one_sentence_and_writes_nothing(home: Path) -> None:
    with ModelsServer() as server:
        proc = run_cli("models", "--refresh", env=env_for(home, server, ANTHROPIC_API_KEY=""))
        assert server.requests == []
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == ("promptlint: error: --refresh needs an API key: set "
                           "ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for a proxy)\n")
    assert not home.exists() or not any(home.iterdir())


@pytest.mark.parametrize(
    ("script", "delay", "message"),
    [
        ([401], 0.0, "the API rejected the key (401 authentication_error)"),
        ([500, 500, 500], 0.0, "the API returned 500"),
        ([200, 500, 500, 500], 0.0, "the API returned 500"),  # fails on the second page
        ([], 1.5, "the API did not answer in time"),
    ],
    ids=["401", "500", "500-on-page-2", "timeout"],
)
def test_api_errors_leave_the_user_file_alone(home: Path, script: list[int], delay: float,
                                              message: str) -> None:
    with ModelsServer() as server:
        first = run_cli("models", "--refresh", env=env_for(home, server))
        assert first.returncode == 0, first.stderr
    previous = user_file(home).read_bytes()

    with ModelsServer(models=[*MODELS[:2], model(
            "claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-24", max_tokens=1)]) as server:
        server.script = list(script)
        server.delay = delay
        proc = run_cli("models", "--refresh",
                       env=env_for(home, server, PROMPTLINT_API_TIMEOUT="0.3"))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == f"promptlint: error: {message}\n"
    assert FAKE_KEY not in proc.stderr
    assert user_file(home).read_bytes() == previous
    assert sorted(p.name for p in home.iterdir()) == ["models.json"]  # no temporary left over


def test_connection_refused(home: Path) -> None:
    with ModelsServer() as server:
        url = server.url
    proc = run_cli("models", "--refresh", env=env_for(home, ANTHROPIC_BASE_URL=url))
    assert proc.returncode == 2
    assert proc.stderr == "promptlint: error: could not connect to the API\n"
    assert not user_file(home).exists()


def test_facts_from_the_sdk_type() -> None:
    """Mapping one parsed ModelInfo: the API's 'active' keeps legacy/gated, epoch dates drop."""
    from anthropic.types import ModelInfo

    from promptlint.modelcmd import facts_from_api

    item = ModelInfo.model_validate(model(
        "claude-x", "Claude X", "1970-01-01", max_input=None, max_tokens=8_192,
        thinking=("adaptive", "between_tools")))
    facts = facts_from_api(item, {"status": "legacy"}, "2026-12-01")
    assert "status" not in facts and "released" not in facts and "context_window" not in facts
    assert facts["max_output_tokens"] == 8_192
    assert facts["thinking"] == ["adaptive", "between_tools"]
    assert facts["structured_outputs"] is True
    assert facts["sources"]["limits"] == "Models API (2026-12-01)"
    assert facts_from_api(item, None, "2026-12-01")["status"] == "active"

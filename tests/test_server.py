"""`promptlint server` driven end to end by a JSON-RPC client over the server's stdio, as an
editor drives it: open, edit, ask for code actions, apply them, hover, survive bad input."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from promptlint.noqa import noqa_edit

RETIRED = '''import anthropic

client = anthropic.Anthropic()
reply = client.messages.create(
    model="claude-3-haiku-20240307",
    max_tokens=100,
    messages=[{"role": "user", "content": "Summarise the ticket"}],
)
'''


class Client:
    """A minimal LSP client: Content-Length framed JSON-RPC over the server's pipes."""

    def __init__(self, cwd: Path) -> None:
        env = {**os.environ, "PROMPTLINT_NO_CACHE": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "promptlint", "server"], cwd=cwd, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                key, _, value = line.decode().partition(":")
                headers[key.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.inbox.put(json.loads(body))

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _next(self, deadline: float) -> dict[str, Any]:
        try:
            message = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError("the server did not answer in time") from None
        if "method" in message and "id" in message:  # a request from the server
            self._send({"id": message["id"], "result": None})
        elif "method" in message:
            self.notifications.append(message)
        return message

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        self.next_id += 1
        ident = self.next_id
        self._send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if message.get("id") == ident and "method" not in message:
                assert "error" not in message, message
                return message.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def diagnostics(self, uri: str, version: int | None = None,
                    timeout: float = 60) -> list[dict[str, Any]]:
        """The next diagnostics published for ``uri`` (for ``version``, when given)."""
        deadline = time.monotonic() + timeout
        while True:
            for index, note in enumerate(self.notifications):
                params = note["params"]
                if note["method"] == "textDocument/publishDiagnostics" and (
                        params["uri"] == uri) and (
                        version is None or params.get("version") == version):
                    del self.notifications[: index + 1]
                    return params["diagnostics"]
            self._next(deadline)

    def published(self, uri: str) -> list[dict[str, Any]]:
        return [n for n in self.notifications if n["method"] == "textDocument/publishDiagnostics"
                and n["params"]["uri"] == uri]

    def open(self, path: Path, text: str, version: int = 1) -> str:
        uri = path.resolve().as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": version, "text": text}})
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})

    def close(self) -> int:
        self.request("shutdown", None)
        self.notify("exit", None)
        try:
            return self.proc.wait(timeout=20)
        finally:
            self.proc.kill()


@pytest.fixture
def client(tmp_path: Path) -> Any:
    lsp = Client(tmp_path)
    result = lsp.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(),
                                        "capabilities": {}})
    capabilities = result["capabilities"]
    assert capabilities["hoverProvider"]
    assert "quickfix" in capabilities["codeActionProvider"]["codeActionKinds"]
    lsp.notify("initialized", {})
    yield lsp
    if lsp.proc.poll() is None:
        assert lsp.close() == 0
    lsp.proc.kill()


def apply(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply LSP text edits (ASCII text: UTF-16 units are characters)."""
    lines = text.splitlines(True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: dict[str, int]) -> int:
        return starts[position["line"]] + position["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def cli_findings(path: Path) -> list[dict[str, Any]]:
    proc = subprocess.run([sys.executable, "-m", "promptlint", "check", "--no-cache",
                           "--output-format", "json", str(path)], capture_output=True, text=True,
                          cwd=path.parent)
    return json.loads(proc.stdout)


def actions_for(client: Client, uri: str, diagnostic: dict[str, Any],
                only: list[str] | None = None) -> list[dict[str, Any]]:
    context: dict[str, Any] = {"diagnostics": [diagnostic]}
    if only:
        context["only"] = only
    return client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diagnostic["range"], "context": context}) or []


def test_retired_model_diagnostic_fix_and_cleared(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "summarise.py"
    path.write_text(RETIRED)
    uri = client.open(path, RETIRED)
    diagnostics = client.diagnostics(uri, 1)
    expected = cli_findings(path)
    assert [(d["code"], d["message"], d["range"]["start"]["line"] + 1,
             d["range"]["start"]["character"] + 1) for d in diagnostics] == [
        (f["code"], f["message"], f["line"], f["column"]) for f in expected]
    (retired,) = [d for d in diagnostics if d["code"] == "PRL202"]
    assert retired["source"] == "promptlint" and retired["severity"] == 1  # Error

    actions = actions_for(client, uri, retired)
    fixes = [a for a in actions if "claude-haiku" in a["title"]]
    assert len(fixes) == 1 and fixes[0]["title"].endswith("(unsafe fix)")
    assert not fixes[0].get("isPreferred")  # unsafe fixes are never preferred
    assert any("noqa: PRL202" in a["title"] for a in actions)
    fixed = apply(RETIRED, fixes[0]["edit"]["changes"][uri])
    assert "claude-3-haiku" not in fixed and "claude-haiku" in fixed
    client.change(uri, fixed, 2)
    assert [d for d in client.diagnostics(uri, 2) if d["code"] == "PRL202"] == []


def test_noqa_action_suppresses_and_a_second_adds_nothing(client: Client,
                                                          tmp_path: Path) -> None:
    uri = client.open(tmp_path / "jobs.py", RETIRED)
    (retired,) = [d for d in client.diagnostics(uri, 1) if d["code"] == "PRL202"]
    (action,) = [a for a in actions_for(client, uri, retired) if "noqa" in a["title"]]
    suppressed = apply(RETIRED, action["edit"]["changes"][uri])
    assert 'model="claude-3-haiku-20240307",  # noqa: PRL202\n' in suppressed
    client.change(uri, suppressed, 2)
    assert [d for d in client.diagnostics(uri, 2) if d["code"] == "PRL202"] == []
    # the line suppresses the code already: no second noqa action for it
    assert noqa_edit('    model="x",  # noqa: PRL202\n', ["PRL202"]) is None


def test_safe_fix_is_preferred_and_fix_all_applies_safe_fixes(client: Client,
                                                               tmp_path: Path) -> None:
    text = RETIRED.replace("max_tokens=100", "max_tokens=500_000").replace(
        "claude-3-haiku-20240307", "claude-haiku-4-5")
    uri = client.open(tmp_path / "limits.py", text)
    diagnostics = client.diagnostics(uri, 1)
    over = [d for d in diagnostics if d["code"] == "PRL102"]
    assert over, diagnostics
    fixes = [a for a in actions_for(client, uri, over[0]) if "noqa" not in a["title"]]
    assert fixes and fixes[0].get("isPreferred") and "unsafe" not in fixes[0]["title"]
    (fix_all,) = actions_for(client, uri, over[0], only=["source.fixAll"])
    assert fix_all["kind"] == "source.fixAll.promptlint"
    fixed = apply(text, fix_all["edit"]["changes"][uri])
    client.change(uri, fixed, 2)
    assert [d for d in client.diagnostics(uri, 2) if d["code"] == "PRL102"] == []


def test_syntax_error_gives_one_diagnostic_and_server_keeps_answering(
        client: Client, tmp_path: Path) -> None:
    broken = RETIRED.replace("max_tokens=100,", "max_tokens=100,,")
    uri = client.open(tmp_path / "typing.py", broken)
    (diagnostic,) = client.diagnostics(uri, 1)
    assert diagnostic["message"].startswith("syntax error")
    assert diagnostic["range"]["start"]["line"] == 5  # the line with the stray comma
    # still answering: code actions, hover, and a fixed document is checked again
    assert client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                 "position": {"line": 3, "character": 10}}) is None
    client.change(uri, RETIRED, 2)
    assert [d["code"] for d in client.diagnostics(uri, 2)] == ["PRL202"]


def test_rapid_edits_are_debounced_to_the_last_version(client: Client, tmp_path: Path) -> None:
    uri = client.open(tmp_path / "fast.py", "x = 1\n")
    assert client.diagnostics(uri, 1) == []
    for version in range(2, 30):  # typing, one keystroke each, the last one complete
        client.change(uri, RETIRED[: len(RETIRED) * version // 29], version)
    assert [d["code"] for d in client.diagnostics(uri, 29)] == ["PRL202"]
    time.sleep(0.5)
    client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                          "position": {"line": 0, "character": 0}})
    # far fewer checks than edits were published, and none after the last version
    assert len(client.published(uri)) < 5
    assert all(n["params"]["version"] == 29 for n in client.published(uri))


def test_huge_and_binary_documents_are_one_diagnostic(client: Client, tmp_path: Path) -> None:
    huge = RETIRED + "x = 1\n" * 200_000
    uri = client.open(tmp_path / "huge.py", huge)
    (diagnostic,) = client.diagnostics(uri, 1)
    assert "limit" in diagnostic["message"] and "not checked" in diagnostic["message"]
    other = client.open(tmp_path / "nul.py", RETIRED + "\x00")
    (diagnostic,) = client.diagnostics(other, 1)
    assert "binary" in diagnostic["message"]
    # an unknown document: an empty answer, not an error
    assert client.request("textDocument/codeAction", {
        "textDocument": {"uri": (tmp_path / "never.py").as_uri()},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": []}}) is None


def test_settings_come_from_the_config_closest_to_each_file(client: Client,
                                                            tmp_path: Path) -> None:
    quiet = tmp_path / "legacy"
    quiet.mkdir()
    (quiet / "pyproject.toml").write_text('[tool.promptlint]\nignore = ["PRL202"]\n')
    loud = client.open(tmp_path / "app.py", RETIRED)
    silenced = client.open(quiet / "old.py", RETIRED)
    assert [d["code"] for d in client.diagnostics(loud, 1)] == ["PRL202"]
    assert client.diagnostics(silenced, 1) == []
    (tmp_path / "legacy" / "pyproject.toml").write_text("[tool.promptlint]\nselect = [\n")
    client.change(silenced, RETIRED, 2)
    (diagnostic,) = client.diagnostics(silenced, 2)
    assert diagnostic["message"].startswith("configuration error")


def test_a_file_with_no_config_above_takes_the_workspace_roots(client: Client,
                                                               tmp_path: Path) -> None:
    # as `promptlint check` run in the workspace's root: its configuration is the fallback
    (tmp_path / "pyproject.toml").write_text('[tool.promptlint]\nignore = ["PRL202"]\n')
    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere" / "script.py"  # never written
    uri = client.open(outside, RETIRED)
    inside = client.open(tmp_path / "app.py", RETIRED)
    assert client.diagnostics(uri, 1) == []
    assert client.diagnostics(inside, 1) == []
    assert not outside.parent.exists()


def test_related_locations_point_into_the_document(client: Client, tmp_path: Path) -> None:
    text = '''import anthropic

MODEL = "claude-3-haiku-20240307"
client = anthropic.Anthropic()
client.messages.create(model=MODEL, max_tokens=10, messages=[])
'''
    path = tmp_path / "shared.py"
    path.write_text(text)
    uri = client.open(path, text)
    (retired,) = [d for d in client.diagnostics(uri, 1) if d["code"] == "PRL202"]
    (expected,) = [f for f in cli_findings(path) if f["code"] == "PRL202"]
    assert [(r["location"]["uri"], r["location"]["range"]["start"]["line"] + 1, r["message"])
            for r in retired["relatedInformation"]] == [
        (uri, r["line"], r["message"]) for r in expected["related"]]


def test_hover_on_a_request_shows_model_tokens_cache_and_cost(client: Client,
                                                             tmp_path: Path) -> None:
    text = RETIRED.replace("claude-3-haiku-20240307", "claude-haiku-4-5")
    uri = client.open(tmp_path / "hover.py", text)
    client.diagnostics(uri, 1)
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": 3, "character": 20}})
    value = hover["contents"]["value"]
    assert "`claude-haiku-4-5`" in value
    assert "tokens" in value and "cache_control" in value and "per 1,000 requests" in value
    inside = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                   "position": {"line": 6, "character": 8}})
    assert inside == hover  # anywhere in the call
    for line in (0, 8):  # the import; the line after the call
        assert client.request("textDocument/hover", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": 0}}) is None


def test_missing_pygls_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "pygls.py"
    blocker.write_text("raise ModuleNotFoundError('No module named pygls', name='pygls')\n")
    proc = subprocess.run([sys.executable, "-m", "promptlint", "server"], capture_output=True,
                          text=True, cwd=tmp_path, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "needs pygls" in proc.stderr


def test_a_notebook_is_checked_as_one_and_fixed_cell_by_cell(tmp_path: Path) -> None:
    client = Client(tmp_path)
    result = client.request("initialize", {"processId": os.getpid(),
                                           "rootUri": tmp_path.as_uri(), "capabilities": {
                                               "notebookDocument": {"synchronization": {}}}})
    assert result["capabilities"]["notebookDocumentSync"]
    client.notify("initialized", {})
    notebook = (tmp_path / "release notes.ipynb").as_uri()  # (a space: a quoted URI)
    cells = [f"vscode-notebook-cell:{notebook[7:]}#cell{n}" for n in range(3)]
    texts = ["# Release notes", "import anthropic\nclient = anthropic.Anthropic()",
             '%load_ext autoreload\nreply = client.messages.create(\n'
             '    model="claude-3-haiku-20240307", max_tokens=50, messages=[])']
    client.notify("notebookDocument/didOpen", {
        "notebookDocument": {"uri": notebook, "notebookType": "jupyter-notebook", "version": 1,
                             "cells": [{"kind": 1, "document": cells[0]},
                                       {"kind": 2, "document": cells[1]},
                                       {"kind": 2, "document": cells[2]}]},
        "cellTextDocuments": [
            {"uri": uri, "languageId": "markdown" if i == 0 else "python", "version": 1,
             "text": text} for i, (uri, text) in enumerate(zip(cells, texts, strict=True))]})
    (retired,) = client.diagnostics(cells[2], 1)
    assert retired["code"] == "PRL202"
    assert retired["range"]["start"] == {"line": 2, "character": 10}  # in the cell's terms
    (fix,) = [a for a in actions_for(client, cells[2], retired) if "claude-haiku" in a["title"]]
    fixed = apply(texts[2], fix["edit"]["changes"][cells[2]])
    assert fixed == texts[2].replace("claude-3-haiku-20240307", "claude-haiku-5-5")
    client.notify("notebookDocument/didChange", {
        "notebookDocument": {"uri": notebook, "version": 2},
        "change": {"cells": {"textContent": [{"document": {"uri": cells[2], "version": 2},
                                              "changes": [{"text": fixed}]}]}}})
    assert client.diagnostics(cells[2], 2) == []
    hover = client.request("textDocument/hover", {"textDocument": {"uri": cells[2]},
                                                  "position": {"line": 1, "character": 8}})
    assert "`claude-haiku-5-5`" in hover["contents"]["value"]
    assert client.close() == 0


def test_a_path_with_spaces_and_unicode(client: Client, tmp_path: Path) -> None:
    folder = tmp_path / "my project ü"
    folder.mkdir()
    text = "# café ☕ 😀\n" + RETIRED.replace('"Summarise the ticket"', '"Résumé 😀"')
    uri = client.open(folder / "app.py", text)
    assert "%20" in uri
    (retired,) = client.diagnostics(uri, 1)
    assert retired["code"] == "PRL202" and retired["range"]["start"]["line"] == 5


def test_save_checks_at_once_and_excluded_files_stay_quiet(client: Client,
                                                           tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.promptlint]\nextend-exclude = ["generated"]\n')
    (tmp_path / "generated").mkdir()
    quiet = client.open(tmp_path / "generated" / "client.py", RETIRED)
    assert client.diagnostics(quiet, 1) == []
    uri = client.open(tmp_path / "saved.py", RETIRED)
    assert [d["code"] for d in client.diagnostics(uri, 1)] == ["PRL202"]
    # a save checks again (the configuration may have changed meanwhile)
    (tmp_path / "pyproject.toml").write_text('[tool.promptlint]\nignore = ["PRL202"]\n')
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri, 1) == []
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri) == []  # closing clears them

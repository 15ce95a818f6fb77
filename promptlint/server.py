"""`promptlint server`: a language server over stdio (pygls).

Diagnostics on open, save and (debounced) change, with the codes, messages and related
locations of `promptlint check`; code actions for each fix (safe ones preferred, unsafe ones
labelled), "suppress with noqa" and fix-all; hover on a request (model, prompt tokens, cache
state, cost). Each file is checked with the configuration closest to it. The check is the CLI's
own (:func:`promptlint.run.check_bytes`), run in a worker thread; a failure costs one log
line, never the server.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import sys
import tokenize
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from promptlint import __version__
from promptlint.config import Config, ConfigError, ConfigTree
from promptlint.findings import Edit, FileResult, Finding, RequestSummary, Safety
from promptlint.sources import Source

SOURCE = "promptlint"
DEBOUNCE_SECONDS = 0.25
FIX_ALL_KIND = "source.fixAll.promptlint"
_SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "info": lsp.DiagnosticSeverity.Information,
}
log = logging.getLogger("promptlint.server")


@dataclass
class Checked:
    """One check of one version of a document."""

    version: int | None
    text: str
    result: FileResult
    diagnostics: list[lsp.Diagnostic]
    config: Config | None
    # a notebook cell's view of its notebook's check: the cell's number (1-based, counting all
    # cells) and the notebook's source (fix edits are offsets into its Python text)
    cell: int | None = None
    notebook: Source | None = None


class _Text:
    """Positions in one snapshot of a document: (1-based line, 1-based column in code points)
    or a code point offset, converted to the client's units."""

    def __init__(self, text: str, codec: PositionCodec) -> None:
        self.text = text
        self.codec = codec
        self.lines = tuple(text.splitlines(True)) or ("",)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def position(self, line: int, column: int) -> lsp.Position:
        row = min(max(line - 1, 0), len(self.lines) - 1)
        column = min(max(column - 1, 0), len(self.lines[row].rstrip("\r\n")))
        return self.codec.position_to_client_units(self.lines, ServerTextPosition(row, column))

    def at_offset(self, offset: int) -> lsp.Position:
        offset = min(max(offset, 0), len(self.text))
        low, high = 0, len(self.lines) - 1
        while low < high:  # the last line starting at or before the offset
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return self.codec.position_to_client_units(
            self.lines, ServerTextPosition(low, offset - self.starts[low]))

    def end(self) -> lsp.Position:
        return self.at_offset(len(self.text))


def _encode(text: str) -> bytes:
    """The bytes a file with this text has on disk (its PEP 263 encoding when it declares one)."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return data
    if encoding in ("utf-8", "utf-8-sig"):
        return data
    try:
        return text.encode(encoding)
    except (LookupError, UnicodeEncodeError):
        return data


class PromptlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("promptlint", __version__, notebook_document_sync=(
            lsp.NotebookDocumentSyncOptions(notebook_selector=[
                lsp.NotebookDocumentFilterWithCells(
                    cells=[lsp.NotebookCellLanguage(language="python")])],
                save=True)))
        self.checked: dict[str, Checked] = {}
        # per notebook: (its version, its cells' texts) when checked, and each cell's view
        self.notebooks: dict[str, tuple[tuple[Any, ...], dict[str, Checked]]] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.running: dict[str, asyncio.Task[None]] = {}
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="promptlint-check")

    # ---- checking -------------------------------------------------------------------------

    def _document(self, uri: str) -> Any:
        """The open text document (the workspace keys them by unquoted URI), or None."""
        return self.workspace.text_documents.get(unquote(uri))

    def config_for(self, path: Path) -> Config:
        """The file's configuration, as the command line run in the workspace's root finds it
        (the closest configuration file above the file, else the root's); read afresh for
        each check, so that edits to it apply at once."""
        root = self.workspace.root_path if self._workspace_ready() else None
        return ConfigTree(cwd=Path(root) if root else path.parent).for_path(path)

    def check_text(self, uri: str, version: int | None, text: str) -> Checked:
        """Check one snapshot of a document (runs in the worker thread)."""
        from promptlint.discovery import excluded
        from promptlint.run import check_bytes

        path = Path(to_fs_path(uri) or uri)
        name = str(path)
        codec = self.workspace.position_codec if self._workspace_ready() else PositionCodec()
        where = _Text(text, codec)
        try:
            config = self.config_for(path)
        except ConfigError as exc:
            problem = lsp.Diagnostic(lsp.Range(where.position(1, 1), where.position(1, 1)),
                                     f"configuration error: {exc}", lsp.DiagnosticSeverity.Error,
                                     source=SOURCE)
            return Checked(version, text, FileResult(name), [problem], None)
        if path.suffix == ".ipynb" or excluded(path, config):
            return Checked(version, text, FileResult(name), [], config)
        result = check_bytes(name, path, _encode(text), config)
        return Checked(version, text, result, self.diagnostics(result, where, uri), config)

    def _workspace_ready(self) -> bool:
        try:
            return self.workspace is not None
        except RuntimeError:
            return False

    def diagnostics(self, result: FileResult, where: _Text, uri: str,
                    cells: list[str] | None = None) -> list[lsp.Diagnostic]:
        """``cells``: for a notebook cell, the URIs of the notebook's cells."""
        out = []
        if result.problem is not None:
            problem = result.problem
            start = where.position(problem.line or 1, problem.column or 1)
            out.append(lsp.Diagnostic(lsp.Range(start, start), problem.message,
                                      lsp.DiagnosticSeverity.Error, source=SOURCE))
        for finding in result.findings:
            related = []
            for item in finding.related:
                if cells and item.path in (None, result.path) and item.cell and (
                        item.cell <= len(cells)):
                    # (a position in another cell: its column is the same in code points
                    # and UTF-16 for the ASCII of code, and near enough otherwise)
                    target = cells[item.cell - 1]
                    position = (where.position(item.line, item.column) if target == uri
                                else lsp.Position(item.line - 1, item.column - 1))
                elif item.path in (None, result.path):
                    target, position = uri, where.position(item.line, item.column)
                else:
                    target = from_fs_path(os.path.abspath(item.path)) or item.path
                    position = lsp.Position(item.line - 1, item.column - 1)
                related.append(lsp.DiagnosticRelatedInformation(
                    lsp.Location(target, lsp.Range(position, position)), item.message))
            out.append(lsp.Diagnostic(
                lsp.Range(where.position(finding.line, finding.column),
                          where.position(finding.end_line, finding.end_column)),
                finding.message,
                _SEVERITY.get(finding.severity, lsp.DiagnosticSeverity.Warning),
                code=finding.code,
                source=SOURCE,
                related_information=related or None,
                data={"rule": finding.rule},
            ))
        return out

    def schedule(self, uri: str, delay: float) -> None:
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio.get_running_loop()
        self.pending[uri] = loop.call_later(delay, self._start, uri)

    def _start(self, uri: str) -> None:
        self.pending.pop(uri, None)
        previous = self.running.get(uri)
        if previous is not None and not previous.done():
            # one check per document at a time: check again once the running one is done
            previous.add_done_callback(lambda _task: self.schedule(uri, 0))
            return
        self.running[uri] = asyncio.get_running_loop().create_task(self._check(uri))

    async def _check(self, uri: str) -> None:
        if self.workspace.get_notebook_document(notebook_uri=uri) is not None:
            await self._check_notebook(uri)
            return
        document = self._document(uri)
        if document is None:
            return
        version, text = document.version, document.source
        loop = asyncio.get_running_loop()
        try:
            checked = await loop.run_in_executor(self.worker, self.check_text, uri, version,
                                                 text)
        except Exception as exc:  # a bug costs this check, not the server
            log.error("promptlint: checking %s failed: %s: %s", uri, type(exc).__name__, exc)
            return
        current = self._document(uri)
        if current is None or current.version != version:
            return  # edited meanwhile: a newer check is scheduled
        self.checked[uri] = checked
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri, checked.diagnostics, version))

    # ---- notebooks: the cells, checked together as one notebook -----------------------------

    def _snapshot(self, notebook_uri: str) -> tuple[Any, ...] | None:
        notebook = self.workspace.get_notebook_document(notebook_uri=notebook_uri)
        if notebook is None:
            return None
        cells = []
        for cell in notebook.cells:
            document = self._document(cell.document)
            code = cell.kind == lsp.NotebookCellKind.Code and (
                document is None or document.language_id in (None, "python"))
            cells.append((cell.document, code, document.source if document else "",
                          document.version if document else None))
        return (notebook.version, tuple(cells))

    def check_notebook(self, notebook_uri: str, snapshot: tuple[Any, ...]) -> dict[str, Checked]:
        """Each cell's view of one check of the whole notebook (runs in the worker thread)."""
        import json

        from promptlint.discovery import excluded
        from promptlint.run import check_bytes
        from promptlint.sources import SourceError, read_notebook

        _, cells = snapshot
        path = Path(to_fs_path(notebook_uri) or notebook_uri)
        name = str(path)
        codec = self.workspace.position_codec
        views = {uri: Checked(version, text, FileResult(name), [], None, index + 1)
                 for index, (uri, _code, text, version) in enumerate(cells)}
        try:
            config = self.config_for(path)
        except ConfigError as exc:
            first = next(iter(views.values()), None)
            if first is not None:
                start = lsp.Position(0, 0)
                first.diagnostics.append(lsp.Diagnostic(
                    lsp.Range(start, start), f"configuration error: {exc}",
                    lsp.DiagnosticSeverity.Error, source=SOURCE))
            return views
        if excluded(path, config):
            return views
        data = json.dumps({"cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
             "source": text} if code else {"cell_type": "markdown", "metadata": {},
                                           "source": text}
            for _uri, code, text, _version in cells],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
        result = check_bytes(name, path, data, config)
        try:
            source: Source | None = read_notebook(data, guard=False)
        except SourceError:
            source = None
        uris = [uri for uri, *_ in cells]
        for index, (uri, _code, text, _version) in enumerate(cells):
            view = views[uri]
            view.config, view.notebook = config, source
            view.result = FileResult(name, [f for f in result.findings if f.cell == index + 1],
                                     requests=[r for r in result.requests
                                               if r.cell == index + 1])
            problem = result.problem
            if problem is not None:
                where = re.match(r"cell (\d+): ", problem.message)
                if (int(where.group(1)) if where else 1) == index + 1:
                    view.result.problem = problem
            view.diagnostics = self.diagnostics(view.result, _Text(text, codec), uri, uris)
        return views

    async def _check_notebook(self, notebook_uri: str) -> None:
        snapshot = self._snapshot(notebook_uri)
        if snapshot is None:
            return
        try:
            views = await asyncio.get_running_loop().run_in_executor(
                self.worker, self.check_notebook, notebook_uri, snapshot)
        except Exception as exc:  # a bug costs this check, not the server
            log.error("promptlint: checking %s failed: %s: %s", notebook_uri,
                      type(exc).__name__, exc)
            return
        if self._snapshot(notebook_uri) != snapshot:
            return  # edited meanwhile: a newer check is scheduled
        previous = self.notebooks.get(notebook_uri)
        self.notebooks[notebook_uri] = (snapshot, views)
        for uri, view in views.items():
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
                uri, view.diagnostics, view.version))
        for uri in (previous[1] if previous else {}):
            if uri not in views:  # a deleted cell
                self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))

    async def _cell_view(self, cell_uri: str) -> Checked | None:
        notebook = self.workspace.get_notebook_document(cell_uri=cell_uri)
        if notebook is None:
            return None
        snapshot = self._snapshot(notebook.uri)
        known = self.notebooks.get(notebook.uri)
        if known is None or known[0] != snapshot:
            views = await asyncio.get_running_loop().run_in_executor(
                self.worker, self.check_notebook, notebook.uri, snapshot)
            known = (snapshot, views)
            self.notebooks[notebook.uri] = known
        return known[1].get(cell_uri)

    async def current(self, uri: str) -> Checked | None:
        """The check of the document as it is now (checked again if edited since)."""
        if self.workspace.get_notebook_document(cell_uri=uri) is not None:
            return await self._cell_view(uri)
        document = self._document(uri)
        if document is None:
            return None
        known = self.checked.get(uri)
        if known is not None and known.version == document.version and (
                known.text == document.source):
            return known
        checked = await asyncio.get_running_loop().run_in_executor(
            self.worker, self.check_text, uri, document.version, document.source)
        self.checked[uri] = checked
        return checked

    # ---- code actions ---------------------------------------------------------------------

    async def code_actions(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        checked = await self.current(uri)
        if checked is None:
            return []
        where = _Text(checked.text, self.workspace.position_codec)
        only = params.context.only
        actions: list[lsp.CodeAction] = []

        def wanted(kind: str) -> bool:
            return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)

        first, last = params.range.start.line + 1, params.range.end.line + 1
        touching = [f for f in checked.result.findings
                    if f.line <= last and f.end_line >= first]
        if wanted(lsp.CodeActionKind.QuickFix):
            for finding in touching:
                diagnostic = self._diagnostic_of(checked, finding)
                fix = finding.fix
                edits = self._text_edits(checked, where, fix.edits) if fix is not None else None
                if fix is not None and edits and fix.applicability != Safety.DISPLAY_ONLY:
                    unsafe = fix.applicability == Safety.UNSAFE
                    actions.append(lsp.CodeAction(
                        f"promptlint ({finding.code}): {fix.title}" + (" (unsafe fix)"
                                                                       if unsafe else ""),
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic] if diagnostic else None,
                        is_preferred=not unsafe,
                        edit=lsp.WorkspaceEdit(changes={uri: edits}),
                    ))
            actions.extend(self._noqa_actions(uri, checked, touching, where))
        if wanted(FIX_ALL_KIND) or (only and wanted(lsp.CodeActionKind.SourceFixAll)):
            action = await asyncio.get_running_loop().run_in_executor(
                self.worker, self._fix_all, uri, checked, where)
            if action is not None:
                actions.append(action)
        return actions

    def _text_edits(self, checked: Checked, where: _Text, edits: tuple[Edit, ...]
                    ) -> list[lsp.TextEdit] | None:
        """A fix's edits in the document's terms (for a notebook cell: the whole cell anew,
        magics restored; None when the fix also edits another cell)."""
        if checked.cell is None:
            return [lsp.TextEdit(lsp.Range(where.at_offset(e.start), where.at_offset(e.end)),
                                 e.content) for e in edits]
        from promptlint.fix.loop import apply_edits
        from promptlint.sources import ipython_view

        source = checked.notebook
        span = next((s for s in source.cell_spans if s[0] == checked.cell - 1), None) if (
            source is not None) else None
        if source is None or span is None or not edits or not all(
                span[1] <= e.start and e.end <= span[2] for e in edits):
            return None
        virtual = source.text[span[1]:span[2]]
        new = ipython_view(apply_edits(virtual, [Edit(e.start - span[1], e.end - span[1],
                                                      e.content) for e in edits]))
        return [lsp.TextEdit(lsp.Range(lsp.Position(0, 0), where.end()), new)]

    def _diagnostic_of(self, checked: Checked, finding: Finding) -> lsp.Diagnostic | None:
        index = checked.result.findings.index(finding)
        offset = 1 if checked.result.problem is not None else 0
        found = checked.diagnostics[index + offset:index + offset + 1]
        return found[0] if found else None

    def _noqa_actions(self, uri: str, checked: Checked, findings: list[Finding],
                      where: _Text) -> list[lsp.CodeAction]:
        from promptlint.noqa import comment_lines, noqa_edit

        moved = comment_lines(checked.text) if findings else {}
        out = []
        for finding in findings:
            line = moved.get(finding.line, finding.line)
            if finding.cell != checked.cell or line > len(where.lines):
                continue
            edit = noqa_edit(where.lines[line - 1], [finding.code])
            if edit is None:
                continue
            start, end, content = edit
            diagnostic = self._diagnostic_of(checked, finding)
            out.append(lsp.CodeAction(
                f"promptlint ({finding.code}): suppress with `# noqa: {finding.code}`",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diagnostic] if diagnostic else None,
                edit=lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(
                    lsp.Range(where.position(line, start + 1), where.position(line, end + 1)),
                    content)]}),
            ))
        return out

    def _fix_all(self, uri: str, checked: Checked, where: _Text) -> lsp.CodeAction | None:
        from promptlint.fix.loop import applicable, fix_document, make_document
        from promptlint.sources import SourceError, read_source

        if checked.cell is not None or checked.config is None or not any(applicable(f, False)
                                             for f in checked.result.findings):
            return None
        path = Path(checked.result.path)
        try:
            source = read_source(path, _encode(checked.text))
        except SourceError:
            return None
        if source.notebook is not None:
            return None
        outcome = fix_document(make_document(source), checked.result.path, checked.config,
                               False)
        if outcome.data is None:
            return None
        text = ("\ufeff" if checked.text.startswith("\ufeff") else "") + outcome.text
        return lsp.CodeAction(
            "promptlint: fix all safely fixable problems", kind=FIX_ALL_KIND,
            edit=lsp.WorkspaceEdit(changes={uri: [
                lsp.TextEdit(lsp.Range(lsp.Position(0, 0), where.end()), text)]}),
        )

    # ---- hover ----------------------------------------------------------------------------

    async def hover(self, params: lsp.HoverParams) -> lsp.Hover | None:
        checked = await self.current(params.text_document.uri)
        if checked is None:
            return None
        line = params.position.line + 1
        inside = [r for r in checked.result.requests
                  if r.cell == checked.cell and r.line <= line <= (r.end_line or r.line)]
        # the innermost call when requests nest (one made inside another's arguments)
        found = [r for r in inside if r.line == max(i.line for i in inside)] if inside else []
        if not found:
            return None
        return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown,
                                           "\n\n---\n\n".join(hover_text(r) for r in found)))


def hover_text(row: RequestSummary) -> str:
    """Markdown for one request: model, prompt tokens, cache state, $ per 1,000 requests."""
    from promptlint.cost import money

    approx = "" if row.exact else "~"
    lines = [f"**promptlint**: `messages.{row.method}` request" if row.method != "batch"
             else "**promptlint**: batch request",
             f"- model: `{row.model}`" if row.model else "- model: not known statically"]
    if row.static_tokens is None:
        lines.append("- prompt: not known statically")
    else:
        holes = f" + {', '.join(row.dynamic_holes[:3])}" if row.dynamic_holes else ""
        unit = "token" if row.static_tokens == 1 else "tokens"
        lines.append(f"- prompt: {approx}{row.static_tokens:,} {unit} known{holes}")
    if row.cached_tokens:
        lines.append(f"- cache: {approx}{row.cached_tokens:,} tokens behind `cache_control`")
    elif row.cached_tokens == 0 or row.static_tokens is not None:
        lines.append("- cache: no `cache_control` marker")
    if row.cost_per_1k is not None:
        cost = f"- input cost: {money(row.cost_per_1k)} per 1,000 requests"
        if row.cost_per_1k_fixed is not None and row.cost_per_1k_fixed != row.cost_per_1k:
            cost += f" ({money(row.cost_per_1k_fixed)} with caching)"
        lines.append(cost)
    return "\n".join(lines)


def build_server() -> PromptlintServer:
    server = PromptlintServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PromptlintServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PromptlintServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PromptlintServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_open(ls: PromptlintServer, params: lsp.DidOpenNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_change(ls: PromptlintServer,
                        params: lsp.DidChangeNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, DEBOUNCE_SECONDS)

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_save(ls: PromptlintServer, params: lsp.DidSaveNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_close(ls: PromptlintServer, params: lsp.DidCloseNotebookDocumentParams
                       ) -> None:
        known = ls.notebooks.pop(params.notebook_document.uri, None)
        for uri in (known[1] if known else {}):
            ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PromptlintServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        handle = ls.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        ls.checked.pop(uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND]))
    async def code_action(ls: PromptlintServer, params: lsp.CodeActionParams
                          ) -> list[lsp.CodeAction] | None:
        return await _guarded("code actions", params.text_document.uri,
                              ls.code_actions(params)) or None

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: PromptlintServer, params: lsp.HoverParams) -> lsp.Hover | None:
        return await _guarded("hover", params.text_document.uri, ls.hover(params))

    return server


async def _guarded(what: str, uri: str, compute: Awaitable[Any]) -> Any:
    try:
        return await compute
    except Exception as exc:  # one log line; the client gets an empty answer
        log.error("promptlint: %s for %s failed: %s: %s", what, uri, type(exc).__name__, exc)
        return None


def run() -> None:
    """Serve over stdin/stdout until the client says exit."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
    build_server().start_io()

"""lint_source: one parse, one scope pass, every enabled rule over every request."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import CodeRange

from promptlint import sdkversion
from promptlint.config import Config
from promptlint.cost import cache_ttl, fill_summary
from promptlint.edits import NodeEdit
from promptlint.findings import (
    Edit,
    FileProblem,
    FileResult,
    Finding,
    Fix,
    Needs,
    Related,
    RequestSummary,
)
from promptlint.models import catalogue
from promptlint.noqa import comment_lines, file_exemptions, suppresses
from promptlint.resolve import outline
from promptlint.resolve.analysis import find_all_requests
from promptlint.resolve.external import Project, text_digest
from promptlint.resolve.request_scopes import request_scopes
from promptlint.resolve.requests import Request
from promptlint.resolve.values import Value
from promptlint.rules import ALL_RULES
from promptlint.rules.base import RawFinding, Rule
from promptlint.rules.prl901_unused_noqa import UnusedNoqa, unused_noqa
from promptlint.sources import Source
from promptlint.syntax.positions import Locator
from promptlint.syntax.scope import dotted_name

_NEWLINE = re.compile(r"\r\n|\r|\n")  # linear: literals
_MAY_NOQA = re.compile(r"noqa", re.IGNORECASE)  # linear: a literal
_EVERYTHING = Needs()  # fix edits and request sites


@lru_cache(maxsize=8)
def _enabled(config: Config) -> tuple[type[Rule], ...]:
    codes = config.enabled_codes()
    return tuple(r for r in ALL_RULES if r.code in codes)


def lint_source(path: str, source: Source, config: Config,
                project: Project | None = None, read: outline.Outline | None = None,
                wrapper_names: frozenset[str] = frozenset(), needs: Needs = _EVERYTHING
                ) -> FileResult:
    """Lint one file's text. ``project`` (shared across a run) resolves other modules, prompt
    files and templates; the files it consults are recorded in ``result.dependencies``.
    ``read``: the outline of the text, when the caller has it; ``wrapper_names``: the
    project's wrappers this file may call (definitions that mention one are kept);
    ``needs``: what the output shows beyond the findings."""
    result = FileResult(path)
    if project is None:
        project = Project(config.root)
    project.touched = set()
    project.warnings = []
    resolved = _resolved(path) if source.notebook is None else None
    digest = text_digest(source.text) if resolved is not None else ""
    known = project.modules.get(resolved) if resolved is not None else None
    text, body = source.text, None
    try:
        if known is not None and known.digest == digest:
            module, scopes = known.module, known.scopes  # parsed already, as an import
        else:
            if source.notebook is None:
                text, body = _sliced(path, source.text, read, config, project, wrapper_names)
            module, scopes = cst.parse_module(text), None
    except cst.ParserSyntaxError as exc:
        line, column, message = _python_syntax_error(text) or (
            exc.raw_line, exc.raw_column + 1, exc.message)
        result.problem = _problem(path, source, line, column, f"syntax error: {message}")
        return result
    except (RecursionError, MemoryError):
        result.problem = FileProblem(path, "too deeply nested for the parser; not checked")
        return result
    project.wrapper_config = config.wrappers
    try:
        if scopes is None:
            # (not kept for later imports: holding every tree of a large run costs memory and
            # garbage-collector time; modules are parsed again when imported)
            scopes = request_scopes(module)
        requests, result.wrappers, statement_of = find_all_requests(module, Path(path), project,
                                                                    config, scopes)
    except RecursionError:
        result.problem = FileProblem(path, "too deeply nested to analyse; not checked")
        return result
    if not requests:
        return result
    ignored = config.ignored_for(Path(path))
    raw: list[RawFinding] = []
    catalog = catalogue()
    target = sdkversion.target_for(Path(path), config.sdk_version)
    rules = [r(config, catalog, target) for r in _enabled(config) if r.code not in ignored]
    standalone_cache: dict[int, set[tuple[str, str]]] = {}
    def run(request: Request) -> list[RawFinding]:
        found: list[RawFinding] = []
        for rule in rules:
            before = len(rule.findings)
            try:
                rule.check_request(request)
            except Exception as exc:  # a rule bug must not cost the user the other findings
                result.problem = FileProblem(
                    path, f"internal error in {rule.code} ({type(exc).__name__}: {exc}); "
                    "please report it"
                )
            found.extend(rule.findings[before:])
            del rule.findings[before:]
        return found

    for request in requests:
        found = run(request)
        found += _every_candidate(request, found, run)
        if request.site is not None:
            found = _through_wrapper(request, found, rules, standalone_cache)
        raw.extend(found)
    positions = Locator(module, text, statement_of, body)
    if needs.request_sites:
        # requests made through a wrapper are rows of their own, at the call of the wrapper
        result.requests = sorted((_summary(path, source, positions, r) for r in requests),
                                 key=lambda r: (r.cell or 0, r.line, r.column))
    used: set[tuple[int, str]] = set()  # (line of a noqa comment, code it suppressed)
    if raw:
        result.findings = _locate(path, source, positions, raw, project, needs.edits,
                                  used)
    active = frozenset(rule.code for rule in rules)
    if UnusedNoqa.code in active and _MAY_NOQA.search(source.text):
        from promptlint.ruleset import RULES

        extra = unused_noqa(path, source, used, active, frozenset(c for c, _, _ in RULES))
        if extra:
            result.findings = sorted(result.findings + extra, key=Finding.sort_key)
    result.dependencies = sorted(str(p) for p in project.touched)
    result.warnings = list(project.warnings)
    return result


def _sliced(path: str, text: str, read: outline.Outline | None, config: Config,
            project: Project, wrapper_names: frozenset[str]
            ) -> tuple[str, list[ast.stmt] | None]:
    """The text libcst needs to parse (definitions no request involves blanked out) and the C
    parser's top-level statements of it, when known."""
    read = read if read is not None else outline.read(text)
    if read is None:
        return text, None
    importer = Path(path)
    words = wrapper_names | {entry.rpartition(":")[2].rpartition(".")[2]
                             for entry in config.wrappers}
    found = outline.slice_source(
        text, read, words, lambda dotted: project.find_module(dotted, importer) is not None)
    if found is None:
        return text, read.tree.body
    return found.text, found.body


MAX_CANDIDATE_RUNS = 8


def _every_candidate(request: Request, found: list[RawFinding],
                     run: Callable[[Request], list[RawFinding]]) -> list[RawFinding]:
    """A parameter bound differently on different paths (branches) is unknown, but each of the
    values that reach the request is known: a problem every one of them has is reported once,
    naming them, without a fix (it would change only one)."""
    name, value = next(((n, v) for n, v in request.params.items() if v.candidates),
                       (None, None))
    if name is None or value is None or len(value.candidates) > MAX_CANDIDATE_RUNS or not all(
            c.known and isinstance(c.py, (str, int, float)) for c in value.candidates):
        return []
    already = {f.rule.code for f in found}
    runs = []
    for candidate in value.candidates:
        params = dict(request.params)
        params[name] = Value(candidate.py, value.node, candidate.literal_node,
                             candidate.origin_path, candidate.varies, candidate.fallback)
        runs.append(run(replace(request, params=params)))
    shared = set.intersection(*({f.rule.code for f in found_} for found_ in runs)) - already
    listed = ", ".join(repr(c.py) for c in value.candidates)
    out = []
    for code in sorted(shared):
        first = next(f for f in runs[0] if f.rule.code == code)
        related = [(c.literal_node, f"one of the values of {name} that reach the request",
                    c.origin_path) for c in value.candidates if c.literal_node is not c.node
                   or c.origin_path is not None]
        out.append(replace(first, message=f"{first.message} ({name} is one of {listed} "
                           "here, by the path taken: each of them has this problem)",
                           related=related, fix=None))
    return out


def _through_wrapper(request: Request, found: list[RawFinding], rules: list[Rule],
                     cache: dict[int, set[tuple[str, str]]]) -> list[RawFinding]:
    """Keep what the call site adds: findings the wrapper's own request does not have already,
    with fixes only where they edit the caller's arguments."""
    standalone = request.standalone
    known: set[tuple[str, str]] = set()
    if standalone is not None:
        key = id(standalone)
        if key not in cache:
            messages: set[tuple[str, str]] = set()
            for rule in rules:
                before = len(rule.findings)
                try:
                    rule.check_request(standalone)
                except Exception:
                    pass
                messages.update((f.rule.code, f.message) for f in rule.findings[before:])
                del rule.findings[before:]
            cache[key] = messages
        known = cache[key]
    kept = []
    for item in found:
        if (item.rule.code, item.message) in known:
            continue
        if item.fix is not None and not all(
                request.can_edit(edit.start[0]) and request.can_edit(edit.end[0])
                for edit in item.fix.edits):
            item.fix = None
        kept.append(item)
    return kept


def _python_syntax_error(text: str) -> tuple[int, int, str] | None:
    """Where and what Python itself says is wrong (libcst often points past the mistake)."""
    try:
        compile(text, "<promptlint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        if exc.lineno is None:
            return None
        return exc.lineno, exc.offset or 1, exc.msg
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


def _summary(path: str, source: Source, positions: Any, request: Request) -> RequestSummary:
    where = positions[request.anchor]
    line, cell = where.start.line, None
    if source.cells is not None:
        cell, line = source.cells[where.start.line - 1]
    summary = RequestSummary(path, line, where.start.column + 1,
                             "batch" if request.batch else request.method,
                             request.model_id(), cell)
    call = positions.get(request.call)
    if call is not None:
        end = call.end.line
        if source.cells is not None:
            end_cell, end = source.cells[min(end, len(source.cells)) - 1]
            end = end if end_cell == cell else line
        summary.end_line = max(end, line)
    resolved = catalogue().resolve(summary.model) if summary.model else None
    fill_summary(summary, request.prompt(), resolved.info if resolved else None)
    if request.site is not None:
        called = dotted_name(request.site.func) or "a wrapper"
        summary.note = f"through {called}()" + (f"; {summary.note}" if summary.note else "")
    summary.cache_ttl = cache_ttl(request.prompt())
    summary.function = _function_name(request.standalone or request)
    if request.site is not None:
        home = request.foreign or Path(path)
        summary.via = f"{home.resolve()}:{summary.function}"
    return summary


def _function_name(request: Request) -> str | None:
    scope = request.scope
    if scope.kind == "function" and isinstance(scope.node, cst.FunctionDef):
        return scope.node.name.value
    return None


def _problem(path: str, source: Source, line: int, column: int, message: str) -> FileProblem:
    if source.cells is not None and 0 < line <= len(source.cells):
        cell, cell_line = source.cells[line - 1]
        return FileProblem(path, f"cell {cell}: {message}", cell_line, column)
    return FileProblem(path, message, line, column)


def _locate(path: str, source: Source, positions: Any, raw: list[RawFinding],
            project: Project, compute_edits: bool = True,
            used: set[tuple[int, str]] | None = None) -> list[Finding]:
    lines = _NEWLINE.split(source.text)
    starts = _line_starts(source.text)
    exempt = file_exemptions(source.text)
    if exempt is None:
        return []
    moved: dict[int, int] | None = None  # where a noqa goes for lines ending inside a string
    out: list[Finding] = []
    seen: set[tuple[str, int, int, str]] = set()
    for item in raw:
        where: CodeRange = positions[item.node]
        line = where.start.line
        if item.rule.code in exempt:
            continue
        if _suppressed(lines, line, item.rule.code):
            if used is not None:
                used.add((line, item.rule.code))
            continue
        if moved is None:  # (no noqa anywhere: nothing to look for after a string)
            moved = comment_lines(source.text) if _MAY_NOQA.search(source.text) else {}
        if line in moved and _suppressed(lines, moved[line], item.rule.code):
            if used is not None:
                used.add((moved[line], item.rule.code))
            continue
        key = (item.rule.code, where.start.line, where.start.column, item.message)
        if key in seen:
            continue
        seen.add(key)
        cell = None
        start_line, end_line = line, where.end.line
        if source.cells is not None:
            cell, start_line = source.cells[line - 1]
            end_cell, end_line = source.cells[min(where.end.line, len(source.cells)) - 1]
            if end_cell != cell:
                end_line = start_line
        related = []
        for node, message, *elsewhere in item.related:
            if elsewhere and elsewhere[0] is not None:  # a node in another module
                loaded = project.load(elsewhere[0])
                found = loaded.position(node) if loaded is not None else None
                if found is not None:
                    related.append(Related(found[0], found[1], message,
                                           _display(elsewhere[0]), None))
                continue
            other = positions.get(node)
            if other is None:
                continue
            rel_cell, rel_line = None, other.start.line
            if source.cells is not None:
                rel_cell, rel_line = source.cells[other.start.line - 1]
            related.append(Related(rel_line, other.start.column + 1, message, path, rel_cell))
        fix = None
        if item.fix is not None and not compute_edits:
            fix = Fix(item.fix.applicability, item.fix.title, (), deferred=bool(item.fix.edits))
        elif item.fix is not None:
            edits = [_edit(e, positions, starts, source.text) for e in item.fix.edits]
            if all(e is not None for e in edits):
                fix = Fix(item.fix.applicability, item.fix.title,
                          tuple(e for e in edits if e is not None))
        out.append(
            Finding(
                code=item.rule.code,
                rule=item.rule.name,
                severity=item.severity or item.rule.severity,
                message=item.message,
                path=path,
                line=start_line,
                column=where.start.column + 1,
                end_line=end_line,
                end_column=where.end.column + 1,
                cell=cell,
                related=related,
                fix=fix,
                data=item.data,
            )
        )
    out.sort(key=Finding.sort_key)
    return out


def _edit(edit: NodeEdit, positions: Any, starts: list[int], text: str) -> Edit | None:
    offsets = []
    for node, side in (edit.start, edit.end):
        span = positions.get(node)
        if span is None:
            return None
        if side == "start":
            offsets.append(_offset(starts, span.start.line, span.start.column))
        else:
            end = _offset(starts, span.end.line, span.end.column)
            offsets.append(end - 1 if side == "before_end" else end)
    indent = ""
    if edit.indent_of is not None:
        span = positions.get(edit.indent_of)
        if span is None:
            return None
        line_start = starts[span.start.line - 1]
        line = text[line_start:line_start + span.start.column]
        indent = line[: len(line) - len(line.lstrip())]
    newline = _NEWLINE.search(text)
    content = edit.content.format(nl=newline.group(0) if newline else "\n", indent=indent)
    return Edit(offsets[0], offsets[1], content)


def _resolved(path: str) -> Path | None:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return None


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for match in _NEWLINE.finditer(text):
        starts.append(match.end())
    return starts


def _offset(starts: list[int], line: int, column: int) -> int:
    return starts[line - 1] + column


def _suppressed(lines: list[str], line: int, code: str) -> bool:
    if line - 1 >= len(lines):
        return False
    return suppresses(lines[line - 1], code)

"""Apply fixes: safety threshold, overlap drop, re-parse guard, re-lint to a fixed point.

Works on a :class:`Document` (a Python file or a notebook); writing files is the caller's job
(see :mod:`promptlint.fsutil`), so the original stays untouched until the final text is known.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field

import libcst as cst

from promptlint.config import Config
from promptlint.findings import Edit, FileResult, Finding, Safety
from promptlint.lint import lint_source
from promptlint.resolve.external import Project
from promptlint.sources import Source, ipython_view, python_view, read_notebook

MAX_PASSES = 10


@dataclass
class FixOutcome:
    text: str  # the final Python text (for notebooks: the virtual Python view)
    data: bytes | None  # the final file bytes, or None when nothing changed
    applied: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    result: FileResult | None = None  # the last lint of the fixed text
    problems: list[str] = field(default_factory=list)
    converged: bool = True

    @property
    def changed(self) -> bool:
        return self.data is not None


def _threshold(unsafe: bool) -> Safety:
    return Safety.UNSAFE if unsafe else Safety.SAFE


def applicable(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    return (
        fix is not None
        and bool(fix.edits)
        and fix.applicability != Safety.DISPLAY_ONLY
        and fix.applicability >= _threshold(unsafe)
    )


def _select(findings: list[Finding], unsafe: bool) -> list[Finding]:
    """Fixes to apply in this pass: applicable and not overlapping an earlier one."""
    chosen: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for finding in sorted(findings, key=lambda f: (f.fix.edits[0].start if f.fix and f.fix.edits
                                                   else 0)):
        if not applicable(finding, unsafe):
            continue
        assert finding.fix is not None
        spans = [(e.start, e.end) for e in finding.fix.edits]
        if any(s < te and ts < e or (s == e == ts) for s, e in spans for ts, te in taken):
            continue
        chosen.append(finding)
        taken.extend(spans)
    return chosen


def apply_edits(text: str, edits: list[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.content + text[edit.end:]
    return text


def _parses(text: str) -> bool:
    try:
        cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError):
        return False
    return True


class Document:
    """A Python file: text plus encoding, BOM and line endings kept as they were."""

    def __init__(self, source: Source) -> None:
        self.source = source

    def lint(self, path: str, config: Config, project: Project | None = None,
             wrapper_names: frozenset[str] = frozenset()) -> FileResult:
        return lint_source(path, self.source, config, project, wrapper_names=wrapper_names)

    def with_text(self, text: str) -> Document:
        src = self.source
        return Document(Source(text, src.encoding, src.bom))

    def serialize(self) -> bytes:
        prefix = b"\xef\xbb\xbf" if self.source.bom else b""
        return prefix + self.source.text.encode(self.source.encoding)


class NotebookDocument(Document):
    """A notebook: edits land in the cells' sources; outputs and metadata stay as they were."""

    def apply(self, edits: list[Edit]) -> NotebookDocument | None:
        """Apply edits cell by cell; None when an edit crosses a cell boundary."""
        notebook = copy.deepcopy(self.source.notebook) or {}
        by_cell: dict[int, list[Edit]] = {}
        for edit in edits:
            for index, start, end in self.source.cell_spans:
                if start <= edit.start and edit.end <= end:
                    by_cell.setdefault(index, []).append(
                        Edit(edit.start - start, edit.end - start, edit.content)
                    )
                    break
            else:
                return None
        for index, cell_edits in by_cell.items():
            cell = notebook["cells"][index]
            original = cell.get("source", "")
            virtual = python_view("".join(original) if isinstance(original, list) else original)
            new = ipython_view(apply_edits(virtual, cell_edits))
            cell["source"] = new.splitlines(keepends=True) if isinstance(original, list) else new
        data = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
        return NotebookDocument(read_notebook(data.encode("utf-8")))

    def serialize(self) -> bytes:
        return (json.dumps(self.source.notebook, indent=1, ensure_ascii=False) + "\n").encode()


def make_document(source: Source) -> Document:
    return NotebookDocument(source) if source.notebook is not None else Document(source)


def fix_document(document: Document, path: str, config: Config, unsafe: bool,
                 project: Project | None = None,
                 wrapper_names: frozenset[str] = frozenset()) -> FixOutcome:
    """Fix to a fixed point; ``wrapper_names``: the project's wrappers the file may call."""
    original = document
    applied: list[Finding] = []
    problems: list[str] = []
    result = document.lint(path, config, project, wrapper_names)
    converged = True
    for _ in range(MAX_PASSES):
        if result.problem is not None:
            break
        chosen = _select(result.findings, unsafe)
        if not chosen:
            break
        updated = _apply(document, [e for f in chosen for e in f.fix.edits])  # type: ignore[union-attr]
        if updated is None or not _parses(updated.source.text):
            # find the fixes that break the code, report them, apply the others
            good = []
            for finding in chosen:
                assert finding.fix is not None
                alone = _apply(document, list(finding.fix.edits))
                if alone is None or not _parses(alone.source.text):
                    problems.append(
                        f"the fix for {finding.code} ({finding.rule}) at line {finding.line} "
                        "would produce invalid code; kept the original"
                    )
                else:
                    good.append(finding)
            chosen = good
            updated = _apply(document, [e for f in chosen for e in f.fix.edits]) if chosen else None  # type: ignore[union-attr]
            if updated is None or not _parses(updated.source.text):
                break
        applied.extend(chosen)
        if updated is document:
            break
        document = updated
        result = document.lint(path, config, project, wrapper_names)
    else:
        if _select(result.findings, unsafe):
            converged = False
            problems.append(f"fixes did not converge after {MAX_PASSES} passes")
    changed = document.source.text != original.source.text
    return FixOutcome(
        text=document.source.text,
        data=document.serialize() if changed else None,
        applied=applied,
        remaining=result.findings,
        result=result,
        problems=problems,
        converged=converged,
    )


def _apply(document: Document, edits: list[Edit]) -> Document | None:
    if isinstance(document, NotebookDocument):
        return document.apply(edits)
    return document.with_text(apply_edits(document.source.text, edits))


def apply_to(document: Document, edits: list[Edit]) -> Document | None:
    """The document with ``edits`` applied (None when an edit crosses a notebook cell)."""
    return _apply(document, edits)


def fix_text(text: str, config: Config, unsafe: bool = False, path: str = "-") -> FixOutcome:
    """Fix Python source given as a string (used by docs tests and stdin)."""
    return fix_document(Document(Source(text)), path, config, unsafe)

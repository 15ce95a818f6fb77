"""`check --add-noqa`: a `# noqa: CODE` on each reported line, so that a codebase adopts
promptlint with its existing findings suppressed and new ones reported. Pure: returns the new
file bytes; the command line writes them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from promptlint.findings import Edit, Finding
from promptlint.noqa import comment_lines, noqa_edit
from promptlint.sources import SourceError, read_source


@dataclass
class NoqaOutcome:
    data: bytes | None  # the new file bytes, or None when nothing changed
    added: int  # noqa comments added or extended


def add_noqa(path: Path, data: bytes, findings: list[Finding]) -> NoqaOutcome:
    """Add the codes of ``findings`` (those of one file, as checked from ``data``)."""
    from promptlint.fix.loop import apply_to, make_document

    try:
        source = read_source(path, data, guard=False)
    except SourceError:
        return NoqaOutcome(None, 0)
    lines = source.text.splitlines(True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    index_of: dict[tuple[int | None, int], int] = {}  # (cell, line) -> 1-based line of text
    if source.cells is not None:
        index_of = {(cell, line): number for number, (cell, line) in
                    enumerate(source.cells, 1)}
    moved = comment_lines(source.text)
    codes: dict[int, set[str]] = defaultdict(set)
    for finding in findings:
        line = index_of.get((finding.cell, finding.line)) if finding.cell is not None else (
            finding.line)
        if line is None:
            continue
        codes[moved.get(line, line)].add(finding.code)
    edits = []
    for line, wanted in sorted(codes.items()):
        if line > len(lines):
            continue
        found = noqa_edit(lines[line - 1], wanted)
        if found is not None:
            start, end, content = found
            edits.append(Edit(starts[line - 1] + start, starts[line - 1] + end, content))
    if not edits:
        return NoqaOutcome(None, 0)
    document = apply_to(make_document(source), edits)
    if document is None:
        return NoqaOutcome(None, 0)
    return NoqaOutcome(document.serialize(), len(edits))

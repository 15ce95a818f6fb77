from __future__ import annotations

import io
import re
import tokenize
from typing import TYPE_CHECKING

from promptlint.findings import Edit, Finding, Fix, Safety
from promptlint.noqa import NOQA, codes_of
from promptlint.rules.base import FixAvailability, Rule
from promptlint.sources import Source

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request


class UnusedNoqa(Rule):
    """A file-level check: the engine calls :func:`unused_noqa` once the other rules' findings
    are known (a request alone cannot tell whether a comment suppressed something)."""

    code = "PRL901"
    name = "unused-noqa"
    message = "Unused `noqa` directive ({details})"
    fix_title = "Remove the unused `noqa` codes"
    severity = "warning"
    fix_availability = FixAvailability.ALWAYS
    default_enabled = False

    def check_request(self, req: Request) -> None:
        return None


def unused_noqa(path: str, source: Source, used: set[tuple[int, str]],
                active: frozenset[str], known: frozenset[str]) -> list[Finding]:
    """Findings for the promptlint codes (``PRL...``) of ``# noqa: ...`` comments that name an
    unknown rule or suppressed nothing here (``used``: (line, code) pairs that did). Codes of
    other tools, bare ``# noqa`` and codes of rules not enabled for the file are left alone."""
    text = source.text
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                  if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):
        return []
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    out = []
    for token in tokens:
        match = NOQA.search(token.string)
        if match is None:
            continue
        codes = codes_of(match)
        if codes is None:
            continue
        line = token.start[0]
        written = [c for c in re.split(r"[,\s]+", match.group("codes")) if c]
        unknown = [c for c in written if c.upper().startswith("PRL") and c.upper() not in known]
        unused = [c for c in written if c.upper() in active and (line, c.upper()) not in used]
        if not unknown and not unused:
            continue
        details = "; ".join(part for part in (
            "unused: " + ", ".join(f"`{c}`" for c in unused) if unused else "",
            "unknown: " + ", ".join(f"`{c}`" for c in unknown) if unknown else "") if part)
        base = starts[line - 1] + token.start[1]
        kept = [c for c in written if c not in unknown and c not in unused]
        if kept:
            start, end = base + match.start("codes"), base + match.end("codes")
            content, title = ", ".join(kept), UnusedNoqa.fix_title
        else:
            start, end = base + match.start(), base + match.end()
            # the whole comment when it is only the directive, with the spaces before it
            if token.string[match.end():].strip() == "" and match.start() == 0:
                end = base + len(token.string)
            while start > starts[line - 1] and text[start - 1] in " \t":
                start -= 1
            content, title = "", "Remove the unused `noqa` directive"
        cell, shown = None, line
        end_column = token.start[1] + len(token.string) + 1
        if source.cells is not None:
            cell, shown = source.cells[line - 1]
        out.append(Finding(
            code=UnusedNoqa.code, rule=UnusedNoqa.name, severity=UnusedNoqa.severity,
            message=UnusedNoqa.message.format(details=details), path=path, line=shown,
            column=token.start[1] + 1, end_line=shown, end_column=end_column, cell=cell,
            fix=Fix(Safety.SAFE, title, (Edit(start, end, content),)),
        ))
    return out

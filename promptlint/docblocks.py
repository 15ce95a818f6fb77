"""Executable examples in rule docs: parse ```py blocks and their `# error: [CODE]` markers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The project's own rule docs (never a user's file); _MARKER is anchored at the line's end.
_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"\s*# error: \[(?P<codes>[A-Z0-9, ]+)\]\s*$")


@dataclass
class Block:
    code: str  # the source with markers removed
    expected: set[tuple[int, str]] = field(default_factory=set)  # (line, code)
    fixed: str | None = None  # the ```py fixed block that follows, if any
    unsafe: bool = True  # fixed blocks are produced with --unsafe-fixes unless "safe" is given
    line: int = 0  # where the block starts in the doc


def blocks(markdown: str) -> list[Block]:
    out: list[Block] = []
    for match in _FENCE.finditer(markdown):
        info = match.group("info").split()
        if not info or info[0] != "py":
            continue
        body = match.group("body")
        if len(info) > 1 and info[1] == "fixed":
            if out and out[-1].fixed is None:
                out[-1].fixed = body
                out[-1].unsafe = "safe" not in info[2:]
            continue
        expected: set[tuple[int, str]] = set()
        lines = []
        for number, line in enumerate(body.split("\n"), start=1):
            marker = _MARKER.search(line)
            if marker:
                for code in marker.group("codes").split(","):
                    expected.add((number, code.strip()))
                line = line[: marker.start()]
            lines.append(line)
        start = markdown.count("\n", 0, match.start()) + 1
        out.append(Block("\n".join(lines), expected, line=start))
    return out

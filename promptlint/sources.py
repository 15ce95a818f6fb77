"""Reading source files: encodings (PEP 263), BOM, line endings, notebooks.

Every problem becomes a :class:`SourceError` with one clear sentence.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

MAX_SOURCE_BYTES = 64 * 1024 * 1024
_MAGIC = re.compile(r"^\s*[%!?]|^\s*[\w.]+\?{1,2}\s*$")
MAGIC_PLACEHOLDER = "#promptlint-magic:"


class SourceError(Exception):
    """A file that cannot be checked; the message is shown after the path."""


@dataclass
class Source:
    text: str  # decoded, without BOM
    encoding: str = "utf-8"
    bom: bool = False
    # notebooks: for each line of ``text`` (0-based), the 1-based (cell, line in cell)
    cells: list[tuple[int, int]] | None = None
    notebook: dict | None = field(default=None, repr=False)
    # notebooks: (index into notebook["cells"], start offset, end offset) of each code cell
    cell_spans: list[tuple[int, int, int]] = field(default_factory=list)

    def newline(self) -> str:
        match = re.search(r"\r\n|\r|\n", self.text)
        return match.group(0) if match else "\n"


def decode(data: bytes) -> Source:
    if b"\x00" in data:
        raise SourceError("binary file (contains NUL bytes), not checked")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(f"invalid encoding declaration: {exc}") from None
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
        encoding = "utf-8"
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        hint = "" if encoding != "utf-8" else " (declare the encoding with a PEP 263 coding cookie)"
        raise SourceError(
            f"not valid {encoding}: byte 0x{data[exc.start]:02x} at offset {exc.start}{hint}"
        ) from None
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r} in coding cookie") from None
    return Source(text, encoding, bom)


def read_bytes(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise SourceError("is a directory, not a file")
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            megabytes = size // (1024 * 1024)
            raise SourceError(f"file is {megabytes} MB, over the 64 MB limit; not checked")
        return path.read_bytes()
    except FileNotFoundError:
        if path.is_symlink():
            raise SourceError("broken symbolic link") from None
        raise SourceError("file not found") from None
    except PermissionError:
        raise SourceError("permission denied") from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None


def read_source(path: Path, data: bytes | None = None) -> Source:
    data = read_bytes(path) if data is None else data
    if path.suffix == ".ipynb":
        return read_notebook(data)
    return decode(data)


def read_notebook(data: bytes) -> Source:
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"invalid notebook: not valid JSON ({exc})") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells", []), list):
        raise SourceError("invalid notebook: no 'cells' list")
    parts: list[str] = []
    cells: list[tuple[int, int]] = []
    spans: list[tuple[int, int, int]] = []
    offset = 0
    for index, cell in enumerate(notebook.get("cells", [])):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        text = cell_text(cell)
        if text is None:
            continue
        virtual = python_view(text)
        parts.append(virtual)
        spans.append((index, offset, offset + len(virtual)))
        offset += len(virtual) + 1
        for line in range(1, virtual.count("\n") + 2):
            cells.append((index + 1, line))
    text = "\n".join(parts) + "\n"
    return Source(text, "utf-8", False, cells, notebook, spans)


def cell_text(cell: dict) -> str | None:
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else None


def python_view(cell: str) -> str:
    """The cell as Python: IPython magics and shell escapes become placeholder comments
    (line numbers kept, restored by :func:`ipython_view`)."""
    lines = cell.split("\n")
    cell_magic = bool(lines) and lines[0].lstrip().startswith("%%")
    out = []
    for line in lines:
        if cell_magic or (_MAGIC.search(line) and not line.lstrip().startswith("#")):
            line = MAGIC_PLACEHOLDER + line
        out.append(line)
    return "\n".join(out)


def ipython_view(virtual: str) -> str:
    lines = virtual.split("\n")
    return "\n".join(
        line[len(MAGIC_PLACEHOLDER):] if line.startswith(MAGIC_PLACEHOLDER) else line
        for line in lines
    )

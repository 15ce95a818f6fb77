"""Reading source files: encodings (PEP 263), BOM, line endings, notebooks.

Every problem becomes a :class:`SourceError` with one clear sentence.
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from promptlint.prefilter import may_contain_request

MAX_SOURCE_BYTES = 64 * 1024 * 1024
# libcst needs about 9 KB of memory per source line (a 100,000-line module: ~1 GB, ~13 s), so
# files that would be parsed are refused above these sizes, with one line saying so.
MAX_PARSE_BYTES = 10 * 1024 * 1024
MAX_PARSE_LINES = 150_000
# Notebook lines. Linear: leading whitespace, then one disjoint class or literal at a time.
_MAGIC = re.compile(r"^\s*[%!?]|^\s*[\w.]+\?{1,2}\s*$")
MAGIC_PLACEHOLDER = "#promptlint-magic:"
MAGIC_PASS = "pass  " + MAGIC_PLACEHOLDER  # an indented magic line that alone makes a block
# PEP 263; searched in the first two lines only: two anchored attempts, each one pass
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)


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


def plain_ascii(data: bytes) -> bool:
    """ASCII without a coding cookie: decodes as UTF-8 without fail (and without trying)."""
    return data.isascii() and data.find(b"coding", 0, _second_line_end(data)) == -1 and (
        b"\x00" not in data)


def decode(data: bytes, guard: bool | None = None) -> Source:
    """The text of a Python file. ``guard``: whether it will be parsed, so that
    :func:`check_parseable` must pass (by default: when the prefilter passes it)."""
    if guard is None:
        guard = may_contain_request(data)
    if plain_ascii(data):
        text = data.decode("ascii")
        if guard:
            check_parseable(text)
        return Source(text, "utf-8", False)
    if b"\x00" in data:
        raise SourceError("binary file (contains NUL bytes), not checked")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        head = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        if _COOKIE.search(head[:_second_line_end(head)]) is None:
            # no declaration: tokenize read the first lines as UTF-8 and failed
            encoding = "utf-8"
        else:
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
    if guard:  # other files are not parsed (see prefilter)
        check_parseable(text)
    return Source(text, encoding, bom)


def _second_line_end(data: bytes) -> int:
    """Where the first two lines (the only place for a PEP 263 cookie) end at the latest."""
    first = data.find(b"\n")
    if first == -1:
        return len(data)
    second = data.find(b"\n", first + 1)
    return len(data) if second == -1 else second


def check_parseable(text: str) -> None:
    """Refuse text that libcst cannot parse safely: sizes that cost gigabytes of memory, and
    nesting deep enough to overflow the native parser's stack (the process dies with SIGSEGV:
    there is no exception to catch). :func:`decode` calls this for files the prefilter passes;
    call it before parsing any other text that may be hostile."""
    if len(text) > MAX_PARSE_BYTES:
        raise SourceError(
            f"file is {len(text) // (1024 * 1024)} MB, over the "
            f"{MAX_PARSE_BYTES // (1024 * 1024)} MB limit for files that are parsed; not checked"
        )
    lines = text.count("\n") or text.count("\r")
    if lines > MAX_PARSE_LINES:
        raise SourceError(f"file has {lines:,} lines, over the {MAX_PARSE_LINES:,}-line limit "
                          "for files that are parsed; not checked")
    problem = nesting_problem(text)
    if problem is not None:
        raise SourceError(f"{problem}; not checked")


# ---- nesting guard -----------------------------------------------------------------------------
# libcst's native parser recurses once per nesting level and overflows the 8 MB C stack (the
# process dies with SIGSEGV) at about 1,200 nested brackets, 3,500 nested lambdas, 5,600 nested
# conditional expressions or 7,000 chained operators (libcst 1.9). CPython itself refuses more
# than 200 nested brackets and about 3,000 nested operations, so valid code stays far below.
# The scan estimates the depth of the syntax tree: each enclosing bracket costs NEST_BRACKET
# units; inside a bracket (or a statement), operators are grouped by precedence as a parser
# would, so `a*b + c*d + ...` costs one unit per `+` (NEST_OP), not per operator, while
# `-(-(-x))`, `a.b.c.d` or `f()()()` cost one per step; a lambda costs NEST_LAMBDA. Commas and
# statement ends start over. A file whose deepest point costs more than NEST_LIMIT units (about
# 60% of the stack for any mix) is refused with one line instead of crashing the run.
NEST_BRACKET = 12.0
NEST_OP = 1.5
NEST_LAMBDA = 2.5
NEST_LIMIT = 5000.0
MAX_ELIF_CHAIN = 2000
# strings, comments and line continuations; an unterminated string runs to the end of its line
# (or of the file), as the tokenizer would complain. The code in an f-string's replacement fields
# is kept, each field in brackets (a field nests like one).
_QUOTED = (
    r"""(?:'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*(?:'''|\Z)"""
    r'''|"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*(?:"""|\Z)'''
    r"""|'[^'\\\r\n]*(?:\\[\s\S][^'\\\r\n]*)*'?"""
    r'''|"[^"\\\r\n]*(?:\\[\s\S][^"\\\r\n]*)*"?)'''
)
# Linear: each string alternative is Friedl's unrolled loop (ordinary characters and escapes
# are disjoint classes, so there is one way to read a string), and each always matches once
# started (an unterminated string ends at the end of its line or of the text), so the split
# reads every character once. Comments run to the line's end.
_NOT_CODE = re.compile(
    r"(?<!\w)(?:[fF][rR]?|[rR][fF])(?P<f>" + _QUOTED + ")|" + _QUOTED
    + r"|#[^\r\n]*|\\(?:\r\n?|\n)"
)


def _code_of(text: str) -> str:
    """``text`` without strings, comments and line continuations (each replaced by a space),
    keeping the replacement fields of f-strings, each in brackets."""
    parts = _NOT_CODE.split(text)  # code, f-string body or None, code, ...
    parts[1::2] = [" " if body is None or "{" not in body else _fields(body)
                   for body in parts[1::2]]
    return "".join(parts)


def _fields(body: str) -> str:
    fields: list[str] = []
    depth = start = index = 0
    while True:
        index = min((i for i in (body.find("{", index), body.find("}", index)) if i >= 0),
                    default=-1)
        if index < 0:
            break
        brace = body[index]
        if depth == 0 and body.startswith(brace * 2, index):  # an escaped {{ or }}
            index += 2
            continue
        if brace == "{":
            depth += 1
            if depth == 1:
                start = index + 1
        elif depth:
            depth -= 1
            if depth == 0:
                fields.append(body[start:index])
        index += 1
    if depth:
        fields.append(body[start:])  # an unclosed field: a nested f-string (Python 3.12)
    out = []
    for part in fields:
        code = _code_of(part)
        opened = sum(map(code.count, "([{")) - sum(map(code.count, ")]}"))
        out.append("(" + code + ")" * max(0, opened) + ")")
    return " " + " ".join(out) + " "


# Linear: every alternative is a literal, one character class, or a class repeated after a
# separator; findall moves past each token.
_NEST_TOKEN = re.compile(
    r"[,;\r\n][\s,;]*|\(\s*\)|[()\[\]{}]|\b(?:lambda|and|or|not|if|else|await)\b"
    r"|\*\*|//|<<|>>|[-+*/%@&|^~.]"
)
_NESTING_CHARS = "-+*/%@&|^~."
_NESTING_WORDS = ("lambda", "and", "or", "not", "if", "else", "await")
# precedence (higher binds tighter); brackets, separators and newlines are handled apart
_PRECEDENCE = {
    "lambda": 0, "if": 1, "else": 1, "or": 2, "and": 3, "not": 4, "|": 5, "^": 6, "&": 7,
    "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "//": 10, "%": 10, "@": 10, "~": 11,
    "**": 12, "await": 13, ".": 14, "(": 14, "[": 14, "{": 14,
}


def nesting_problem(text: str) -> str | None:
    """Why ``text`` is too deeply nested to hand to libcst, or None."""
    # a cheap bound first: most files cannot reach the limit even if everything nested
    brackets = sum(map(text.count, "([{"))
    others = sum(map(text.count, _NESTING_CHARS)) + sum(map(text.count, _NESTING_WORDS))
    if brackets * (NEST_BRACKET + NEST_OP) + others * NEST_LAMBDA <= NEST_LIMIT:
        return _elif_problem(text)
    tokens = _NEST_TOKEN.findall(_code_of(text))
    precedence = _PRECEDENCE
    runs: list[list[float]] = []  # this bracket's operators: [precedence, cost] by precedence
    here = 0.0  # the cost of ``runs``
    outer: list[tuple[list[list[float]], float, float]] = []  # enclosing brackets
    base = 0.0  # the cost of the enclosing brackets
    for token in tokens:
        first = token[0]
        if first in ",;\r\n":
            if not outer or "," in token or ";" in token:
                runs, here = [], 0.0
        elif first in ")]}":
            if outer:
                runs, here, added = outer.pop()
                base -= added
        else:
            level = precedence.get(token, 14)  # 14: an empty call, `()`
            while runs and runs[-1][0] > level:
                here -= runs.pop()[1]
            cost = NEST_LAMBDA if token == "lambda" else NEST_OP
            if runs and runs[-1][0] == level:
                runs[-1][1] += cost
            else:
                runs.append([level, cost])
            here += cost
            if first in "([{" and len(token) == 1:
                added = here + NEST_BRACKET
                outer.append((runs, here, added))
                base += added
                runs, here = [], 0.0
            if base + here > NEST_LIMIT:
                return _deep_message()
    return _elif_problem(text)


def _elif_problem(text: str) -> str | None:
    """An if statement with thousands of elif branches nests as deep as its branches."""
    if text.count("elif") <= MAX_ELIF_CHAIN:
        return None
    run, indent = 0, -1
    # linear: indentation, then one word or character at each line start
    for match in re.finditer(r"^([ \t]*)(elif\b|else\b|[^\s#])", text, re.M):
        width = len(match.group(1))
        if match.group(2) == "elif":
            run = run + 1 if width == indent else 1
            indent = width
            if run > MAX_ELIF_CHAIN:
                return _deep_message(f"more than {MAX_ELIF_CHAIN:,} elif branches")
        elif width <= indent and match.group(2) != "else":
            run, indent = 0, -1
    return None


def _deep_message(what: str = "") -> str:
    return "too deeply nested for the parser" + (f" ({what})" if what else "")


def read_bytes(path: Path) -> bytes:
    return read_file(path)[0]


def read_file(path: Path) -> tuple[bytes, os.stat_result]:
    """A file's bytes and its metadata as it was opened (before the read)."""
    try:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except PermissionError:
            if path.is_dir():  # (Windows cannot open a directory)
                raise SourceError("is a directory, not a file") from None
            raise
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise SourceError("is a directory, not a file")
            parts, total = [], 0
            while True:  # one read for a regular file; a growing or special file is capped
                if info.st_size > MAX_SOURCE_BYTES or total > MAX_SOURCE_BYTES:
                    megabytes = max(info.st_size, total) // (1024 * 1024)
                    raise SourceError(f"file is {megabytes} MB, over the 64 MB limit; "
                                      "not checked")
                wanted = max(info.st_size + 1, 1 << 16)
                chunk = os.read(fd, wanted)
                if not chunk:
                    return b"".join(parts), info
                parts.append(chunk)
                total += len(chunk)
                if total == info.st_size and stat.S_ISREG(info.st_mode):
                    return b"".join(parts), info  # all fstat saw (a signal cuts reads short)
        finally:
            os.close(fd)
    except FileNotFoundError:
        if path.is_symlink():
            raise SourceError("broken symbolic link") from None
        raise SourceError("file not found") from None
    except PermissionError:
        raise SourceError("permission denied") from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None


def read_source(path: Path, data: bytes | None = None, guard: bool | None = None) -> Source:
    data = read_bytes(path) if data is None else data
    if path.suffix == ".ipynb":
        return read_notebook(data, guard)
    return decode(data, guard)


def read_notebook(data: bytes, guard: bool | None = None) -> Source:
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"invalid notebook: not valid JSON ({exc})") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise SourceError("invalid notebook: no 'cells' list (nbformat 4 is required)")
    parts: list[str] = []
    cells: list[tuple[int, int]] = []
    spans: list[tuple[int, int, int]] = []
    offset = 0
    for index, cell in enumerate(notebook["cells"]):
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
    if guard or (guard is None and may_contain_request(data, notebook=True)):
        check_parseable(text)
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
    opens_block = False  # the last line of code ends with ":" (an indented magic may be the
    for line in lines:   # block's only line: it becomes ``pass``, with the magic as comment)
        if cell_magic or (_MAGIC.search(line) and not line.lstrip().startswith("#")):
            indent = line[:len(line) - len(line.lstrip())]
            if indent and opens_block and not cell_magic:
                line = indent + MAGIC_PASS + line[len(indent):]
            else:
                line = MAGIC_PLACEHOLDER + line
        elif line.strip() and not line.lstrip().startswith("#"):
            opens_block = line.split("#")[0].rstrip().endswith(":")
        out.append(line)
    return "\n".join(out)


def ipython_view(virtual: str) -> str:
    lines = virtual.split("\n")
    out = []
    for line in lines:
        if line.startswith(MAGIC_PLACEHOLDER):
            line = line[len(MAGIC_PLACEHOLDER):]
        else:
            indent = line[:len(line) - len(line.lstrip())]
            if indent and line[len(indent):].startswith(MAGIC_PASS):
                line = indent + line[len(indent) + len(MAGIC_PASS):]
        out.append(line)
    return "\n".join(out)

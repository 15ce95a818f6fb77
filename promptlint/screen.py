"""The one place that decides, for a file's bytes, whether it needs a libcst parse.

Every command (check, fix, tokens, report, the language server) goes through here: the byte
prefilter (does the file mention a request, or call one of the project's wrappers?), decoding
and the C parser's look at the text. Nothing else consults :mod:`promptlint.prefilter`.
"""

from __future__ import annotations

from pathlib import Path

from promptlint.findings import FileProblem, FileResult
from promptlint.prefilter import may_call_wrapper, may_contain_request
from promptlint.resolve import outline
from promptlint.sources import Source, SourceError, check_parseable, plain_ascii, read_source

# A file to parse: its source and outline (None for notebooks and for text the C parser cannot
# read, or that is parsed only because it calls a wrapper).
Parse = tuple[Source, outline.Outline | None]


def problem(name: str, message: str) -> FileResult:
    """The result of a file that could not be checked."""
    return FileResult(name, problem=FileProblem(name, message))


def makes_requests(data: bytes, path: Path) -> bool:
    """Whether the file's bytes may make a request (the prefilter: never a false negative)."""
    return may_contain_request(data, path.suffix == ".ipynb")


def may_call(data: bytes, names: frozenset[bytes]) -> bool:
    """Whether the file's bytes may call one of the wrappers ``names`` (as ``name(``)."""
    return bool(names) and may_call_wrapper(data, names)


def unparsed(name: str, path: Path, data: bytes) -> FileResult:
    """The result of a file the prefilter rejected and that calls no wrapper: empty, unless it
    cannot be decoded (that is still reported)."""
    if path.suffix != ".ipynb" and plain_ascii(data):
        return FileResult(name)
    try:
        read_source(path, data, guard=False)
    except SourceError as exc:
        return problem(name, str(exc))
    return FileResult(name)


def screen(name: str, path: Path, data: bytes, wrapper_names: frozenset[bytes] | None
           ) -> FileResult | Parse:
    """A file's result when it needs no libcst parse, else its source and outline."""
    passes = makes_requests(data, path)
    calls_wrapper = may_call(data, wrapper_names or frozenset())
    if not (passes or calls_wrapper):
        return unparsed(name, path, data)
    try:
        source = read_source(path, data, passes)  # undecodable or malformed files are reported
    except SourceError as exc:
        return problem(name, str(exc))
    if not passes:
        try:  # decode() guards only files the prefilter passes; this one calls a wrapper
            check_parseable(source.text)
        except SourceError as exc:
            return problem(name, str(exc))
        return source, None
    if path.suffix == ".ipynb":
        return source, None
    read = outline.read(source.text, data[3:] if source.bom else data)
    if read is not None and not calls_wrapper and not read.has_request_call():
        # ".messages.create(" only in strings or comments: no request here, but the file may
        # still call a wrapper (the run's second pass)
        return FileResult(name, request_calls=False)
    return source, read


def screen_for_fix(name: str, path: Path, data: bytes, wrapper_names: frozenset[bytes]
                   ) -> FileResult | Source:
    """The source to run the fix loop on, or the file's result when there is nothing to fix
    (no request, no wrapper call) or it cannot be read."""
    try:
        source = read_source(path, data)
    except SourceError as exc:
        return problem(name, str(exc))
    if not makes_requests(data, path):
        if not may_call(data, wrapper_names):
            return FileResult(name)
        try:  # decode() guards only the files that make requests themselves
            check_parseable(source.text)
        except SourceError as exc:
            return problem(name, str(exc))
    return source

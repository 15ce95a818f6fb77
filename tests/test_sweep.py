"""Real-world sweep: `check` and `fix --unsafe-fixes` over the installed dependencies' sources.

The packages (anthropic, libcst, click, jinja2, httpx, pydantic, ...) are copied into a
temporary directory. They make almost no requests of their own, so every SEED_EVERY-th file
also gets a request appended (in the file's own line endings) that has three fixable problems:
those files are parsed, analysed and fixed in full, with real-world code around the request.
The repository's examples are swept too. Asserted: no crash, no traceback, no internal error,
no false "too deeply nested"; every file `fix` touched still compiles and parses, the original
part of each seeded file is untouched, no other file changes, and a second `fix` changes nothing.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import time
import tokenize
from pathlib import Path

import libcst as cst
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("anthropic", "libcst", "click", "jinja2", "httpx", "httpx2", "httpcore",
            "pydantic", "pydantic_core", "pydantic_settings")
SEED_EVERY = 4
SEED = '''

import anthropic as _sweep_anthropic  # promptlint sweep


def _promptlint_sweep(question):
    client = _sweep_anthropic.Anthropic()
    # the request below has three fixable problems
    return client.messages.create(
        model="claude-3-opus-20240229",  # retired
        temperature=0.2,
        messages=[{"role": "user", "content": f"Q: {question!r}"}],
    )
'''


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PROMPTLINT_NO_USER_CATALOGUE": "1"}
    env.pop("PROMPTLINT_OUTPUT_FORMAT", None)
    # -I: `python -m` would put the swept tree (its own click, jinja2, ...) first on sys.path
    proc = subprocess.run([sys.executable, "-I", "-m", "promptlint", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=600)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


def copy_packages(target: Path) -> list[str]:
    copied = []
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        source = Path(next(iter(spec.submodule_search_locations)))
        shutil.copytree(source, target / name, ignore=shutil.ignore_patterns(
            "__pycache__", "*.so", "*.pyd", "*.pyc", "*.dylib"))
        copied.append(name)
    shutil.copytree(ROOT / "examples", target / "examples")
    return copied


def seed(path: Path) -> bytes | None:
    """Append the request to ``path``; returns the original bytes (None: left alone)."""
    data = path.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        compile(data, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    if encoding.replace("_", "-").lower() not in ("utf-8", "utf-8-sig", "ascii", "latin-1",
                                                   "iso-8859-1"):
        return None
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    tail = b"" if not data or data.endswith((b"\n", b"\r")) else newline
    path.write_bytes(data + tail + SEED.encode("ascii").replace(b"\n", newline))
    return data


def python_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.suffix in (".py", ".pyi") and p.is_file()}


@pytest.mark.slow
def test_sweep_of_installed_packages(tmp_path: Path, capsys) -> None:
    started = time.monotonic()
    tree = tmp_path / "site"
    tree.mkdir()
    packages = copy_packages(tree)
    assert "anthropic" in packages and "libcst" in packages
    originals = python_files(tree)
    seeded: dict[str, bytes] = {}
    for index, name in enumerate(sorted(originals)):
        if index % SEED_EVERY == 0 and not name.startswith("examples/"):  # those have their own
            original = seed(tree / name)
            if original is not None:
                seeded[name] = original
    before = python_files(tree)

    # check: every file read, no crash, problems one line each and none of them spurious
    check = run("check", "--no-cache", "--exit-zero", "--output-format", "json", ".", cwd=tree)
    assert check.returncode == 0, check.stderr[-3000:]
    assert "Traceback" not in check.stderr and "internal error" not in check.stderr
    problems = [line for line in check.stderr.splitlines() if line.strip()]
    assert not [line for line in problems if "too deeply nested for the parser" in line]
    findings = json.loads(check.stdout)
    flagged = {item["path"] for item in findings}
    assert set(seeded) <= flagged, sorted(set(seeded) - flagged)[:10]

    # fix: touched files parse, seeded files keep their original part, nothing else changes
    fix = run("fix", "--unsafe-fixes", "--exit-zero", ".", cwd=tree)
    assert fix.returncode == 0, fix.stderr[-3000:]
    assert "Traceback" not in fix.stderr and "internal error" not in fix.stderr
    after = python_files(tree)
    touched = sorted(name for name in after if after[name] != before[name])
    assert set(touched) <= flagged
    for name in touched:
        text = after[name]
        compile(text, name, "exec", dont_inherit=True)
        cst.parse_module(text)
        if name in seeded:
            assert text.startswith(seeded[name]), name
            assert b"max_tokens=" in text and b"temperature" not in text[len(seeded[name]):]
    assert set(seeded) <= set(touched), sorted(set(seeded) - set(touched))[:10]
    assert not [p for p in tree.rglob("*") if p.name.endswith(".promptlint-tmp")]

    # a second fix changes nothing
    again = run("fix", "--unsafe-fixes", "--diff", ".", cwd=tree)
    assert again.returncode == 0 and again.stdout == "", again.stdout[:3000]
    assert python_files(tree) == after

    with capsys.disabled():
        print(f"\nsweep: {len(originals)} files from {', '.join(packages)} and examples; "
              f"{len(seeded)} seeded with a request; {len(findings)} findings in "
              f"{len(flagged)} files; {len(problems)} files not checked; {len(touched)} files "
              f"fixed; {time.monotonic() - started:.0f} s")

"""Real-world sweep: `python bench/sweep.py` runs promptlint over real code and fails loudly.

The tree swept is a copy of a site-packages directory (by default that of a fresh virtualenv
holding promptlint's own dependencies, built as the benchmark's sparse corpus; `--site DIR`
for another, `--packages NAME ...` for installed packages of this interpreter) plus the
repository's examples. Those packages make almost no requests of their own, so every
`--seed-every`-th file also gets a request appended (in the file's own line endings) with three
fixable problems: those files are parsed, analysed and fixed in full, with real-world code
around the request.

Checked, each a failure when it does not hold:
  check   no crash, no traceback, no internal error; JSON output parses; every seeded file
          flagged; no file over the per-file time limit (`--limit`, seconds; such a file is
          reported as skipped); the five slowest files are printed with their times
  tokens  no crash; JSON output parses and lists a request in every seeded file
  fix     `--unsafe-fixes --diff` prints well-formed unified diffs and writes nothing; then
          `--unsafe-fixes` writes: every touched file compiles and parses with libcst, the
          original part of each seeded file is untouched, no file outside the findings changes,
          no temporary file is left, and a second run changes nothing (idempotent)
Exit status 0 when all hold, 1 otherwise (each failure is printed).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
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


class Sweep:
    def __init__(self, tree: Path, limit: float) -> None:
        self.tree = tree
        self.limit = limit
        self.failures: list[str] = []

    def fail(self, message: str) -> None:
        self.failures.append(message)
        print(f"FAIL: {message}", file=sys.stderr, flush=True)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PROMPTLINT_NO_USER_CATALOGUE": "1"}
        env.pop("PROMPTLINT_OUTPUT_FORMAT", None)
        # -I: `python -m` would put the swept tree (its own click, jinja2, ...) first on sys.path
        proc = subprocess.run([sys.executable, "-I", "-m", "promptlint", *args], cwd=self.tree,
                              env=env, capture_output=True, timeout=1800)
        out = subprocess.CompletedProcess(proc.args, proc.returncode,
                                          proc.stdout.decode("utf-8", "replace"),
                                          proc.stderr.decode("utf-8", "replace"))
        if out.returncode != 0:
            self.fail(f"`promptlint {' '.join(args)}` exited {out.returncode}: "
                      f"{out.stderr[-2000:]}")
        if "Traceback" in out.stderr or "internal error" in out.stderr:
            self.fail(f"`promptlint {' '.join(args)}` crashed: {out.stderr[-3000:]}")
        return out


def copy_tree(target: Path, site: Path | None, packages: list[str]) -> list[str]:
    copied = []
    if site is not None:
        for entry in sorted(site.iterdir()):
            if entry.is_dir() and not entry.name.endswith((".dist-info", ".egg-info")) and (
                    entry.name not in ("__pycache__", "pip", "setuptools", "_distutils_hack")):
                shutil.copytree(entry, target / entry.name, symlinks=True,
                                ignore=shutil.ignore_patterns(
                                    "__pycache__", "*.so", "*.pyd", "*.pyc", "*.dylib"))
                copied.append(entry.name)
    for name in packages:
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


def timed_check(tree: Path, limit: float) -> tuple[list[tuple[float, str]], list[str]]:
    """Per-file analysis times of a one-process check (slowest first) and the problem lines,
    measured in this process around the run's one-file step."""
    from promptlint import config as config_module
    from promptlint import run as runner
    from promptlint.discovery import discover

    times: list[tuple[float, str]] = []
    real = runner.run_job

    def run_job(job, *args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return real(job, *args, **kwargs)
        finally:
            times.append((time.perf_counter() - started, job.name))

    config = config_module.load(cwd=tree)
    config = config_module.with_overrides(config, file_time_limit=limit)
    runner.run_job = run_job  # type: ignore[assignment]
    previous = os.environ.get("PROMPTLINT_JOBS")
    os.environ["PROMPTLINT_JOBS"] = "1"
    cwd = Path.cwd()
    try:
        os.chdir(tree)
        results = runner.check_candidates(discover([Path(".")], config), config)
    finally:
        os.chdir(cwd)
        runner.run_job = real  # type: ignore[assignment]
        if previous is None:
            os.environ.pop("PROMPTLINT_JOBS", None)
        else:
            os.environ["PROMPTLINT_JOBS"] = previous
    problems = [r.problem.render() for r in results if r.problem is not None]
    return sorted(times, reverse=True), problems


def well_formed_diff(text: str) -> bool:
    """Every file's diff has ---/+++ headers and hunks whose line counts match their header."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].startswith("--- a/"):
            return False
        if index + 1 >= len(lines) or not lines[index + 1].startswith("+++ b/"):
            return False
        index += 2
        while index < len(lines) and lines[index].startswith("@@"):
            header = lines[index].split("@@")[1].split()
            old = int(header[0].split(",")[1]) if "," in header[0] else 1
            new = int(header[1].split(",")[1]) if "," in header[1] else 1
            index += 1
            while old > 0 or new > 0:
                if index >= len(lines):
                    return False
                mark = lines[index][:1]
                if mark in (" ", ""):
                    old, new = old - 1, new - 1
                elif mark == "-":
                    old -= 1
                elif mark == "+":
                    new -= 1
                elif mark != "\\":
                    return False
                index += 1
    return True


def sweep(tree: Path, limit: float, seed_every: int, packages: list[str]) -> Sweep:
    import libcst as cst

    started = time.monotonic()
    state = Sweep(tree, limit)
    originals = python_files(tree)
    seeded: dict[str, bytes] = {}
    for index, name in enumerate(sorted(originals)):
        if index % seed_every == 0 and not name.startswith("examples/"):  # those have their own
            original = seed(tree / name)
            if original is not None:
                seeded[name] = original
    before = python_files(tree)

    # check, timed per file in one process; then through the CLI (the pool), as users run it
    times, problems = timed_check(tree, limit)
    over = [line for line in problems if "skipped after" in line]
    for line in over:
        state.fail(f"over the per-file time limit of {limit:g} s: {line}")
    print("slowest files:")
    for seconds, name in times[:5]:
        print(f"  {seconds:7.3f} s  {name}")
    check = state.run("check", "--no-cache", "--exit-zero", "--output-format", "json", ".")
    try:
        findings = json.loads(check.stdout)
    except ValueError:
        state.fail("check --output-format json printed something that is not JSON")
        findings = []
    spurious = [line for line in check.stderr.splitlines()
                if "too deeply nested for the parser" in line]
    if spurious:
        state.fail(f"files called too deeply nested: {spurious[:5]}")
    flagged = {item["path"] for item in findings}
    if missed := sorted(set(seeded) - flagged):
        state.fail(f"seeded files without findings: {missed[:10]}")

    # tokens
    tokens = state.run("tokens", "--output-format", "json", ".")
    try:
        rows = json.loads(tokens.stdout)
        listed = {row["path"] for row in (rows if isinstance(rows, list) else rows["requests"])}
        if missed := sorted(set(seeded) - listed):
            state.fail(f"seeded files without a tokens row: {missed[:10]}")
    except (ValueError, KeyError, TypeError):
        state.fail("tokens --output-format json printed something unexpected")

    # fix: the diff first (writes nothing), then for real, then again (changes nothing)
    diff = state.run("fix", "--unsafe-fixes", "--diff", "--exit-zero", ".")
    if not well_formed_diff(diff.stdout):
        state.fail("fix --diff printed a malformed unified diff")
    if python_files(tree) != before:
        state.fail("fix --diff changed files")
    state.run("fix", "--unsafe-fixes", "--exit-zero", ".")
    after = python_files(tree)
    touched = sorted(name for name in after if after[name] != before[name])
    if outside := sorted(set(touched) - flagged):
        state.fail(f"fix changed files without findings: {outside[:10]}")
    for name in touched:
        text = after[name]
        try:
            compile(text, name, "exec", dont_inherit=True)
            cst.parse_module(text)
        except Exception as exc:  # noqa: BLE001 - any failure to parse is the finding
            state.fail(f"fixed file does not parse: {name}: {exc}")
            continue
        if name in seeded and not (text.startswith(seeded[name]) and b"max_tokens=" in text
                                   and b"temperature" not in text[len(seeded[name]):]):
            state.fail(f"seeded file not fixed as expected: {name}")
    if unfixed := sorted(set(seeded) - set(touched)):
        state.fail(f"seeded files not fixed: {unfixed[:10]}")
    if leftovers := [p for p in tree.rglob("*") if p.name.endswith(".promptlint-tmp")]:
        state.fail(f"temporary files left: {leftovers[:5]}")
    again = state.run("fix", "--unsafe-fixes", "--diff", ".")
    if again.stdout or python_files(tree) != after:
        state.fail(f"a second fix is not a no-op: {again.stdout[:2000]}")

    print(f"sweep: {len(originals)} files from {', '.join(packages)} and examples; "
          f"{len(seeded)} seeded with a request; {len(findings)} findings in {len(flagged)} "
          f"files; {len(problems)} files not checked; {len(touched)} files fixed; "
          f"slowest {times[0][0] if times else 0:.2f} s; {time.monotonic() - started:.0f} s; "
          f"{'FAILED: ' + str(len(state.failures)) + ' failures' if state.failures else 'ok'}")
    return state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a site-packages directory to sweep")
    parser.add_argument("--packages", nargs="*", default=[],
                        help="installed packages of this interpreter to sweep (instead)")
    parser.add_argument("--limit", type=float, default=2.0,
                        help="per-file time limit in seconds (default 2)")
    parser.add_argument("--seed-every", type=int, default=4)
    args = parser.parse_args(argv)
    site = args.site
    if site is None and not args.packages:
        sys.path.insert(0, str(HERE))
        from run import ensure_sparse  # the benchmark's fresh-virtualenv corpus

        site = ensure_sparse()
    with tempfile.TemporaryDirectory(prefix="promptlint-sweep-") as tmp:
        tree = Path(tmp) / "site"
        tree.mkdir()
        copied = copy_tree(tree, site, args.packages)
        state = sweep(tree, args.limit, args.seed_every, copied)
    return 1 if state.failures else 0


if __name__ == "__main__":
    sys.exit(main())

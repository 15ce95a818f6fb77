"""promptlint benchmark: `python bench/run.py` builds its corpora and prints one table.

Corpora (built outside the repository, in $PROMPTLINT_BENCH_DIR or <tmp>/promptlint-bench, so that
no tool skips them as git-ignored; reused on later runs):
  sparse   the site-packages of a fresh virtualenv holding promptlint's own dependencies
  dense    1,000 generated modules that all make requests (shared prompts module, templates)
  single   one file without requests, and one with five requests (the pre-commit case)

Tools: promptlint (this checkout, installed afresh on every run), ruff (`--select E9`, a
parse-only baseline) and fixit (a libcst-based linter), all in one virtualenv next to the
corpora, where the bare libcst parse runs too: only Python is needed. Each measurement is the
median wall time of several runs; peak memory is the largest resident set of the measured
process.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = Path(os.environ.get("PROMPTLINT_BENCH_DIR") or
              Path(tempfile.gettempdir()) / "promptlint-bench")
TOOLS = CORPUS / "tools"
SPARSE_VENV = CORPUS / "sparse-venv"
DENSE = CORPUS / "dense"
SINGLE = CORPUS / "single"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def python_in(env: Path) -> Path:
    return env / "bin" / "python"


def ensure_tools() -> None:
    """ruff, fixit and this checkout of promptlint (a regular install, as users have it,
    reinstalled on every run so that the numbers are those of the code at hand)."""
    if not ((TOOLS / "bin" / "fixit").exists() and (TOOLS / "bin" / "ruff").exists()):
        log(f"installing ruff and fixit into {TOOLS} ...")
        venv.create(TOOLS, with_pip=True)
        subprocess.run([python_in(TOOLS), "-m", "pip", "install", "-q", "ruff", "fixit"],
                       check=True)
    log("installing this checkout of promptlint ...")
    pip = [python_in(TOOLS), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, str(ROOT)], check=True)  # its dependencies, once
    subprocess.run([*pip, "--no-deps", "--force-reinstall", str(ROOT)], check=True)


def ensure_sparse() -> Path:
    site = next(SPARSE_VENV.glob("lib/python*/site-packages"), None)
    if site is not None and (site / "libcst").exists():
        return site
    log("building the sparse corpus (a venv with promptlint's dependencies) ...")
    venv.create(SPARSE_VENV, with_pip=True)
    subprocess.run([python_in(SPARSE_VENV), "-m", "pip", "install", "-q", "anthropic", "libcst",
                    "click", "jinja2"], check=True)
    return next(SPARSE_VENV.glob("lib/python*/site-packages"))


DENSE_SHAPES = [
    '''
from anthropic import Anthropic
from .prompts import SYSTEM, MODEL

client = Anthropic()


def ask_{i}(question):
    return client.messages.create(
        model=MODEL,
        max_tokens=1024,
        system=SYSTEM,
        messages=[{{"role": "user", "content": question}}],
    )
''',
    '''
import anthropic
from jinja2 import Environment, FileSystemLoader
from pathlib import Path

env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"))


class Worker{i}:
    def __init__(self):
        self.client = anthropic.AsyncAnthropic()

    async def run(self, today, question):
        system = env.get_template("agent.j2").render(today=today)
        return await self.client.messages.create(
            model="claude-sonnet-4-5", max_tokens=100_000, system=system,
            messages=[{{"role": "user", "content": question}}], temperature=0.2)
''',
    '''
import json
import anthropic

client = anthropic.Anthropic()
PARAMS = {{"model": "claude-3-5-haiku-20241022", "max_tokens": 4096}}


def extract_{i}(email):
    response = client.messages.create(
        **PARAMS,
        system="Extract the order. Respond with JSON only.",
        messages=[{{"role": "user", "content": email}}],
    )
    return json.loads(response.content[0].text)


def batch_{i}(docs):
    return client.messages.batches.create(requests=[
        {{"custom_id": f"d{{n}}", "params": {{"model": "claude-opus-4-6", "max_tokens": 512,
                                           "messages": [{{"role": "user", "content": d}}]}}}}
        for n, d in enumerate(docs)
    ])
''',
]


def ensure_dense() -> Path:
    marker = DENSE / "pkg" / "m0999.py"
    if marker.exists():
        return DENSE
    log("building the dense corpus (1,000 modules) ...")
    package = DENSE / "pkg"
    (package / "templates").mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    policy = "\n".join(f"{n}. Answer with the exact policy wording and cite the article."
                       for n in range(60))
    (package / "prompts.py").write_text(f"MODEL = 'claude-sonnet-4-6'\nSYSTEM = {policy!r}\n")
    (package / "templates" / "agent.j2").write_text("Today is {{ today }}.\n" + policy)
    filler = "\n".join(f"def helper_{n}(x):\n    return x * {n} + len(str(x))\n"
                       for n in range(12))
    for i in range(1000):
        shape = DENSE_SHAPES[i % len(DENSE_SHAPES)].format(i=i)
        (package / f"m{i:04}.py").write_text(shape + "\n\n" + filler)
    return DENSE


def ensure_single() -> Path:
    SINGLE.mkdir(parents=True, exist_ok=True)
    (SINGLE / "plain.py").write_text("def add(a, b):\n    return a + b\n" * 40)
    five = ["import anthropic", "client = anthropic.Anthropic()"]
    for n in range(5):
        five.append(textwrap.dedent(f"""
            def ask_{n}(q):
                return client.messages.create(model="claude-3-opus-20240229",
                                              messages=[{{"role": "user", "content": q}}])
            """))
    (SINGLE / "five.py").write_text("\n".join(five))
    return SINGLE


def measure(command: list[str], cwd: Path, runs: int, env: dict[str, str] | None = None
            ) -> tuple[float, float]:
    """Median wall seconds and peak RSS in MB of the command (its own process)."""
    times = []
    peak = 0.0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
        _, _, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        peak = max(peak, usage.ru_maxrss / 1024)
    return statistics.median(times), peak


def count_lines(root: Path) -> tuple[int, int]:
    files = lines = 0
    for path in root.rglob("*.py"):
        files += 1
        with path.open("rb") as handle:
            lines += sum(1 for _ in handle)
    return files, lines


def libcst_parse_seconds(root: Path, runs: int) -> float:
    code = textwrap.dedent(f"""
        import time, libcst
        from pathlib import Path
        texts = [p.read_text() for p in sorted(Path({str(root)!r}).rglob("*.py"))]
        start = time.perf_counter()
        for text in texts:
            libcst.parse_module(text)
        print(time.perf_counter() - start)
        """)
    results = []
    for _ in range(runs):
        out = subprocess.run([python_in(TOOLS), "-c", code], capture_output=True, text=True,
                             check=True).stdout
        results.append(float(out))
    return statistics.median(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--fixit-runs", type=int, default=1,
                        help="fixit is slow: runs (0: skip it)")
    args = parser.parse_args()
    CORPUS.mkdir(exist_ok=True)
    ensure_tools()
    sparse = ensure_sparse()
    dense = ensure_dense()
    single = ensure_single()
    promptlint = [str(python_in(TOOLS)), "-m", "promptlint", "check", "--exit-zero"]
    ruff = [str(TOOLS / "bin" / "ruff"), "check", "--no-cache", "--select", "E9", "--exit-zero",
            "--quiet"]
    fixit = [str(TOOLS / "bin" / "fixit"), "lint"]
    rows: list[tuple[str, float, float, str]] = []

    def row(name: str, seconds: float, memory: float, note: str = "") -> None:
        rows.append((name, seconds, memory, note))
        log(f"  {name}: {seconds:.3f} s, {memory:.0f} MB {note}")

    files, lines = count_lines(sparse)
    log(f"sparse: {files} files, {lines:,} lines")
    ruff_t, ruff_m = measure(ruff + ["."], sparse, args.runs)
    row("sparse  ruff --select E9", ruff_t, ruff_m)
    cold_t, cold_m = measure(promptlint + ["--no-cache", "."], sparse, args.runs)
    row("sparse  promptlint (no cache)", cold_t, cold_m, f"{cold_t / ruff_t:.2f}x ruff")
    cache = CORPUS / "sparse-cache"
    shutil.rmtree(cache, ignore_errors=True)
    measure(promptlint + ["--cache-dir", str(cache), "."], sparse, 1)
    warm_t, warm_m = measure(promptlint + ["--cache-dir", str(cache), "."], sparse, args.runs)
    row("sparse  promptlint (warm cache)", warm_t, warm_m, f"{warm_t / ruff_t:.2f}x ruff")
    if args.fixit_runs > 0:  # (0: skip fixit, which takes minutes)
        fixit_t, fixit_m = measure(fixit + ["."], sparse, args.fixit_runs)
        row("sparse  fixit lint", fixit_t, fixit_m,
            f"promptlint is {fixit_t / cold_t:.0f}x faster")

    files, lines = count_lines(dense)
    log(f"dense: {files} files, {lines:,} lines")
    parse_t = libcst_parse_seconds(dense, max(1, args.runs // 2))
    row("dense   bare libcst.parse_module (1 core)", parse_t, 0.0,
        f"{lines / parse_t:,.0f} lines/s")
    one_t, one_m = measure(promptlint + ["--no-cache", "."], dense, args.runs,
                           {"PROMPTLINT_JOBS": "1"})
    row("dense   promptlint, 1 core", one_t, one_m,
        f"{lines / one_t:,.0f} lines/s = {parse_t / one_t:.0%} of bare parse")
    two_t, two_m = measure(promptlint + ["--no-cache", "."], dense, args.runs,
                           {"PROMPTLINT_JOBS": "2"})
    row("dense   promptlint, 2 cores", two_t, two_m, f"{one_t / two_t:.2f}x the 1-core time")

    plain_t, plain_m = measure(promptlint + ["--no-cache", "plain.py"], single, args.runs)
    row("pre-commit  1 file, no requests", plain_t, plain_m)
    five_t, five_m = measure(promptlint + ["--no-cache", "five.py"], single, args.runs)
    row("pre-commit  1 file, 5 requests", five_t, five_m)

    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"Runs: median of {args.runs} (fixit: {args.fixit_runs})\n")
    print("| measurement | median wall time | peak memory | note |")
    print("|---|---:|---:|---|")
    for name, seconds, memory, note in rows:
        mem = f"{memory:.0f} MB" if memory else "—"
        print(f"| {name} | {seconds:.3f} s | {mem} | {note} |")


if __name__ == "__main__":
    main()

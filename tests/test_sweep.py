"""Real-world sweep: `bench/sweep.py` over the installed dependencies' sources and the examples.

The script copies the packages (anthropic, libcst, click, jinja2, httpx, pydantic, ...) into a
temporary directory, seeds every fourth file with a request that has three fixable problems, and
runs `check`, `tokens`, `fix --unsafe-fixes --diff` and `fix --unsafe-fixes` (twice) over it. It
fails on a crash, a traceback, output that does not parse, a seeded file not flagged or fixed,
a fixed file that no longer parses, a change outside the findings, a non-idempotent fix, or a
file whose analysis takes longer than the per-file limit (2 s); it prints the slowest five files.
Its own docstring lists every check.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("anthropic", "libcst", "click", "jinja2", "httpx", "httpx2", "httpcore",
            "pydantic", "pydantic_core", "pydantic_settings")


@pytest.mark.slow
def test_sweep_of_installed_packages(capsys: pytest.CaptureFixture[str]) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "sweep.py"), "--packages",
                           *PACKAGES], capture_output=True, text=True, timeout=3000)
    with capsys.disabled():
        print("\n" + proc.stdout.strip())
    assert proc.returncode == 0, proc.stderr[-5000:]
    assert "FAIL" not in proc.stderr
    assert "slowest files:" in proc.stdout and proc.stdout.rstrip().endswith("ok")


def test_the_sweep_notices_a_malformed_diff() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from sweep import well_formed_diff
    finally:
        sys.path.pop(0)
    good = "--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
    assert well_formed_diff(good)
    assert not well_formed_diff(good.replace("@@ -1,2 +1,2 @@", "@@ -1,3 +1,2 @@"))
    assert not well_formed_diff("Traceback (most recent call last):\n" + good)

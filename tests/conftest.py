from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Tests never read a user's refreshed model catalogue.
os.environ["PROMPTLINT_NO_USER_CATALOGUE"] = "1"
# Lifecycle is judged on a fixed day, so outcomes do not change as the real date advances
# (tests of the date logic set their own day).
os.environ["PROMPTLINT_TODAY"] = "2026-12-03"


@pytest.fixture
def lint():
    """Lint a source string with every rule selected; returns the findings."""
    from promptlint.config import Config
    from promptlint.lint import lint_source
    from promptlint.sources import decode

    def run(code: str, path: str = "example.py", **config):
        cfg = Config(select=("ALL",), root=ROOT, **config)
        result = lint_source(path, decode(code.encode("utf-8")), cfg)
        assert result.problem is None, result.problem
        return result.findings

    return run


@pytest.fixture
def codes(lint):
    """Lint and return [(line, code)] sorted."""

    def run(code: str, **config):
        return sorted((f.line, f.code) for f in lint(code, **config))

    return run

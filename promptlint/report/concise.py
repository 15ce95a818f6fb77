"""``--output-format concise``: one line per finding (Ruff's concise format)."""

from promptlint.report.text import render_concise as render

__all__ = ["render"]

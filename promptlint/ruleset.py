"""Rule codes, names and defaults, without importing the rules (or libcst).

Configuration is validated before any file is parsed; importing the rule modules would import
libcst, which files without requests never need. A test keeps this table equal to ALL_RULES.
"""

from __future__ import annotations

# (code, name, enabled by default)
RULES: tuple[tuple[str, str, bool], ...] = (
    ("PRL101", "max-tokens-missing", True),
    ("PRL102", "max-tokens-over-model-limit", True),
    ("PRL103", "max-tokens-needs-streaming", True),
    ("PRL104", "max-tokens-oversized", True),
    ("PRL105", "thinking-budget-invalid", True),
    ("PRL201", "model-unknown", True),
    ("PRL202", "model-retired", True),
    ("PRL203", "model-deprecated", True),
    ("PRL301", "sampling-param-removed", True),
    ("PRL302", "call-not-in-sdk", True),
    ("PRL401", "prefill-unsupported", True),
    ("PRL402", "prefill-trailing-whitespace", True),
    ("PRL403", "prefill-missing", True),
    ("PRL501", "cache-breakpoints-exceeded", True),
    ("PRL502", "cache-control-missing", True),
    ("PRL503", "dynamic-before-static", True),
    ("PRL504", "cache-prefix-too-short", True),
    ("PRL505", "unordered-collection-in-prompt", True),
    ("PRL601", "batch-candidate", False),
    ("PRL901", "unused-noqa", False),
)

"""Rule codes, names and defaults, read from the rules themselves (``ALL_RULES``).

Configuration is validated before any file is parsed: the rule modules load without libcst
(each imports what it needs of the syntax tree when it checks a request), so this costs no
parsing machinery for files without requests.
"""

from __future__ import annotations

from promptlint.rules import ALL_RULES

# (code, name, enabled by default)
RULES: tuple[tuple[str, str, bool], ...] = tuple(
    (rule.code, rule.name, rule.default_enabled) for rule in ALL_RULES)

"""Prompts shared by the support bot."""

from pathlib import Path

POLICY = (Path(__file__).parent / "support_policy.md").read_text(encoding="utf-8")

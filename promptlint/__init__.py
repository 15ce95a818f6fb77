"""promptlint: a static analyzer for Python code that calls the Anthropic API."""

__version__ = "0.1.0"

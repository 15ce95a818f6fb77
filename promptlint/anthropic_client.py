"""The one place that builds an Anthropic client (for `tokens --exact` and `models --refresh`).

Key from ANTHROPIC_API_KEY and base URL from ANTHROPIC_BASE_URL, as the SDK reads them; timeout
from PROMPTLINT_API_TIMEOUT. Error messages never repeat the key.
"""

from __future__ import annotations

import os
from typing import Any


class ClientSetupError(Exception):
    """No key, a bad timeout, or a client the SDK refuses to build; one sentence."""


def make_client(flag: str) -> Any:
    """An ``anthropic.Anthropic`` client; ``flag`` names the option that needs it."""
    if not os.environ.get("ANTHROPIC_API_KEY"):
        raise ClientSetupError(
            f"{flag} needs an API key: set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for a "
            "proxy)"
        )
    try:
        timeout = float(os.environ.get("PROMPTLINT_API_TIMEOUT", "60"))
    except ValueError:
        raise ClientSetupError("PROMPTLINT_API_TIMEOUT must be a number of seconds") from None
    import anthropic

    try:
        return anthropic.Anthropic(max_retries=2, timeout=timeout)
    except (anthropic.AnthropicError, ValueError, TypeError):
        raise ClientSetupError(
            "could not set up the anthropic client (check ANTHROPIC_BASE_URL)"
        ) from None


def describe_api_error(exc: BaseException) -> str | None:
    """One sentence for an SDK error (never its text: it may quote a header), or None when
    ``exc`` is not an API error."""
    import anthropic

    if isinstance(exc, anthropic.AuthenticationError):
        return "the API rejected the key (401 authentication_error)"
    if isinstance(exc, anthropic.PermissionDeniedError):
        return "the key is not allowed to do this (403 permission_error)"
    if isinstance(exc, anthropic.RateLimitError):
        return "rate limited by the API (429) after retries"
    if isinstance(exc, anthropic.APITimeoutError):
        return "the API did not answer in time"
    if isinstance(exc, anthropic.APIConnectionError):
        return "could not connect to the API"
    if isinstance(exc, anthropic.APIStatusError):
        return f"the API returned {exc.status_code}"
    return None

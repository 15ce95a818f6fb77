"""Anthropic-SDK-specific shapes: client classes, request methods and the parameters each accepts.

The facts live in ``data/sdk.json``, generated from the installed ``anthropic`` package by
``python -m promptlint.sdk`` (a test fails when the installed SDK drifts from the file).
Importing this module never imports ``anthropic``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

DATA_FILE = "sdk.json"
REQUEST_METHODS = ("create", "stream", "parse", "count_tokens")
RESPONSE_WRAPPERS = ("with_raw_response", "with_streaming_response")
SAMPLING_PARAMS = ("temperature", "top_p", "top_k")
# The SDK's non-streaming guard (``_base_client._calculate_nonstreaming_timeout``):
# expected_time = 3600 * max_tokens / 128_000 seconds must not exceed 600 seconds.
NONSTREAMING_SECONDS_LIMIT = 600
NONSTREAMING_TOKENS_PER_HOUR = 128_000


@lru_cache(maxsize=1)
def sdk_data() -> dict[str, Any]:
    text = resources.files("promptlint").joinpath("data", DATA_FILE).read_text("utf-8")
    return json.loads(text)


def client_classes() -> frozenset[str]:
    return frozenset(sdk_data()["client_classes"])


def accepted_params(method: str, beta: bool) -> frozenset[str]:
    key = ("beta." if beta else "") + "messages." + method
    return frozenset(sdk_data()["methods"][key])


def nonstreaming_token_limits() -> dict[str, int]:
    return dict(sdk_data()["nonstreaming_tokens"])


def max_nonstreaming_tokens(model: str | None) -> int:
    """Largest max_tokens the SDK lets through without streaming (its own formula)."""
    limit = NONSTREAMING_SECONDS_LIMIT * NONSTREAMING_TOKENS_PER_HOUR // 3600
    if model is not None and model in nonstreaming_token_limits():
        limit = min(limit, nonstreaming_token_limits()[model])
    return limit


def generate() -> dict[str, Any]:
    """Read the installed SDK and return the data this module needs (imports ``anthropic``)."""
    import inspect
    import typing

    import anthropic
    from anthropic import _constants
    from anthropic.resources.beta.messages import Messages as BetaMessages
    from anthropic.resources.messages import Messages
    from anthropic.types import model_param

    classes = sorted(
        name
        for name in dir(anthropic)
        if inspect.isclass(getattr(anthropic, name))
        and "Anthropic" in name
        and not issubclass(getattr(anthropic, name), BaseException)
    )
    # other names of the same classes: ``anthropic.Client`` is ``anthropic.Anthropic``
    classes = sorted({*classes, *(
        name for name in dir(anthropic)
        if inspect.isclass(getattr(anthropic, name))
        and any(getattr(anthropic, name) is getattr(anthropic, c) for c in classes)
    )})
    methods: dict[str, list[str]] = {}
    for prefix, cls in (("messages.", Messages), ("beta.messages.", BetaMessages)):
        for name in REQUEST_METHODS:
            params = inspect.signature(getattr(cls, name)).parameters
            methods[prefix + name] = sorted(p for p in params if p != "self")
    model_ids: list[str] = []
    for arg in typing.get_args(model_param.ModelParam):
        model_ids.extend(a for a in typing.get_args(arg) if isinstance(a, str))
    return {
        "sdk_version": anthropic.__version__,
        "api_version": _constants.ANTHROPIC_API_VERSION,
        "client_classes": classes,
        "methods": methods,
        "model_ids": sorted(model_ids),
        "nonstreaming_tokens": dict(sorted(_constants.MODEL_NONSTREAMING_TOKENS.items())),
    }


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    from pathlib import Path

    out = Path(__file__).parent / "data" / DATA_FILE
    out.write_text(json.dumps(generate(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")

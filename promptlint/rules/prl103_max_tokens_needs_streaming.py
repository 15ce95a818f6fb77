from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint import sdk
from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request


class MaxTokensNeedsStreaming(Rule):
    code = "PRL103"
    name = "max-tokens-needs-streaming"
    message = (
        "max_tokens={value} on a non-streaming request: the SDK raises \"Streaming is required "
        "for operations that may take longer than 10 minutes\" above {limit} tokens{note}"
    )
    fix_title = "Use messages.stream(...) or pass an explicit timeout="
    fix_availability = FixAvailability.DISPLAY_ONLY

    def check_request(self, req: Request) -> None:
        if req.batch or req.method not in ("create", "parse") or req.open:
            return
        if req.streaming or req.has("timeout") or req.client_sets_timeout:
            return  # the SDK only checks when no stream and the default timeout are in play
        value_ref = req.arg("max_tokens")
        value = value_ref.known_int() if value_ref is not None else None
        if value is None:
            return
        limit = sdk.max_nonstreaming_tokens(req.model_id())
        if value <= limit:
            return
        target = self.sdk_target
        guarded = sdk.feature_in("nonstreaming_guard", target.newest)
        since = sdk.feature_since("nonstreaming_guard")
        if guarded is None or since is None:
            return  # the project's release is not known to check: nothing is provable
        note, severity = "", "error"
        if not guarded:  # an older release: the check comes with an upgrade
            note = (f" (from anthropic {sdk.short_version(since)} on; {target.describe()}, "
                    "which does not check yet)")
            severity = "warning"
        elif target.assumed:
            note = f" ({target.describe()})"
        self.report(
            req.at("max_tokens", "max_tokens value defined here"),
            fix=self.advice(self.fix_title),
            value=value,
            limit=limit,
            note=note,
            severity=severity,
        )

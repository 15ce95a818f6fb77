"""PRL302: what the SDK rejects before anything is sent.

Keyword arguments a request method does not take in the project's SDK release (a TypeError)
and ``client.beta`` namespaces that release no longer has (an AttributeError). The tables are
generated (``facts/sdk.json``, ``history``); only the hints below are written by hand.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from promptlint import sdk
from promptlint.rules.base import Rule

if TYPE_CHECKING:
    from promptlint.resolve.requests import Request

# Habits from other APIs: the argument, and where its meaning lives in this SDK (the hint is
# shown only when the named parameter exists in the project's release)
HINTS: dict[str, tuple[str | None, str]] = {
    "response_format": ("output_config", 'structured outputs are `output_config={"format": '
                                         '{"type": "json_schema", "schema": ...}}`'),
    "functions": ("tools", "functions are `tools=[{\"name\", \"description\", "
                           "\"input_schema\"}]`"),
    "function_call": ("tool_choice", 'forcing a tool is `tool_choice={"type": "tool", '
                                     '"name": ...}`'),
    "tool_calls": ("tools", "tools are declared with `tools=[...]`"),
    "max_completion_tokens": ("max_tokens", "the output limit is `max_tokens`"),
    "max_output_tokens": ("max_tokens", "the output limit is `max_tokens`"),
    "stop": ("stop_sequences", "stop strings are `stop_sequences=[...]`"),
    "user": ("metadata", 'an end-user ID goes in `metadata={"user_id": ...}`'),
    "reasoning_effort": ("output_config", 'effort is `output_config={"effort": ...}`'),
    "reasoning": ("thinking", "reasoning is configured with `thinking={...}`"),
    "parallel_tool_calls": ("tool_choice", "parallel tool use is turned off with "
                                           '`tool_choice={..., "disable_parallel_tool_use": '
                                           "True}`"),
    "n": (None, "one request returns one response: send several requests (or a batch)"),
    "presence_penalty": (None, "Claude has no presence penalty: steer with instructions"),
    "frequency_penalty": (None, "Claude has no frequency penalty: steer with instructions"),
    "logit_bias": (None, "Claude has no logit bias"),
    "logprobs": (None, "Claude returns no log probabilities"),
    "top_logprobs": (None, "Claude returns no log probabilities"),
    "seed": (None, "Claude has no sampling seed"),
    "stream_options": ("stream", "streaming is `stream=True` or `messages.stream(...)`"),
}


class CallNotInSdk(Rule):
    code = "PRL302"
    name = "call-not-in-sdk"
    message = "{what}: {consequence}"

    def check_request(self, req: Request) -> None:
        if req.batch or req.receiver != "anthropic":
            return  # batch params are request bodies; an unproven receiver proves nothing
        target = self.sdk_target
        if req.namespace is not None:
            self._namespace(req)
            return
        if sdk.method_in(req.method, req.beta, target.newest) is not True:
            return
        where = f"{'beta.' if req.beta else ''}messages.{req.method}()"
        for name in req.params:
            if name in sdk.SAMPLING_PARAMS:
                continue  # PRL301's
            state = sdk.param_in(req.method, req.beta, name, target.newest)
            if state is False:
                self.report(req.at(name), what=f"`{name}` is not a parameter of "
                            f"`{where}`", consequence=self._rejected(req, name))
            elif state is True and not target.single and sdk.param_in(
                    req.method, req.beta, name, target.oldest) is False:
                first = sdk.first_release_with(req.method, req.beta, name)
                self.report(
                    req.at(name), severity="warning",
                    what=f"`{name}` is not a parameter of `{where}` before anthropic "
                    f"{sdk.short_version(first or target.newest)}",
                    consequence=f"{target.describe()}: an install of an older admitted "
                    "release raises TypeError; raise the lower bound")

    def _rejected(self, req: Request, name: str) -> str:
        target = self.sdk_target
        release = target.newest
        parts = [f"anthropic {release} raises TypeError before sending"]
        removed = sdk.param_removed_in(req.method, req.beta, name)
        if removed is not None:
            parts[0] = (f"removed in anthropic {sdk.short_version(removed)}, so {release} "
                        "raises TypeError before sending")
        hint = HINTS.get(name)
        if hint is not None and (hint[0] is None or sdk.param_in(
                req.method, req.beta, hint[0], release)):
            parts.append(hint[1])
        elif not req.beta and sdk.param_in(req.method, True, name, release):
            parts.append(f"it is a parameter of `client.beta.messages.{req.method}()`")
        else:
            taken = [p for p in sdk.known_params(req.method, req.beta)
                     if sdk.param_in(req.method, req.beta, p, release)]
            close = difflib.get_close_matches(name, taken, n=1, cutoff=0.75)
            if close:
                parts.append(f"did you mean `{close[0]}`?")
        parts.append(target.describe())
        return "; ".join(parts)

    def _namespace(self, req: Request) -> None:
        target = self.sdk_target
        node = req.namespace
        assert node is not None
        name = node.value
        if sdk.beta_namespace_in(name, target.newest) is not False:
            return
        removed = sdk.namespace_removed_in(name)
        if removed is None:
            return
        replacement = "client.beta.messages" if sdk.method_in(
            req.method, True, target.newest) else "client.messages"
        self.report(
            req.at(node=node), what=f"`client.beta.{name}` was removed in anthropic "
            f"{sdk.short_version(removed)}",
            consequence=f"anthropic {target.newest} raises AttributeError; use "
            f"`{replacement}.{req.method}()` (with `betas=[...]` for a beta feature); "
            f"{target.describe()}")

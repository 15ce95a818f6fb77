from __future__ import annotations

from typing import TYPE_CHECKING

from promptlint import facts, sdk
from promptlint.findings import Safety
from promptlint.rules.base import FixAvailability, Rule

if TYPE_CHECKING:
    import libcst as cst

    from promptlint.edits import FixProposal
    from promptlint.resolve.requests import Request


class SamplingParamRemoved(Rule):
    """Judged against the project's SDK version (``promptlint.sdkversion``): a TypeError or a
    400 is claimed only for releases that raise or send it; for an older project the finding
    is a warning about the upgrade."""

    code = "PRL301"
    name = "sampling-param-removed"
    message = "`{param}` {where}{removed}: {consequence}"
    fix_title = "Remove `{param}`"
    fix_availability = FixAvailability.SOMETIMES

    NEW_API: str = facts.api("sampling_removed_api_version")

    def check_request(self, req: Request) -> None:
        for param in sdk.SAMPLING_PARAMS:
            if req.has(param):
                verdict = self._api(param) if req.batch else self._keyword(req, param)
                if verdict is None:
                    continue
                removed, consequence, severity = verdict
                fix = req.remove_kwarg(param, Safety.UNSAFE, self.fix_title.format(param=param))
                self.report(
                    req.at(param), fix=fix, param=param, where="", removed=removed,
                    consequence=consequence, severity=severity,
                )
        extra = req.arg("extra_body")
        body = extra.as_dict() if extra is not None else None
        if body is None:
            return
        for param in sdk.SAMPLING_PARAMS:
            if param in body.items:
                verdict = self._api(param)
                if verdict is None:
                    continue
                removed, consequence, severity = verdict
                value = body.items[param]
                self.report(
                    req.at("extra_body", f"`{param}` defined here", node=value.node),
                    fix=self._remove_from_dict(extra.literal_node, value.node, param),
                    param=param, where="in extra_body ", removed=removed,
                    consequence=consequence, severity=severity,
                )

    def _keyword(self, req: Request, param: str) -> tuple[str, str, str] | None:
        """A keyword argument: the SDK's TypeError (and the API's 400) where they happen."""
        target = self.sdk_target
        accepted = sdk.param_in(req.method, req.beta, param, target.newest)
        removed_in = sdk.param_removed_in(req.method, req.beta, param)
        if accepted is None or removed_in is None:
            return None  # no data for that release: nothing is provable
        since = sdk.short_version(removed_in)
        if accepted:
            return (f"is removed in anthropic {since}",
                    f"{target.describe()}, which still takes it; from anthropic {since} on "
                    "it is a TypeError", "warning")
        consequence = f"anthropic SDK >= {since} raises TypeError"
        if sdk.api_version_in(target.newest) == self.NEW_API:
            consequence += f" and API version {self.NEW_API} rejects it (400)"
        return "was removed", f"{consequence}; {target.describe()}", "error"

    def _api(self, param: str) -> tuple[str, str, str] | None:
        """Forwarded verbatim (batch params, extra_body): the API version the SDK sends."""
        target = self.sdk_target
        api = sdk.api_version_in(target.newest)
        since = sdk.api_version_since(self.NEW_API)
        if api is None or since is None:
            return None
        since = sdk.short_version(since)
        if api == self.NEW_API:
            return ("was removed", f"API version {api} (sent by anthropic SDK >= {since}) "
                    f"rejects it (400); {target.describe()}", "error")
        return (f"is removed in API version {self.NEW_API}",
                f"{target.describe()}, which sends {api}; anthropic >= {since} sends "
                f"{self.NEW_API}, which rejects it (400)", "warning")

    def _remove_from_dict(
        self, dict_node: cst.CSTNode, value_node: cst.CSTNode, param: str
    ) -> FixProposal | None:
        import libcst as cst

        from promptlint.edits import FixProposal, remove_item

        if not isinstance(dict_node, cst.Dict):
            return None
        for element in dict_node.elements:
            if isinstance(element, cst.DictElement) and element.value is value_node:
                edit = remove_item(dict_node.elements, element)
                if edit is None:
                    return None
                return FixProposal(Safety.UNSAFE, self.fix_title.format(param=param), [edit])
        return None

from __future__ import annotations

import libcst as cst

from promptlint import sdk
from promptlint.edits import FixProposal, remove_item
from promptlint.findings import Safety
from promptlint.resolve.requests import Request
from promptlint.rules.base import Rule


class SamplingParamRemoved(Rule):
    code = "PRL301"
    name = "sampling-param-removed"
    message = "`{param}` {where}was removed: {consequence}"
    fix_title = "Remove `{param}`"
    fix_availability = "sometimes"

    KEYWORD = "anthropic SDK >= 1.0 raises TypeError and API version 2026-10-21 rejects it (400)"
    FORWARDED = "API version 2026-10-21 (sent by anthropic SDK >= 2.0) rejects it (400)"

    def check_request(self, req: Request) -> None:
        for param in sdk.SAMPLING_PARAMS:
            if req.has(param):
                consequence = self.FORWARDED if req.batch else self.KEYWORD
                fix = req.remove_kwarg(param, Safety.UNSAFE, self.fix_title.format(param=param))
                self.report(
                    req.report_node(param), fix=fix, param=param, where="",
                    consequence=consequence,
                )
        extra = req.arg("extra_body")
        body = extra.as_dict() if extra is not None else None
        if body is None:
            return
        for param in sdk.SAMPLING_PARAMS:
            if param in body.items:
                value = body.items[param]
                self.report(
                    req.locate(value.node, "extra_body"),
                    related=req.related_if_outside(value.node, f"`{param}` defined here"),
                    fix=self._remove_from_dict(extra.literal_node, value.node, param),
                    param=param, where="in extra_body ", consequence=self.FORWARDED,
                )

    def _remove_from_dict(
        self, dict_node: cst.CSTNode, value_node: cst.CSTNode, param: str
    ) -> FixProposal | None:
        if not isinstance(dict_node, cst.Dict):
            return None
        for element in dict_node.elements:
            if isinstance(element, cst.DictElement) and element.value is value_node:
                edit = remove_item(dict_node.elements, element)
                if edit is None:
                    return None
                return FixProposal(Safety.UNSAFE, self.fix_title.format(param=param), [edit])
        return None

"""The Rule base class: metadata as class attributes, checks over resolved requests.

Rule modules load without libcst (``promptlint rules`` and configuration checks list them
without parsing anything): what they need of the syntax tree and the resolver they import in
``check_request``, or only for type checking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from promptlint.findings import Safety
from promptlint.models import Catalogue, ModelInfo, Resolved
from promptlint.sdkversion import SdkTarget, default_target

if TYPE_CHECKING:
    import libcst as cst

    from promptlint.edits import FixProposal
    from promptlint.lifecycle import Lifecycle
    from promptlint.resolve.requests import At, Request


@dataclass
class RawFinding:
    rule: Rule
    node: cst.CSTNode
    message: str
    # (node, message) or (node, message, path of the module the node is in)
    related: list[tuple[Any, ...]] = field(default_factory=list)
    fix: FixProposal | None = None
    data: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None  # this finding's, when it differs from the rule's


class RuleSettings(Protocol):
    """What a rule reads of the configuration (``promptlint.config.Config`` is one): rules
    depend on these settings, not on how configuration is found and loaded."""

    default_max_tokens: int
    max_tokens_ceiling: int | None
    max_tokens_oversized_factor: float
    max_tokens_oversized_floor: int
    fail_within: int | None

    def day(self) -> str: ...


class FixAvailability(str, Enum):
    """Whether a rule's findings come with a fix (the ``**Fix:**`` line of its doc says the
    same: ``none``, ``display-only``, ``..., sometimes``, else always)."""

    NONE = "none"
    DISPLAY_ONLY = "display-only"  # advice shown with the finding, never applied
    SOMETIMES = "sometimes"  # a fix when the right value is known
    ALWAYS = "always"

    def __str__(self) -> str:
        return self.value


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    fix_title: ClassVar[str | None] = None
    severity: ClassVar[str] = "error"  # error: the request fails; warning: it costs; info
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    default_enabled: ClassVar[bool] = True

    def __init__(self, config: RuleSettings, catalogue: Catalogue,
                 sdk_target: SdkTarget | None = None) -> None:
        self.config = config
        self.catalogue = catalogue
        self.sdk_target = sdk_target if sdk_target is not None else default_target()
        self.findings: list[RawFinding] = []

    def check_request(self, req: Request) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    # ---- helpers for rules --------------------------------------------------------------
    def report(
        self,
        at: At,
        related: list[tuple[Any, ...]] | None = None,
        fix: FixProposal | None = None,
        data: dict[str, Any] | None = None,
        severity: str | None = None,
        suffix: str = "",
        **fmt: Any,
    ) -> None:
        """A finding at ``at`` (``req.at(...)``), with more ``related`` places after its own."""
        self.findings.append(
            RawFinding(self, at.node, self.message.format(**fmt) + suffix,
                       [*at.related, *(related or [])], fix, data or {},
                       severity if severity != self.severity else None)
        )

    @staticmethod
    def advice(title: str) -> FixProposal:
        """A fix shown, never applied: what to change, in words."""
        from promptlint.edits import FixProposal

        return FixProposal(Safety.DISPLAY_ONLY, title)

    def model_of(self, req: Request) -> Resolved | None:
        written = req.model_id()
        return self.catalogue.resolve(written) if written is not None else None

    def model_info(self, req: Request) -> ModelInfo | None:
        resolved = self.model_of(req)
        return resolved.info if resolved is not None else None

    def lifecycle_of(self, req: Request) -> Lifecycle | None:
        """The request's model's lifecycle on this run's day, on its platform."""
        from promptlint.lifecycle import lifecycle

        resolved = self.model_of(req)
        return lifecycle(resolved, self.config.day()) if resolved is not None else None

    @staticmethod
    def sdk_note(info: ModelInfo) -> str:
        """For lifecycle messages: where a model the catalogue lacks was learnt from."""
        source = info.sources.get("lifecycle", "")
        if source.startswith("installed anthropic"):
            return f" (per the {source}; promptlint's catalogue does not list it)"
        return ""

    def facts_model(self, req: Request, fact: str) -> tuple[ModelInfo | None, str]:
        """The model whose ``fact`` a prompt rule judges by, and a note for the message.

        Normally the request's model. A retired model whose own ``fact`` is unknown is judged
        by the successor its PRL202 fix moves to (the prompt problem stays after the fix), and
        the note says so."""
        resolved = self.model_of(req)
        if resolved is None:
            return None, ""
        info = resolved.info
        if getattr(info, fact) is not None or not info.successor:
            return info, ""
        from promptlint.lifecycle import lifecycle

        if lifecycle(resolved, self.config.day()).state != "retired":
            return info, ""
        successor = self.catalogue.get(info.successor)
        if successor is None or getattr(successor, fact) is None:
            return info, ""
        return successor, (f" (judged for {successor.id}, the successor of retired "
                           f"{resolved.written})")

    def model_fix(self, req: Request, new_id: str, safety: Safety, title: str
                  ) -> FixProposal | None:
        """Replace the model literal where it is defined, unless the request uses a feature
        the new model rejects (a prefill, manual thinking): then there is no mechanical fix."""
        new = self.catalogue.get(new_id)
        if new is None:
            return None
        if req.prefill is not None and new.prefill is False:
            return None
        thinking = req.thinking
        if thinking.typed and new.thinking and thinking.mode not in new.thinking:
            return None
        return req.replace_literal("model", new_id, safety, title, at_definition=True)

    @classmethod
    def option_name(cls, option: str) -> str:
        return option

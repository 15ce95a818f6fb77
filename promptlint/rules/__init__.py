"""All rules, listed explicitly (no import-time discovery)."""

from __future__ import annotations

from promptlint.rules.base import Rule
from promptlint.rules.prl101_max_tokens_missing import MaxTokensMissing
from promptlint.rules.prl102_max_tokens_over_model_limit import MaxTokensOverModelLimit
from promptlint.rules.prl103_max_tokens_needs_streaming import MaxTokensNeedsStreaming
from promptlint.rules.prl104_max_tokens_oversized import MaxTokensOversized
from promptlint.rules.prl105_thinking_budget_invalid import ThinkingBudgetInvalid
from promptlint.rules.prl201_model_unknown import ModelUnknown
from promptlint.rules.prl202_model_retired import ModelRetired
from promptlint.rules.prl203_model_deprecated import ModelDeprecated
from promptlint.rules.prl301_sampling_param_removed import SamplingParamRemoved
from promptlint.rules.prl302_call_not_in_sdk import CallNotInSdk
from promptlint.rules.prl401_prefill_unsupported import PrefillUnsupported
from promptlint.rules.prl402_prefill_trailing_whitespace import PrefillTrailingWhitespace
from promptlint.rules.prl403_prefill_missing import PrefillMissing
from promptlint.rules.prl501_cache_breakpoints_exceeded import CacheBreakpointsExceeded
from promptlint.rules.prl502_cache_control_missing import CacheControlMissing
from promptlint.rules.prl503_dynamic_before_static import DynamicBeforeStatic
from promptlint.rules.prl504_cache_prefix_too_short import CachePrefixTooShort
from promptlint.rules.prl505_unordered_collection_in_prompt import UnorderedCollectionInPrompt
from promptlint.rules.prl601_batch_candidate import BatchCandidate
from promptlint.rules.prl901_unused_noqa import UnusedNoqa

ALL_RULES: tuple[type[Rule], ...] = (
    MaxTokensMissing,
    MaxTokensOverModelLimit,
    MaxTokensNeedsStreaming,
    MaxTokensOversized,
    ThinkingBudgetInvalid,
    ModelUnknown,
    ModelRetired,
    ModelDeprecated,
    SamplingParamRemoved,
    CallNotInSdk,
    PrefillUnsupported,
    PrefillTrailingWhitespace,
    PrefillMissing,
    CacheBreakpointsExceeded,
    CacheControlMissing,
    DynamicBeforeStatic,
    CachePrefixTooShort,
    UnorderedCollectionInPrompt,
    BatchCandidate,
    UnusedNoqa,
)


def rule_by_code_or_name(key: str) -> type[Rule] | None:
    for rule in ALL_RULES:
        if key.upper() == rule.code or key == rule.name:
            return rule
    return None

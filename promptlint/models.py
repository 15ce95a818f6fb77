"""The model catalogue: limits, prices, cache minimums and lifecycle per model, as data.

Bundled facts live in ``facts/models.json`` (each with its source and date). A user-level file
written by ``promptlint models --refresh`` (see :func:`user_catalogue_path`) overrides the
bundled values it carries. Bedrock (``anthropic.claude-...-v1:0``, regional profiles, ARNs) and
Vertex (``claude-...@date``, ``-v2@date``, publisher paths) spellings map to their first-party
model; ``platforms`` in an entry holds what differs on a platform (dates, output limits).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from promptlint.facts import MODELS_FILE, read_text

Platform = Literal["anthropic", "bedrock", "vertex"]

# Model strings from the user's code. The platform patterns are anchored, but their lazy name
# part tries each possible end once (time quadratic in the string's length), so strings longer
# than MAX_ID_LENGTH are never matched against them: no model ID, ARN or path comes near it.
MAX_ID_LENGTH = 300
# Bedrock: base model IDs (anthropic.claude-...-v1:0), cross-region inference profiles
# (us./eu./apac./global. ...), and the ARNs of either
_BEDROCK = re.compile(
    r"^(?:arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d*:(?:foundation-model|inference-profile)/)?"
    r"(?:(?:us|eu|apac|jp|au|ca|global|us-gov)\.)?anthropic\.(claude-.+?)(?:-v\d+(?::\d+)?)?$"
)
# Vertex AI: name@date (claude-opus-4-1@20250805), with a version tag (claude-3-5-sonnet-v2@...)
# and as a publisher model path (publishers/anthropic/models/..., projects/p/locations/l/...)
_VERTEX = re.compile(
    r"^(?:(?:projects/[^/]+/locations/[^/]+/)?publishers/anthropic/models/)?"
    r"(claude-[a-z0-9-]+?)(?:-v\d+)?@(\d{8})$"
)
# linear: anchored, and each part is a class disjoint from the separator that follows it
_WELL_FORMED = re.compile(r"^claude-(opus|sonnet|haiku|fable|mythos)-(\d+)(?:-(\d+))?$")
CLAUDE_CODE_ALIASES = ("sonnet", "opus", "haiku", "fable")


@dataclass(frozen=True)
class Price:
    """USD per million tokens; None where the catalogue has no figure (retired models)."""

    input: float | None = None
    output: float | None = None
    cache_write_5m: float | None = None
    cache_write_1h: float | None = None
    cache_read: float | None = None


@dataclass(frozen=True)
class ModelInfo:
    id: str
    name: str
    status: str  # active | legacy | deprecated | retired | gated
    aliases: tuple[str, ...] = ()
    released: str | None = None
    retirement_date: str | None = None
    successor: str | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    batch_max_output_tokens: int | None = None  # with the extended-output beta on Batches
    price: Price | None = None
    # (prompt size in tokens above which, Price for every token of such a request), ascending
    price_tiers: tuple[tuple[int, Price], ...] = ()
    min_cacheable_tokens: int | None = None
    prefill: bool | None = None
    structured_outputs: bool | None = None
    thinking: tuple[str, ...] = ()
    thinking_default_on: bool | None = None  # thinks when the request sets no `thinking`
    forced_tool_choice: bool | None = None  # accepts tool_choice any/tool
    tokenizer: str = "legacy"
    uncertain: frozenset[str] = field(default_factory=frozenset)
    notes: str = ""
    sources: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    # per platform ("bedrock", "vertex"): facts that differ there (status, retirement_date,
    # tentative, max_output_tokens, uncertain, source)
    platforms: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False,
                                                 compare=False)

    def is_uncertain(self, fact: str) -> bool:
        return fact in self.uncertain

    def price_for(self, prompt_tokens: int) -> Price | None:
        """The prices of a request whose prompt holds ``prompt_tokens`` (Haiku 5.5 bills every
        token of a prompt over 100K tokens at a higher band)."""
        price = self.price
        for threshold, tier in self.price_tiers:
            if prompt_tokens > threshold:
                price = tier
        return price

    def on_platform(self, platform: str, fact: str) -> tuple[Any, bool]:
        """(value of ``fact`` on ``platform``, whether it is uncertain): the platform's own
        value where the catalogue has one, else the Claude API's."""
        own = self.platforms.get(platform) or {}
        if own.get(fact) is not None:
            return own[fact], fact in (own.get("uncertain") or ())
        return getattr(self, fact), self.is_uncertain(fact)

    @property
    def retired(self) -> bool:
        return self.status == "retired"

    @property
    def deprecated(self) -> bool:
        return self.status == "deprecated"


@dataclass(frozen=True)
class Resolved:
    """A model string as written, and what it refers to."""

    written: str
    info: ModelInfo
    platform: Platform


class Catalogue:
    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = data.get("catalogue_version", "unknown")
        self.as_of: str = data.get("as_of", self.version)
        self.sources: dict[str, str] = data.get("sources", {})
        # set when a user file written by ``promptlint models --refresh`` was merged in
        self.refreshed_at: str | None = data.get("refreshed_at")
        self.models: list[ModelInfo] = [_model(entry) for entry in data["models"]]
        self._by_id: dict[str, ModelInfo] = {}
        self._from_sdk: dict[str, ModelInfo | None] = {}
        for model in self.models:
            self._by_id[model.id] = model
            for alias in model.aliases:
                self._by_id.setdefault(alias, model)

    def get(self, model_id: str) -> ModelInfo | None:
        return self._by_id.get(model_id)

    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def resolve(self, written: str) -> Resolved | None:
        """The model behind a first-party, Bedrock or Vertex spelling, or None if unknown.

        A Claude ID the catalogue lacks is looked up in the installed SDK (read as text once
        per process): only unknown IDs pay for that, so known models never do."""
        if written in self._by_id:
            return Resolved(written, self._by_id[written], "anthropic")
        if len(written) > MAX_ID_LENGTH:
            return None
        match = _BEDROCK.match(written)
        if match and match.group(1) in self._by_id:
            return Resolved(written, self._by_id[match.group(1)], "bedrock")
        match = _VERTEX.match(written)
        if match:
            for candidate in (f"{match.group(1)}-{match.group(2)}", match.group(1)):
                if candidate in self._by_id:
                    return Resolved(written, self._by_id[candidate], "vertex")
            return None
        if written.startswith("claude") and not self.is_platform_spelling(written):
            info = self.from_installed_sdk(written)
            if info is not None:
                return Resolved(written, info, "anthropic")
        return None

    def from_installed_sdk(self, written: str) -> ModelInfo | None:
        """An ID this catalogue lacks but the installed ``anthropic`` package lists (read as
        text, once per process): active, or deprecated with the SDK's end-of-life date."""
        if written in self._from_sdk:
            return self._from_sdk[written]
        from promptlint.installed_sdk import installed

        sdk = installed()
        info = None
        if sdk is not None and (written in sdk.deprecations or written in sdk.model_ids):
            retires = sdk.deprecations.get(written)
            where = sdk.deprecation_file if retires else "types/model_param.py"
            info = ModelInfo(
                id=written, name=written, status="deprecated" if retires else "active",
                retirement_date=retires,
                notes=f"Not in promptlint's catalogue ({self.as_of}); listed by the "
                      f"{sdk.describe()} ({where}).",
                sources={"lifecycle": f"{sdk.describe()} {where}"},
            )
        self._from_sdk[written] = info
        return info

    def is_platform_spelling(self, written: str) -> bool:
        if len(written) > MAX_ID_LENGTH:
            return "/" in written
        return bool(_BEDROCK.match(written) or _VERTEX.match(written) or "/" in written)

    def looks_newer_than_catalogue(self, written: str) -> bool:
        """A well-formed dateless ID newer than any known model of its family (maybe released
        after this catalogue was written): never call it unknown."""
        match = _WELL_FORMED.match(written)
        if not match:
            return False
        family = match.group(1)
        version = (int(match.group(2)), int(match.group(3) or 0))
        known = [
            _version_of(m.id) for m in self.models if m.id.startswith(f"claude-{family}-")
        ]
        known_versions = [v for v in known if v is not None]
        if not known_versions:
            return False
        newest = max(known_versions)
        # a plausible next release: at most two majors ahead, minor below 10 ("opus-45" is a typo)
        return newest < version and version[0] <= newest[0] + 2 and version[1] < 10

    def suggestion(self, written: str) -> str | None:
        """The one close known ID for a misspelled model string, or None."""
        if len(written) > MAX_ID_LENGTH:
            return None  # (difflib's matching is quadratic; no model ID is this long)
        candidates: list[str] = []
        normalized = written.strip().lower().replace(".", "-").replace("_", "-")
        for variant in _variants(normalized):
            if variant in self._by_id:
                candidates.append(variant)
        if not candidates:
            import difflib  # only for a misspelled model (start-up time)

            candidates = difflib.get_close_matches(normalized, self.ids(), n=2, cutoff=0.88)
            if len(candidates) > 1:
                best = difflib.SequenceMatcher(None, normalized, candidates[0]).ratio()
                second = difflib.SequenceMatcher(None, normalized, candidates[1]).ratio()
                if best - second < 0.03:
                    return None
        if not candidates:
            return None
        return candidates[0]


def _variants(text: str) -> list[str]:
    out = [text]
    # family/version swapped: claude-haiku-3-5-DATE <-> claude-3-5-haiku-DATE
    swapped = re.match(r"^claude-([a-z]+)-(\d+(?:-\d)?)(-\d{8})?$", text)
    if swapped and not swapped.group(1).isdigit():
        out.append(f"claude-{swapped.group(2)}-{swapped.group(1)}{swapped.group(3) or ''}")
    reversed_ = re.match(r"^claude-(\d+(?:-\d)?)-([a-z]+)(-\d{8})?$", text)
    if reversed_:
        out.append(f"claude-{reversed_.group(2)}-{reversed_.group(1)}{reversed_.group(3) or ''}")
    # a date appended to a dateless (4.6+) ID
    dated = re.match(r"^(claude-[a-z]+-\d+(?:-\d+)?)-\d{8}$", text)
    if dated:
        out.append(dated.group(1))
    if text.endswith("-thinking"):
        out.append(text[: -len("-thinking")])
    return out


def _version_of(model_id: str) -> tuple[int, int] | None:
    match = _WELL_FORMED.match(model_id)
    if not match:
        return None
    return int(match.group(2)), int(match.group(3) or 0)


_PRICE_KEYS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")


def _model(entry: dict[str, Any]) -> ModelInfo:
    price = entry.get("price_per_mtok")
    return ModelInfo(
        id=entry["id"],
        name=entry.get("name") or entry["id"],
        status=entry["status"],
        aliases=tuple(entry.get("aliases") or ()),
        released=entry.get("released"),
        retirement_date=entry.get("retirement_date"),
        successor=entry.get("successor"),
        context_window=entry.get("context_window"),
        max_output_tokens=entry.get("max_output_tokens"),
        batch_max_output_tokens=entry.get("batch_max_output_tokens"),
        price=Price(**price) if price else None,
        price_tiers=tuple(sorted(
            ((int(t["above_prompt_tokens"]), Price(**{k: t.get(k) for k in _PRICE_KEYS}))
             for t in entry.get("price_tiers") or ()), key=lambda tier: tier[0])),
        min_cacheable_tokens=entry.get("min_cacheable_tokens"),
        prefill=entry.get("prefill"),
        structured_outputs=entry.get("structured_outputs"),
        thinking=tuple(entry.get("thinking") or ()),
        thinking_default_on=entry.get("thinking_default_on"),
        forced_tool_choice=entry.get("forced_tool_choice"),
        tokenizer=entry.get("tokenizer", "legacy"),
        uncertain=frozenset(entry.get("uncertain") or ()),
        notes=entry.get("notes") or "",
        sources=dict(entry.get("sources") or {}),
        platforms={k: dict(v) for k, v in (entry.get("platforms") or {}).items()},
    )


def user_catalogue_path() -> Path:
    base = os.environ.get("PROMPTLINT_CACHE_HOME") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    if os.environ.get("PROMPTLINT_CACHE_HOME"):
        return root / "models.json"
    return root / "promptlint" / "models.json"


def bundled_data() -> dict[str, Any]:
    return json.loads(read_text(MODELS_FILE))  # a fresh copy: callers may change it


def merge_user_data(data: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """Overlay refreshed facts (keyed by model id) on the bundled catalogue."""
    merged = {**data, "models": [dict(m) for m in data["models"]]}
    by_id = {m["id"]: m for m in merged["models"]}
    for model_id, facts in (user.get("models") or {}).items():
        target = by_id.get(model_id)
        if target is None:
            target = {"id": model_id, "name": facts.get("name") or model_id, "status": "active"}
            merged["models"].append(target)
            by_id[model_id] = target
        for key, value in facts.items():
            if key == "sources" and isinstance(value, dict):
                # refreshed sources add to the bundled ones (per fact), never replace them all
                target["sources"] = {**(target.get("sources") or {}), **value}
            elif value is not None:
                target[key] = value
        refreshed = set(facts)
        target["uncertain"] = [u for u in target.get("uncertain", []) if u not in refreshed]
    if user.get("refreshed_at"):
        merged["catalogue_version"] = f"{data.get('catalogue_version')}+{user['refreshed_at']}"
        merged["refreshed_at"] = user["refreshed_at"]
    return merged


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    data = bundled_data()
    path = user_catalogue_path()
    if path.is_file() and not os.environ.get("PROMPTLINT_NO_USER_CATALOGUE"):
        try:
            user = json.loads(path.read_text("utf-8"))
            if isinstance(user, dict):
                data = merge_user_data(data, user)
        except (OSError, ValueError, TypeError, KeyError):
            pass  # a broken user cache is ignored; the bundled data still holds
    return Catalogue(data)

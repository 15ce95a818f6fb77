"""``promptlint models``: list the catalogue, or refresh it from the Models API.

``listing`` renders the effective catalogue (bundled data plus a refreshed user file, if any).
``refresh`` calls ``client.models.list()`` through the installed anthropic SDK, maps what the
API reports onto catalogue facts, writes them atomically to :func:`user_catalogue_path` and
returns a summary of what changed. On any error nothing is written.

What the Models API reports (anthropic 2.12.0, ``types/model_info.py``): ``id``,
``display_name``, ``created_at``, ``lifecycle`` (active / deprecated / retired),
``deprecated_at``, ``retires_at``, ``line``, ``max_input_tokens``, ``max_tokens`` and
``capabilities`` (batch, citations, code_execution, context_management, effort, image_input,
pdf_input, server_tools, structured_outputs, thinking with per-type support). It says nothing
about prices, cache minimums, prefill support or the tokenizer: those stay as bundled.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone
from typing import Any

from promptlint.lifecycle import days_between, in_days, status_on
from promptlint.lifecycle import today as lifecycle_today
from promptlint.models import (
    Catalogue,
    ModelInfo,
    bundled_data,
    catalogue,
    merge_user_data,
    user_catalogue_path,
)

SOURCE = "Models API"
# the order the catalogue lists thinking types in
THINKING_TYPES = ("adaptive", "between_tools", "enabled", "disabled")
# facts a refresh can change, in the order a summary names them
REFRESHED_FACTS = ("name", "status", "retirement_date", "released", "context_window",
                   "max_output_tokens", "structured_outputs", "thinking")
# catalogue statuses the API reports as "active" (finer distinctions the API does not make)
_ACTIVE_KINDS = ("active", "legacy", "gated")


class RefreshError(Exception):
    """The refresh failed; the message is one sentence for the user. Nothing was written."""


# ---- listing -----------------------------------------------------------------------------------


def _num(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def _price(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def _mark(info: ModelInfo, fact: str, text: str) -> str:
    """Append '*' to a known value the catalogue marks uncertain."""
    return f"{text}*" if info.is_uncertain(fact) and text != "?" else text


def _status(info: ModelInfo, today: str) -> str:
    """The status on ``today``: a deprecated model past its retirement date is retired."""
    state, tentative = status_on(info, today)
    text = _mark(info, "status", state)
    if info.retirement_date:
        day = _mark(info, "retirement_date", info.retirement_date)
        left = days_between(today, info.retirement_date)
        if state == "retired":
            text = f"{text} {day}"
        elif left <= 0 and tentative:
            text = f"{text} (end of life {day} passed, unconfirmed)"
        else:
            text = f"{text} (retires {day}, {in_days(left)})"
    return text


def _prefill(info: ModelInfo) -> str:
    return _mark(info, "prefill", {True: "yes", False: "no", None: "?"}[info.prefill])


def _row(info: ModelInfo, today: str) -> list[str]:
    price = info.price
    return [
        info.id,
        _status(info, today),
        _mark(info, "context_window", _num(info.context_window)),
        _mark(info, "max_output_tokens", _num(info.max_output_tokens)),
        _mark(info, "price_per_mtok", _price(price.input if price else None)),
        _mark(info, "price_per_mtok", _price(price.output if price else None)),
        _mark(info, "min_cacheable_tokens", _num(info.min_cacheable_tokens)),
        _prefill(info),
        ", ".join(info.aliases),
    ]


HEADER = ["MODEL", "STATUS", "CONTEXT", "MAX OUTPUT", "IN $/MTok", "OUT $/MTok", "CACHE MIN",
          "PREFILL", "ALIASES"]
_RIGHT = {2, 3, 4, 5, 6}  # numeric columns


def _footer(cat: Catalogue, today: str) -> list[str]:
    age = days_between(cat.as_of, today) if _is_day(cat.as_of) else None
    old = f", {age} day{'s' if age != 1 else ''} old" if age is not None else ""
    lines = [f"catalogue {cat.version} (bundled facts checked {cat.as_of}{old}), "
             f"{len(cat.models)} models; status as of {today}"]
    path = user_catalogue_path()
    if cat.refreshed_at:
        lines.append(f"refreshed from the {SOURCE} on {cat.refreshed_at}: {path}")
    elif path.is_file():
        why = ("PROMPTLINT_NO_USER_CATALOGUE is set" if os.environ.get(
            "PROMPTLINT_NO_USER_CATALOGUE") else "it could not be read")
        lines.append(f"refreshed user file {path} not in use: {why}")
    else:
        lines.append("bundled data only (`promptlint models --refresh` updates limits, "
                     f"lifecycle and capabilities from the {SOURCE})")
    lines.append("* uncertain (third-party or conflicting sources; rules relying on it say so "
                 "or stay silent); ? unknown")
    lines += sdk_differences(cat, today)
    return lines


def _is_day(text: str) -> bool:
    try:
        days_between(text, text)
    except ValueError:
        return False
    return True


def sdk_differences(cat: Catalogue, today: str) -> list[str]:
    """What the installed ``anthropic`` package (read as text) knows that the catalogue lacks
    or contradicts: model IDs, and deprecation dates. Checks use the former for IDs the
    catalogue does not know."""
    from promptlint.installed_sdk import installed

    sdk = installed()
    if sdk is None:
        return []
    lines: list[str] = []
    missing = sorted(i for i in sdk.model_ids | set(sdk.deprecations) if cat.get(i) is None)
    if missing:
        lines.append(f"{sdk.describe()} lists models this catalogue lacks (checks use the "
                     f"SDK's facts for them): {', '.join(missing)}")
    for model_id, retires in sorted(sdk.deprecations.items()):
        info = cat.get(model_id)
        if info is None:
            continue
        state, _ = status_on(info, today)
        if state not in ("deprecated", "retired") or info.retirement_date != retires:
            have = info.retirement_date or "no date"
            lines.append(f"{sdk.describe()} ({sdk.deprecation_file}) says {model_id} reaches "
                         f"end of life on {retires}; the catalogue says {state}, {have}")
    return lines


def _as_json(info: ModelInfo, today: str) -> dict[str, Any]:
    price = info.price
    return {
        "id": info.id,
        "name": info.name,
        "aliases": list(info.aliases),
        "status": info.status,
        "status_today": status_on(info, today)[0],
        "retirement_date": info.retirement_date,
        "successor": info.successor,
        "context_window": info.context_window,
        "max_output_tokens": info.max_output_tokens,
        "input_price_per_mtok": price.input if price else None,
        "output_price_per_mtok": price.output if price else None,
        "min_cacheable_tokens": info.min_cacheable_tokens,
        "prefill": info.prefill,
        "structured_outputs": info.structured_outputs,
        "thinking": list(info.thinking),
        "uncertain": sorted(info.uncertain),
        "sources": dict(info.sources),
    }


def listing(output_format: str = "text", today: str | None = None) -> str:
    """The effective catalogue as a table (text) or a JSON list, with each model's status on
    ``today`` (default: :func:`promptlint.lifecycle.today`); ends with a newline."""
    cat = catalogue()
    day = today or lifecycle_today()
    if output_format == "json":
        return json.dumps([_as_json(m, day) for m in cat.models], indent=2) + "\n"
    rows = _aligned([HEADER] + [_row(m, day) for m in cat.models])
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER) - 1)]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in _RIGHT else cell.ljust(widths[i])
            for i, cell in enumerate(row[:-1])
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines + [""] + _footer(cat, day)) + "\n"


def _aligned(rows: list[list[str]]) -> list[list[str]]:
    """Numeric cells without the uncertainty mark get a space in its place, so digits align."""
    return [
        [c + " " if i in _RIGHT and n and not c.endswith("*") else c for i, c in enumerate(row)]
        for n, row in enumerate(rows)
    ]


# ---- refresh -----------------------------------------------------------------------------------


def _client() -> Any:
    from promptlint.anthropic_client import ClientSetupError, make_client

    try:
        return make_client("--refresh")
    except ClientSetupError as exc:
        raise RefreshError(str(exc)) from None


def fetch_models(client: Any) -> list[Any]:
    """Every model the Models API lists, retired ones included, following its pages."""
    import anthropic

    from promptlint.anthropic_client import describe_api_error

    def listed(**kwargs: Any) -> list[Any]:
        return list(client.models.list(limit=1000, **kwargs))

    try:
        try:
            return listed(lifecycle=["active", "deprecated", "retired"])
        except anthropic.BadRequestError:
            return listed()  # an API (or proxy) that does not know the lifecycle filter
    except anthropic.APIError as exc:
        raise RefreshError(describe_api_error(exc) or
                           "the API answered with something that is not a model list") from None


def _day(value: Any) -> str | None:
    """An ISO date from the SDK's datetime (or an RFC 3339 string); None for unknown/epoch."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str) and len(value) >= 10:
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return None
    else:
        return None
    return None if day.year <= 1970 else day.isoformat()


def _supported(obj: Any) -> bool | None:
    value = getattr(obj, "supported", None)
    return value if isinstance(value, bool) else None


def facts_from_api(item: Any, bundled: dict[str, Any] | None, today: str) -> dict[str, Any]:
    """Catalogue facts for one ``ModelInfo`` from the API; only what it actually reports."""
    facts: dict[str, Any] = {}
    sources: dict[str, str] = {}
    stamp = f"{SOURCE} ({today})"
    name = getattr(item, "display_name", None)
    if isinstance(name, str) and name:
        facts["name"] = name
    released = _day(getattr(item, "created_at", None))
    if released:
        facts["released"] = released
    lifecycle = getattr(item, "lifecycle", None)
    if lifecycle in ("active", "deprecated", "retired"):
        previous = (bundled or {}).get("status")
        # "active" in the API covers the catalogue's legacy and gated: keep those
        if not (lifecycle == "active" and previous in _ACTIVE_KINDS):
            facts["status"] = lifecycle
        retires = _day(getattr(item, "retires_at", None))
        if retires and lifecycle != "active":
            facts["retirement_date"] = retires
        sources["lifecycle"] = stamp
    for key, attr in (("context_window", "max_input_tokens"), ("max_output_tokens", "max_tokens")):
        value = getattr(item, attr, None)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            facts[key] = value
            sources["limits"] = stamp
    capabilities = getattr(item, "capabilities", None)
    if capabilities is not None:
        structured = _supported(getattr(capabilities, "structured_outputs", None))
        if structured is not None:
            facts["structured_outputs"] = structured
            sources["structured_outputs"] = stamp
        thinking = getattr(capabilities, "thinking", None)
        types = getattr(thinking, "types", None)
        if types is not None:
            support = {t: _supported(getattr(types, t, None)) for t in THINKING_TYPES}
            if any(v is not None for v in support.values()):
                facts["thinking"] = [t for t in THINKING_TYPES if support[t]]
                sources["thinking"] = stamp
    if sources:
        facts["sources"] = sources
    return facts


def user_data_from_api(items: list[Any], data: dict[str, Any], today: str) -> dict[str, Any]:
    """The user catalogue file for the listed models, keyed by the bundled model's ID."""
    bundled = Catalogue(data)
    by_id = {m["id"]: m for m in data["models"]}
    models: dict[str, dict[str, Any]] = {}
    for item in items:
        model_id = getattr(item, "id", None)
        if not isinstance(model_id, str) or not model_id:
            continue
        known = bundled.get(model_id)  # an alias the API lists goes onto its model
        key = known.id if known is not None else model_id
        facts = facts_from_api(item, by_id.get(key), today)
        models[key] = {**models.get(key, {}), **facts}
    return {"refreshed_at": today, "source": SOURCE, "models": dict(sorted(models.items()))}


def _show(fact: str, value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if fact == "thinking":
        return "[" + ", ".join(value) + "]" if value else "[]"
    return str(value)


def _same(fact: str, old: Any, new: Any) -> bool:
    if fact == "thinking":
        return set(old) == set(new)
    return bool(old == new)


def changes(before: Catalogue, after: Catalogue) -> list[str]:
    """What differs between two catalogues, one line per model and fact."""
    lines: list[str] = []
    before_ids = {m.id for m in before.models}
    for new in after.models:
        old = before.get(new.id) if new.id in before_ids else None
        if old is None:
            facts = ", ".join(
                f"{f} {_show(f, getattr(new, f))}"
                for f in ("status", "context_window", "max_output_tokens")
                if getattr(new, f) is not None
            )
            lines.append(f"new model {new.id}" + (f" ({facts})" if facts else ""))
            continue
        changed = set()
        for fact in REFRESHED_FACTS:
            was, now = getattr(old, fact), getattr(new, fact)
            if not _same(fact, was, now):
                changed.add(fact)
                lines.append(f"{new.id}: {fact} {_show(fact, was)} -> {_show(fact, now)}")
        confirmed = sorted(old.uncertain - new.uncertain - changed)
        if confirmed:
            lines.append(f"{new.id}: confirmed {', '.join(confirmed)} (no longer uncertain)")
    after_ids = {m.id for m in after.models}
    for old in before.models:
        if old.id not in after_ids:
            lines.append(f"dropped model {old.id} (added by an earlier refresh, not listed now)")
    return lines


def refresh() -> str:
    """Refresh limits, lifecycle and capabilities from the Models API; returns a summary."""
    from promptlint.fsutil import atomic_write_text

    client = _client()
    items = fetch_models(client)
    if not items:
        raise RefreshError("the Models API listed no models; the catalogue was left as it was")
    catalogue.cache_clear()
    before = catalogue()
    data = bundled_data()
    today = datetime.now(timezone.utc).date().isoformat()
    user = user_data_from_api(items, data, today)
    after = Catalogue(merge_user_data(data, user))
    path = user_catalogue_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(user, indent=2) + "\n")
    except OSError as exc:
        raise RefreshError(f"could not write {path}: {exc.strerror or exc}") from None
    catalogue.cache_clear()
    found = changes(before, after)
    lines = [f"{SOURCE}: {len(user['models'])} models listed; wrote {path}"]
    lines += found or ["no changes"]
    if os.environ.get("PROMPTLINT_NO_USER_CATALOGUE"):
        lines.append("note: PROMPTLINT_NO_USER_CATALOGUE is set, so checks ignore this file")
    return "\n".join(lines) + "\n"

"""A model's lifecycle judged on a given day, on the platform that serves it.

"Today" is the UTC date unless ``PROMPTLINT_TODAY=YYYY-MM-DD`` (or ``--today``) sets it, so a
run can be reproduced later. A deprecated model whose retirement date is on or before today is
retired; a platform spelling (Bedrock, Vertex) is judged with that platform's own dates where
the catalogue has them, else with the Claude API's, said as such.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from promptlint.models import ModelInfo, Resolved

TODAY_ENV = "PROMPTLINT_TODAY"
PLATFORM_NAMES = {
    "anthropic": "the Claude API",
    "bedrock": "Amazon Bedrock",
    "vertex": "Google Cloud Vertex AI",
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateError(ValueError):
    """A date override that is not a YYYY-MM-DD calendar date; the message is one line."""


def parse_day(text: str, where: str) -> str:
    """``text`` as an ISO date string, or DateError naming ``where`` it came from."""
    value = text.strip()
    try:
        if not _DAY.match(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise DateError(f"{where} must be a date as YYYY-MM-DD, got {text!r}") from None
    return value


def today(override: str | None = None) -> str:
    """The day lifecycle is judged on: ``override``, else $PROMPTLINT_TODAY, else the UTC date."""
    if override:
        return override
    env = os.environ.get(TODAY_ENV)
    if env:
        return parse_day(env, TODAY_ENV)
    return datetime.now(timezone.utc).date().isoformat()


def days_between(start: str, end: str) -> int:
    return (date.fromisoformat(end) - date.fromisoformat(start)).days


@dataclass(frozen=True)
class Lifecycle:
    """Where a model stands on ``day`` on ``platform``.

    ``state``: active | legacy | gated | deprecated | retired. ``own_dates``: whether the
    platform's own published dates decided it (always true on the Claude API); when false, the
    state is the Claude API's and the platform may differ. ``tentative``: the date is marked
    uncertain (announced as tentative): a past tentative date does not make a model retired.
    """

    state: str
    retirement_date: str | None
    days_left: int | None
    platform: str
    own_dates: bool
    tentative: bool
    source: str = ""

    @property
    def platform_name(self) -> str:
        return PLATFORM_NAMES.get(self.platform, self.platform)


def status_on(info: ModelInfo, day: str) -> tuple[str, bool]:
    """(state on the Claude API on ``day``, whether the retirement date is tentative)."""
    tentative = info.is_uncertain("retirement_date")
    state = info.status
    if (state == "deprecated" and info.retirement_date and not tentative
            and info.retirement_date <= day):
        state = "retired"
    return state, tentative


def lifecycle(resolved: Resolved, day: str) -> Lifecycle:
    info, platform = resolved.info, resolved.platform
    own = info.platforms.get(platform) if platform != "anthropic" else None
    if own and (own.get("status") or own.get("retirement_date")):
        state = own.get("status") or "deprecated"
        retires = own.get("retirement_date")
        tentative = bool(own.get("tentative"))
        if state == "deprecated" and retires and not tentative and retires <= day:
            state = "retired"
        left = days_between(day, retires) if retires else None
        return Lifecycle(state, retires, left, platform, True, tentative,
                         own.get("source", ""))
    state, tentative = status_on(info, day)
    retires = info.retirement_date
    left = days_between(day, retires) if retires else None
    return Lifecycle(state, retires, left, platform, platform == "anthropic", tentative,
                     info.sources.get("lifecycle", ""))


def in_days(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "in 1 day"
    return f"in {days} days"

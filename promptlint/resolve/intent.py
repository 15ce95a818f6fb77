"""What a request asks for, read from its reconstructed prompt: a bounded answer (yes/no, a label,
a number, one sentence, N words, a small JSON object, a small forced tool) or machine-readable
output (JSON, XML tags). Only static prompt text is read; unknown means no opinion.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from promptlint.resolve.prompt import Prompt, to_python
from promptlint.resolve.values import UNKNOWN, Value, text_of
from promptlint.tokens import estimate

if TYPE_CHECKING:
    from promptlint.resolve.requests import Prefill, Request

_FLAGS = re.IGNORECASE | re.DOTALL
# Prompt text, possibly long. Linear: the patterns are anchored on words (each start is tried
# over a bounded stretch: {0,25}, {0,40}, {0,60}), and wherever two whitespace runs could meet
# (around an optional ``:`` or ``,``, or after a repeated "only"/"just") they are possessive, so
# a long run of spaces is read once (tests/test_bounded_time.py feeds them such runs).
_VERB = r"(?:answer|respond|reply|return|output|say|classify|label|categori[sz]e|rate|score)"
_OPEN_ENDED = re.compile(
    r"\b(?:write|draft|compose|generate|produce|create)\s+(?:a|an|the|some)?\s*(?:\w+\s+){0,2}"
    r"(?:essay|article|report|story|poem|post|code|program|script|function|email|letter|"
    r"summary|description|plan)s?\b|\b(?:implement|refactor|summari[sz]e|explain|describe|"
    r"translate|rewrite|elaborate|discuss|brainstorm)\b|step[- ]by[- ]step|in detail", _FLAGS)
# explicit length limits hold even for asks that are otherwise open-ended
_EXPLAIN_AFTER = re.compile(r"\b(?:then|and)\s+(?:explain|justify|give|describe|say why)|"
                            r"\b(?:reason|reasoning|justification|why)\b", _FLAGS)


@dataclass(frozen=True)
class Bounded:
    kind: str  # a short human description: "yes/no", "one label", "one sentence", ...
    tokens: int  # estimated output tokens a complete answer needs


def _ask_text(prompt: Prompt) -> str | None:
    """Static text of the system prompt and the last user turn (None when both are unknown)."""
    parts = [b.text.static_text() for b in prompt.section("system")]
    users = [b for b in prompt.section("messages") if b.role == "user"]
    if users:
        last_index = users[-1].message_index
        parts.extend(b.text.static_text() for b in users if b.message_index == last_index)
    text = "\n".join(p for p in parts if p)
    return text or None


def bounded_answer(req: Request) -> Bounded | None:
    """The short answer the request asks for, or None when it is open-ended or unknown (the
    caller judges whether thinking, which also spends max_tokens, may be on)."""
    params = req.params
    tool = _forced_tool(params)
    if tool is not None:
        return tool
    tagged = _prefill_and_stop(req.prefill, params)
    if tagged is not None:
        return tagged
    text = _ask_text(req.prompt())
    return _bounded_text(text) if text is not None else None


@lru_cache(maxsize=1024)
def _bounded_text(text: str) -> Bounded | None:
    sentences = _sentences(text)
    # in a long policy a bound counts only when it is said of the whole reply
    policy = len(sentences) > LONG_POLICY_SENTENCES
    for finder in (_one_sentence, _n_words):
        found = _unconditional(finder, sentences, policy)
        if found is not None:
            return found
    if _OPEN_ENDED.search(text) or _EXPLAIN_AFTER.search(text):
        return None
    for finder in (_yes_no, _labels):
        found = _unconditional(finder, sentences, False)
        if found is not None:
            return found
    for finder in (_one_word, _number, _json_keys):
        found = _unconditional(finder, sentences, policy)
        if found is not None:
            return found
    return None


# more sentences than this and the text is a policy: one of its instructions is not the answer
LONG_POLICY_SENTENCES = 20
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*(?:[-*\u2022]|\d+[.)])\s)")
# "if the question is ambiguous, answer in one sentence": a bound for some answers only
_CONDITION = re.compile(r"(?<!even )\b(?:if|when|whenever|unless|otherwise|in case|except)\b",
                        _FLAGS)
_ABOUT_REPLY = re.compile(r"\b(?:answer|respond|reply|response|output|return)s?\b", _FLAGS)
_PART_OF_REPLY = re.compile(r"\b(?:each|every|per)\b", _FLAGS)


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_BREAK.split(text) if s.strip()]


def _unconditional(finder: Callable[[str], Bounded | None], sentences: list[str],
                   about_reply: bool) -> Bounded | None:
    """The first bound stated in a sentence without a condition (and, when ``about_reply``,
    one that speaks of the whole answer rather than a part of it)."""
    for sentence in sentences:
        found = finder(sentence)
        if found is None or _CONDITION.search(sentence):
            continue
        if about_reply and (not _ABOUT_REPLY.search(sentence)
                            or _PART_OF_REPLY.search(sentence)):
            continue
        return found
    return None


def _prefill_and_stop(prefill: Prefill | None, params: dict[str, Value]) -> Bounded | None:
    """A prefill that opens a tag and a stop sequence that closes it: one short tagged value."""
    if prefill is None or prefill.text is None:
        return None
    opening = re.search(r"<(\w[\w-]*)>\s*$", text_of(prefill.text).static_text())
    stops = params.get("stop_sequences")
    listed = stops.as_list() if stops is not None else None
    if opening is None or listed is None:
        return None
    if any(item.known_str() == f"</{opening.group(1)}>" for item in listed.items):
        return Bounded(f"one <{opening.group(1)}> value closed by a stop sequence", 100)
    return None


_LABEL_LIST = re.compile(
    r"\b(?:classify|categori[sz]e|label|tag)\b[^.\n]{0,60}?"
    r"\b(?:as|into|one of|either|from)\b:?\s*"
    r"(?P<labels>[\"'`]?[\w-]+[\"'`]?(?:\s*(?:,|/|\|)\s*[\"'`]?[\w-]+[\"'`]?)*"
    r"\s*+,?+\s*+or\s*[\"'`]?[\w-]+[\"'`]?)", _FLAGS)


# "Answer ALLOW or BLOCK": without "as"/"with"/"one of", labels must look like labels
# (capitals or quoted), so "answer questions or requests" is not a label set
_BARE_LABELS = re.compile(
    r"\b(?i:answer|respond|reply|return|output)\b(?:\s++(?i:only|exactly|just|strictly|with))*+"
    r"\s*+:?+\s*+"
    r"(?P<labels>(?:[A-Z][A-Z_]+|[\"'`][\w -]+[\"'`])(?:\s*(?:,|/|\|)\s*(?:[A-Z][A-Z_]+|"
    r"[\"'`][\w -]+[\"'`]))*\s*+,?+\s*+or\s*(?:[A-Z][A-Z_]+|[\"'`][\w -]+[\"'`]))\b",
    re.DOTALL)


def _labels(text: str) -> Bounded | None:
    match = _LABEL_LIST.search(text) or _BARE_LABELS.search(text)
    if match is None:
        return None
    labels = [s.strip(" \"'`") for s in re.split(r",|/|\||\bor\b|\band\b", match.group("labels"))]
    labels = [label for label in labels if label]
    if not 2 <= len(labels) <= 12:
        return None
    longest = max(estimate(label) for label in labels)
    return Bounded(f"one label of {len(labels)}", longest + 4)


# fixed phrasings of a short answer: (pattern, what it asks for, tokens a full answer needs)
_PHRASES: dict[str, tuple[re.Pattern[str], Bounded]] = {
    "yes_no": (re.compile(
        r"\b(?:answer|respond|reply|say|output|return)\b(?:\s++(?:only|just|with|strictly|"
        r"exactly|either))*+\s*+:?+\s*+[\"'`]?(?:yes|true)[\"'`]?\s*+(?:or|/)\s*+[\"'`]?"
        r"(?:no|false)\b",
        _FLAGS), Bounded("yes/no", 5)),
    "one_word": (re.compile(r"\b(?:one|a single) word\b", _FLAGS), Bounded("one word", 5)),
    "number": (re.compile(
        r"\b(?:answer|respond|reply|return|output|give)\b(?:\s++(?:only|just|with|exactly|"
        r"back))*+\s++(?:a|one)\s++(?:single\s++)?+(?:number|integer|digit|score|rating|date|"
        r"percentage)\b", _FLAGS), Bounded("a number or date", 10)),
    "one_sentence": (re.compile(r"\b(?:in|with|using) (?:one|a single) (?:short )?sentence\b",
                                _FLAGS), Bounded("one sentence", 40)),
}


def _phrase(name: str) -> Callable[[str], Bounded | None]:
    pattern, bounded = _PHRASES[name]
    return lambda text: bounded if pattern.search(text) else None


_yes_no, _one_word = _phrase("yes_no"), _phrase("one_word")
_number, _one_sentence = _phrase("number"), _phrase("one_sentence")


def _n_words(text: str) -> Bounded | None:
    match = re.search(r"\b(?:under|fewer than|less than|at most|no more than|max(?:imum)?(?: of)?|"
                      r"in)\s+(\d{1,4})\s+words\b(?:\s+or\s+(?:less|fewer))?", text, _FLAGS)
    if match is None:
        return None
    words = int(match.group(1))
    return Bounded(f"under {words} words", int(words * 1.4) + 5)


def _json_keys(text: str) -> Bounded | None:
    match = re.search(r"\bJSON object with (?:the )?(?:keys?|fields?|properties)\b:?\s*"
                      r"(?P<keys>[\"'`]?\w+[\"'`]?(?:\s*(?:,|and)\s*[\"'`]?\w+[\"'`]?){0,9})",
                      text, _FLAGS)
    if match is None:
        return None
    keys = [k for k in re.split(r",|\band\b", match.group("keys"))
            if k.strip() and k.strip(" \"'`").lower() not in _NOT_KEYS]
    if len(keys) > 8:
        return None
    return Bounded(f"a JSON object with {len(keys)} keys", 10 + 15 * len(keys))


_NOT_KEYS = {"where", "which", "that", "with", "for", "each", "the", "and", "or"}


def _forced_tool(params: dict[str, Value]) -> Bounded | None:
    choice = params.get("tool_choice")
    tools = params.get("tools")
    config = choice.as_dict() if choice is not None else None
    if config is None or tools is None:
        return None
    kind = config.items.get("type")
    name = config.items.get("name")
    if kind is None or kind.known_str() != "tool" or name is None or name.known_str() is None:
        return None
    listed = tools.as_list()
    if listed is None:
        return None
    for item in listed.items:
        tool = to_python(item)
        if tool is UNKNOWN or not isinstance(tool, dict) or tool.get("name") != name.known_str():
            continue
        size = _schema_tokens(tool.get("input_schema"))
        if size is None or size > 200:
            return None
        return Bounded(f"forced tool {name.known_str()!r} with a small input schema", size)
    return None


def _schema_tokens(schema: object, depth: int = 0) -> int | None:
    """Tokens a tool input matching ``schema`` needs at most; None when unbounded."""
    if not isinstance(schema, dict) or depth > 4:
        return None
    kind = schema.get("type")
    if "enum" in schema and isinstance(schema["enum"], list) and schema["enum"]:
        return max(estimate(str(v)) for v in schema["enum"]) + 2
    if kind == "object":
        properties = schema.get("properties") or {}
        if not isinstance(properties, dict) or len(properties) > 12:
            return None
        total = 4
        for key, sub in properties.items():
            inner = _schema_tokens(sub, depth + 1)
            if inner is None:
                return None
            total += estimate(key) + 3 + inner
        return total
    if kind in ("integer", "number"):
        return 6
    if kind == "boolean":
        return 2
    if kind == "string":
        length = schema.get("maxLength")
        if isinstance(length, int) and length <= 400:
            return length // 3 + 2
        return 40 if "format" in schema else None
    return None


# ---- machine-readable output -------------------------------------------------------------------

@dataclass(frozen=True)
class Structured:
    kind: str  # "json" or "xml"
    opening: str  # the prefill that would start it: "{" or "<tag>"


# ("no" only right before JSON: "answer yes or no, as JSON" asks for JSON)
_NO_JSON = re.compile(r"\b(?:not|never|don't|avoid|without)\b[^.\n]{0,25}\bJSON\b|"
                      r"\bno\s+(?:[\w-]+\s+(?:or|and|nor)\s+)?JSON\b", _FLAGS)
# "the text is not valid JSON", "the log contains no JSON": a negation about the input
_ABOUT_INPUT = re.compile(r"\b(?:is|are|was|were|be|been|has|have|had|contains?|includes?)\s+$",
                          _FLAGS)
# a reasoning step in tags before the answer: the reply does not start with the JSON, so neither
# a prefill nor a JSON schema can be used
_THINK_FIRST = re.compile(r"<(?:thinking|think|reasoning|scratchpad|analysis|thoughts?)>", _FLAGS)
_JSON_DEMAND = re.compile(
    r"\b(?:only|just|valid|raw|strict)\s+JSON\b|\bJSON only\b|"
    r"\b(?:respond|reply|answer|output|return|format|produce|give|be|emit)\b"
    r"[^.\n]{0,40}\bJSON\b", _FLAGS)
_TAG_DEMAND = re.compile(r"\b(?:in|inside|within|between|wrap\w*(?: \w+){0,3} in)\s+<(\w[\w-]*)>"
                         r"(?:\s*(?:</\1>|tags?))", _FLAGS)


def demands_structure(prompt: Prompt) -> Structured | None:
    text = _ask_text(prompt)
    return _structure_of(text) if text is not None else None


@lru_cache(maxsize=1024)
def _structure_of(text: str) -> Structured | None:
    if any(not _ABOUT_INPUT.search(text[:m.start()]) for m in _NO_JSON.finditer(text)):
        return None
    if _THINK_FIRST.search(text):
        return None
    tag = _TAG_DEMAND.search(text)
    if _JSON_DEMAND.search(text):
        # JSON inside tags ("<result>{...}</result>"): the reply opens with the tag
        wrapper = tag or re.search(r"<(\w[\w-]*)>\s*[{\[]", text)
        if wrapper is not None:
            return Structured("json", f"<{wrapper.group(1)}>")
        opening = "[" if re.search(r"\bJSON (?:array|list)\b", text, _FLAGS) else "{"
        return Structured("json", opening)
    if tag is not None:
        # "put the JSON object inside <result></result> tags": JSON, opened by the tag
        kind = "json" if re.search(r"\bJSON\b", text, _FLAGS) else "xml"
        return Structured(kind, f"<{tag.group(1)}>")
    return None

"""Token counts: an offline estimate (default) and exact counts through the count_tokens API.

The offline estimator ("pieces-v1") splits text the way byte-pair tokenizers pre-tokenize it
(letter runs, digits, punctuation, whitespace runs) and charges each piece a cost fitted on the
calibration set in ``tests/data/token_calibration.json``. Models of the newer tokenizer
generation ("new" in the catalogue: Opus 4.7 and later, Sonnet 5+, Haiku 5.5, Fable, Mythos)
produce about 30% more tokens for the same text (Anthropic's token-counting and pricing pages),
so their estimate is scaled by NEW_TOKENIZER_FACTOR. Every number it gives is an estimate.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ESTIMATOR = "pieces-v1"
NEW_TOKENIZER_FACTOR = 1.30
# per-piece costs (fitted on the calibration set; see tests/test_tokens.py for the error)
WORD_CHARS_PER_TOKEN = 8.0  # a letter run costs 1 token per this many letters (at least 1)
NON_ASCII_LETTER_COST = 0.6  # per letter outside ASCII
DIGIT_COST = 1.0  # per digit
PUNCT_COST = 0.6  # per punctuation character
NEWLINE_COST = 0.5  # per run of line breaks
SPACES_PER_TOKEN = 4.0  # runs of 2+ spaces (indentation)
REQUEST_OVERHEAD = 5  # tokens the API adds around a request
MESSAGE_OVERHEAD = 3  # tokens per message (role markers)

# Prompt text: each pattern is one character class (or a literal) repeated, so every match
# reads each character once and a failed start costs one character: linear time.
_WORD = re.compile(r"[A-Za-z]+")
_LONG_WORD = re.compile(f"[A-Za-z]{{{int(WORD_CHARS_PER_TOKEN) + 1},}}")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z]+")
_DIGIT = re.compile(r"\d")
_NEWLINES = re.compile(r"[\r\n]+")
_SPACES = re.compile(r"[ \t]{2,}")
_OTHER_SPACE = re.compile(r"[^\S \t\r\n]")
_PUNCT = re.compile(r"[^\w\s]|_")


@lru_cache(maxsize=4096)
def estimate(text: str, tokenizer: str = "legacy") -> int:
    """Estimated tokens of ``text`` for a model of the given tokenizer generation.

    Each kind of piece is counted by one regular-expression pass (in C), so the cost is linear
    in the text with a small constant."""
    words = _WORD.findall(text)
    cost = float(len(words))
    cost += sum(math.ceil(len(w) / WORD_CHARS_PER_TOKEN) - 1 for w in _LONG_WORD.findall(text))
    cost += sum(max(1.0, len(run) * NON_ASCII_LETTER_COST) for run in _OTHER_LETTER.findall(text))
    cost += len(_DIGIT.findall(text)) * DIGIT_COST
    cost += len(_NEWLINES.findall(text)) * NEWLINE_COST
    cost += sum(len(run.expandtabs(4)) for run in _SPACES.findall(text)) / SPACES_PER_TOKEN
    cost += len(_OTHER_SPACE.findall(text))
    cost += len(_PUNCT.findall(text)) * PUNCT_COST
    if tokenizer == "new":
        cost *= NEW_TOKENIZER_FACTOR
    return int(round(cost))


def estimate_request(texts: list[str], messages: int, tokenizer: str) -> int:
    """Input tokens of a whole request: its texts plus the API's per-request overhead."""
    body = sum(estimate(t, tokenizer) for t in texts)
    return body + REQUEST_OVERHEAD + MESSAGE_OVERHEAD * messages


# ---- exact counts -----------------------------------------------------------------------------


class ExactCountError(Exception):
    """The count_tokens API could not give a count; the message is shown to the user."""


@dataclass
class ExactCounter:
    """Counts tokens with ``client.messages.count_tokens`` and caches results on disk.

    The text is sent as the system prompt of a one-message request; the same request without a
    system prompt is counted once per model and subtracted, so the result is the text's own
    tokens. The cache key is a hash of model + text: a second run makes no API calls.
    """

    cache_dir: Path
    client_factory: Callable[[], object] | None = None
    calls: int = 0

    def __post_init__(self) -> None:
        self._client: object | None = None
        self._memory: dict[str, int] = {}

    def _key(self, model: str, text: str) -> str:
        return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.cache_dir / "tokens" / key[:2] / f"{key}.json"

    def _cached(self, key: str) -> int | None:
        if key in self._memory:
            return self._memory[key]
        try:
            data = json.loads(self._path(key).read_text("utf-8"))
            value = data.get("input_tokens")
            # a cache entry is checked, never trusted: another key, a bool or a negative count
            # (a corrupt or hand-edited file) is ignored and the count fetched again
            if (type(value) is int and value >= 0  # noqa: E721 - bool is not a count
                    and data.get("key") == key):
                self._memory[key] = value
                return value
        except (OSError, ValueError, AttributeError):
            return None
        return None

    def _store(self, key: str, value: int) -> None:
        from promptlint.fsutil import atomic_write_text

        self._memory[key] = value
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, json.dumps({"key": key, "input_tokens": value}))
        except OSError:
            pass  # the cache is an optimisation; a read-only disk only costs calls

    def client(self) -> object:
        if self._client is None:
            if self.client_factory is not None:
                self._client = self.client_factory()
            else:
                from promptlint.anthropic_client import ClientSetupError, make_client

                try:
                    self._client = make_client("--exact")
                except ClientSetupError as exc:
                    raise ExactCountError(str(exc)) from None
        return self._client

    def _count(self, model: str, system: str | None) -> int:
        import anthropic

        from promptlint.anthropic_client import describe_api_error

        client = self.client()
        kwargs: dict[str, object] = {
            "model": model, "messages": [{"role": "user", "content": "."}],
        }
        if system is not None:
            kwargs["system"] = system
        try:
            self.calls += 1
            result = client.messages.count_tokens(**kwargs)  # type: ignore[attr-defined]
            return int(result.input_tokens)
        except anthropic.APIError as exc:
            described = describe_api_error(exc)
            if described is not None:
                raise ExactCountError(described) from None
            raise ExactCountError("the API answered with something that is not a token count"
                                  ) from None
        except (AttributeError, TypeError, ValueError) as exc:
            # Exception texts are not shown: they may quote a request header, the key included.
            # (UnicodeEncodeError, a ValueError: a key with bytes no HTTP header can carry.)
            if isinstance(exc, UnicodeError):
                raise ExactCountError("could not send the request: the API key or "
                                      "ANTHROPIC_BASE_URL holds characters HTTP cannot carry"
                                      ) from None
            raise ExactCountError("the API answered with something that is not a token count"
                                  ) from None

    def count(self, model: str, text: str) -> int:
        key = self._key(model, text)
        cached = self._cached(key)
        if cached is not None:
            return cached
        base_key = self._key(model, "\x00baseline")
        baseline = self._cached(base_key)
        if baseline is None:
            baseline = self._count(model, None)
            self._store(base_key, baseline)
        value = max(0, self._count(model, text) - baseline)
        self._store(key, value)
        return value

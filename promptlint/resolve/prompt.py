"""A request's prompt in the order the API caches it: tools -> system -> messages.

Each block is text made of static segments and dynamic holes, with its cache_control marker.
This is the one reading of cache markers: the API takes ``cache_control`` on a tool, a system
block and a content block of a message (not on a message itself; a block with content blocks
of its own, a ``tool_result``, counts theirs), and once at the top level of the request
(automatic caching: a breakpoint on the last block). A marker's ``"ttl": "1h"`` asks for an
hour instead of the default five minutes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

import libcst as cst

from promptlint.resolve.text import Segment, Text
from promptlint.resolve.values import (
    UNKNOWN,
    DictValue,
    ListValue,
    Value,
    _holds_varying,
    text_of,
)

Section = Literal["tools", "system", "messages"]
SECTIONS: tuple[Section, ...] = ("tools", "system", "messages")


@dataclass
class Block:
    section: Section
    text: Text
    node: cst.CSTNode  # the expression that holds this block
    cache_control: bool = False
    role: str | None = None
    message_index: int | None = None
    dict_node: cst.CSTNode | None = None  # the block's dict literal, when it is one
    one_hour: bool = False  # its marker asks for "ttl": "1h"


@dataclass
class Prompt:
    blocks: list[Block] = field(default_factory=list)
    top_level_cache: bool = False
    top_level_one_hour: bool = False

    @property
    def has_cache_marker(self) -> bool:
        return self.top_level_cache or any(b.cache_control for b in self.blocks)

    @property
    def markers(self) -> list[int]:
        """The indexes of the blocks with an explicit cache_control marker, in order."""
        return [i for i, b in enumerate(self.blocks) if b.cache_control]

    @property
    def breakpoints(self) -> int:
        """Cache breakpoints the request uses: its markers, and the top-level one."""
        return len(self.markers) + (1 if self.top_level_cache else 0)

    def one_hour_cache(self) -> bool:
        """Whether a marker of the request asks for the one-hour cache lifetime."""
        return self.top_level_one_hour or any(b.one_hour for b in self.blocks)

    def last_cached(self) -> int | None:
        """The index of the last block a breakpoint caches (through it), if any: the last
        block with top-level caching, else the last marked one."""
        if self.top_level_cache and self.blocks:
            return len(self.blocks) - 1
        markers = self.markers
        return markers[-1] if markers else None

    def static_prefix(self) -> tuple[str, list[Block]]:
        """The static text from the start up to the first hole, and the blocks it touches."""
        out: list[str] = []
        touched: list[Block] = []
        for block in self.blocks:
            touched.append(block)
            for segment in block.text.segments:
                if segment.is_hole:
                    return "".join(out), touched
                out.append(segment.text or "")
        return "".join(out), touched

    def prefix_through(self, index: int) -> Text:
        """Everything up to and including block ``index`` (what a marker there caches)."""
        return Text.of(*(b.text for b in self.blocks[: index + 1]))

    def section(self, name: Section) -> list[Block]:
        return [b for b in self.blocks if b.section == name]

    def holes(self) -> list[Segment]:
        return [s for b in self.blocks for s in b.text.segments if s.is_hole]


def build_prompt(params: dict[str, Value]) -> Prompt:
    prompt = Prompt()
    top = params.get("cache_control")
    prompt.top_level_cache = top is not None and top.py is not None
    prompt.top_level_one_hour = top is not None and _asks_an_hour(top)
    tools = params.get("tools")
    if tools is not None:
        _tools(prompt, tools)
    system = params.get("system")
    if system is not None:
        _system(prompt, system)
    messages = params.get("messages")
    if messages is not None:
        _messages(prompt, messages)
    return prompt


def _marker(block: DictValue) -> bool:
    return _marks(block)[0]


def _marks(block: DictValue) -> tuple[bool, bool]:
    """(the block has a marker, a marker asks for an hour): its own, and for a block with
    content blocks of its own (a tool_result), theirs."""
    marked, hour = _own_marker(block)
    content = block.items.get("content")
    inner = content.as_list() if content is not None else None
    for item in inner.items if inner is not None else ():
        nested = item.as_dict()
        if nested is not None:
            nested_marked, nested_hour = _own_marker(nested)
            marked, hour = marked or nested_marked, hour or nested_hour
    return marked, hour


def _own_marker(block: DictValue) -> tuple[bool, bool]:
    marker = block.items.get("cache_control")
    if marker is None or marker.py is None:
        return False, False
    return True, _asks_an_hour(marker)


def _asks_an_hour(marker: Value) -> bool:
    settings = marker.as_dict()
    ttl = settings.items.get("ttl") if settings is not None else None
    return ttl is not None and ttl.known_str() == "1h"


def _hour(block: DictValue | None) -> bool:
    return block is not None and _marks(block)[1]


def _tools(prompt: Prompt, value: Value) -> None:
    items = value.as_list()
    if items is None:
        prompt.blocks.append(Block("tools", Text.hole("tools", value.node, varies=value.varies),
                                   value.node))
        return
    for item in items.items:
        tool = item.as_dict()
        plain = to_python(item)
        if tool is None or plain is UNKNOWN:
            text = Text.hole("tool definition", item.node,
                             varies=item.varies or _holds_varying(item.py))
        else:
            plain = {k: v for k, v in plain.items() if k != "cache_control"}
            text = Text.of(json.dumps(plain, ensure_ascii=False))
        prompt.blocks.append(Block("tools", text, item.node,
                                   tool is not None and _marker(tool), dict_node=item.node,
                                   one_hour=_hour(tool)))
    if items.open:
        prompt.blocks.append(Block("tools", Text.hole("more tools", value.node), value.node))


def _system(prompt: Prompt, value: Value) -> None:
    blocks = value.as_list()
    if blocks is None:
        prompt.blocks.append(Block("system", text_of(value), value.node))
        return
    for item in blocks.items:
        block = item.as_dict()
        if block is None or "text" not in block.items:
            prompt.blocks.append(Block("system", Text.hole("system block", item.node), item.node,
                                       block is not None and _marker(block),
                                       one_hour=_hour(block)))
            continue
        prompt.blocks.append(Block("system", text_of(block.items["text"]), item.node,
                                   _marker(block), dict_node=item.node, one_hour=_hour(block)))
    if blocks.open:
        prompt.blocks.append(Block("system", Text.hole("more system blocks", value.node),
                                   value.node))


def _messages(prompt: Prompt, value: Value) -> None:
    messages = value.as_list()
    if messages is None:
        prompt.blocks.append(Block("messages", Text.hole("messages", value.node), value.node))
        return
    for index, item in enumerate(messages.items):
        message = item.as_dict()
        if message is None or "content" not in message.items:
            prompt.blocks.append(Block("messages", Text.hole("message", item.node), item.node,
                                       message_index=index))
            continue
        role_value = message.items.get("role")
        role = role_value.known_str() if role_value is not None else None
        content = message.items["content"]
        blocks = content.as_list()
        if blocks is None:
            prompt.blocks.append(Block("messages", text_of(content),
                                       content.node, role=role, message_index=index))
            continue
        for part in blocks.items:
            block = part.as_dict()
            kind = block.items.get("type") if block is not None else None
            if block is None or kind is None or kind.known_str() != "text" or (
                    "text" not in block.items):
                described = kind.known_str() if kind is not None else None
                prompt.blocks.append(Block("messages", Text.hole(f"{described or 'content'} block",
                                                                 part.node),
                                           part.node, block is not None and _marker(block),
                                           role, index, one_hour=_hour(block)))
                continue
            prompt.blocks.append(Block("messages", text_of(block.items["text"]), part.node,
                                       _marker(block), role, index, dict_node=part.node,
                                       one_hour=_hour(block)))
        if blocks.open:
            prompt.blocks.append(Block("messages", Text.hole("more content", content.node),
                                       content.node, role=role, message_index=index))
    if messages.open:
        prompt.blocks.append(Block("messages", Text.hole("more messages", value.node),
                                   value.node))


def to_python(value: Value) -> Any:
    """The plain Python value when fully known, else UNKNOWN."""
    py = value.py
    if isinstance(py, DictValue):
        if py.open:
            return UNKNOWN
        out = {}
        for key, item in py.items.items():
            inner = to_python(item)
            if inner is UNKNOWN:
                return UNKNOWN
            out[key] = inner
        return out
    if isinstance(py, ListValue):
        if py.open:
            return UNKNOWN
        items = [to_python(i) for i in py.items]
        return UNKNOWN if any(i is UNKNOWN for i in items) else items
    if isinstance(py, (str, int, float, bool)) or py is None:
        return py
    return UNKNOWN

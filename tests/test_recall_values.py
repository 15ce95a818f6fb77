"""Values: the binding that reaches the request, defaults, lookups, mutations and helpers.

Each test writes code the way applications do and checks what a user sees: a finding where the
value is provably the problem, silence where it is not provable.
"""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

from tests.test_recall_receivers import found, write

RETIRED = "claude-3-haiku-20240307"  # retired 2026-04-20
RETIRED_2 = "claude-3-5-sonnet-20241022"  # retired 2025-10-28
CURRENT = "claude-sonnet-4-6"
MSG = "[{'role': 'user', 'content': 'Sort these numbers.'}]"


def one(tmp_path: Path, code: str, name: str = "mod.py") -> list[tuple[int, str]]:
    return [(line, rule) for _, line, rule in found(tmp_path, {name: code})]


def lint_messages(tmp_path: Path, code: str) -> list[str]:
    from promptlint.config import Config
    from promptlint.discovery import discover
    from promptlint.run import check_candidates

    write(tmp_path, {"mod.py": code})
    config = Config(select=("ALL",), root=tmp_path)
    out = []
    for result in check_candidates(discover([tmp_path], config), config):
        for finding in result.findings:
            out.append(finding.message + " | " + " | ".join(r.message for r in finding.related))
    return out


# ---- flow: the binding that reaches the request ------------------------------------------
def test_the_binding_before_the_request_counts_not_a_later_one(tmp_path: Path) -> None:
    code = f"""\
        import anthropic
        client = anthropic.Anthropic()
        model = "{RETIRED}"
        client.messages.create(model=model, max_tokens=100, messages={MSG})
        model = "{CURRENT}"
        client.messages.create(model=model, max_tokens=100, messages={MSG})
        """
    assert one(tmp_path, code) == [(4, "PRL202")]


def test_branches_all_retired_report_one_of_them_silent(tmp_path: Path) -> None:
    code = f"""\
        import os
        import anthropic
        client = anthropic.AsyncAnthropic()


        async def go(fast: bool):
            if fast:
                name = "{RETIRED}"
            else:
                name = "{RETIRED}"
            await client.messages.create(model=name, max_tokens=100, messages={MSG})
            if os.environ.get("NEW"):
                other = "{CURRENT}"
            else:
                other = "{RETIRED}"
            await client.messages.create(model=other, max_tokens=100, messages={MSG})
        """
    assert one(tmp_path, code) == [(11, "PRL202")]


def test_a_rebinding_in_a_loop_reaches_the_request_at_the_top(tmp_path: Path) -> None:
    code = f"""\
        import anthropic
        client = anthropic.Anthropic()
        model = "{RETIRED}"
        for _ in range(3):
            client.messages.create(model=model, max_tokens=100, messages={MSG})
            model = "{CURRENT}"
        """
    assert one(tmp_path, code) == []


def test_a_global_read_from_a_function_sees_every_binding(tmp_path: Path) -> None:
    code = f"""\
        import anthropic
        client = anthropic.Anthropic()
        MODEL = "{RETIRED}"


        def ask():
            return client.messages.create(model=MODEL, max_tokens=100, messages={MSG})


        MODEL = "{CURRENT}"
        """
    assert one(tmp_path, code) == []


def test_notebook_cells_in_order(tmp_path: Path) -> None:
    cells = [
        "import anthropic\nclient = anthropic.Anthropic()\n"
        f"choice = '{RETIRED_2}'",
        f"client.messages.create(model=choice, max_tokens=100, messages={MSG})",
        f"choice = '{CURRENT}'\n"
        f"client.messages.create(model=choice, max_tokens=100, messages={MSG})",
    ]
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": cell} for cell in cells]}
    result = found(tmp_path, {"nb.ipynb": json.dumps(notebook)})
    assert [rule for _, _, rule in result] == ["PRL202"]


def test_notebook_shell_line_alone_in_a_block(tmp_path: Path) -> None:
    cells = ["import sys\nfor pkg in ['a']:\n    !pip install {pkg}\n",
             "import anthropic\n"
             f"anthropic.Anthropic().messages.create(model='{RETIRED}', max_tokens=50, "
             f"messages={MSG})"]
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": cell} for cell in cells]}
    assert [rule for _, _, rule in found(tmp_path, {"nb.ipynb": json.dumps(notebook)})] == [
        "PRL202"]


# ---- defaults --------------------------------------------------------------------------------
def test_own_parameter_default_with_and_without_callers(tmp_path: Path) -> None:
    code = f"""\
        from anthropic import Anthropic


        def summarise(text, engine="{RETIRED}", *, limit=300):
            return Anthropic().messages.create(model=engine, max_tokens=limit, messages={MSG})


        def caller_keeps_default():
            return summarise("x")
        """
    messages = lint_messages(tmp_path, code)
    retired = [m for m in messages if "retired" in m]
    assert len(retired) == 1  # once, at the request: not again at the call that relies on it
    assert "the default of parameter 'engine'" in retired[0]


def test_a_parameter_without_default_stays_silent(tmp_path: Path) -> None:
    code = f"""\
        import anthropic
        def go(engine):
            return anthropic.Anthropic().messages.create(model=engine, max_tokens=9,
                                                         messages={MSG})
        """
    assert one(tmp_path, code) == []


def test_environment_defaults_say_they_are_defaults(tmp_path: Path) -> None:
    code = f"""\
        import os
        from os import environ, getenv
        import anthropic
        a = getenv("PRIMARY", default="{RETIRED}")
        b = environ.get("SECONDARY") or "{RETIRED_2}"
        c = os.environ.get("NO_DEFAULT")
        client = anthropic.Anthropic()
        client.messages.create(model=a, max_tokens=50, messages={MSG})
        client.messages.create(model=b, max_tokens=50, messages={MSG})
        client.messages.create(model=c, max_tokens=50, messages={MSG})
        client.messages.create(model=os.environ["SET"], max_tokens=50, messages={MSG})
        """
    messages = lint_messages(tmp_path, code)
    assert len(messages) == 2
    assert "the default used when PRIMARY is unset" in messages[0]
    assert "the default used when SECONDARY is unset" in messages[1]


def test_dataclass_pydantic_and_bare_annotations_through_self(tmp_path: Path) -> None:
    code = f"""\
        from dataclasses import dataclass, field
        import anthropic
        from pydantic import BaseModel, Field


        @dataclass
        class Config:
            model: str = field(default="{RETIRED}")
            tokens: int = 200

            def run(self):
                return anthropic.Anthropic().messages.create(
                    model=self.model, max_tokens=self.tokens, messages={MSG})


        class Settings(BaseModel):
            model: str = Field("{RETIRED_2}", description="which model")

            def run(self):
                return anthropic.Anthropic().messages.create(
                    model=self.model, max_tokens=100, messages={MSG})


        class Reader:
            model: str
            client: anthropic.Anthropic

            def __init__(self, fast: bool):
                self.model = "{RETIRED}"

            def run(self):
                return self.client.messages.create(model=self.model, max_tokens=9,
                                                   messages={MSG})


        class Mixed:
            def __init__(self):
                self.model = "{RETIRED}"

            def upgrade(self):
                self.model = "{CURRENT}"

            def run(self):
                return anthropic.Anthropic().messages.create(model=self.model, max_tokens=9,
                                                             messages={MSG})
        """
    assert [rule for _, rule in one(tmp_path, code)] == ["PRL202"] * 3


def test_class_constants_in_other_modules_and_base_classes(tmp_path: Path) -> None:
    files = {
        "conf/__init__.py": "",
        "conf/models.py": f"""\
            class Models:
                FAST = "{RETIRED}"
                SMART = "{CURRENT}"


            class BaseBot:
                model = "{RETIRED_2}"
            """,
        "bots.py": f"""\
            import anthropic
            from conf import models
            from conf.models import BaseBot, Models


            class Bot(BaseBot):
                def go(self):
                    return anthropic.Anthropic().messages.create(
                        model=self.model, max_tokens=9, messages={MSG})


            anthropic.Anthropic().messages.create(model=Models.FAST, max_tokens=9, messages={MSG})
            anthropic.Anthropic().messages.create(model=models.Models.SMART, max_tokens=9,
                                                  messages={MSG})
            """,
    }
    assert found(tmp_path, files) == [("bots.py", 9, "PRL202"), ("bots.py", 12, "PRL202")]


# ---- dicts -----------------------------------------------------------------------------------
def test_dict_lookups_with_constant_and_enum_keys(tmp_path: Path) -> None:
    code = f"""\
        import enum
        import anthropic
        class Size(str, enum.Enum):
            SMALL = "small"
            LARGE = "large"
        KEY = "cheap"
        TABLE = {{KEY: "{RETIRED}", "good": "{CURRENT}"}}
        BY_SIZE = {{Size.SMALL: "{RETIRED_2}", Size.LARGE: "{CURRENT}"}}
        CHOICES = ["{RETIRED}", "{CURRENT}"]
        c = anthropic.Anthropic()
        c.messages.create(model=TABLE["cheap"], max_tokens=9, messages={MSG})
        c.messages.create(model=TABLE[KEY], max_tokens=9, messages={MSG})
        c.messages.create(model=BY_SIZE[Size.SMALL], max_tokens=9, messages={MSG})
        c.messages.create(model=CHOICES[0], max_tokens=9, messages={MSG})
        c.messages.create(model=TABLE["good"], max_tokens=9, messages={MSG})
        c.messages.create(model=BY_SIZE[Size.LARGE], max_tokens=9, messages={MSG})
        c.messages.create(model=TABLE.get("missing", "{RETIRED}"), max_tokens=9, messages={MSG})
        """
    assert one(tmp_path, code) == [(11, "PRL202"), (12, "PRL202"), (13, "PRL202"),
                                   (14, "PRL202")]


def test_dict_mutation_before_the_splat(tmp_path: Path) -> None:
    code = f"""\
        import anthropic
        client = anthropic.Anthropic()


        def deleted():
            opts = {{"model": "{CURRENT}", "max_tokens": 64}}
            opts.pop("max_tokens")
            return client.messages.create(messages={MSG}, **opts)


        def set_later():
            opts = {{"max_tokens": 64}}
            opts["model"] = "{RETIRED}"
            return client.messages.create(messages={MSG}, **opts)


        def maybe_deleted(flag):
            opts = {{"model": "{CURRENT}", "max_tokens": 64}}
            if flag:
                del opts["max_tokens"]
            return client.messages.create(messages={MSG}, **opts)


        def default_kept():
            opts = {{"model": "{CURRENT}", "max_tokens": 64}}
            opts.setdefault("model", "{RETIRED}")
            return client.messages.create(messages={MSG}, **opts)


        def deleted_after():
            opts = {{"model": "{CURRENT}", "max_tokens": 64}}
            reply = client.messages.create(messages={MSG}, **opts)
            del opts["max_tokens"]
            return reply
        """
    assert one(tmp_path, code) == [(8, "PRL101"), (14, "PRL202")]


def test_typeddict_constructors_are_dicts(tmp_path: Path) -> None:
    code = f"""\
        import time
        import anthropic
        from anthropic.types import MessageParam, TextBlockParam
        from typing import TypedDict


        class Options(TypedDict):
            model: str
            max_tokens: int


        note = TextBlockParam(type="text", text=f"Now: {{time.time()}}",
                              cache_control={{"type": "ephemeral"}})
        question = MessageParam(role="user", content="Sort these numbers.")
        options = Options(model="{RETIRED}", max_tokens=100)
        current = Options(model="{CURRENT}", max_tokens=100)
        anthropic.Anthropic().messages.create(messages=[question], **options)
        anthropic.Anthropic().messages.create(system=[note], messages=[question], **current)
        """
    assert one(tmp_path, code) == [(17, "PRL202"), (18, "PRL503")]


def test_typing_cast(tmp_path: Path) -> None:
    code = f"""\
        from typing import cast
        import anthropic
        anthropic.Anthropic().messages.create(model=cast(str, "{RETIRED}"), max_tokens=9,
                                              messages={MSG})
        """
    assert one(tmp_path, code) == [(3, "PRL202")]


# ---- helpers ---------------------------------------------------------------------------------
def test_helpers_and_methods_with_arguments(tmp_path: Path) -> None:
    files = {
        "prompts.py": f"""\
            def pick(tier, fallback="{RETIRED}"):
                if tier == "big":
                    return fallback
                return fallback
            """,
        "agent.py": f"""\
            import anthropic
            from prompts import pick

            client = anthropic.Anthropic()


            class Agent:
                def params(self, limit):
                    return {{"model": "{RETIRED_2}", "max_tokens": limit}}

                @staticmethod
                def chosen(name):
                    return name

                def run(self):
                    return client.messages.create(messages={MSG}, **self.params(100))

                def run_static(self):
                    return client.messages.create(model=self.chosen("{RETIRED}"),
                                                  max_tokens=9, messages={MSG})


            client.messages.create(model=pick("small"), max_tokens=9, messages={MSG})
            client.messages.create(model=pick("big", "{CURRENT}"), max_tokens=9, messages={MSG})
            """,
    }
    assert found(tmp_path, files) == [("agent.py", 16, "PRL202"), ("agent.py", 19, "PRL202"),
                                      ("agent.py", 23, "PRL202")]


def test_recursive_and_deep_helpers_are_bounded(tmp_path: Path) -> None:
    chain = "\n".join(f"def h{i}(x):\n    return h{i + 1}(x)\n" for i in range(60))
    code = f"""\
import anthropic
{chain}
def h60(x):
    return x
def loop(x):
    return loop(x)
def ping(x):
    return pong(x)
def pong(x):
    return ping(x)
c = anthropic.Anthropic()
c.messages.create(model=h0("{RETIRED}"), max_tokens=9, messages={MSG})
c.messages.create(model=loop("{RETIRED}"), max_tokens=9, messages={MSG})
c.messages.create(model=ping("{RETIRED}"), max_tokens=9, messages={MSG})
c.messages.create(model=h57("{RETIRED}"), max_tokens=9, messages={MSG})
"""
    start = time.monotonic()
    assert [rule for _, rule in one(tmp_path, code)] == ["PRL202"]  # h57: three steps deep
    assert time.monotonic() - start < 30


def test_huge_dict_literal_and_many_rebindings_stay_bounded(tmp_path: Path) -> None:
    items = ", ".join(f'"k{i}": "v{i}"' for i in range(20_000))
    rebinds = "\n".join(f'MODEL = "{RETIRED}"' for _ in range(500))
    code = f"""\
import anthropic
TABLE = {{{items}, "pick": "{RETIRED}"}}
{rebinds}
c = anthropic.Anthropic()
c.messages.create(model=TABLE["pick"], max_tokens=9, messages={MSG})
def f():
    return c.messages.create(model=MODEL, max_tokens=9, messages={MSG})
"""
    start = time.monotonic()
    assert one(tmp_path, code) == [(504, "PRL202")]  # MODEL: 500 bindings, unknown
    assert time.monotonic() - start < 30


def test_batch_requests_from_a_variable(tmp_path: Path) -> None:
    code = f"""\
        import anthropic
        client = anthropic.Anthropic()
        questions = ["a", "b"]
        built = [{{"custom_id": q, "params": {{"model": "{RETIRED}", "max_tokens": 50,
                  "messages": [{{"role": "user", "content": q}}]}}}} for q in questions]
        client.messages.batches.create(requests=built)

        appended = []
        for q in questions:
            appended.append({{"custom_id": q, "params": {{"model": "{RETIRED_2}",
                             "max_tokens": 50, "messages": [{{"role": "user", "content": q}}]}}}})
        client.messages.batches.create(requests=appended)


        def entry(q):
            return {{"custom_id": q, "params": {{"model": "{RETIRED}", "max_tokens": 50,
                    "messages": [{{"role": "user", "content": q}}]}}}}


        client.messages.batches.create(requests=[entry(q) for q in questions])
        """
    assert one(tmp_path, textwrap.dedent(code)) == [(4, "PRL202"), (10, "PRL202"),
                                                    (16, "PRL202")]


def test_wrapper_that_builds_a_dict_from_its_parameters(tmp_path: Path) -> None:
    files = {
        "llm.py": f"""\
            import anthropic
            client = anthropic.Anthropic()


            def complete(text, model="{CURRENT}", budget=1024):
                request = {{"model": model, "messages": [{{"role": "user", "content": text}}]}}
                request["max_tokens"] = budget
                return client.messages.create(**request).content[0].text
            """,
        "use.py": f"""\
            from llm import complete
            complete("hello", model="{RETIRED}")
            complete("hello")
            """,
    }
    assert found(tmp_path, files) == [("use.py", 2, "PRL202")]


def test_a_text_parameter_default_is_still_per_call_text(tmp_path: Path) -> None:
    """The default of a text parameter is what one caller may send; as prompt text it stays a
    value that changes per request (here: before cached static text)."""
    guide = "Follow the house style guide. " * 400
    code = f"""\
        import anthropic
        GUIDE = {guide!r}


        def answer(question, persona="a helpful clerk"):
            return anthropic.Anthropic().messages.create(
                model="{CURRENT}", max_tokens=300,
                system=[{{"type": "text", "text": f"You are {{persona}}. " + GUIDE,
                         "cache_control": {{"type": "ephemeral"}}}}],
                messages=[{{"role": "user", "content": question}}])
        """
    with_default = one(tmp_path / "a", code)
    without = one(tmp_path / "b", code.replace('persona="a helpful clerk"', "persona"))
    assert with_default == without and {rule for _, rule in without} == {"PRL503"}


def test_different_values_on_each_path_all_with_the_problem(tmp_path: Path) -> None:
    code = f"""\
        import sys
        import anthropic
        client = anthropic.Anthropic()
        match sys.argv[1:]:
            case ["fast"]:
                chosen = "{RETIRED}"
            case _:
                chosen = "{RETIRED_2}"
        client.messages.create(model=chosen, max_tokens=100, messages={MSG})
        try:
            mixed = "{RETIRED}"
        except ImportError:
            mixed = "{CURRENT}"
        client.messages.create(model=mixed, max_tokens=100, messages={MSG})
        """
    messages = lint_messages(tmp_path, code)
    assert len(messages) == 1
    assert f"model is one of '{RETIRED}', '{RETIRED_2}' here" in messages[0]


def test_cyclic_imports_and_class_hierarchies_end(tmp_path: Path) -> None:
    files = {
        "one.py": "from two import MODEL, Two\nclass One(Two):\n    pass\n",
        "two.py": "from one import MODEL, One\nclass Two(One):\n    pass\n",
        "use.py": f"""\
            import anthropic
            from one import MODEL, One


            class Three(One):
                def go(self):
                    return anthropic.Anthropic().messages.create(
                        model=self.model, max_tokens=9, messages={MSG})


            anthropic.Anthropic().messages.create(model=MODEL, max_tokens=9, messages={MSG})
            anthropic.Anthropic().messages.create(model=One.name, max_tokens=9, messages={MSG})
            """,
    }
    start = time.monotonic()
    assert found(tmp_path, files) == []
    assert time.monotonic() - start < 30


def test_a_constructor_parameter_default_read_through_self_stays_silent(tmp_path: Path) -> None:
    """``self.model = model`` holds what the constructor's callers pass, not the default."""
    code = f"""\
        import anthropic


        class Chat:
            def __init__(self, model="{RETIRED}"):
                self.model = model
                self.client = anthropic.Anthropic()

            def ask(self, text):
                return self.client.messages.create(model=self.model, max_tokens=9,
                                                   messages=[{{"role": "user", "content": text}}])


        Chat(model="{CURRENT}").ask("hi")
        """
    assert one(tmp_path, code) == []


def test_conditional_expressions(tmp_path: Path) -> None:
    code = f"""\
        import anthropic
        DEBUG = False


        def go(cheap: bool):
            client = anthropic.Anthropic()
            client.messages.create(model="{RETIRED}" if cheap else "{RETIRED_2}",
                                   max_tokens=9, messages={MSG})
            client.messages.create(model="{RETIRED}" if cheap else "{CURRENT}",
                                   max_tokens=9, messages={MSG})
            client.messages.create(model="{CURRENT}" if DEBUG else "{RETIRED}",
                                   max_tokens=9, messages={MSG})
        """
    assert one(tmp_path, code) == [(7, "PRL202"), (11, "PRL202")]


def test_a_function_that_rebinds_a_global(tmp_path: Path) -> None:
    code = f"""\
        import anthropic
        client = anthropic.Anthropic()
        MODEL = "{RETIRED}"
        READ = "{RETIRED}"


        def switch():
            global MODEL
            MODEL = "{CURRENT}"


        def only_reads():
            global READ
            print(READ)


        client.messages.create(model=MODEL, max_tokens=9, messages={MSG})
        client.messages.create(model=READ, max_tokens=9, messages={MSG})
        """
    assert one(tmp_path, code) == [(18, "PRL202")]


def test_tokens_lists_requests_made_through_wrappers_at_the_caller(tmp_path: Path) -> None:
    from tests.helpers import run_cli

    write(tmp_path, {
        "llm.py": f"""\
            import anthropic
            client = anthropic.Anthropic()


            def ask(question, model="{CURRENT}"):
                return client.messages.create(model=model, max_tokens=300,
                                              messages=[{{"role": "user", "content": question}}])
            """,
        "views.py": """\
            from llm import ask


            def first():
                return ask("What is the capital of France?", model="claude-opus-4-7")
            """,
    })
    proc = run_cli("tokens", "--output-format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = {(row["path"], row["line"]): row for row in json.loads(proc.stdout)}
    assert set(rows) == {("llm.py", 6), ("views.py", 5)}
    at_caller = rows[("views.py", 5)]
    assert at_caller["model"] == "claude-opus-4-7" and "through ask()" in at_caller["note"]
    assert rows[("llm.py", 6)]["model"] == CURRENT  # the wrapper's own default


def test_a_none_parameter_with_a_fallback(tmp_path: Path) -> None:
    code = f"""\
        import anthropic
        DEFAULT_MODEL = "{RETIRED}"


        def ask(question, model=None):
            model = model or DEFAULT_MODEL
            return anthropic.Anthropic().messages.create(
                model=model, max_tokens=9, messages=[{{"role": "user", "content": question}}])


        def caller():
            return ask("hi", model="{CURRENT}")
        """
    messages = lint_messages(tmp_path, code)
    assert len(messages) == 1  # at the wrapper's request, where the fallback is used
    assert "the default used when no value is passed for 'model'" in messages[0]


def test_a_value_computed_at_import_is_per_request_only_for_a_script(tmp_path: Path) -> None:
    """A clock read at import is fixed for a server's life (its requests share the cached
    prefix) but not for a script that makes its one request at the top level: every run reads
    the clock again."""
    block = ('from datetime import date\nimport anthropic\n'
             'SYSTEM = [{"type": "text", "text": f"Today is {date.today()}. Sort the tickets.",'
             ' "cache_control": {"type": "ephemeral"}}]\n')
    call = (f'anthropic.Anthropic().messages.create(model="{CURRENT}", max_tokens=64, '
            f'system=SYSTEM, messages={MSG})\n')
    (tmp_path / "script").mkdir()
    (tmp_path / "server").mkdir()
    assert [rule for _, rule in one(tmp_path / "script", block + call)] == ["PRL503"]
    server = block + "def handle():\n    return " + call
    assert one(tmp_path / "server", server) == []

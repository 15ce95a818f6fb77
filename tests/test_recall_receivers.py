"""Receivers: every value whose type is provably an Anthropic client, wherever it was made.

A client made once in a project module and imported by name, the SDK's class aliases, factories
and methods that return a client, attributes set in ``__init__`` (also by a base class in another
module), pytest fixtures from ``conftest.py`` and ``with_options`` copies. A module that gets its
client this way is checked even when it never spells ``anthropic``; receivers of another shape
stay silent.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from promptlint.config import Config
from promptlint.discovery import discover
from promptlint.prefilter import may_contain_request
from promptlint.run import check_candidates

RETIRED = "claude-3-haiku-20240307"  # retired 2026-04-20
CURRENT = "claude-sonnet-4-6"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def found(root: Path, files: dict[str, str]) -> list[tuple[str, int, str]]:
    """(file, line, code) of every finding of ``check`` on the project."""
    write(root, files)
    config = Config(select=("ALL",), root=root)
    results = check_candidates(discover([root], config), config)
    out = []
    for result in results:
        assert result.problem is None, result.problem
        for finding in result.findings:
            out.append((Path(finding.path).relative_to(root).as_posix(), finding.line,
                        finding.code))
    return sorted(out)


def request(receiver: str, model: str = RETIRED, awaited: bool = False) -> str:
    call = (f"{receiver}.messages.create(model={model!r}, max_tokens=300, "
            "messages=[{'role': 'user', 'content': 'Name three rivers.'}])")
    return ("await " if awaited else "") + call


@pytest.mark.parametrize("spelling", [
    "from .llm import client as claude",
    "from app.llm import client as claude",
    "from . import llm\nclaude = llm.client",
    "import app.llm as llm\nclaude = llm.client",
])
def test_a_client_imported_from_a_project_module(tmp_path: Path, spelling: str) -> None:
    files = {
        "app/__init__.py": "",
        "app/llm.py": "import anthropic\nclient = anthropic.Anthropic(max_retries=2)\n",
        "app/routes.py": f"{spelling}\n\ndef summary():\n    return {request('claude')}\n",
    }
    routes = files["app/routes.py"]
    assert "anthropic" not in routes
    assert may_contain_request(routes.encode())  # the prefilter keeps it
    assert found(tmp_path, files) == [("app/routes.py", 4 + spelling.count("\n"), "PRL202")]


def test_an_async_client_imported_into_a_service_module(tmp_path: Path) -> None:
    files = {
        "service/__init__.py": "",
        "service/clients.py": """\
            from anthropic import AsyncAnthropic
            claude = AsyncAnthropic()
            """,
        "service/handlers.py": f"""\
            from service.clients import claude


            async def reply(text: str):
                message = {request('claude', awaited=True)}
                return message.content[0].text
            """,
    }
    assert found(tmp_path, files) == [("service/handlers.py", 5, "PRL202")]


@pytest.mark.parametrize("construct", [
    "import anthropic\nbot = anthropic.Client()",
    "import anthropic\nbot = anthropic.AsyncClient()",
    "from anthropic import Client as Maker\nbot = Maker()",
    "import anthropic as ai\nbot = ai.Client().with_options(timeout=30)",
])
def test_client_class_aliases(tmp_path: Path, construct: str) -> None:
    files = {"alias.py": f"{construct}\n{request('bot')}\n"}
    assert found(tmp_path, files) == [("alias.py", 3, "PRL202")]


def test_factories_in_this_module_and_another(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/factory.py": """\
            import functools
            import os

            import anthropic


            @functools.lru_cache(maxsize=1)
            def make_claude():
                return anthropic.Anthropic(api_key=os.environ["KEY"])


            def typed_claude() -> "anthropic.Anthropic":
                return build_somehow()
            """,
        "pkg/jobs.py": f"""\
            from pkg.factory import make_claude, typed_claude


            def nightly():
                {request('make_claude()')}


            def hourly():
                handle = typed_claude()
                {request('handle')}
            """,
    }
    assert found(tmp_path, files) == [("pkg/jobs.py", 5, "PRL202"), ("pkg/jobs.py", 10, "PRL202")]


def test_methods_and_attributes_set_in_init(tmp_path: Path) -> None:
    files = {
        "lib/__init__.py": "",
        "lib/base.py": """\
            import anthropic


            class Agent:
                def __init__(self):
                    self.llm = anthropic.AsyncAnthropic()

                def fresh(self):
                    return anthropic.Anthropic()

                @property
                def sync(self):
                    return anthropic.Anthropic()
            """,
        "lib/agents.py": f"""\
            from lib.base import Agent


            class Planner(Agent):
                async def plan(self):
                    return {request('self.llm', awaited=True)}

                def again(self):
                    return {request('self.fresh()')}

                def through_property(self):
                    return {request('self.sync')}
            """,
    }
    assert found(tmp_path, files) == [("lib/agents.py", 6, "PRL202"),
                                      ("lib/agents.py", 9, "PRL202"),
                                      ("lib/agents.py", 12, "PRL202")]


def test_pytest_fixtures_from_conftest(tmp_path: Path) -> None:
    files = {
        "tests/conftest.py": """\
            import pytest
            from anthropic import Anthropic


            @pytest.fixture
            def claude():
                client = Anthropic()
                yield client
                client.close()


            @pytest.fixture(name="bedrock")
            def _bedrock_client():
                import anthropic
                return anthropic.AnthropicBedrock()
            """,
        "tests/unit/test_calls.py": f"""\
            def test_one(claude):
                assert {request('claude')}


            class TestMore:
                def test_two(self, bedrock):
                    assert {request('bedrock')}
            """,
    }
    assert found(tmp_path, files) == [("tests/unit/test_calls.py", 2, "PRL202"),
                                      ("tests/unit/test_calls.py", 7, "PRL202")]


def test_unknown_or_foreign_receivers_stay_silent(tmp_path: Path) -> None:
    files = {
        "proj/__init__.py": "",
        "proj/other.py": """\
            import ollama
            import openai
            local = ollama.Client()
            oa = openai.OpenAI()
            """,
        "proj/use.py": f"""\
            from proj.other import local, oa
            from proj.missing import who_knows


            def a():
                return {request('local')}


            def b():
                return oa.beta.threads.messages.create(thread_id="t", role="user", content="x")


            def c():
                return {request('who_knows')}


            def test_d(claude):  # a fixture no conftest defines
                return {request('claude')}
            """,
    }
    assert found(tmp_path, files) == []


def test_a_fixture_that_returns_something_else_stays_silent(tmp_path: Path) -> None:
    files = {
        "conftest.py": """\
            import pytest
            from unittest import mock


            @pytest.fixture
            def claude():
                return mock.MagicMock()
            """,
        "test_mocked.py": f"def test_it(claude):\n    {request('claude')}\n",
    }
    assert found(tmp_path, files) == []


def test_cyclic_imports_of_clients_end(tmp_path: Path) -> None:
    files = {
        "loop/__init__.py": "",
        "loop/a.py": "from loop.b import client\n",
        "loop/b.py": "from loop.a import client\n",
        "loop/use.py": f"from loop.a import client\n{request('client')}\n",
    }
    assert found(tmp_path, files) == []


def test_wrapper_methods_configured_through_the_constructor(tmp_path: Path) -> None:
    """``__init__`` stores a parameter on ``self`` and a method sends it: the request as made
    from each instance is judged at the constructor's arguments."""
    files = {
        "kit/__init__.py": "",
        "kit/chat.py": """\
            import anthropic


            class Chat:
                def __init__(self, model, budget=200):
                    self.model = model
                    self.budget = budget
                    self.client = anthropic.Anthropic()

                def ask(self, text):
                    return self.client.messages.create(
                        model=self.model, max_tokens=self.budget,
                        messages=[{"role": "user", "content": text}])
            """,
        "kit/app.py": f"""\
            from kit.chat import Chat

            old = Chat("{RETIRED}")
            new = Chat(model="{CURRENT}")


            def run(text):
                old.ask(text)
                new.ask(text)
                return Chat(model="{RETIRED}", budget=50).ask(text)
            """,
    }
    assert found(tmp_path, files) == [("kit/app.py", 3, "PRL202"), ("kit/app.py", 10, "PRL202")]


def test_an_optional_client_with_a_fallback(tmp_path: Path) -> None:
    files = {"svc.py": f"""\
        import anthropic


        class Service:
            def __init__(self, client=None):
                self.client = client or anthropic.AsyncAnthropic()

            async def run(self):
                return {request('self.client', awaited=True)}


        def build(client=None):
            llm = client if client is not None else anthropic.Anthropic()
            return {request('llm')}
        """}
    assert found(tmp_path, files) == [("svc.py", 9, "PRL202"), ("svc.py", 14, "PRL202")]


def test_project_subclasses_and_aliases_of_client_classes(tmp_path: Path) -> None:
    files = {
        "core/__init__.py": "",
        "core/llm.py": """\
            import anthropic


            class TracedClaude(anthropic.Anthropic):
                pass


            LLM = anthropic.AsyncAnthropic
            """,
        "core/work.py": f"""\
            from core.llm import LLM, TracedClaude


            def run(client: "LLM"):
                return {request('client')}


            {request('TracedClaude()')}
            """,
    }
    assert found(tmp_path, files) == [("core/work.py", 5, "PRL202"), ("core/work.py", 8, "PRL202")]


def test_a_tree_that_holds_the_sdk_judges_its_clients_without_loading_it(tmp_path: Path) -> None:
    """Linting a site-packages directory: a module of the ``anthropic`` package that takes its
    client class by a relative import is judged by the SDK's facts, and the SDK's own modules
    are not loaded as if they were the project's."""
    files = {
        "anthropic/__init__.py": "from ._client import Anthropic\n",
        "anthropic/_client.py": "class Anthropic:\n    pass\n",
        "anthropic/lib/__init__.py": "",
        "anthropic/lib/helper.py": textwrap.dedent("""\
            from .._client import Anthropic


            class Helper:
                def __init__(self, client: Anthropic) -> None:
                    self._client = client

                def ask(self):
                    return self._client.messages.create(
                        model="claude-3-haiku-20240307", max_tokens=64, messages=[])
            """),
    }
    write(tmp_path, files)
    config = Config(select=("ALL",), root=tmp_path)
    results = check_candidates(discover([tmp_path], config), config)
    helper = next(r for r in results if r.path.endswith("helper.py"))
    assert [f.code for f in helper.findings] == ["PRL202"]
    assert not [d for d in helper.dependencies if d.endswith("_client.py")]

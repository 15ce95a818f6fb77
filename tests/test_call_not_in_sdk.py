"""PRL302 call-not-in-sdk: keyword arguments and beta namespaces the project's SDK rejects."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from promptlint import sdk
from promptlint.config import Config
from promptlint.run import check_bytes


def prl302(folder: Path, source: str, pin: str | None = None, name: str = "calls.py") -> list:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text('[project]\nname = "app"\n' + (
        f'dependencies = ["anthropic{pin}"]\n' if pin else ""))
    path = folder / name
    path.write_text(textwrap.dedent(source))
    result = check_bytes(str(path), path, path.read_bytes(), Config(root=folder))
    assert result.problem is None, result.problem
    return [f for f in result.findings if f.code == "PRL302"]


def test_openai_habits_get_their_equivalent(tmp_path: Path) -> None:
    found = prl302(tmp_path, """\
        import anthropic

        claude = anthropic.Anthropic()
        claude.messages.create(
            model="claude-opus-5-5", max_tokens=300,
            messages=[{"role": "user", "content": "Plan a trip"}],
            response_format={"type": "json_object"},
            functions=[{"name": "book"}],
            presence_penalty=0.5,
        )
        """)
    by_arg = {f.message.split("`")[1]: f for f in found}
    assert set(by_arg) == {"response_format", "functions", "presence_penalty"}
    assert "output_config" in by_arg["response_format"].message
    assert "`tools=[" in by_arg["functions"].message
    assert all("raises TypeError" in f.message and f.severity == "error" for f in found)
    assert (by_arg["functions"].line, by_arg["functions"].column) == (8, 15)


def test_did_you_mean_and_beta_only_parameters(tmp_path: Path) -> None:
    found = prl302(tmp_path, """\
        from anthropic import AsyncAnthropic as Client

        async def go(c: Client):
            await c.messages.count_tokens(model="claude-haiku-5-5", sytem="be brief",
                                          messages=[], betas=["x"])
        """)
    messages = sorted(f.message for f in found)
    assert len(messages) == 2
    assert "`betas`" in messages[0] and "client.beta.messages.count_tokens()" in messages[0]
    assert "`sytem`" in messages[1] and "did you mean `system`?" in messages[1]


def test_beta_method_takes_betas(tmp_path: Path) -> None:
    assert prl302(tmp_path, """\
        import anthropic

        anthropic.Anthropic().beta.messages.create(model="claude-opus-5-5", max_tokens=10,
                                                   messages=[], betas=["a-beta"])
        """) == []


@pytest.mark.parametrize(("namespace", "pin", "removed"), [
    ("prompt_caching", None, "0.41"),
    ("prompt_caching", ">=0.45,<1", "0.41"),
    ("tools", "==0.30.0", "0.27"),
])
def test_removed_beta_namespaces(tmp_path: Path, namespace: str, pin: str | None,
                                 removed: str) -> None:
    [finding] = prl302(tmp_path, f"""\
        import anthropic

        class Bot:
            def __init__(self):
                self.client = anthropic.Anthropic()

            def ask(self, text):
                return self.client.beta.{namespace}.messages.create(
                    model="claude-sonnet-5-5", max_tokens=100,
                    messages=[{{"role": "user", "content": text}}])
        """)
    assert f"`client.beta.{namespace}` was removed in anthropic {removed}" in finding.message
    assert "AttributeError" in finding.message and finding.line == 8


def test_a_namespace_the_pinned_release_still_has(tmp_path: Path) -> None:
    assert prl302(tmp_path, """\
        import anthropic

        anthropic.Anthropic().beta.prompt_caching.messages.create(
            model="claude-3-5-sonnet-20240620", max_tokens=100, messages=[])
        """, pin="==0.38.0") == []


def test_judged_in_the_projects_release(tmp_path: Path) -> None:
    source = """\
        import anthropic

        anthropic.Anthropic().messages.create(model="claude-opus-5-5", max_tokens=100,
                                              messages=[], output_config={"effort": "low"})
        """
    assert prl302(tmp_path / "new", source, pin=">=2.0") == []
    [old] = prl302(tmp_path / "old", source, pin="==0.50.0")
    assert old.severity == "error" and "anthropic 0.50.0 raises TypeError" in old.message
    [ranged] = prl302(tmp_path / "ranged", source, pin=">=0.50")
    assert ranged.severity == "warning" and "raise the lower bound" in ranged.message


def test_removed_parameter_names_its_release(tmp_path: Path) -> None:
    [finding] = prl302(tmp_path, """\
        import anthropic

        anthropic.Anthropic().beta.messages.create(model="claude-opus-5-5", max_tokens=100,
                                                   messages=[], output_format={"type": "json"})
        """)
    removed = sdk.param_removed_in("create", True, "output_format")
    assert removed is not None
    assert f"removed in anthropic {sdk.short_version(removed)}" in finding.message


@pytest.mark.parametrize("source", [
    # an unknown receiver proves nothing
    """\
    import anthropic

    def send(client, prompt):
        return client.messages.create(model="claude-opus-5-5", max_tokens=5, n=2,
                                      messages=[{"role": "user", "content": prompt}])
    """,
    # another SDK's client
    """\
    from openai import OpenAI

    OpenAI().chat.completions.create(model="gpt", response_format={"type": "json_object"},
                                     messages=[])
    """,
    # valid keywords and an unresolved ** splat: nothing provable is wrong
    """\
    import anthropic

    def send(options):
        anthropic.Anthropic().messages.create(model="claude-opus-5-5", max_tokens=5,
                                              messages=[], **options)
    """,
    # sampling parameters are PRL301's
    """\
    import anthropic

    anthropic.Anthropic().messages.create(model="claude-opus-5-5", max_tokens=5,
                                          messages=[], temperature=0)
    """,
])
def test_silent_where_unprovable(tmp_path: Path, source: str) -> None:
    assert prl302(tmp_path, source) == []


def test_keys_from_a_dict_splat_are_keyword_arguments_too(tmp_path: Path) -> None:
    [finding] = prl302(tmp_path, """\
        import anthropic

        SETTINGS = {"model": "claude-haiku-5-5", "max_tokens": 50, "max_completion_tokens": 50}
        anthropic.Anthropic().messages.create(messages=[], **SETTINGS)
        """)
    assert "`max_completion_tokens`" in finding.message and "`max_tokens`" in finding.message

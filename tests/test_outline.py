"""What the C parser decides before libcst: files whose request text is only in strings or
comments are not parsed, and definitions no request involves are not parsed either. Neither may
change a single finding."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from promptlint.config import Config
from promptlint.discovery import Candidate
from promptlint.lint import lint_source
from promptlint.resolve import outline
from promptlint.resolve.external import Project
from promptlint.run import check_candidates
from promptlint.sources import decode
from tests.helpers import check_in_fresh_process, findings_json, repository_sources

UNRELATED = textwrap.dedent('''

    def _unrelated_helper(value):
        """Counts things; never talks to the API."""
        return len(str(value)) * 2


    class _UnrelatedThing:
        def method(self):
            return _unrelated_helper(1)
    ''')


def _findings(path: Path, text: str, config: Config) -> list[tuple]:
    result = lint_source(str(path), decode(text.encode()), config, Project(path.parent))
    return [(f.code, f.line, f.column, f.end_line, f.end_column, f.message,
             f.fix.edits if f.fix else None, [(r.line, r.column, r.message) for r in f.related])
            for f in result.findings] + [("problem", str(result.problem))]


def test_sliced_parse_finds_exactly_what_the_whole_parse_finds(tmp_path: Path,
                                                              monkeypatch) -> None:
    """Every request-making text of the repository (examples, rule docs, test fixtures), with
    unrelated definitions added: same findings, positions, fixes and related locations with
    and without leaving definitions out."""
    config = Config(root=tmp_path, select=("ALL",))
    real_slice = outline.slice_source
    sliced_count = 0
    compared = 0
    for index, (name, code) in enumerate(repository_sources()):
        text = code + UNRELATED
        path = tmp_path / f"m{index}.py"
        path.write_text(text)
        monkeypatch.setattr(outline, "slice_source", real_slice)
        cut = outline.read(text)
        if cut is not None and real_slice(text, cut) is not None:
            sliced_count += 1
        sliced = _findings(path, text, config)
        monkeypatch.setattr(outline, "slice_source", lambda *args, **kwargs: None)
        whole = _findings(path, text, config)
        assert sliced == whole, name
        compared += len(whole) > 1
    assert sliced_count >= 100  # the comparison really exercised slicing
    assert compared >= 60  # ... on texts that have findings


PROJECT = {
    "app/__init__.py": "",
    "app/llm.py": '''\
        import anthropic

        client = anthropic.Anthropic()


        def ask(model, question):
            return client.messages.create(
                model=model, max_tokens=1024,
                messages=[{"role": "user", "content": question}])
        ''',
    "app/bot.py": '''\
        import anthropic
        from app.llm import ask

        client = anthropic.Anthropic()


        def build_system():
            return "You are a careful assistant."


        def unrelated(x):
            return x * 2


        def summarize(doc):
            return ask("claude-3-opus-20240229", doc)


        def local_wrapper(question, model):
            return client.messages.create(
                model=model, max_tokens=1024, system=build_system(),
                messages=[{"role": "user", "content": question}])


        def uses_local():
            return local_wrapper("hi", "claude-3-haiku-20240307")


        def reset_client():
            global client
            client = anthropic.Anthropic(timeout=5)


        class Unused:
            def method(self):
                return unrelated(1)


        @staticmethod
        def decorated_unrelated():
            return 3
        ''',
}


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(content))


def test_slicing_keeps_what_a_request_needs_and_nothing_else(tmp_path: Path) -> None:
    _write(tmp_path, PROJECT)
    bot = tmp_path / "app" / "bot.py"
    text = bot.read_text()
    project = Project(tmp_path)
    cut = outline.read(text)
    assert cut is not None
    found = outline.slice_source(
        text, cut, (), lambda dotted: project.find_module(dotted, bot) is not None)
    assert found is not None
    kept = {getattr(s, "name", None) for s in found.body} - {None}
    # a wrapper's caller (imported or local), a helper a request uses, a global rebinding
    assert kept == {"build_system", "summarize", "local_wrapper", "uses_local", "reset_client"}
    # what is left out becomes empty lines: every kept line is where it was
    assert len(found.text.splitlines()) == len(text.splitlines())
    for old, new in zip(text.splitlines(), found.text.splitlines(), strict=True):
        assert new in (old, "")
    assert "decorated_unrelated" not in found.text and "@staticmethod" not in found.text
    # and the findings are those of the whole file: the retired model passed to the imported
    # wrapper and the one passed to the local wrapper
    items = findings_json("--no-cache", "--select", "PRL202", "app", cwd=tmp_path)
    assert sorted((i["path"], i["line"]) for i in items) == [("app/bot.py", 16),
                                                            ("app/bot.py", 26)]


DOCSTRING_ONLY = '''\
    """Helpers for the API client.

    Example::

        client.messages.create(model="claude-3-opus-20240229", messages=[])
    """
    import anthropic  # only for the type below
    '''


def test_request_text_only_in_docstrings_is_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "doc.py").write_text(textwrap.dedent(DOCSTRING_ONLY))
    shown = check_in_fresh_process(tmp_path / "doc.py", "r[0].findings, 'libcst' in sys.modules")
    assert shown == "[] False"


@pytest.mark.parametrize("count", [1, 12])  # one file, and enough to start a process pool
def test_a_file_with_request_text_only_in_docstrings_still_calls_wrappers(
        tmp_path: Path, count: int) -> None:
    _write(tmp_path, {"app/__init__.py": "", "app/llm.py": PROJECT["app/llm.py"]})
    for index in range(count):
        (tmp_path / "app" / f"use{index}.py").write_text(
            textwrap.dedent(DOCSTRING_ONLY) + "from app.llm import ask\n\n"
            "ask('claude-3-opus-20240229', 'hello')\n")
    candidates = [Candidate(p, False) for p in sorted((tmp_path / "app").glob("*.py"))]
    results = check_candidates(candidates, Config(root=tmp_path, select=("PRL202",)))
    flagged = sorted(Path(r.path).name for r in results if r.findings)
    assert flagged == sorted(f"use{index}.py" for index in range(count))


def test_words_in_docstrings_do_not_keep_a_definition() -> None:
    """`import`, `global` and `nonlocal` keep a definition as statements, not as words: the
    libcst sources name `Import` nodes in every other docstring."""
    text = (
        "import anthropic\n"
        "client = anthropic.Anthropic()\n"
        "class Import:\n    '''An import statement; see global and nonlocal too.'''\n"
        "class Loader:\n    def load(self):\n        import json\n        return json\n"
        "def counter():\n    global COUNT\n    COUNT = 1\n"
        "def ask(q):\n    return client.messages.create(model='m', max_tokens=1, "
        "messages=[])\n"
    )
    cut = outline.read(text)
    assert cut is not None
    found = outline.slice_source(text, cut)
    assert found is not None
    kept = {getattr(s, "name", None) for s in found.body} - {None}
    assert kept == {"Loader", "counter", "ask"}

"""The machinery behind speed: prefilter, result cache, process pool, lazy imports.

(Speed itself is measured by bench/run.py, never asserted here.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from promptlint.config import Config
from promptlint.discovery import Candidate
from promptlint.prefilter import may_contain_request
from promptlint.resolve import outline
from tests.helpers import check_in_fresh_process, findings_json, repository_sources, run_cli

ROOT = Path(__file__).resolve().parent.parent


def test_prefilter_never_drops_a_file_with_a_request() -> None:
    """Any text in which the engine finds a request passes the byte-level prefilter."""
    import libcst as cst

    from promptlint.resolve.analysis import find_requests

    checked = 0
    for name, code in repository_sources():
        requests = find_requests(cst.parse_module(code))
        if requests:
            checked += 1
            assert may_contain_request(code.encode()), name
            read = outline.read(code)  # and the C parser's look at the code agrees
            assert read is not None and read.has_request_call(), name
    notebook = (ROOT / "examples" / "release_notes.ipynb").read_bytes()
    assert may_contain_request(notebook)
    assert checked >= 100


def test_prefilter_covers_every_call_shape() -> None:
    from promptlint.sdk import REQUEST_METHODS, RESPONSE_WRAPPERS

    shapes = [f"client.messages.{m}(model='x')" for m in REQUEST_METHODS]
    shapes += [f"client.beta.messages.{m}(model='x')" for m in REQUEST_METHODS]
    shapes += [f"client.messages.{w}.create(model='x')" for w in RESPONSE_WRAPPERS]
    shapes += ["client.messages.batches.create(requests=[])",
               "client.beta.messages.batches.create(requests=[])",
               "(client\n   .messages\n   .create)(model='x')",
               "client.messages \\\n    .stream(model='x')",
               "client.messages.with_raw_response  # raw\n    .create(model='x')",
               "client . messages . count_tokens (model='x')"]
    for shape in shapes:
        code = f"import anthropic\n{shape}\n"
        assert may_contain_request(code.encode()), shape
        read = outline.read(code)  # (None: not Python to the C parser; libcst decides)
        assert read is None or read.has_request_call(), shape
    assert sum(outline.read(f"import anthropic\n{s}\n") is not None for s in shapes) >= len(
        shapes) - 1
    # a module need not import anthropic: its client may come from elsewhere in the project
    assert may_contain_request(b"client.messages.create(model='x')\n")
    assert not may_contain_request(b"messages = ['create(']\nprint(messages)\n")


# receivers that reach a module without its spelling ``anthropic`` (tests/test_recall_receivers.py)
RECEIVER_PROJECT = {
    "app/__init__.py": "",
    "app/llm.py": "import anthropic\nclient = anthropic.Anthropic()\n"
                  "def factory():\n    return anthropic.AsyncAnthropic()\n"
                  "class Base:\n    def __init__(self):\n"
                  "        self.llm = anthropic.Anthropic()\n",
    "app/imported.py": "from app.llm import client\nclient.messages.create(model='m')\n",
    "app/module.py": "from app import llm\nllm.client.messages.stream(model='m')\n",
    "app/factory.py": "from .llm import factory\n"
                      "async def go():\n    await factory().messages.create(model='m')\n",
    "app/child.py": "from app.llm import Base\nclass Child(Base):\n"
                    "    def go(self):\n        return (self.llm\n"
                    "                .messages  # the chain spans lines\n"
                    "                .with_raw_response.create(model='m'))\n",
    "app/copy.py": "from app.llm import client\n"
                   "client.with_options(timeout=9).beta.messages.count_tokens(model='m')\n",
    "tests/conftest.py": "import pytest, anthropic\n@pytest.fixture\n"
                         "def claude():\n    yield anthropic.Anthropic()\n",
    "tests/test_fixture.py": "def test_it(claude):\n"
                             "    claude.messages.batches.create(\n"
                             "        requests=[{'custom_id': 'a', 'params': {'model': 'm'}}])\n",
}


def test_prefilter_keeps_modules_whose_client_comes_from_the_project(tmp_path: Path) -> None:
    """Every module in which the engine, seeing the whole project, finds a request passes the
    prefilter, though none of them spells ``anthropic``."""
    import libcst as cst

    from promptlint.resolve.analysis import find_requests
    from promptlint.resolve.external import Project

    for name, text in RECEIVER_PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    project = Project(tmp_path)
    users = [n for n in RECEIVER_PROJECT if n not in ("app/llm.py", "tests/conftest.py")]
    for name in users:
        text = RECEIVER_PROJECT[name]
        if not text:
            continue
        assert "anthropic" not in text
        requests = find_requests(cst.parse_module(text), tmp_path / name, project)
        assert requests, name  # the receiver is traced to its client
        assert may_contain_request(text.encode()), name
        read = outline.read(text)
        assert read is not None and read.has_request_call(), name


def _project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "prompts.py").write_text('MODEL = "claude-sonnet-5-5"\n')
    (tmp_path / "app" / "bot.py").write_text(textwrap.dedent("""\
        import anthropic
        from app.prompts import MODEL
        client = anthropic.Anthropic()
        client.messages.create(model=MODEL, max_tokens=1024, messages=[])
        """))
    return tmp_path


def test_cache_is_invalidated_by_an_imported_module(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert findings_json("app", cwd=project) == []
    assert any((project / ".promptlint_cache" / "results").rglob("*.json"))
    (project / "app" / "prompts.py").write_text('MODEL = "claude-3-opus-20240229"\n')
    items = findings_json("app", cwd=project)
    assert [(i["path"], i["code"]) for i in items] == [("app/bot.py", "PRL202")]


def test_corrupt_or_foreign_cache_entries_are_ignored(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "app" / "prompts.py").write_text('MODEL = "claude-3-opus-20240229"\n')
    first = findings_json("app", cwd=project)
    entries = list((project / ".promptlint_cache" / "results").rglob("*.json"))
    assert entries
    for entry in entries:
        entry.write_text("{not json")
    assert findings_json("app", cwd=project) == first
    for entry in (project / ".promptlint_cache" / "results").rglob("*.json"):
        data = json.loads(entry.read_text())
        data["version"] = "0.0.0-other"
        data["result"]["findings"] = []
        entry.write_text(json.dumps(data))
    assert findings_json("app", cwd=project) == first


def test_no_cache_and_cache_dir(tmp_path: Path) -> None:
    project = _project(tmp_path)
    run_cli("check", "--no-cache", "app", cwd=project)
    assert not (project / ".promptlint_cache").exists()
    run_cli("check", "--cache-dir", "elsewhere", "app", cwd=project)
    assert any((project / "elsewhere" / "results").rglob("*.json"))


def test_pool_gives_the_same_results_as_one_process(tmp_path: Path, monkeypatch) -> None:
    from promptlint import run as runner

    for index in range(24):
        model = "claude-3-opus-20240229" if index % 3 == 0 else "claude-sonnet-5-5"
        (tmp_path / f"m{index:02}.py").write_text(textwrap.dedent(f"""\
            import anthropic
            client = anthropic.Anthropic()
            client.messages.create(model="{model}", messages=[])
            """))
    candidates = [Candidate(p, True) for p in sorted(tmp_path.glob("*.py"))]
    config = Config(root=tmp_path)
    monkeypatch.setenv("PROMPTLINT_JOBS", "1")
    one = runner.Run(config)
    sequential = one.check(candidates)
    assert one.worker_pids == {os.getpid()}  # no pool: this process did the work
    monkeypatch.setenv("PROMPTLINT_JOBS", "2")
    pool = runner.Run(config)
    pooled = pool.check(candidates)
    assert pool.worker_pids and os.getpid() not in pool.worker_pids  # the pool's workers did
    assert [(r.path, [(f.line, f.code) for f in r.findings]) for r in pooled] == [
        (r.path, [(f.line, f.code) for f in r.findings]) for r in sequential]
    assert sum(len(r.findings) for r in pooled) == 24 + 8
    assert runner.check_candidates(candidates, config) == pooled


def test_fix_uses_the_cache_and_its_flags(tmp_path: Path) -> None:
    project = _project(tmp_path)
    run_cli("fix", "--no-cache", "app", cwd=project)
    assert not (project / ".promptlint_cache").exists()
    run_cli("fix", "--cache-dir", "elsewhere", "app", cwd=project)
    assert any((project / "elsewhere" / "results").rglob("*.json"))
    assert (project / "elsewhere" / "quiet-files.json").exists()


@pytest.mark.parametrize(
    ("command", "absent"),
    [
        ("from promptlint.cli import main", ("libcst", "anthropic", "jinja2")),
        ("from promptlint.run import check_candidates", ("libcst", "anthropic", "jinja2")),
        ("from promptlint import api", ("libcst", "anthropic", "jinja2")),
        ("from promptlint.lint import lint_source", ("anthropic", "jinja2")),
        ("from promptlint.config import Config; Config(select=('PRL1',)).enabled_codes()",
         ("libcst", "anthropic", "jinja2")),
    ],
)
def test_lazy_imports(command: str, absent: tuple[str, ...]) -> None:
    code = f"import sys\n{command}\nprint(sorted(m for m in {absent!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_check_on_files_without_requests_never_imports_libcst(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("print('hello')\n")
    assert check_in_fresh_process(tmp_path / "plain.py", "'libcst' in sys.modules") == "False"


def test_cached_results_keep_fix_markers(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(textwrap.dedent("""\
        import anthropic
        client = anthropic.Anthropic()
        client.messages.create(model="claude-sonnet-5-5", max_tokens=500_000, messages=[])
        """))
    first = run_cli("check", "a.py", cwd=tmp_path).stdout
    second = run_cli("check", "a.py", cwd=tmp_path).stdout
    assert "PRL102 [*]" in first and first == second


RETIRED = textwrap.dedent("""\
    import anthropic
    client = anthropic.Anthropic()
    client.messages.create(model="claude-3-opus-20240229", max_tokens=1024, messages=[])
    """)


def _reads(monkeypatch) -> list[str]:
    """The names of the files the runner reads from now on."""
    from promptlint import run as runner

    seen: list[str] = []
    real = runner.read_file

    def read_file(path: Path):  # type: ignore[no-untyped-def]
        seen.append(path.name)
        return real(path)

    monkeypatch.setattr(runner, "read_file", read_file)
    return seen


def test_unchanged_files_without_requests_are_not_read_again(tmp_path: Path,
                                                             monkeypatch) -> None:
    from promptlint.cache import ResultCache
    from promptlint.run import check_candidates

    project = _project(tmp_path)
    util = project / "app" / "util.py"
    util.write_text("#" * (len(RETIRED) - 1) + "\n")  # the same size as what replaces it

    def run(salt: str = "v1") -> list[tuple[str, list[str]]]:
        candidates = [Candidate(p, False) for p in sorted((project / "app").glob("*.py"))]
        results = check_candidates(candidates, Config(root=project),
                                   cache=ResultCache(project / ".cache", salt))
        return [(Path(r.path).name, [f.code for f in r.findings]) for r in results]

    first = run()
    reads = _reads(monkeypatch)
    assert run() == first
    assert reads == ["bot.py"]  # the file with a request is read (its result comes from the
    # content-keyed cache); __init__.py, prompts.py and util.py are known quiet by metadata
    reads.clear()
    before = util.stat()
    util.write_text(RETIRED)
    os.utime(util, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p` or rsync -t would
    found = dict(run())  # same size and modification time: the change time still tells
    assert found["util.py"] == ["PRL202"] and "util.py" in reads
    reads.clear()
    run(salt="another configuration")
    assert sorted(reads) == ["__init__.py", "bot.py", "prompts.py", "util.py"]


def test_a_quiet_file_is_read_again_when_a_wrapper_appears(tmp_path: Path, monkeypatch) -> None:
    from promptlint.cache import ResultCache
    from promptlint.run import check_candidates

    (tmp_path / "use.py").write_text("from llm import ask\n\nask('claude-3-opus-20240229')\n")
    (tmp_path / "llm.py").write_text("def ask(model):\n    return model\n")

    def run() -> dict[str, list[str]]:
        candidates = [Candidate(p, False) for p in sorted(tmp_path.glob("*.py"))]
        results = check_candidates(candidates, Config(root=tmp_path, select=("PRL202",)),
                                   cache=ResultCache(tmp_path / ".cache", "v1"))
        return {Path(r.path).name: [f.code for f in r.findings] for r in results}

    assert run() == {"llm.py": [], "use.py": []}
    reads = _reads(monkeypatch)
    assert run() == {"llm.py": [], "use.py": []} and reads == []
    (tmp_path / "llm.py").write_text(textwrap.dedent("""\
        import anthropic
        client = anthropic.Anthropic()
        def ask(model):
            return client.messages.create(model=model, max_tokens=100, messages=[])
        """))
    assert run() == {"llm.py": [], "use.py": ["PRL202"]}
    assert sorted(reads) == ["llm.py", "use.py"]


def test_run_lints_and_caches_each_file_with_its_own_configuration(tmp_path: Path) -> None:
    from dataclasses import replace

    from promptlint.cache import ResultCache, run_salt
    from promptlint.run import Run

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "m.py").write_text(textwrap.dedent("""\
            import anthropic
            anthropic.Anthropic().messages.create(model="claude-3-opus-20240229",
                                                  max_tokens=10, messages=[])
            """))
    candidates = [Candidate(tmp_path / f / "m.py", False) for f in ("a", "b")]
    config = Config(root=tmp_path, today="2026-12-01")
    quiet_b = replace(config, ignore=("PRL202",))

    def per_folder(path: Path) -> Config:
        return quiet_b if path.parent.name == "b" else config

    def codes(results: list) -> list:
        return [(Path(r.path).parent.name, [f.code for f in r.findings]) for r in results]

    cache = ResultCache(tmp_path / ".cache", run_salt())
    first = Run(config, config_for=per_folder, cache=cache).check(candidates)
    assert codes(first) == [("a", ["PRL202"]), ("b", [])]
    again = Run(config, config_for=per_folder, cache=cache).check(candidates)
    assert codes(again) == codes(first) and cache.hits == 2
    # the same files under one configuration: b's cached result (another configuration's)
    # is not reused
    same = Run(config, cache=cache).check(candidates)
    assert codes(same) == [("a", ["PRL202"]), ("b", ["PRL202"])] and cache.hits == 3

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

# a request with a missing max_tokens and a retired model held in a constant
BAD = textwrap.dedent("""\
    import anthropic

    client = anthropic.Anthropic()
    MODEL = "claude-3-opus-20240229"


    def ask(question):
        return client.messages.create(
            model=MODEL,
            messages=[{"role": "user", "content": question}],
        )
    """)


# a request with comments, a retired model and a removed parameter (fix tests)
CALL = textwrap.dedent("""\
    import anthropic

    client = anthropic.Anthropic()


    def ask(question):
        # keep this comment
        return client.messages.create(
            model="claude-3-opus-20240229",  # the old default
            temperature=0.2,
            messages=[{"role": "user", "content": question}],
        )
    """)


def run_cli(*args: str, cwd: Path | None = None, stdin: bytes | None = None,
            env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()
            ) -> subprocess.CompletedProcess[str]:
    """``python -m promptlint ARGS`` in a process of its own (``prefix``: a command that runs
    it, such as :func:`without_file_privileges`)."""
    full_env = {**os.environ, "PROMPTLINT_NO_USER_CATALOGUE": "1", **(env or {})}
    full_env.pop("PROMPTLINT_OUTPUT_FORMAT", None)
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "promptlint", *args],
        cwd=cwd, input=stdin, capture_output=True, env=full_env, timeout=120,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def without_file_privileges() -> tuple[str, ...] | None:
    """A command prefix under which file modes bind as they do for a normal user: none for a
    normal user; for root, util-linux's setpriv dropping the capabilities that override them
    (None where that is not available)."""
    if os.name != "posix":
        return None
    if os.geteuid() != 0:
        return ()
    import shutil

    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    caps = "-dac_override,-dac_read_search,-fowner"
    return (setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}")


def findings_json(*args: str, cwd: Path | None = None) -> list[dict]:
    proc = run_cli("check", "--output-format", "json", *args, cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


REPO = Path(__file__).resolve().parent.parent


def repository_sources() -> list[tuple[str, str]]:
    """Every Python text in the repository that makes requests: examples, doc examples,
    test fixtures written inline in the test files."""
    import ast

    from promptlint.ruledocs import blocks

    out = []
    for path in sorted((REPO / "examples").rglob("*.py")):
        out.append((str(path), path.read_text()))
    for path in sorted((REPO / "rules").glob("PRL*.md")):
        for index, block in enumerate(blocks(path.read_text())):
            out.append((f"{path.name}#{index}", block.code))
    for path in sorted((REPO / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                    "messages" in node.value):
                code = textwrap.dedent(node.value)
                try:
                    ast.parse(code)
                except SyntaxError:
                    continue
                out.append((f"{path.name}:{node.lineno}", code))
    return out


def check_in_fresh_process(path: Path, show: str) -> str:
    """Run ``check_candidates`` on one file in a new interpreter and return what the
    expression ``show`` prints (``r``: the results; ``sys``: the module)."""
    code = ("import sys\nfrom pathlib import Path\nfrom promptlint.config import Config\n"
            "from promptlint.discovery import Candidate\n"
            "from promptlint.run import check_candidates\n"
            f"r = check_candidates([Candidate(Path({str(path)!r}), True)], Config())\n"
            f"print({show})")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()

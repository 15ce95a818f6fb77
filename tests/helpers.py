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


def run_cli(*args: str, cwd: Path | None = None, stdin: bytes | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PROMPTLINT_NO_USER_CATALOGUE": "1", **(env or {})}
    full_env.pop("PROMPTLINT_OUTPUT_FORMAT", None)
    proc = subprocess.run(
        [sys.executable, "-m", "promptlint", *args],
        cwd=cwd, input=stdin, capture_output=True, env=full_env, timeout=120,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def findings_json(*args: str, cwd: Path | None = None) -> list[dict]:
    proc = run_cli("check", "--output-format", "json", *args, cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)

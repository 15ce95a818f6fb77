"""The steps of the promptlint GitHub Action (action.yml): install, then check.

`install`: pip-installs promptlint-claude (the version the `version` input names, else the
latest). `check`: runs `promptlint check` with GitHub annotations, writes SARIF to the
`sarif-path` input and the markdown summary to $GITHUB_STEP_SUMMARY, sets the outputs
`exit-code`, `findings` and `sarif-path` in $GITHUB_OUTPUT, and exits as the check did.
Inputs come as INPUT_ARGS, INPUT_VERSION and INPUT_SARIF_PATH. Standard library only.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path


def _input(name: str, default: str = "") -> str:
    return os.environ.get(f"INPUT_{name}", "").strip() or default


def install_command(version: str) -> list[str]:
    package = "promptlint-claude"
    if version and version != "latest":
        package += version if version[0] in "=<>!~" else f"=={version.lstrip('v')}"
    return [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q", package]


def install(dry_run: bool = False) -> int:
    command = install_command(_input("VERSION"))
    print(shlex.join(command), flush=True)
    return 0 if dry_run else subprocess.call(command)


def _promptlint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "promptlint", "check", *args],
                          capture_output=True, text=True)


def _append(variable: str, text: str) -> None:
    target = os.environ.get(variable)
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")


def check() -> int:
    try:
        args = shlex.split(_input("ARGS", "."))
    except ValueError as exc:
        print(f"promptlint action: error: the args input cannot be split: {exc}",
              file=sys.stderr)
        return 2
    sarif = _input("SARIF_PATH", "promptlint.sarif")
    # annotations (and the exit code) first; the other formats never fail the step themselves
    annotated = _promptlint("--output-format", "github", *args)
    sys.stdout.write(annotated.stdout)
    sys.stderr.write(annotated.stderr)
    sys.stdout.flush()
    findings = 0
    if annotated.returncode in (0, 1):
        Path(sarif).parent.mkdir(parents=True, exist_ok=True)
        written = _promptlint("--exit-zero", "--output-format", "sarif", "-o", sarif, *args)
        if written.returncode == 0:
            try:
                runs = json.loads(Path(sarif).read_text("utf-8"))["runs"]
                findings = sum(len(run.get("results", [])) for run in runs)
            except (OSError, ValueError, KeyError, TypeError):
                pass
        summary = _promptlint("--exit-zero", "--output-format", "markdown", *args)
        if summary.returncode == 0:
            _append("GITHUB_STEP_SUMMARY", summary.stdout)
    _append("GITHUB_OUTPUT", f"exit-code={annotated.returncode}\nfindings={findings}\n"
                             f"sarif-path={sarif}\n")
    return annotated.returncode


def main(argv: list[str]) -> int:
    if argv[:1] == ["install"]:
        return install(dry_run="--dry-run" in argv)
    if argv[:1] == ["check"]:
        return check()
    print("usage: run.py install [--dry-run] | check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

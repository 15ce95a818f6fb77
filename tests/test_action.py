"""The GitHub Action's script (action/run.py), run locally as the runner would run it, with
fake $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "action" / "run.py"
RETIRED = '''import anthropic

client = anthropic.Anthropic()
client.messages.create(
    model="claude-3-haiku-20240307",
    max_tokens=100,
    messages=[{"role": "user", "content": "hello"}],
)
'''


def run_action(cwd: Path, *argv: str, **inputs: str) -> tuple[subprocess.CompletedProcess[str],
                                                              dict[str, str], str]:
    summary, output = cwd / "summary.md", cwd / "output.txt"
    summary.write_text("earlier step\n")
    output.write_text("")
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output),
           "PROMPTLINT_NO_CACHE": "1"}
    env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
    proc = subprocess.run([sys.executable, str(SCRIPT), *argv], cwd=cwd, env=env,
                          capture_output=True, text=True)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return proc, outputs, summary.read_text()


def test_findings_give_annotations_sarif_summary_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(RETIRED)
    proc, outputs, summary = run_action(tmp_path, "check", args="src --select PRL202",
                                        sarif_path="reports/promptlint.sarif")
    assert proc.returncode == 1
    assert proc.stdout.startswith("::error file=src/app.py,line=5,col=11,")
    assert "PRL202" in proc.stdout
    sarif = json.loads((tmp_path / "reports" / "promptlint.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["PRL202"]
    assert summary.startswith("earlier step\n")  # appended, not overwritten
    assert "PRL202" in summary and "#" in summary
    assert outputs == {"exit-code": "1", "findings": "1",
                       "sarif-path": "reports/promptlint.sarif"}


def test_clean_code_exits_0(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(RETIRED.replace("claude-3-haiku-20240307",
                                                    "claude-haiku-4-5"))
    proc, outputs, summary = run_action(tmp_path, "check", args="ok.py --select PRL202")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert outputs == {"exit-code": "0", "findings": "0", "sarif-path": "promptlint.sarif"}
    assert json.loads((tmp_path / "promptlint.sarif").read_text())["runs"][0]["results"] == []
    assert len(summary) > len("earlier step\n")


def test_a_usage_error_exits_2_and_writes_no_report(tmp_path: Path) -> None:
    proc, outputs, summary = run_action(tmp_path, "check", args="missing_dir")
    assert proc.returncode == 2
    assert "missing_dir: no such file or directory" in proc.stderr
    assert outputs["exit-code"] == "2" and not (tmp_path / "promptlint.sarif").exists()
    assert summary == "earlier step\n"
    proc, outputs, _ = run_action(tmp_path, "check", args="'unclosed")
    assert proc.returncode == 2 and "cannot be split" in proc.stderr


def test_install_names_the_version_asked_for(tmp_path: Path) -> None:
    for version, package in [("", "promptlint-claude"), ("0.1.0", "promptlint-claude==0.1.0"),
                             ("v0.2.1", "promptlint-claude==0.2.1"),
                             (">=0.1,<0.3", "promptlint-claude>=0.1,<0.3")]:
        proc, _, _ = run_action(tmp_path, "install", "--dry-run", version=version)
        assert proc.returncode == 0
        assert proc.stdout.split()[-1].strip("'") == package


def test_action_yml_runs_the_script_with_its_inputs() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"args", "version", "sarif-path"}
    steps = action["runs"]["steps"]
    assert all("action/run.py" in step["run"] for step in steps)
    env = {k for step in steps for k in step.get("env", {})}
    source = SCRIPT.read_text()
    for name in env:  # each input the action passes is one the script reads
        assert f'_input("{name.removeprefix("INPUT_")}"' in source
    assert env == {"INPUT_ARGS", "INPUT_VERSION", "INPUT_SARIF_PATH"}

"""Report formats: sarif (validated against the official schema), gitlab, junit, markdown."""

from __future__ import annotations

import copy
import json
import shutil
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from promptlint import __version__
from promptlint.findings import (
    Edit,
    FileProblem,
    FileResult,
    Finding,
    Fix,
    Related,
    RequestSummary,
    Safety,
)
from promptlint.report import FORMATS, renderer
from promptlint.rules import ALL_RULES
from tests.helpers import findings_json, run_cli

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"

CLEAN = textwrap.dedent("""\
    import anthropic

    client = anthropic.Anthropic()
    client.messages.create(model="claude-sonnet-5-5", max_tokens=1024, messages=[])
    """)
# Non-ASCII text before the edits: SARIF charOffset counts code points, as Edit offsets do.
FIXABLE = textwrap.dedent("""\
    # Résumé writer ☕ (non-ASCII on purpose)
    import anthropic

    client = anthropic.Anthropic()


    def report(topic: str) -> str:
        with client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=200_000,
            messages=[{"role": "user", "content": f"Write about {topic} – in depth"}],
        ) as stream:
            return stream.get_final_message().content[0].text


    def legacy(text: str) -> str:
        reply = client.messages.create(
            model="claude-3-haiku-20240307",
            max_tokens=1024,
            messages=[{"role": "user", "content": text}],
        )
        return reply.content[0].text
    """)
NOTEBOOK_SOURCE = [
    "import anthropic\n",
    "client = anthropic.Anthropic()\n",
    "reply = client.messages.create(\n",
    "    model=\"claude-3-7-sonnet-latest\",\n",
    "    max_tokens=200000,\n",
    "    messages=[{\"role\": \"user\", \"content\": \"hi\"}],\n",
    ")",
]


def _notebook() -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Notes\n"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
         "source": NOTEBOOK_SOURCE},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


# ---- SARIF --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _valid_sarif(validator: jsonschema.protocols.Validator, text: str) -> dict[str, Any]:
    doc = json.loads(text)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    return doc


def _sarif(validator: jsonschema.protocols.Validator, *args: str, cwd: Path = ROOT,
           expect: int = 1) -> dict[str, Any]:
    proc = run_cli("check", "--output-format", "sarif", *args, cwd=cwd)
    assert proc.returncode == expect, proc.stderr
    return _valid_sarif(validator, proc.stdout)


def test_vendored_schema_is_the_official_one() -> None:
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert {"sarifLog", "run", "result", "fix", "replacement"} - set(schema["definitions"]) \
        == {"sarifLog"}  # the log itself is the root object


def test_sarif_examples(sarif_validator: jsonschema.protocols.Validator) -> None:
    doc = _sarif(sarif_validator, "examples/")
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-schema-2.1.0.json")
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "promptlint"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == [r.code for r in ALL_RULES]
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for descriptor, rule in zip(driver["rules"], ALL_RULES, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"]
        assert descriptor["fullDescription"]["text"]
        assert "## " not in descriptor["fullDescription"]["text"]
        assert descriptor["helpUri"].endswith(f"/rules/{rule.code}-{rule.name}.md")
        assert descriptor["defaultConfiguration"]["level"] == levels[rule.severity]
    # the doc's "Why is this bad?" section, not its summary
    prl102 = driver["rules"][[r.code for r in ALL_RULES].index("PRL102")]
    assert "400" in prl102["fullDescription"]["text"]

    expected = findings_json("examples/", cwd=ROOT)
    results = run["results"]
    assert len(results) == len(expected)
    for result, finding in zip(results, expected, strict=True):
        assert result["ruleId"] == finding["code"]
        assert driver["rules"][result["ruleIndex"]]["id"] == finding["code"]
        assert result["level"] == levels[finding["severity"]]
        assert finding["message"] in result["message"]["text"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": finding["path"], "uriBaseId": "%SRCROOT%"}
        assert physical["region"] == {
            "startLine": finding["line"], "startColumn": finding["column"],
            "endLine": finding["end_line"], "endColumn": finding["end_column"],
        }
        related = result.get("relatedLocations", [])
        assert [r["message"]["text"] for r in related] == \
            [r["message"] for r in finding["related"]]
        assert [r["physicalLocation"]["region"]["startLine"] for r in related] == \
            [r["line"] for r in finding["related"]]
        assert (result.get("properties", {}).get("cell")) == finding["cell"]
    fingerprints = [r["partialFingerprints"]["promptlint/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)
    # without --unsafe-fixes only safe fixes with edits are attached, and none in notebooks
    attached = [i for i, r in enumerate(results) if "fixes" in r]
    safe = [i for i, f in enumerate(expected) if f["fix"] and f["fix"]["edits"]
            and f["fix"]["applicability"] == "safe" and f["cell"] is None]
    assert attached == safe and safe  # examples/ has at least one (PRL102)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")


def test_sarif_clean_file(sarif_validator: jsonschema.protocols.Validator,
                          tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(CLEAN)
    doc = _sarif(sarif_validator, "clean.py", cwd=tmp_path, expect=0)
    assert doc["runs"][0]["results"] == []
    assert len(doc["runs"][0]["tool"]["driver"]["rules"]) == len(ALL_RULES)


def test_sarif_notebook(sarif_validator: jsonschema.protocols.Validator, tmp_path: Path) -> None:
    (tmp_path / "notes.ipynb").write_text(_notebook())
    doc = _sarif(sarif_validator, "--unsafe-fixes", "notes.ipynb", cwd=tmp_path)
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"PRL202", "PRL102"}
    for result in results:
        assert result["properties"]["cell"] == 2
        assert result["message"]["text"].startswith("cell 2: ")
        assert "fixes" not in result  # offsets would point into the cell view, not the file
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] \
            == "notes.ipynb"
    retired = next(r for r in results if r["ruleId"] == "PRL202")
    assert retired["locations"][0]["physicalLocation"]["region"]["startLine"] == 4


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_sarif_fixes_apply_at_their_offsets(
    sarif_validator: jsonschema.protocols.Validator, tmp_path: Path, newline: str
) -> None:
    source = FIXABLE.replace("\n", newline)
    (tmp_path / "app.py").write_bytes(source.encode("utf-8"))
    doc = _sarif(sarif_validator, "app.py", cwd=tmp_path)
    fixed = [r for r in doc["runs"][0]["results"] if "fixes" in r]
    assert [r["ruleId"] for r in fixed] == ["PRL102"]
    fix = fixed[0]["fixes"][0]
    assert fix["description"]["text"] == "Lower max_tokens to 128000"
    assert fix["properties"]["applicability"] == "safe"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    text = source
    for replacement in sorted(change["replacements"],
                              key=lambda r: -r["deletedRegion"]["charOffset"]):
        region = replacement["deletedRegion"]
        start, end = region["charOffset"], region["charOffset"] + region["charLength"]
        assert text[start:end] == "200_000"
        text = text[:start] + replacement.get("insertedContent", {}).get("text", "") + text[end:]
    # the same result as `promptlint fix`
    shutil.copy(tmp_path / "app.py", tmp_path / "app_fixed.py")
    assert run_cli("fix", "app_fixed.py", cwd=tmp_path).returncode == 1  # the retired model remains
    assert (tmp_path / "app_fixed.py").read_bytes().decode("utf-8") == text

    unsafe = _sarif(sarif_validator, "--unsafe-fixes", "app.py", cwd=tmp_path)
    by_rule = {r["ruleId"]: r for r in unsafe["runs"][0]["results"]}
    (replacement,) = by_rule["PRL202"]["fixes"][0]["artifactChanges"][0]["replacements"]
    region = replacement["deletedRegion"]
    start = region["charOffset"]
    assert source[start:start + region["charLength"]] == '"claude-3-haiku-20240307"'
    assert replacement["insertedContent"]["text"] == '"claude-haiku-5-5"'
    assert by_rule["PRL202"]["fixes"][0]["properties"]["applicability"] == "unsafe"


def test_sarif_paths(sarif_validator: jsonschema.protocols.Validator, tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "my app.py").write_text(FIXABLE)
    inside = _sarif(sarif_validator, str(tmp_path / "pkg" / "my app.py"), cwd=tmp_path)
    location = inside["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "pkg/my%20app.py", "uriBaseId": "%SRCROOT%"}
    outside = _sarif(sarif_validator, str(tmp_path / "pkg" / "my app.py"), cwd=ROOT)
    location = outside["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": (tmp_path / "pkg" / "my app.py").resolve().as_uri()
    }


def test_sarif_file_problem_is_a_notification(
    sarif_validator: jsonschema.protocols.Validator, tmp_path: Path
) -> None:
    (tmp_path / "broken.py").write_text("import anthropic\nclient.messages.create(\n")
    doc = _sarif(sarif_validator, "broken.py", cwd=tmp_path)
    (invocation,) = doc["runs"][0]["invocations"]
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert "syntax error" in notification["message"]["text"]


def test_sarif_render_edge_cases(sarif_validator: jsonschema.protocols.Validator) -> None:
    twice = Related(3, 1, "defined here", path="other.py")
    finding = _finding(related=[twice, twice, Related(2, 5, "note in cell", cell=1)],
                       fix=Fix(Safety.SAFE, "Delete it", (Edit(10, 20, ""), Edit(0, 1, "x"))))
    doc = _valid_sarif(sarif_validator, renderer("sarif")([FileResult("a.py", [finding])],
                                                         False))
    (result,) = doc["runs"][0]["results"]
    assert [r["id"] for r in result["relatedLocations"]] == [1, 2, 3]
    uris = [r["physicalLocation"]["artifactLocation"]["uri"] for r in result["relatedLocations"]]
    assert uris == ["other.py", "other.py", "a.py"]
    replacements = result["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacements == [
        {"deletedRegion": {"charOffset": 0, "charLength": 1}, "insertedContent": {"text": "x"}},
        {"deletedRegion": {"charOffset": 10, "charLength": 10}},
    ]
    unknown = _finding(code="XYZ999", severity="info")
    doc = _valid_sarif(sarif_validator, renderer("sarif")([FileResult("a.py", [unknown])], False))
    (result,) = doc["runs"][0]["results"]
    assert "ruleIndex" not in result and result["level"] == "note"


def test_sarif_validation_catches_mistakes(
    sarif_validator: jsonschema.protocols.Validator, tmp_path: Path
) -> None:
    """The schema check is not vacuous: documents with a wrong shape are rejected."""
    (tmp_path / "app.py").write_text(FIXABLE)
    good = _sarif(sarif_validator, "app.py", cwd=tmp_path)
    mutations = [
        lambda d: d["runs"][0]["results"][0].__setitem__("level", "fatal"),
        lambda d: d["runs"][0]["tool"]["driver"].pop("name"),
        lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
        .__setitem__("startLine", 0),
        lambda d: d["runs"][0]["results"][0].__setitem__("message", {"markdown": "only"}),
        lambda d: d.__setitem__("version", "2.0.0"),
    ]
    for mutate in mutations:
        bad = copy.deepcopy(good)
        mutate(bad)
        assert list(sarif_validator.iter_errors(bad))


# ---- GitLab Code Quality -------------------------------------------------------------------

def _gitlab(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
            ) -> list[dict[str, Any]]:
    proc = run_cli("check", "--output-format", "gitlab", *args, cwd=cwd, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_gitlab_examples() -> None:
    issues = _gitlab("examples/")
    expected = findings_json("examples/", cwd=ROOT)
    assert len(issues) == len(expected)
    severities = {"error": "major", "warning": "minor", "info": "info"}
    for issue, finding in zip(issues, expected, strict=True):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"] == finding["code"]
        assert finding["message"] in issue["description"]
        assert issue["severity"] == severities[finding["severity"]]
        assert issue["location"]["path"] == finding["path"]
        assert issue["location"]["lines"]["begin"] == finding["line"]
        assert issue["location"]["lines"]["end"] >= issue["location"]["lines"]["begin"]
        if finding["cell"] is not None:
            assert f"cell {finding['cell']}" in issue["description"]
    assert "minor" in {i["severity"] for i in issues}  # PRL203 is a warning
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    assert fingerprints == [i["fingerprint"] for i in _gitlab("examples/")]


def test_gitlab_fingerprints_survive_moves_and_separate_duplicates(tmp_path: Path) -> None:
    call = textwrap.dedent("""\
        client.messages.create(
            model="claude-3-haiku-20240307", max_tokens=64, messages=[]
        )
        """)
    source = "import anthropic\n\nclient = anthropic.Anthropic()\n" + call + call
    (tmp_path / "app.py").write_text(source)
    before = _gitlab("app.py", cwd=tmp_path)
    assert [i["check_name"] for i in before] == ["PRL202", "PRL202"]
    assert before[0]["description"] == before[1]["description"]
    assert before[0]["fingerprint"] != before[1]["fingerprint"]
    (tmp_path / "app.py").write_text("# a comment\n\n" + source)
    after = _gitlab("app.py", cwd=tmp_path)
    assert [i["location"]["lines"]["begin"] for i in after] == \
        [i["location"]["lines"]["begin"] + 2 for i in before]
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]
    (tmp_path / "moved.py").write_text(source)
    other = _gitlab("moved.py", cwd=tmp_path)
    assert not {i["fingerprint"] for i in other} & {i["fingerprint"] for i in before}


def test_gitlab_paths_relative_to_ci_project_dir(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(FIXABLE)
    issues = _gitlab("app.py", cwd=tmp_path / "src", env={"CI_PROJECT_DIR": str(tmp_path)})
    assert {i["location"]["path"] for i in issues} == {"src/app.py"}


def test_gitlab_clean_and_problem(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(CLEAN)
    assert _gitlab("clean.py", cwd=tmp_path) == []
    (tmp_path / "broken.py").write_text("import anthropic\nclient.messages.create(\n")
    (issue,) = _gitlab("broken.py", cwd=tmp_path)
    assert issue["check_name"] == "file-not-checked"
    assert issue["location"]["path"] == "broken.py"
    assert issue["location"]["lines"]["begin"] >= 1


# ---- JUnit ---------------------------------------------------------------------------------

def _junit(*args: str, cwd: Path = ROOT, expect: int = 1) -> ET.Element:
    proc = run_cli("check", "--output-format", "junit", *args, cwd=cwd)
    assert proc.returncode == expect, proc.stderr
    assert proc.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(proc.stdout.encode("utf-8"))


def test_junit_examples() -> None:
    root = _junit("examples/")
    expected = findings_json("examples/", cwd=ROOT)
    assert root.tag == "testsuites"
    failures = root.findall("./testsuite/testcase/failure")
    assert len(failures) == len(expected) == int(root.get("failures", "-1"))
    assert [f.get("type") for f in failures] == [f["code"] for f in expected]
    assert [f.get("message") for f in failures] == [f["message"] for f in expected]
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == len(suite.findall("testcase/failure"))
    assert int(root.get("tests", "-1")) == len(root.findall("./testsuite/testcase"))
    by_file = Counter(f["path"] for f in expected)
    for path, count in by_file.items():
        (suite,) = [s for s in root.findall("testsuite") if s.get("name") == path]
        assert len(suite.findall("testcase/failure")) == count
    first = failures[0]
    assert first.text is not None and first.text.startswith(
        f"{expected[0]['path']}:{expected[0]['line']}:{expected[0]['column']}: "
        f"{expected[0]['code']} "
    )
    passing = [s for s in root.findall("testsuite") if s.get("name", "").endswith("__init__.py")]
    assert passing and passing[0].find("testcase/failure") is None


def test_junit_clean_run_passes(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(CLEAN)
    root = _junit("clean.py", cwd=tmp_path, expect=0)
    assert root.findall(".//testcase")
    assert root.find(".//failure") is None and root.find(".//error") is None
    assert root.get("failures") == "0" and root.get("errors") == "0"
    empty = ET.fromstring(renderer("junit")([], False).encode("utf-8"))
    assert len(empty.findall(".//testcase")) == 1 and empty.find(".//failure") is None


def test_junit_problem_and_unsafe_characters(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import anthropic\nclient.messages.create(\n")
    root = _junit("broken.py", cwd=tmp_path)
    (error,) = root.findall(".//error")
    assert "syntax error" in (error.get("message") or "")
    assert root.get("errors") == "1"
    odd = _finding(message="prefill 'a\x01b' <tag> & \"quotes\" \ud800")
    parsed = ET.fromstring(renderer("junit")([FileResult("a.py", [odd])], False).encode("utf-8"))
    failure = parsed.find(".//failure")
    assert failure is not None
    assert "<tag> & \"quotes\"" in (failure.get("message") or "")


# ---- Markdown ------------------------------------------------------------------------------

def test_markdown_examples() -> None:
    proc = run_cli("check", "--output-format", "markdown", "examples/", cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    expected = findings_json("examples/", cwd=ROOT)
    lines = out.splitlines()
    assert lines[0] == "## promptlint"
    files = len({f["path"] for f in expected})
    assert lines[2].startswith(f"**{len(expected)} findings** in {files} of ")
    assert "request sites" in lines[2]
    assert "### Findings by rule" in out
    counts = Counter((f["code"], f["rule"]) for f in expected)
    for (code, rule), count in counts.items():
        row = next(line for line in lines if line.startswith(f"| [{code}]("))
        assert f"| `{rule}` |" in row and row.endswith(f"| {count} |")
    assert "### Request sites" in out
    assert any(line.startswith("| `examples/nightly_batch.py:") and "| batch |" in line
               for line in lines)
    assert any(line.startswith("| `examples/release_notes.ipynb:cell ") for line in lines)
    assert "### Findings\n" in out
    for finding in expected:
        where = f"{finding['path']}:{finding['line']}:{finding['column']}"
        if finding["cell"] is not None:
            where = f"{finding['path']}:cell {finding['cell']}:{finding['line']}:" \
                    f"{finding['column']}"
        assert f"- `{where}` **{finding['code']}**" in out


def test_markdown_request_table_and_escaping() -> None:
    sites = [
        RequestSummary("app.py", 10, 5, "create", "claude-sonnet-5-5", static_tokens=12_345,
                       cost_per_1k=1.5, cost_per_1k_fixed=0.1234),
        RequestSummary("app.py", 20, 5, "stream", None),
        RequestSummary("nb.ipynb", 2, 1, "batch", "claude-haiku-5-5", cell=3, static_tokens=80,
                       exact=True, cost_per_1k=0.004, cost_per_1k_fixed=None),
    ]
    finding = _finding(message="prefill '<b>|x*' ends with `max_tokens` & more",
                       fix=Fix(Safety.SAFE, "Lower max_tokens to 1", (Edit(0, 1, "1"),)))
    out = renderer("markdown")([FileResult("app.py", [finding], requests=sites[:2]),
                               FileResult("nb.ipynb", requests=sites[2:])], False)
    assert "| `app.py:10` | create | `claude-sonnet-5-5` | ~12,345 | $1.50 | $0.12 |" in out
    assert "| `app.py:20` | stream | — | — | — | — |" in out
    assert "| `nb.ipynb:cell 3:2` | batch | `claude-haiku-5-5` | 80 | $0.0040 | — |" in out
    assert "**1 finding** in 1 of 2 files (1 fixable with `promptlint fix`)" in out
    assert "3 request sites" in out
    assert "&lt;b&gt;\\|x\\*" in out and "`max_tokens`" in out and "&amp; more" in out
    assert "**PRL102** [\\*]" in out


def test_markdown_clean_and_problems(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(CLEAN)
    proc = run_cli("check", "--output-format", "markdown", "clean.py", cwd=tmp_path)
    assert proc.returncode == 0
    assert "**All checks passed** (1 file checked) · 1 request site" in proc.stdout
    assert "### Findings" not in proc.stdout
    out = renderer("markdown")([FileResult("bad.py", problem=FileProblem("bad.py", "oops", 1, 2))],
                              False)
    assert "1 file could not be checked" in out
    assert "### Files not checked\n\n- `bad.py:1:2: oops`" in out


# ---- all formats -----------------------------------------------------------------------------

def test_new_formats_are_registered() -> None:
    from promptlint.cli import OUTPUT_FORMATS

    for name in ("sarif", "gitlab", "junit", "markdown"):
        assert name in FORMATS and name in OUTPUT_FORMATS


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_renders_everything(name: str) -> None:
    results = [
        FileResult("a.py", [_finding(related=[Related(1, 1, "here")],
                                     fix=Fix(Safety.UNSAFE, "Change", (Edit(0, 1, "y"),)))]),
        FileResult("nb.ipynb", [_finding(path="nb.ipynb", cell=2)]),
        FileResult("bad.py", problem=FileProblem("bad.py", "syntax error")),
        FileResult("empty.py"),
    ]
    for unsafe in (False, True):
        assert renderer(name)(results, unsafe)
        assert isinstance(renderer(name)([], unsafe), str)


def _finding(**overrides: Any) -> Finding:
    values: dict[str, Any] = {
        "code": "PRL102", "rule": "max-tokens-over-model-limit", "severity": "error",
        "message": "max_tokens=200000 exceeds the limit", "path": "a.py", "line": 1,
        "column": 1, "end_line": 1, "end_column": 5,
    }
    values.update(overrides)
    return Finding(**values)

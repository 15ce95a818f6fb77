"""``--output-format junit``: JUnit XML for CI systems that show test reports.

One ``<testsuite>`` per checked file (as ESLint does): each finding is a ``<testcase>`` with a
``<failure type="CODE" message="...">``; a file without findings gets one passing testcase; a
file that could not be checked gets an ``<error>``. A run without any file still produces one
passing testcase, so "clean" always shows up as a pass.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from promptlint.findings import FileResult, Finding
from promptlint.report.text import location

# Characters XML 1.0 cannot carry (not even escaped).
_INVALID_XML = re.compile(  # linear: one character class
    "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _case_name(finding: Finding) -> str:
    where = f"{finding.line}:{finding.column}"
    if finding.cell is not None:
        where = f"cell {finding.cell}:{where}"
    return f"{finding.code} {finding.rule} ({where})"


def _details(finding: Finding) -> str:
    lines = [f"{location(finding)}: {finding.code} {finding.message}"]
    for related in finding.related:
        where = f"{related.path or finding.path}:{related.line}:{related.column}"
        if related.cell is not None:
            where = f"{related.path or finding.path}:cell {related.cell}:{related.line}:" \
                    f"{related.column}"
        lines.append(f"  {where}: note: {related.message}")
    if finding.fix is not None:
        lines.append(f"Fix ({finding.fix.applicability.label}): {finding.fix.title}")
    return "\n".join(lines)


def _suite(result: FileResult) -> ET.Element:
    suite = ET.Element("testsuite", name=_clean(result.path))
    failures = errors = 0
    for finding in result.findings:
        case = ET.SubElement(suite, "testcase", name=_clean(_case_name(finding)),
                             classname=_clean(result.path), file=_clean(result.path),
                             line=str(finding.line), time="0")
        failure = ET.SubElement(case, "failure", message=_clean(finding.message),
                                type=finding.code)
        failure.text = _clean(_details(finding))
        failures += 1
    if result.problem is not None:
        case = ET.SubElement(suite, "testcase", name="promptlint (file not checked)",
                             classname=_clean(result.path), file=_clean(result.path), time="0")
        error = ET.SubElement(case, "error", message=_clean(result.problem.message),
                              type="file-not-checked")
        error.text = _clean(result.problem.render())
        errors += 1
    if not result.findings and result.problem is None:
        ET.SubElement(suite, "testcase", name="promptlint", classname=_clean(result.path),
                      file=_clean(result.path), time="0")
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    suite.set("time", "0")
    return suite


def render(results: list[FileResult], unsafe_fixes: bool = False) -> str:
    root = ET.Element("testsuites", name="promptlint")
    for result in results:
        root.append(_suite(result))
    if not results:
        suite = ET.SubElement(root, "testsuite", name="promptlint", tests="1", failures="0",
                              errors="0", skipped="0", time="0")
        ET.SubElement(suite, "testcase", name="no files to check", classname="promptlint",
                      time="0")
    totals = {key: sum(int(s.get(key, "0")) for s in root) for key in
              ("tests", "failures", "errors")}
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"

"""JUnit XML for CI test reporters: one testcase per criterion (written with ElementTree)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.models.results import GradeReport
from grader.reporters.common import points


def render(report: GradeReport, color: bool = False) -> str:
    suite_name = report.rubric.id if report.rubric else (report.lab or "submission")
    cases: list[ET.Element] = []
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    classname = f"{report.lab or 'unknown'}.{report.learner or 'unknown'}"
    if report.errors:
        case = ET.Element("testcase", {"classname": classname, "name": "submission is readable"})
        ET.SubElement(case, "error", {"message": f"{len(report.errors)} problem(s) in the submission"}).text = \
            "\n".join(p.render() for p in report.errors)
        counts["errors"] += 1
        cases.append(case)
    for c in report.criteria:
        case = ET.Element("testcase", {"classname": classname, "name": f"{c.id}: {c.title}"})
        ET.SubElement(case, "properties").extend([
            ET.Element("property", {"name": "score", "value": repr(c.score)}),
            ET.Element("property", {"name": "max_score", "value": repr(c.max_score)})])
        if c.status in ("fail", "partial"):
            ET.SubElement(case, "failure", {"message": f"{points(c.score)}/{points(c.max_score)} points", "type": c.status}).text = \
                c.feedback + (f"\nHow to improve: {c.hint}" if c.hint else "")
            counts["failures"] += 1
        elif c.status == "error":
            ET.SubElement(case, "error", {"message": "the check failed"}).text = c.feedback
            counts["errors"] += 1
        elif c.status == "manual":
            ET.SubElement(case, "skipped", {"message": c.feedback})
            counts["skipped"] += 1
        else:
            ET.SubElement(case, "system-out").text = c.feedback
        cases.append(case)
    suite = ET.Element("testsuite", {"name": suite_name, "tests": str(len(cases)), **{k: str(v) for k, v in counts.items()}})
    suite.extend(cases)
    root = ET.Element("testsuites", {"name": "finops-grader"})
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

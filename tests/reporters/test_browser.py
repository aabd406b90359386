"""The learner page and the cohort report in headless Chromium (Debian's `chromium`; .ci/run
installs it): the text renders, the charts are there, a screenshot is taken, and the page itself
starts no network request (Chromium's own background requests are told apart by their initiator)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, REFERENCE
from tests.test_cli import run

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _browse(page: Path, tmp_path: Path, *extra: str) -> tuple[str, list[dict]]:
    """The rendered DOM and the page-initiated network requests."""
    netlog = tmp_path / f"{page.stem}.netlog.json"
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / ('profile-' + page.stem)}",
                          f"--log-net-log={netlog}", "--dump-dom", page.as_uri(), *extra],
                         capture_output=True, text=True, timeout=120).stdout
    log = json.loads(netlog.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requests = [e["params"] for e in log["events"] if e["type"] == start and "url" in e.get("params", {})]
    return dom, [r for r in requests if r.get("initiator") != "not an origin"]


def _screenshot(page: Path, tmp_path: Path) -> Path:
    png = tmp_path / f"{page.stem}.png"
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / ('shot-' + page.stem)}", "--window-size=1100,1400",
                    f"--screenshot={png}", page.as_uri()], capture_output=True, timeout=120)
    return png


def test_learner_page_renders_offline(tmp_path: Path):
    page = tmp_path / "lab2.html"
    assert run("grade", REFERENCE / "lab2", "--format", "html", "--output", page).exit_code == 0
    dom, requests = _browse(page, tmp_path)
    assert "100 / 100 points (100.0 %) — passed" in dom
    assert "Annual cost: baseline, each action, after" in dom and "<svg" in dom      # the waterfall chart
    assert requests == []
    png = _screenshot(page, tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_cohort_report_renders_offline(tmp_path: Path):
    cohort = tmp_path / "cohort"
    for name in ("lab2-good", "lab2-short", "lab3-good"):
        shutil.copytree(EXAMPLES / name, cohort / name)
    shutil.copytree(EXAMPLES / "lab2-good", cohort / "copy")
    (cohort / "copy" / "submission.yaml").write_text("learner: {id: c0py}\nlab: lab2\n")
    db = tmp_path / "gb.sqlite"
    run("batch", cohort, "--db", db)
    page = tmp_path / "cohort.html"
    assert run("report", "--db", db, "--out", page).exit_code == 0
    dom, requests = _browse(page, tmp_path)
    assert "pass rate 67 %" in dom and "c0py and g0815: 100 %" in dom
    assert requests == []
    assert _screenshot(page, tmp_path).stat().st_size > 20_000


def test_the_request_check_can_fail(tmp_path: Path):
    page = tmp_path / "leaky.html"
    page.write_text('<!doctype html><img src="http://127.0.0.1:9/pixel.png"><p>leaky</p>')
    dom, requests = _browse(page, tmp_path)
    assert "leaky" in dom
    assert [r["url"] for r in requests] == ["http://127.0.0.1:9/pixel.png"]


def test_learner_payloads_stay_text_in_the_dom(tmp_path: Path, make_submission):
    payload = "<img src=x onerror=alert(1)>"
    sub = make_submission({"submission.yaml": "learner: {id: p1}\nlab: lab2\n", "playbook.yaml": (
        f"actions:\n  - {{id: '{payload}', title: t, lever: scheduling, scope: {{business_unit: search}},"
        " params: {hours_off_per_week: 10}, owner: '<b>bold</b>'}\n")})
    page = tmp_path / "payload.html"
    run("grade", sub, "--format", "html", "--output", page)
    dom, requests = _browse(page, tmp_path)
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom            # shown as text
    assert "<img" not in dom.split("<svg")[0] and "onerror=\"" not in dom
    assert requests == []

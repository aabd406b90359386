"""The benchmark suite (issue 8): one command, its own inputs, a table, within about 5 minutes.

    .venv/bin/pip install -q -e '.[bench]' && .venv/bin/python bench/run.py [--quick]

Rows: cold `grader --help` and cold `grader grade` per lab (whole process, median of 5); batch
throughput on 1,000 mixed-lab submissions with --jobs 1 and --jobs 2 (whole process, median of 5
rounds, each round running both, in alternating order, so the machine's drift touches both alike);
the serial start every batch pays (a batch of one submission) and the bound it puts on scaling; the
machine's own capacity for two processes at that moment; the floor, a process that only reads and
parses the same submissions' files (YAML/CSV/Markdown), as the ratio batch ÷ floor; lab1 reference
figures on a 1,000,000-row FOCUS file against DuckDB.
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "reference_solutions"
LABS = ("lab1", "lab2", "lab3", "assessment")

FLOOR = r"""
import csv, io, sys, yaml
from pathlib import Path
from markdown_it import MarkdownIt
md = MarkdownIt("commonmark")
for folder in sorted(Path(sys.argv[1]).iterdir()):
    for f in sorted(folder.iterdir()):
        text = f.read_text()
        if f.suffix == ".yaml":
            yaml.load(text, Loader=yaml.CSafeLoader)
        elif f.suffix == ".csv":
            list(csv.reader(io.StringIO(text)))
        elif f.suffix == ".md":
            md.parse(text)
"""

# Pure-Python CPU work for a fixed count: alone, then two at once. Two cores free of other load run
# the pair in the time of one (capacity 2.0); a shared or throttled host shows less.
SPIN = "s = 0\nfor i in range(4_000_000):\n    s += i * i % 7"


def capacity(py: str) -> float:
    """How many processes' worth of CPU work this machine does at once, now (median of 3)."""
    ratios = []
    for _ in range(3):
        alone = timed([py, "-c", SPIN], 1)[0]
        t0 = time.perf_counter()
        pair = [subprocess.Popen([py, "-c", SPIN], env={"PATH": ""}) for _ in range(2)]
        for p in pair:
            p.wait()
        ratios.append(2 * alone / (time.perf_counter() - t0))
    return statistics.median(ratios)


def timed(cmd: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={"PATH": "", "CI": "1"})
        times.append(time.perf_counter() - t0)
    return times


def cohort(folder: Path, size: int) -> Path:
    """`size` submissions, a quarter per lab, from the reference solutions with other learner ids
    and (lab2) other parameters, so no two are identical."""
    rng = random.Random(8)
    for i in range(size):
        lab = LABS[i % 4]
        target = folder / f"{lab}-{i:04d}"
        shutil.copytree(REFERENCE / lab, target)
        (target / "panel.yaml").unlink(missing_ok=True)
        manifest = target / "submission.yaml"
        manifest.write_text(f"learner: {{id: b{i:04d}}}\nlab: {lab}\n")
        if lab == "lab2":
            book = target / "playbook.yaml"
            book.write_text(book.read_text().replace("current_utilization: 0.30",
                                                     f"current_utilization: {rng.uniform(0.2, 0.5):.2f}"))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 submissions and 100,000 rows (a smoke run)")
    args = parser.parse_args()
    size, rows = (100, 100_000) if args.quick else (1000, 1_000_000)
    py = sys.executable
    table: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        work = Path(tmp)
        help_times = timed([py, "-m", "grader", "--help"], 5)
        table.append(("cold `grader --help`", f"{statistics.median(help_times):.3f} s"))
        for lab in LABS:
            t = timed([py, "-m", "grader", "grade", str(REFERENCE / lab), "--format", "json"], 5)
            table.append((f"cold `grader grade` {lab}", f"{statistics.median(t):.3f} s"))
        subs = cohort(work / "cohort", size)
        one = work / "one"
        one.mkdir()
        shutil.copytree(subs / sorted(p.name for p in subs.iterdir())[0], one / "only")

        def run_batch(folder: Path, jobs: int) -> float:
            db = work / "gb.sqlite"
            for f in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
                f.unlink(missing_ok=True)
            return timed([py, "-m", "grader", "batch", str(folder), "--jobs", str(jobs), "--db", str(db)], 1)[0]

        runs: dict[int, list[float]] = {1: [], 2: []}
        for r in range(5):
            for jobs in ((1, 2) if r % 2 == 0 else (2, 1)):
                runs[jobs].append(run_batch(subs, jobs))
        batch = {jobs: statistics.median(t) for jobs, t in runs.items()}
        for jobs in (1, 2):
            table.append((f"batch {size} mixed, --jobs {jobs}", f"{batch[jobs]:.2f} s = {size / batch[jobs]:.0f}/s"))
        paired = sorted(a / b for a, b in zip(runs[1], runs[2]))
        table.append(("scaling --jobs 2 ÷ --jobs 1", f"{batch[1] / batch[2]:.2f} (rounds {paired[0]:.2f}–{paired[-1]:.2f})"))
        # Amdahl: what every batch pays before and after grading runs on one core, whatever --jobs.
        start = statistics.median(run_batch(one, 1) for _ in range(5))
        table.append(("serial start: batch of 1 submission", f"{start:.2f} s"))
        table.append(("  bound on scaling it leaves", f"{batch[1] / (start + (batch[1] - start) / 2):.2f}"))
        table.append(("machine now: 2 processes' CPU work at once", f"{capacity(py):.2f} (2.00 = two free cores)"))
        floor = statistics.median(timed([py, "-c", FLOOR, str(subs)], 3))
        table.append((f"floor: parse the {size} submissions", f"{floor:.2f} s"))
        table.append(("batch (--jobs 2) ÷ floor", f"{batch[2] / floor:.2f}"))
        lab1 = subprocess.run([py, str(ROOT / "bench" / "lab1_reference.py"), "--rows", str(rows), "--repeat", "3",
                               "--data", str(work / "focus")], cwd=ROOT, capture_output=True, text=True)
    print(f"{'measure':<46} value")
    for name, value in table:
        print(f"{name:<46} {value}")
    print(f"\nlab1 reference figures on {rows:,} FOCUS rows (bench/lab1_reference.py):")
    print(lab1.stdout.strip())
    if lab1.returncode != 0:
        print(f"bench/lab1_reference.py failed (exit {lab1.returncode}):\n{lab1.stderr.strip()}")


if __name__ == "__main__":
    main()

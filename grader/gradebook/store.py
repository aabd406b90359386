"""The gradebook: one SQLite file (stdlib sqlite3, WAL) of learners and graded attempts.

Every attempt keeps the full result JSON and the submission's own files (as a zip), so a rubric
change can be re-scored without the original folders. An attempt is identified by the learner, the
lab, the submission's content hash, the rubric's sha256 and the grader version: grading the same
thing again is a no-op, and a batch killed half-way resumes where it stopped.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS learners (
    id TEXT PRIMARY KEY,
    name TEXT,
    email TEXT
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    learner_id TEXT NOT NULL,
    lab TEXT NOT NULL,
    source TEXT NOT NULL,                 -- where the submission was found
    content_sha256 TEXT NOT NULL,         -- of the submission's files
    rubric_id TEXT,
    rubric_sha256 TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    percent REAL NOT NULL,
    passed INTEGER NOT NULL,
    invalid INTEGER NOT NULL,
    late_days INTEGER NOT NULL,
    submitted_at TEXT,                    -- the learner's manifest, when given
    result_json TEXT NOT NULL,
    submission_zip BLOB NOT NULL,
    graded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (learner_id, lab, content_sha256, rubric_sha256, grader_version)
);
CREATE INDEX IF NOT EXISTS attempts_by_learner ON attempts (learner_id, lab);
"""


@dataclass(frozen=True)
class Attempt:
    id: int
    learner_id: str
    lab: str
    source: str
    content_sha256: str
    rubric_sha256: str
    score: float
    max_score: float
    percent: float
    passed: bool
    invalid: bool
    late_days: int
    submitted_at: str | None
    result: dict


class Gradebook:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: explicit transactions, one per recorded attempt (nothing is lost if killed)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self._group: list[int] | None = None
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Gradebook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def has(self, learner_id: str, lab: str, content_sha256: str, rubric_sha256: str, grader_version: str) -> bool:
        row = self.db.execute("SELECT 1 FROM attempts WHERE learner_id=? AND lab=? AND content_sha256=? AND "
                              "rubric_sha256=? AND grader_version=?",
                              (learner_id, lab, content_sha256, rubric_sha256, grader_version)).fetchone()
        return row is not None

    def graded_hashes(self) -> set[tuple[str, str, str]]:
        """(content sha256, rubric sha256, grader version) of every attempt: what a resumed batch skips."""
        return set(self.db.execute("SELECT content_sha256, rubric_sha256, grader_version FROM attempts"))

    def record(self, result: dict, *, source: str, content_sha256: str, submission_zip: bytes,
               name: str | None = None, email: str | None = None, submitted_at: str | None = None,
               result_text: str | None = None) -> bool:
        """Store one graded attempt; False when the identical attempt is already there. `result_text`,
        when given, is `result` already dumped as stored (compact, sorted keys)."""
        learner = result.get("learner") or f"unknown:{content_sha256[:12]}"
        lab = result.get("lab") or "unknown"
        rubric = result.get("rubric") or {}
        with self._transaction():
            self.db.execute("INSERT INTO learners (id, name, email) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                            "name=coalesce(excluded.name, name), email=coalesce(excluded.email, email)",
                            (learner, name, email))
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO attempts (learner_id, lab, source, content_sha256, rubric_id, rubric_sha256, "
                "grader_version, score, max_score, percent, passed, invalid, late_days, submitted_at, result_json, "
                "submission_zip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (learner, lab, source, content_sha256, rubric.get("id"), rubric.get("sha256", ""),
                 result["grader_version"], result["score"], result["max_score"], result["percent"],
                 int(result["passed"]), int(bool(result["errors"])), result.get("late", {}).get("days", 0),
                 submitted_at, result_text or json.dumps(result, sort_keys=True), submission_zip))
            return cursor.rowcount == 1

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        if self._group is not None:          # inside grouped(): commit every `size` records
            yield
            self._group[0] += 1
            if self._group[0] >= self._group[1]:
                self.db.execute("COMMIT")
                self.db.execute("BEGIN IMMEDIATE")
                self._group[0] = 0
            return
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            yield

    @contextmanager
    def grouped(self, size: int = 32) -> Iterator[None]:
        """Record in transactions of `size` attempts instead of one each (a batch's pace). A process
        killed inside loses at most the attempts of the open transaction, which a resumed batch
        grades again; whatever was committed is whole."""
        self.db.execute("BEGIN IMMEDIATE")
        self._group = [0, size]
        try:
            yield
        finally:
            self._group = None
            self.db.execute("COMMIT")

    def merge_from(self, other: Path) -> int:
        """Copy another gradebook's learners and attempts in (a shard's); returns the attempts added.
        Attempts already present (same learner, lab, content, rubric, grader) are not doubled."""
        columns = ("learner_id, lab, source, content_sha256, rubric_id, rubric_sha256, grader_version, score, "
                   "max_score, percent, passed, invalid, late_days, submitted_at, result_json, submission_zip, graded_at")
        self.db.execute("ATTACH DATABASE ? AS shard", (str(other),))   # not allowed inside a transaction
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute("INSERT INTO learners (id, name, email) SELECT id, name, email FROM shard.learners "
                                "WHERE true ON CONFLICT(id) DO UPDATE SET name=coalesce(excluded.name, name), "
                                "email=coalesce(excluded.email, email)")
                added = self.db.execute(f"INSERT OR IGNORE INTO attempts ({columns}) SELECT {columns} FROM "
                                        "shard.attempts ORDER BY id").rowcount
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        finally:
            self.db.execute("DETACH DATABASE shard")
        return added

    def attempts(self, lab: str | None = None) -> Iterator[Attempt]:
        query = ("SELECT id, learner_id, lab, source, content_sha256, rubric_sha256, score, max_score, percent, "
                 "passed, invalid, late_days, submitted_at, result_json FROM attempts")
        args: tuple = ()
        if lab:
            query += " WHERE lab = ?"
            args = (lab,)
        for row in self.db.execute(query + " ORDER BY learner_id, lab, id", args):
            yield Attempt(id=row[0], learner_id=row[1], lab=row[2], source=row[3], content_sha256=row[4],
                          rubric_sha256=row[5], score=row[6], max_score=row[7], percent=row[8], passed=bool(row[9]),
                          invalid=bool(row[10]), late_days=row[11], submitted_at=row[12], result=json.loads(row[13]))

    def submission_zip(self, attempt_id: int) -> bytes:
        return self.db.execute("SELECT submission_zip FROM attempts WHERE id = ?", (attempt_id,)).fetchone()[0]

    def learners(self) -> dict[str, tuple[str | None, str | None]]:
        return {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT id, name, email FROM learners ORDER BY id")}

    def chosen(self, policy: str = "latest") -> dict[tuple[str, str], Attempt]:
        """One attempt per (learner, lab): the latest recorded, or the best score (ties: the latest)."""
        chosen: dict[tuple[str, str], Attempt] = {}
        for a in self.attempts():
            key = (a.learner_id, a.lab)
            current = chosen.get(key)
            if current is None or policy == "latest" or a.score >= current.score:
                chosen[key] = a
        return chosen

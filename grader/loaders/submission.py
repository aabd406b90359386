"""Open a submission: a folder, or a .zip of one (submissions.md §3).

Files are read lazily and only through `read`, which enforces the size limit. Nothing outside the
submission is ever read: links are refused, zip member names that escape are refused, and nothing
is extracted to disk.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader import limits
from grader.errors import SubmissionError, UsageError
from grader.loaders.containers import Extracted, from_notebook, from_workbook
from grader.loaders.yaml_source import YamlProblems, load_model
from grader.models.problems import Problem
from grader.models.submission import Manifest

MANIFEST = "submission.yaml"
IGNORED = {"__MACOSX", ".DS_Store", "Thumbs.db", ".git", ".ipynb_checkpoints"}


def _ignored(parts: tuple[str, ...]) -> bool:
    return any(p in IGNORED or p.startswith("._") for p in parts)


@dataclass
class SubmissionFiles:
    """The files of one submission, by POSIX path relative to its root, plus the lab files found
    inside its notebooks and workbooks (submissions.md §4)."""

    source: Path
    _sizes: dict[str, int]
    _folder: Path | None = None
    _zip: zipfile.ZipFile | None = None
    _zip_names: dict[str, str] | None = None    # our name -> member name
    _contained: dict[str, Extracted] = field(default_factory=dict)

    def names(self) -> list[str]:
        return sorted(set(self._sizes) | set(self._contained))

    def has(self, name: str) -> bool:
        return name in self._sizes or name in self._contained

    def container_of(self, name: str) -> str | None:
        """The notebook cell or workbook sheet a lab file came from, if it came from one."""
        return self._contained[name].origin if name in self._contained else None

    def read(self, name: str) -> bytes:
        if name in self._contained:
            return self._contained[name].data
        size = self._sizes[name]
        limit = limits.current.max_file_bytes
        if size > limit:
            raise SubmissionError(f"{name} is too large.", [Problem(
                file=name, message=f"the file is {size:,} bytes; the limit is {limit:,}.",
                fix="hand in only what the lab asks for.")])
        if self._folder is not None:
            return (self._folder / name).read_bytes()
        assert self._zip is not None and self._zip_names is not None
        with self._zip.open(self._zip_names[name]) as member:
            data = member.read(limit + 1)
        if len(data) > limit:   # the header lied about the size
            raise SubmissionError(f"{name} is too large.", [Problem(file=name, message="the file is too large.")])
        return data

    def require(self, name: str) -> bytes:
        if not self.has(name):
            near = [n for n in self.names() if PurePosixPath(n).name == name]
            raise SubmissionError(f"{name} is missing.", [Problem(
                file=name, message="the file is missing from the submission.",
                fix=(f"move {near[0]} to the top of the submission folder." if near else
                     f"add {name} next to {MANIFEST}."))])
        return self.read(name)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _open_folder(root: Path) -> SubmissionFiles:
    sizes: dict[str, int] = {}
    problems: list[Problem] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if _ignored(rel.parts):
            continue
        if path.is_symlink():
            problems.append(Problem(file=rel.as_posix(), message="links are not accepted in a submission.",
                                    fix="copy the file itself into the folder."))
            continue
        if path.is_file():
            sizes[rel.as_posix()] = path.stat().st_size
            if len(sizes) > limits.current.max_files:
                problems.append(Problem(file=root.name, message=f"more than {limits.current.max_files} files.",
                                        fix="hand in only the lab's files."))
                break
    if problems:
        raise SubmissionError("the submission folder cannot be read.", problems)
    return SubmissionFiles(source=root, _sizes=sizes, _folder=root)


def _open_zip(path: Path) -> SubmissionFiles:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"{path.name} is not a readable zip file.", [Problem(
            file=path.name, message=f"not a readable zip file ({exc}).", fix="zip the folder again.")]) from None
    problems: list[Problem] = []
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > limits.current.max_files:
        archive.close()
        raise SubmissionError(f"{path.name} has too many files.", [Problem(
            file=path.name, message=f"{len(members):,} files; the limit is {limits.current.max_files}.",
            fix="zip only the submission folder.")])
    entries: dict[str, zipfile.ZipInfo] = {}
    for member in members:
        name = member.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
            problems.append(Problem(file=path.name, location=name, message="a path that leaves the archive.",
                                    fix="zip the folder with relative paths."))
            continue
        if name.lower().endswith(".zip"):
            problems.append(Problem(file=path.name, location=name, message="a zip inside the zip.",
                                    fix="zip the submission folder once, with its files directly inside."))
            continue
        if (member.external_attr >> 16) & 0o170000 == 0o120000:
            problems.append(Problem(file=path.name, location=name, message="links are not accepted.",
                                    fix="zip the files themselves."))
            continue
        if member.compress_size and member.file_size / member.compress_size > limits.current.max_zip_ratio \
                and member.file_size > 1024 * 1024:
            problems.append(Problem(file=path.name, location=name, message="the member expands suspiciously "
                                    f"({member.file_size:,} bytes from {member.compress_size:,}).",
                                    fix="zip the submission folder as it is."))
            continue
        if not _ignored(parts):
            entries[name] = member
    if problems:
        archive.close()
        raise SubmissionError(f"{path.name} cannot be used.", problems)
    # A zip of one folder: strip that folder, so `work/playbook.yaml` reads as `playbook.yaml`.
    tops = {PurePosixPath(n).parts[0] for n in entries}
    strip = len(tops) == 1 and all(len(PurePosixPath(n).parts) > 1 for n in entries)
    names = {("/".join(PurePosixPath(n).parts[1:]) if strip else n): n for n in entries}
    sizes = {ours: entries[member].file_size for ours, member in names.items()}
    return SubmissionFiles(source=path, _sizes=sizes, _zip=archive, _zip_names=names)


def _open_containers(files: SubmissionFiles) -> SubmissionFiles:
    """Extract the lab files of every notebook and workbook; a file given twice is an error naming
    both places."""
    problems: list[Problem] = []
    for name in sorted(files._sizes):
        suffix = PurePosixPath(name).suffix.lower()
        if suffix in (".xlsm", ".xls", ".xlsb"):
            problems.append(Problem(file=name, message="only .xlsx workbooks are read (no macros, no legacy formats).",
                                    fix="save the workbook as .xlsx."))
            continue
        reader = {".ipynb": from_notebook, ".xlsx": from_workbook}.get(suffix)
        if reader is None:
            continue
        extracted, found = reader(files.read(name), name)
        problems += found
        for item in extracted:
            if item.name in files._sizes or item.name in files._contained:
                first = files._contained[item.name].origin if item.name in files._contained else f"the file {item.name}"
                problems.append(Problem(file=item.name, message=f"{item.name} is given twice: in {first} and in "
                                        f"{item.origin}.", fix="keep one of them."))
            else:
                files._contained[item.name] = item
    if problems:
        files.close()
        raise SubmissionError("the submission's notebooks or workbooks cannot be used.", problems)
    return files


def open_submission(path: Path) -> SubmissionFiles:
    """A folder or a .zip; a missing path is a usage error (exit 2)."""
    if not path.exists():
        raise UsageError(f"submission {path} does not exist.")
    if path.is_dir():
        return _open_containers(_open_folder(path))
    if path.suffix.lower() == ".zip":
        return _open_containers(_open_zip(path))
    if path.suffix.lower() == ".ipynb":     # a single notebook can be a whole submission
        return _open_containers(SubmissionFiles(source=path, _sizes={path.name: path.stat().st_size},
                                                _folder=path.parent))
    raise UsageError(f"submission {path} is neither a folder, a .zip file nor a notebook.")


def read_manifest(files: SubmissionFiles) -> Manifest:
    raw = files.require(MANIFEST)
    try:
        return load_model(raw, MANIFEST, Manifest)
    except YamlProblems as exc:
        raise SubmissionError(f"{MANIFEST} is invalid.", exc.problems) from None

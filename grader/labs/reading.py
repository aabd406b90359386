"""Reading a lab's files into models, collecting every problem instead of stopping at the first."""
from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from grader.errors import SubmissionError
from grader import limits
from grader.loaders.markdown_doc import Section, sections
from grader.loaders.submission import SubmissionFiles
from grader.loaders.yaml_source import YamlDoc, YamlProblems, parse_yaml, problems_from_validation
from grader.models.problems import Problem

M = TypeVar("M", bound=BaseModel)


def read_yaml_model(files: SubmissionFiles, name: str, model: type[M],
                    problems: list[Problem]) -> tuple[M | None, YamlDoc | None]:
    """The file as `model` and its parsed document; problems are appended, not raised."""
    doc = None
    try:
        doc = parse_yaml(files.require(name), name)
        return model.model_validate(doc.data), doc
    except YamlProblems as exc:
        problems += exc.problems
    except ValidationError as exc:
        problems += problems_from_validation(exc, doc)
    except SubmissionError as exc:
        problems += exc.problems
    return None, doc


def read_markdown(files: SubmissionFiles, name: str, problems: list[Problem]) -> list[Section]:
    """The document's sections (markdown-it-py); problems are appended, not raised."""
    try:
        raw = files.require(name)
        if len(raw) > limits.current.max_markdown_bytes:
            problems.append(Problem(file=name, message=f"the file is {len(raw):,} bytes; the limit is "
                                    f"{limits.current.max_markdown_bytes:,}.", fix="hand in the document, not attachments."))
            return []
        return sections(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        problems.append(Problem(file=name, message=f"the file is not UTF-8 text (byte {exc.start}).",
                                fix="save it as UTF-8."))
    except SubmissionError as exc:
        problems += exc.problems
    return []

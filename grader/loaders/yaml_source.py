"""Read YAML safely and turn validation failures into located problems.

Only the safe loader is used (libyaml's C version when present): no tags that build Python objects.
The composed node tree is kept so that a pydantic error path (``actions[1].params``) can be mapped
back to the line the learner must edit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from grader import limits
from grader.models.problems import Problem, field_path

try:  # the C loader is much faster and equally safe
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader

M = TypeVar("M", bound=BaseModel)



@dataclass
class YamlDoc:
    """A parsed YAML file: its data and its node tree (for line numbers)."""

    file: str
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: tuple | list) -> int | None:
        """1-based line of the node at `loc`, or of its nearest existing parent."""
        node = self.root
        best = node.start_mark.line + 1 if node is not None else None
        for part in loc:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                        child = value
                        best = key.start_mark.line + 1
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    child = node.value[part]
                    best = child.start_mark.line + 1
            if child is None:
                break
            node = child
        return best


def _mark_line(err: yaml.YAMLError) -> int | None:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def _check_tree(root: yaml.Node, file: str) -> list[Problem]:
    """Duplicate keys (silently overwritten by PyYAML) and oversized trees."""
    problems: list[Problem] = []
    seen: set[int] = set()
    stack = [root]
    count = 0
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: already checked, and never expanded
            continue
        seen.add(id(node))
        count += 1
        if count > limits.current.max_yaml_values:
            problems.append(Problem(file=file, message=f"the file has more than {limits.current.max_yaml_values:,} values.",
                                    fix="submit the file the lab asks for; it is far smaller."))
            break
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in keys:
                        problems.append(Problem(
                            file=file, line=line, location=key.value,
                            message=f"key '{key.value}' appears twice (first on line {keys[key.value]}).",
                            fix="keep one of them; YAML would silently drop the first."))
                    else:
                        keys[key.value] = line
                stack.append(key)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return problems


def parse_yaml(raw: bytes, file: str) -> YamlDoc:
    """Parse YAML bytes; raise a located `SubmissionError`-ready list via `YamlProblems`."""
    if len(raw) > limits.current.max_yaml_bytes:
        raise YamlProblems([Problem(file=file, message=f"the file is {len(raw):,} bytes; the limit is "
                                    f"{limits.current.max_yaml_bytes:,}.", fix="submit the file the lab asks for, without embedded data.")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlProblems([Problem(file=file, message=f"the file is not UTF-8 text (byte {exc.start}).",
                                    fix="save it as UTF-8 in your editor.")]) from None
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return YamlDoc(file=file, data=None, root=None)
        problems = _check_tree(root, file)
        if problems:
            raise YamlProblems(problems)
        data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlProblems([Problem(file=file, line=_mark_line(exc), message=f"not valid YAML: {problem}.",
                                    fix="check indentation and quoting near that line; only plain YAML "
                                        "(no !!python tags) is accepted.")]) from None
    except RecursionError:
        raise YamlProblems([Problem(file=file, message="the YAML is nested too deeply.",
                                    fix="flatten the structure to what the lab asks for.")]) from None
    except (ValueError, OverflowError) as exc:
        # A scalar that resolves to a date or number but cannot be built (2026-02-30, 5,000 digits).
        raise YamlProblems([Problem(file=file, line=_unbuildable_scalar_line(loader, root),
                                    message=f"a value cannot be read ({exc}).",
                                    fix="dates must exist and be written YYYY-MM-DD; quote text that only looks "
                                        "like a date or a number.")]) from None
    finally:
        loader.dispose()
    return YamlDoc(file=file, data=data, root=root)


def _unbuildable_scalar_line(loader, root: yaml.Node) -> int | None:
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                loader.construct_object(node, deep=True)
            except Exception:  # noqa: BLE001 - the one we are looking for
                return node.start_mark.line + 1
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


class YamlProblems(Exception):
    """Problems found while reading or validating one YAML file."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.render() for p in problems))
        self.problems = problems


# What a pattern-checked field looks like, in words (instead of the regular expression).
_FORMS = {"period": "a month, YYYY-MM (e.g. 2026-09)",
          "dataset_variant": "a variant id: v- and 12 hexadecimal digits, as your dataset.yaml's `variant: id:`",
          "id": "an id of letters, digits, '.', '_', '@' or '-' (no spaces or slashes, at most 64 characters)"}

_FIXES = {
    "extra_forbidden": "remove it or check its spelling against the lab's template.",
    "missing": "add it; see the lab's template.",
    "literal_error": "use one of the allowed values.",
    "enum": "use one of the allowed values.",
}


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def problems_from_validation(exc: ValidationError, doc: YamlDoc, prefix: tuple = ()) -> list[Problem]:
    """One located problem per pydantic error, in file order; `prefix` places a sub-document."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        bad_key = "[key]" in loc      # pydantic marks an invalid mapping key this way
        loc = tuple(p for p in loc if p != "[key]")
        kind = err["type"]
        msg = err["msg"].removeprefix("Value error, ")
        if kind == "string_pattern_mismatch":
            field = str(loc[-1]) if loc else ""
            form = _FORMS.get(field, "the form the template shows")
            msg = f"{err.get('input')!r} is not written as {form}"
        elif kind in ("model_type", "dict_type"):
            msg = f"expected key: value fields here, found {_kind_of(err.get('input'))}"
        elif kind == "extra_forbidden":
            msg = f"unknown field '{loc[-1]}'" if loc else "unknown field"
        elif kind == "missing":
            msg = f"required field '{loc[-1]}' is missing" if loc else "required field missing"
        elif "input" in err and kind not in ("model_type", "dict_type"):
            shown = repr(err["input"])
            if len(shown) > 60:
                shown = shown[:57] + "..."
            msg = f"{msg} (got {shown})"
        if bad_key:
            msg = f"key not allowed here: {msg[0].lower() + msg[1:]}"
        fix = _FIXES.get(kind)
        if kind == "extra_forbidden" and loc and " " in str(loc[-1]):
            fix = "a comma inside { } starts a new key: put the whole text in quotes."
        elif isinstance(err.get("input"), bool) and kind in ("literal_error", "string_type", "enum"):
            fix = "YAML reads yes/no/on/off as true/false: use one of the allowed words, in quotes if need be."
        problems.append(Problem(file=doc.file, location=field_path(loc) or None, line=doc.line_of(loc),
                                message=msg[0].lower() + msg[1:] + ".", fix=fix))
    problems.sort(key=lambda p: (p.line or 0, p.location or ""))
    return problems


def load_model(raw: bytes, file: str, model: type[M]) -> M:
    """Parse and validate one YAML file into `model`; raise `YamlProblems` listing every problem."""
    doc = parse_yaml(raw, file)
    if doc.data is None:
        raise YamlProblems([Problem(file=file, message="the file is empty.", fix="fill in the lab's template.")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise YamlProblems(problems_from_validation(exc, doc)) from None

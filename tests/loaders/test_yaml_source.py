"""Safe YAML reading with located problems."""
from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict

from grader.loaders.yaml_source import YamlProblems, load_model, parse_yaml


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    size: int


def test_duplicate_keys_are_reported_with_both_lines():
    with pytest.raises(YamlProblems) as err:
        parse_yaml(b"name: a\nsize: 1\nname: b\n", "t.yaml")
    [p] = err.value.problems
    assert (p.line, p.location) == (3, "name")
    assert "first on line 1" in p.message


def test_python_tags_are_refused_not_executed():
    with pytest.raises(YamlProblems) as err:
        parse_yaml(b"x: !!python/object/apply:os.system ['echo pwned']\n", "t.yaml")
    assert err.value.problems[0].line == 1
    assert "not valid YAML" in err.value.problems[0].message


def test_validation_problems_carry_lines_and_paths():
    with pytest.raises(YamlProblems) as err:
        load_model(b"name: a\nsize: big\ncolour: red\n", "t.yaml", Thing)
    got = [(p.line, p.location) for p in err.value.problems]
    assert got == [(2, "size"), (3, "colour")]


def test_comma_in_flow_mapping_gets_a_specific_fix():
    with pytest.raises(YamlProblems) as err:
        load_model(b"{name: a, b c, size: 1}\n", "t.yaml", Thing)
    assert "put the whole text in quotes" in err.value.problems[0].fix


def test_alias_bomb_is_not_expanded():
    bomb = b'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + b"".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n".encode()
        for i in range(8))
    doc = parse_yaml(bomb, "bomb.yaml")     # nodes are shared, the check visits each once
    assert doc.data["a"][0] == "x"


def test_not_utf8_and_empty():
    with pytest.raises(YamlProblems) as err:
        parse_yaml("name: é".encode("latin-1"), "t.yaml")
    assert "not UTF-8" in err.value.problems[0].message
    with pytest.raises(YamlProblems):
        load_model(b"", "t.yaml", Thing)


def test_wrong_shape_is_explained_in_plain_words():
    with pytest.raises(YamlProblems) as err:
        load_model(b"- a\n- list\n", "t.yaml", Thing)
    assert err.value.problems[0].message == "expected key: value fields here, found a list."


@pytest.mark.parametrize("text,line", [
    (b"name: a\nwhen: 2026-02-30\n", 2),            # PyYAML raises ValueError building this date
    (b"name: a\nsize: " + b"9" * 5000 + b"\n", 2),   # beyond Python's int-from-text digit limit
])
def test_values_yaml_cannot_build_are_located(text, line):
    with pytest.raises(YamlProblems) as err:
        parse_yaml(text, "t.yaml")
    assert err.value.problems[0].line == line
    assert "cannot be read" in err.value.problems[0].message

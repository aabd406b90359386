"""A located problem: what is wrong, where (file, line, field path), and how to fix it."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Problem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    message: str
    location: str | None = None   # field path, e.g. "actions[1].params.discount", or a column name
    line: int | None = None       # 1-based line in `file`, where known
    fix: str | None = None        # plain-language advice
    container: str | None = None  # where the file came from when it was inside one: "work.ipynb cell 4"

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.location:
            where += f" ({self.location})"
        if self.container:
            where += f" [in {self.container}]"
        text = f"{where}: {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text

    def to_json(self) -> dict:
        return self.model_dump(exclude_none=True)


def field_path(loc: tuple | list) -> str:
    """('actions', 0, 'params', 'u') -> 'actions[0].params.u'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out

"""Sections of a learner's Markdown document, read with markdown-it-py (never regular expressions)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache



@dataclass(frozen=True)
class Section:
    title: str
    level: int
    line: int              # 1-based line of the heading
    words: int             # words of content up to the next heading of the same or a higher level


def _text_of(token) -> str:
    if token.type == "inline":
        return " ".join(c.content for c in (token.children or []) if c.type in ("text", "code_inline"))
    if token.type in ("fence", "code_block", "html_block"):
        return token.content
    return ""


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")      # built once: its rule tables cost more than a short parse


def sections(text: str) -> list[Section]:
    tokens = _parser().parse(text)
    heads: list[tuple[int, str, int]] = []       # (level, title, line)
    own: list[int] = []                          # words directly under each heading
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            title = _text_of(tokens[i + 1]).strip()
            heads.append((int(token.tag[1]), title, (token.map[0] + 1) if token.map else 1))
            own.append(0)
            i += 3                               # heading_open, inline, heading_close
            continue
        if heads:
            own[-1] += len(_text_of(token).split())
        i += 1
    out = []
    for k, (level, title, line) in enumerate(heads):
        words = own[k]
        for j in range(k + 1, len(heads)):
            if heads[j][0] <= level:
                break
            words += own[j]
        out.append(Section(title=title, level=level, line=line, words=words))
    return out

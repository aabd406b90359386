"""Required sections of a learner's Markdown document, matched by heading words in any case."""
from __future__ import annotations

import re

from grader.checks.feedback import listing
from grader.checks.registry import Outcome
from grader.loaders.markdown_doc import Section


def heading_matches(title: str, synonyms: list[str]) -> bool:
    """A heading counts for a topic when one of its words starts with a synonym (stakeholder →
    Stakeholders) or it contains a multi-word synonym."""
    text = title.lower()
    words = re.split(r"[^a-z0-9-]+", text)
    return any((" " in s and s in text) or any(w.startswith(s) for w in words) for s in synonyms)


def section_issues(found: list[Section], topics: dict[str, list[str]], min_words: int) -> list[str]:
    """One issue per topic without a heading, or whose best section has fewer than `min_words` words."""
    issues = []
    for name, synonyms in topics.items():
        matching = [s for s in found if heading_matches(s.title, synonyms)]
        if not matching:
            issues.append(f"{name}: no heading (e.g. '{synonyms[0].title()}')")
            continue
        best = max(matching, key=lambda s: s.words)
        if best.words < min_words:
            issues.append(f"{name}: '{best.title}' (line {best.line}) has {best.words} word(s), {min_words} needed")
    return issues


def sections_outcome(found: list[Section], topics: dict[str, list[str]], min_words: int, what: str,
                     file: str) -> Outcome:
    """A document's section check: full credit when every topic has a section with content, else
    the share of topics that do, and what is missing."""
    issues = section_issues(found, topics, min_words)
    if not issues:
        return Outcome(1.0, f"The {what} covers {', '.join(topics)}.")
    ok = len(topics) - len(issues)
    return Outcome(ok / len(topics), f"{ok} of {len(topics)} sections in place. {listing(issues)}.", file=file)

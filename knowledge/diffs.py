"""What changed between two versions of an article, line by line (difflib)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from knowledge.models import ArticleVersion

CONTEXT_LINES = 2

SAME, ADDED, REMOVED, GAP = "same", "added", "removed", "gap"


@dataclass(frozen=True)
class DiffLine:
    kind: str  # same, added, removed, or gap (unchanged lines left out)
    text: str


@dataclass(frozen=True)
class FieldDiff:
    label: str
    lines: list[DiffLine]

    @property
    def changed(self) -> bool:
        return any(line.kind in (ADDED, REMOVED) for line in self.lines)


def _lines(old: str, new: str) -> list[DiffLine]:
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=CONTEXT_LINES)
    lines = []
    for raw in diff:
        if raw.startswith(("---", "+++")):
            continue
        if raw.startswith("@@"):
            lines.append(DiffLine(GAP, "…"))
        elif raw.startswith("+"):
            lines.append(DiffLine(ADDED, raw[1:]))
        elif raw.startswith("-"):
            lines.append(DiffLine(REMOVED, raw[1:]))
        else:
            lines.append(DiffLine(SAME, raw[1:]))
    return lines


def version_diff(old: ArticleVersion | None, new: ArticleVersion) -> list[FieldDiff]:
    """The changed fields of `new` against `old` (against nothing: all of it is new)."""
    fields = [
        (_("Title"), "title"),
        (_("Tags"), "tags"),
        (_("Answer wording"), "wording"),
        (_("Body"), "body"),
    ]
    diffs = []
    for label, name in fields:
        before = _text(old, name) if old is not None else ""
        after = _text(new, name)
        field = FieldDiff(str(label), _lines(before, after))
        if field.changed:
            diffs.append(field)
    return diffs


def _text(version: ArticleVersion, name: str) -> str:
    value = getattr(version, name)
    return "\n".join(value) if isinstance(value, list) else value

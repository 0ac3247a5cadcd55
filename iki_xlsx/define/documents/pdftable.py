"""A table read from PDF pages: rows of cells, each cell its printed lines (words with
their places), whatever drew it (rulings or none); parts of one table on consecutive
pages put back together, and each row written as one tab-separated line.

A part that starts a page continues the table of the page before when no text stands
between them and its columns are the same. Its first row, when it has no NO, is either
the rest of the row the page break cut (Word lets rows break) or a new row of a NO/SASARAN
merged over several rows; :func:`continues` weighs what tells them apart — cells the new
part lacks, cut lines that are full, text that goes on in lowercase — and says when the
evidence is weak: that row is then reported, never silently trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cleanup import squash
from .table import is_number, title_kind
from .words import Vocabulary, Word

_ITEM_START = re.compile(r"^(?:[-•·▪]\s|\d{1,2}[.)]\s|[a-z][.)]\s)")


@dataclass
class Row:
    cells: list[list[list[Word]]]  # per column: printed lines, each a list of words
    page: int
    top: float
    doubt: str = ""  # why the cut into cells or rows is not sure ("" when it is)

    def text(self, column: int) -> str:
        return " ".join(w.text for line in self.cells[column] for w in line)

    def filled(self, column: int) -> bool:
        return any(self.cells[column])


@dataclass
class Table:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    titles: list[str] | None  # None: no title row on this page (a continuation)
    edges: list[float]  # x of the column borders (len(columns) + 1)
    rows: list[Row] = field(default_factory=list)
    ruled: bool = True
    above: list[Row] = field(default_factory=list)  # ruled rows printed above the titles

    @property
    def width(self) -> int:
        return len(self.edges) - 1

    def kinds(self) -> list[str | None]:
        return [title_kind(t) for t in self.titles] if self.titles else []

    def same_columns(self, other: Table) -> bool:
        """Columns at the same places (a table going on after a page break)."""
        if other.width != self.width:
            return False
        tolerance = 0.02 * max(self.x1 - self.x0, 1.0) + 3.0
        return all(abs(a - b) <= tolerance for a, b in zip(self.edges, other.edges))


def cell_text(lines: list[list[Word]], vocab: Vocabulary) -> str:
    """A cell's printed lines as text: wrapped lines joined (hyphens and broken words as
    :class:`Vocabulary` decides), list items kept apart with ``<br>``."""
    parts: list[str] = []
    for line in lines:
        text = squash(" ".join(w.text for w in line))
        if not text:
            continue
        if parts and not _ITEM_START.match(text):
            parts[-1] = vocab.join(parts[-1], text)
        else:
            parts.append(text)
    return "<br>".join(p.replace("\t", " ") for p in parts)


def right_limits(parts: list[Table]) -> list[float]:
    """Per column, the right end of its longest printed line: where lines wrap."""
    width = parts[0].width
    limits = [0.0] * width
    for part in parts:
        for row in part.rows:
            for c in range(min(width, len(row.cells))):
                for line in row.cells[c]:
                    if line:
                        limits[c] = max(limits[c], line[-1].x1)
    return limits


def would_fit(line: list[Word], word: Word, limit: float) -> bool:
    """``word`` had room at the end of ``line``: the line did not wrap before it."""
    space = 0.3 * word.height
    return line[-1].x1 + space + (word.x1 - word.x0) < limit - 0.5


def continues(prev: Row, top: Row, kinds: list[str | None], limits: list[float],
              merged_groups: bool) -> tuple[str, bool]:
    """How ``top`` (the first row after a page break, without a NO) goes on from ``prev``
    (the last row before it): ("row", sure) when it is the rest of that row, ("new",
    sure) when it is a new row of the same NO; ``sure`` False when the evidence is weak
    or contradicts itself. ``merged_groups``: the table has rows without NO elsewhere.

    A cut line is full: when the next word had room on the line above, the text above
    had ended (decisive). A cell the new part lacks, or text going on in lowercase, tells
    of a cut row; a cell only the new part has, of a new row. A line without room for the
    next word tells little (a text may end anywhere)."""
    fits = lacks = adds = lower = full = 0
    for c, kind in enumerate(kinds):
        if kind in (None, "no", "lain") or (kind == "sasaran" and "no" in kinds):
            continue
        before, after = prev.filled(c), top.filled(c)
        if before and not after and kind != "sasaran":
            lacks += 1
        elif after and not before and kind != "sasaran":
            adds += 1
        elif before and after:
            first = top.cells[c][0][0]
            if would_fit(prev.cells[c][-1], first, limits[c]):
                fits += 1
            else:
                full += 1
            lower += first.text[:1].islower()
    if fits and not (lacks or lower):
        return "new", True
    if (lacks or lower) and not (fits or adds):
        return "row", True
    split = 2 * lacks + 1.5 * lower + 0.5 * full + (0 if merged_groups else 1)
    new = 3 * fits + adds
    return ("row" if split > new else "new"), False


def number_column(kinds: list[str | None]) -> int | None:
    return kinds.index("no") if "no" in kinds else None


def has_merged_groups(parts: list[Table], kinds: list[str | None]) -> bool:
    """Rows without NO inside a page (not the first row of a page): NO cells merged."""
    no = number_column(kinds)
    if no is None:
        return True
    for part in parts:
        for row in part.rows[1:]:
            if not is_number(row.text(no)):
                return True
    return False

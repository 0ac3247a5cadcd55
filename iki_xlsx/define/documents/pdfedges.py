"""Running page headers and footers, and page numbers: the lines at a page's top or foot
that are no part of any document.

A line is a running header (or footer) only when it stands at the edge of the page —
nothing but other such lines between it and the edge — and the same text (numbers aside)
stands at the same height on several pages. A page number (``3``, ``- 3 -``, ``Halaman
3 dari 9``, ``3/9``) at the edge is one too. The scan from the edge stops at the first
line that belongs to a document: a title (``INDIKATOR KINERJA INDIVIDU``), a header label
(``1. PERANGKAT DAERAH : …``), column titles, a signature line, or any line that is not
repeated — so a document's first lines at the top of an A4 page are never dropped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from .cleanup import squash
from .header import parse_label_line, title_year
from .pdfplain import SIGNATURE_LINE, title_line
from .pdftable import Table
from .words import Word, line_text

_PAGE_NUMBER = re.compile(r"^(?:-\s*)?(?:(?:hal(?:aman)?|page)\.?\s*)?\d{1,3}"
                          r"(?:\s*(?:dari|of|/)\s*\d{1,3})?(?:\s*-)?$", re.I)
_NAMED_PAGE = re.compile(r"^(?:hal(?:aman)?|page)\.?\s*\d|^\d{1,3}\s*(?:dari|of|/)\s*\d", re.I)
_EDGE = 0.2  # share of the page height where running headers and footers may stand
_SAME_HEIGHT = 4.0  # points


@dataclass
class PageParts:
    number: int
    width: float
    height: float
    tables: list[Table] = field(default_factory=list)  # ruled tables
    lines: list[list[Word]] = field(default_factory=list)  # the other words, by line


def drop_furniture(pages: list[PageParts]) -> None:
    """Remove running headers, footers and page numbers from every page's lines."""
    seen: dict[str, list[tuple[int, float]]] = defaultdict(list)
    running: set[str] = set()  # keys seen right above a title, a table or a signature
    for page in pages:
        for top in (True, False):
            for line in _edge_lines(page, top):
                seen[_key(line)].append((page.number, line[0].top))
        for line, below in _first_two(page):
            if below is None or isinstance(below, Table) or _document_goes_on(below):
                running.add(_key(line))
    for page in pages:  # a block needs a gap to be set apart, unless it names the page
        drop: set[int] = set()
        leading = _leading(page)
        for top in (True, False):
            block: list[int] = []  # furniture lines not yet set apart from the content
            for line, gap in _edge_gaps(page, top):
                if not _furniture(line, seen, running, len(pages)):
                    break
                block.append(id(line))
                if gap > leading + 0.15 * max(w.height for w in line) or _NAMED_PAGE.match(
                        squash(line_text(line).replace("\t", " "))):
                    drop.update(block)  # a wider gap sets the block apart from the text
                    block = []
        page.lines = [line for line in page.lines if id(line) not in drop]


def _leading(page: PageParts) -> float:
    """The usual gap between two lines of the page's text (lower quartile), at most what
    line spacing leaves (a page of a few lines has no usual gap)."""
    tops = sorted((min(w.top for w in ln), max(w.bottom for w in ln)) for ln in page.lines)
    gaps = sorted(b[0] - a[1] for a, b in zip(tops, tops[1:]) if b[0] - a[1] > -1)
    heights = sorted(b - a for a, b in tops) or [10.0]
    spacing = 0.6 * heights[len(heights) // 2]
    return min(gaps[len(gaps) // 4], spacing) if gaps else spacing


def _edge_gaps(page: PageParts, top: bool) -> list[tuple[list[Word], float]]:
    """The edge lines (:func:`_edge_lines`), each with the gap to what stands next to it
    towards the middle of the page (a line or a table)."""
    items = sorted([(min(w.top for w in ln), max(w.bottom for w in ln)) for ln in page.lines]
                   + [(t.top, t.bottom) for t in page.tables])
    out = []
    for line in _edge_lines(page, top):
        t, b = min(w.top for w in line), max(w.bottom for w in line)
        inward = [it[0] - b for it in items if it[0] > b - 0.5] if top else [
            t - it[1] for it in items if it[1] < t + 0.5]
        out.append((line, min(inward, default=float("inf"))))
    return out


def _first_two(page: PageParts) -> list[tuple[list[Word], object]]:
    """The top line of the page with what stands under it (a line, a table or None)."""
    items = sorted([(ln[0].top, ln) for ln in page.lines] + [(t.top, t) for t in page.tables],
                   key=lambda item: item[0])
    if not items or isinstance(items[0][1], Table):
        return []
    return [(items[0][1], items[1][1] if len(items) > 1 else None)]


def _document_goes_on(line: list[Word]) -> bool:
    """A line that starts or goes on with a document: a title, column titles, a
    signature line — what a running header stands above."""
    text = squash(line_text(line).replace("\t", " "))
    return title_year(text) is not False or title_line(line) or bool(SIGNATURE_LINE.match(text))


def _edge_lines(page: PageParts, top: bool) -> list[list[Word]]:
    """Up to three lines from the top (or foot) of the page, outside its ruled tables and
    within the page's edge band, outermost first."""
    lines = sorted(page.lines, key=lambda line: line[0].top, reverse=not top)
    if top:
        limit = min([t.top for t in page.tables] + [_EDGE * page.height])
        lines = [ln for ln in lines if max(w.bottom for w in ln) <= limit]
    else:
        limit = max([t.bottom for t in page.tables] + [(1 - _EDGE) * page.height])
        lines = [ln for ln in lines if min(w.top for w in ln) >= limit]
    return lines[:3]


def _key(line: list[Word]) -> str:
    return re.sub(r"\d+", "#", squash(line_text(line)).casefold())


def _furniture(line: list[Word], seen: dict, running: set[str], pages: int) -> bool:
    """A page number, or a line repeated at the same height on several pages that is no
    part of a document — or is worded like a title but stands above one (``Indikator
    Kinerja Individu 2025 - BKPSDM`` over ``INDIKATOR KINERJA INDIVIDU``)."""
    text = squash(line_text(line).replace("\t", " "))
    key = _key(line)
    if (parse_label_line(text, None) is not None or title_line(line)
            or SIGNATURE_LINE.match(text) or (title_year(text) is not False
                                              and key not in running)):
        return False
    if _PAGE_NUMBER.match(text):
        return True
    pages_here = {p for p, t in seen.get(key, []) if abs(t - line[0].top) <= _SAME_HEIGHT}
    return pages > 1 and len(pages_here) >= 2

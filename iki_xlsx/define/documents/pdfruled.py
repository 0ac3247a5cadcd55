"""Tables drawn with rulings: pdfplumber finds their cells; the page's words are put into
the cell that holds them, line by line, so that a cell keeps the places of its words
(for joining rows a page break cut, and for hyphens). A merged cell's text goes to the
first row it covers. A word that crosses a ruling makes its row doubtful (``pdf_kolom``).
The title row (and a row of column numbers under it) is recognised; a table without one
is a continuation or not an indicator table at all (a ruled header or signature block).
"""

from __future__ import annotations

from bisect import bisect

from .pdftable import Row, Table
from .table import is_column_numbers, is_header
from .words import Word, group_lines


def ruled_tables(page, number: int, words: list[Word]) -> tuple[list[Table], set[Word]]:
    """The ruled tables of a page (three columns or more) and the page's words inside
    them. A cell's words are read from the cell alone: text that touches the next cell's
    (``Keuangan`` | ``3,50``) is never one word."""
    tables: list[Table] = []
    inside: set[Word] = set()
    for found in page.find_tables():
        cells = [c for c in found.cells if c]
        xs = _cluster(sorted({v for c in cells for v in (c[0], c[2])}))
        ys = _cluster(sorted({v for c in cells for v in (c[1], c[3])}))
        if len(xs) < 4 or len(ys) < 2:
            continue
        x0, top, x1, bottom = found.bbox
        inside.update(w for w in words if x0 - 1 <= w.mid <= x1 + 1
                      and top - 1 <= (w.top + w.bottom) / 2 <= bottom + 1)
        tables.append(_table(number, found.bbox, cells, xs, ys, page))
    return tables, inside


def _cluster(values: list[float], tolerance: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in values:
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _table(number: int, bbox, cells, xs: list[float], ys: list[float], page) -> Table:
    """The table's rows: every character inside it goes to the cell that holds it (the
    first row and column of a merged cell; a cell pdfplumber could not close, such as a
    merged cell cut by the page's foot, by its place in the grid of rulings)."""
    from pdfplumber.utils.text import extract_words

    width = len(xs) - 1
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for box in cells:
        r0, r1 = _index(ys, box[1]), _index(ys, box[3])
        k0, k1 = _index(xs, box[0]), _index(xs, box[2])
        for r in range(r0, max(r1, r0 + 1)):
            for k in range(k0, max(k1, k0 + 1)):
                owner[(r, k)] = (r0, k0)
    held: dict[tuple[int, int], list[dict]] = {}
    x0, top, x1, bottom = bbox
    for ch in page.chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        if x0 <= cx <= x1 and top <= cy <= bottom and ch.get("upright", True):
            at = (min(max(bisect(ys, cy) - 1, 0), len(ys) - 2),
                  min(max(bisect(xs, cx) - 1, 0), width - 1))
            held.setdefault(owner.get(at, at), []).append(ch)
    grid: dict[int, Row] = {}
    for (r, k), chars in sorted(held.items()):
        row = grid.setdefault(r, Row([[] for _ in range(width)], number, ys[r]))
        row.cells[k] += group_lines(
            Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]),
                 float(w["bottom"]), number)
            for w in extract_words(chars) if w["text"].strip())
    rows = [grid[r] for r in sorted(grid) if any(grid[r].cells)]
    titles, above = None, []
    for r, row in enumerate(rows[:3]):
        texts = [row.text(c) for c in range(width)]
        if is_header(texts):
            titles, above, rows = texts, rows[:r], rows[r + 1:]
            if rows and is_column_numbers([rows[0].text(c) for c in range(width)]):
                rows = rows[1:]
            break
    return Table(number, top, bottom, x0, x1, titles, xs, rows, ruled=True, above=above)


def _index(values: list[float], v: float) -> int:
    return min(range(len(values)), key=lambda i: abs(values[i] - v))

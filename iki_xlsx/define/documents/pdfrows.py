"""Rows of a table printed without rulings, from its words already cut into columns.

NO and a merged SASARAN are set apart first: their lines run on their own beside the
rows of their group. The other columns decide the rows:

* **Cells at the top of their row** (Word's and most producers' default): line by line,
  a row starts at a number in NO, where a column's text starts below a row's top, after
  a wider gap than a cell's lines have, or where a cell's next word would have fitted on
  its line above (that line had ended); text going on in lowercase stays in the row; a
  row cut on weak evidence is reported (``pdf_baris``).
* **Cells centred in their row** (an HTML table's default): each cell's text is a block
  of lines; the blocks of one row share their middle. A block that holds two cells (no gap
  between them) is cut where its two parts are centred on two rows. A row only one block
  vouches for is reported.

The groups of NO and SASARAN: at the tops of the numbers (cells at the top), or the
rows whose band the number is centred on.
"""

from __future__ import annotations

from statistics import median

from .pdftable import Row, would_fit
from .table import is_number
from .words import Word, group_lines


def build_rows(body: list[list[Word]], kinds: list[str | None], borders: list[float],
               page: int, centred: bool | None = None) -> tuple[list[Row], bool]:
    """The body's words cut into columns (at ``borders``) and rows (see module
    docstring), and whether the cells are centred in their rows (``centred``: as the
    same table's part on the page before found, else judged here)."""
    n = len(borders) + 1
    no = kinds.index("no") if "no" in kinds else None
    sas = kinds.index("sasaran") if "sasaran" in kinds else None
    spanning = {c for c in (no, sas) if c is not None}

    def column(w: Word) -> int:
        return sum(w.mid > b for b in borders)

    words = [w for line in body for w in line]
    crossing = {w for w in words if any(w.x0 < b - 0.5 < w.x1 - 1 for b in borders)}
    lines = group_lines(w for w in words if column(w) not in spanning)
    cells = [[[w for w in line if column(w) == c] for c in range(n)] for line in lines]
    pitch = _pitch(words, column, n, spanning)
    blocks = _blocks(words, column, n, spanning, pitch)
    centred = _centred(blocks) if centred is None else centred
    if centred:
        rows = _centred_rows(blocks, n, page)
        _place_groups(rows, words, column, no, sas, pitch)
    else:
        rows = _top_rows(lines, cells, words, column, kinds, (no, sas), pitch, page)
    for w in crossing:
        _row_at(rows, w.top).doubt = "pdf_kolom"
    _account(rows, words, column, page, n)
    return rows, centred


def _account(rows: list[Row], words: list[Word], column, page: int, n: int) -> None:
    """Every word in a cell: one no rule placed goes to the row beside it, reported."""
    placed = {id(w) for r in rows for cell in r.cells for line in cell for w in line}
    for w in words:
        if id(w) not in placed:
            if not rows:
                rows.append(Row([[] for _ in range(n)], page, w.top))
            row = _row_at(rows, w.top)
            row.cells[column(w)].append([w])
            row.doubt = row.doubt or "pdf_baris"


def _top_rows(lines, cells, words, column, kinds, spanning, pitch, page) -> list[Row]:
    """Rows of cells that start together at the top of their row, line by line."""
    n = len(kinds) if kinds else len(cells[0])
    no, sas = spanning
    heads = _group_starts(words, column, no, sas, pitch)
    limits = [_limit([per[c] for per in cells if per[c]]) for c in range(n)]
    ind = kinds.index("indikator") if "indikator" in kinds else None
    rows: list[Row] = []
    for k, per in enumerate(cells):
        top = min(w.top for w in lines[k])
        new, sure = (True, True) if k == 0 or any(abs(h - top) < 3 for h in heads) else \
            _new_row(cells, lines, k, limits, pitch, ind)
        if new:
            rows.append(Row([[] for _ in range(n)], page, top))
        if not sure:
            rows[-1].doubt = rows[-1].doubt or "pdf_baris"
        for c, found in enumerate(per):
            if found:
                rows[-1].cells[c].append(found)
    for h in heads:  # a NO or SASARAN without any indikator line beside it
        if not any(abs(h - r.top) < 3 for r in rows):
            rows.append(Row([[] for _ in range(n)], page, h))
    rows.sort(key=lambda r: r.top)
    _place_spanning(rows, words, column, (no, sas), heads, Row([[] for _ in range(n)], page, 0))
    return rows


def _limit(lines: list[list[Word]]) -> float | None:
    """Where a column's lines wrap (the end of its longest line), or None when its lines
    are not left-aligned (centred: where a line ends tells nothing)."""
    if not lines:
        return 0.0
    left = min(line[0].x0 for line in lines)
    if sum(line[0].x0 - left < 1.5 for line in lines) < 0.8 * len(lines):
        return None
    return max(line[-1].x1 for line in lines)


def _pitch(words, column, n: int, spanning: set[int]) -> float:
    """The gap between two lines of one cell (leading): the lower quartile of the gaps
    between a column's consecutive lines (most go on a cell; the others are wider,
    between rows)."""
    gaps = []
    for c in range(n):
        if c not in spanning:
            lines = group_lines(w for w in words if column(w) == c)
            gaps += [_top(b) - _bottom(a) for a, b in zip(lines, lines[1:])]
    gaps.sort()
    return gaps[len(gaps) // 4] if gaps else 0.0


def _group_starts(words, column, no, sas, pitch) -> list[float]:
    """Tops where a NO/SASARAN group starts: the numbers in NO, else (a table without NO)
    the first line of each SASARAN text."""
    if no is not None:
        return [line[0].top for line in group_lines(w for w in words if column(w) == no)
                if is_number(" ".join(w.text for w in line))]
    if sas is None:
        return []
    starts, last = [], None
    for line in group_lines(w for w in words if column(w) == sas):
        top = min(w.top for w in line)
        height = max(w.height for w in line)
        if last is None or top - last > pitch + max(1.0, 0.25 * height):
            starts.append(top)
        last = max(w.bottom for w in line)
    return starts


def _new_row(cells, lines, k, limits, pitch, ind) -> tuple[bool, bool]:
    """(a new row starts at line k, the evidence is sure).

    Decisive for a new row: a column's text starting below a row's top, a gap wider
    than a cell's leading, a word that had room on the line above it (that line had
    ended: only left-aligned columns tell). For the same row: text going on in
    lowercase. Lines without room for the next word say little each; two agree."""
    here, above = cells[k], cells[k - 1]
    if any(here[c] and not above[c] for c in range(len(here))):
        return True, True  # cells start together at the top of their row
    height = median(w.height for w in lines[k])
    gap = min(w.top for w in lines[k]) - max(w.bottom for w in lines[k - 1])
    wide = gap > pitch + max(1.0, 0.25 * height)
    fits = full = lower = 0
    for c in range(len(here)):
        if not (here[c] and above[c]):
            continue
        lower += here[c][0].text[:1].islower()
        if limits[c] is None:
            continue  # a centred column: where a line ends says nothing
        if would_fit(above[c], here[c][0], limits[c]):
            fits += 1
        else:
            full += 1
    new, same = wide or fits > 0, lower > 0
    if new != same:
        return new, True
    if not new:
        return False, full >= 2 or (ind is not None and not here[ind])
    return 2 * wide + fits > 1.5 * lower, False


def _row_at(rows: list[Row], top: float) -> Row:
    """The row a line at ``top`` stands beside (the last row starting above it)."""
    return max((r for r in rows if r.top <= top + 3), key=lambda r: r.top, default=rows[0])


def _place_spanning(rows, words, column, spanning, heads, spare: Row) -> None:
    """NO and SASARAN lines to the first row of their group. Lines above the first
    group (a SASARAN going on at the top of a page) get a row of their own, ``spare``,
    unless a row without NO is there already."""
    for c in spanning:
        if c is None:
            continue
        for line in group_lines(w for w in words if column(w) == c):
            top = min(w.top for w in line)
            start = max((h for h in heads if h <= top + 3), default=None)
            if start is None and spare not in rows and (
                    not rows or any(abs(h - rows[0].top) < 3 for h in heads)):
                spare.top = top
                rows.insert(0, spare)
            row = _row_at(rows, start if start is not None else top)
            row.cells[c].append(line)


# --------------------------------------------------------------------------- centred cells

def _blocks(words, column, n, spanning, pitch) -> list[tuple[int, list[list[Word]]]]:
    """(column, lines) of every run of lines a column's text keeps without a wider gap."""
    out = []
    for c in range(n):
        if c in spanning:
            continue
        run: list[list[Word]] = []
        for line in group_lines(w for w in words if column(w) == c):
            if run and _top(line) - _bottom(run[-1]) > pitch + max(1.0, 0.25 * _height(line)):
                out.append((c, run))
                run = []
            run.append(line)
        if run:
            out.append((c, run))
    return out


def _top(line: list[Word]) -> float:
    return min(w.top for w in line)


def _bottom(line: list[Word]) -> float:
    return max(w.bottom for w in line)


def _height(line: list[Word]) -> float:
    return max(w.height for w in line)


def _middle(lines: list[list[Word]]) -> float:
    return (_top(lines[0]) + _bottom(lines[-1])) / 2


def _centred(blocks) -> bool:
    """The blocks of a row share their middles more often than their tops."""
    tops = mids = 0
    for i, (c, a) in enumerate(blocks):
        for d, b in blocks[i + 1:]:
            if c == d or _top(b[0]) > _bottom(a[-1]) or _top(a[0]) > _bottom(b[-1]):
                continue
            tops += abs(_top(a[0]) - _top(b[0])) < 1.5
            mids += abs(_middle(a) - _middle(b)) < 1.5
    return mids > tops


def _centred_rows(blocks, n: int, page: int) -> list[Row]:
    """Blocks grouped by their middles into rows; a block that spans the middle of a row
    it has no block in holds two cells and is cut where both parts are centred."""
    rows: list[dict] = []  # {"mid": float, "cells": {column: lines}}
    for c, lines in sorted(blocks, key=lambda b: _middle(b[1])):
        m = _middle(lines)
        tolerance = max(2.0, 0.3 * _height(lines[0]))
        row = rows[-1] if rows and abs(rows[-1]["mid"] - m) <= tolerance and (
            c not in rows[-1]["cells"]) else None
        if row is None:
            rows.append({"mid": m, "cells": {c: lines}})
        else:
            row["cells"][c] = lines
    changed = True
    while changed:
        changed = False
        for target in rows:
            for c in range(n):
                if c not in target["cells"] and _cut(rows, target, c):
                    changed = True
    out = []
    for row in rows:
        cells = row["cells"]
        r = Row([list(cells.get(c, [])) for c in range(n)], page,
                min(_top(lines[0]) for lines in cells.values()))
        if len(cells) == 1 and len({c for x in rows for c in x["cells"]}) > 1:
            r.doubt = "pdf_baris"  # no other cell vouches for this row
        out.append(r)
    out.sort(key=lambda r: r.top)
    bands = [_band(r) for r in out]
    for i, a in enumerate(out):
        for j in range(i + 1, len(out)):
            if bands[i][1] > bands[j][0] + 1:  # rows overlap: a block holds two cells
                a.doubt, out[j].doubt = a.doubt or "pdf_baris", out[j].doubt or "pdf_baris"
    return out


def _band(row: Row) -> tuple[float, float]:
    lines = [line for cell in row.cells for line in cell if line]
    return (min(_top(line) for line in lines), max(_bottom(line) for line in lines)) \
        if lines else (row.top, row.top)


def _cut(rows: list[dict], target: dict, c: int) -> bool:
    """Cut the block of column ``c`` that spans ``target``'s middle in two, one part
    centred on its own row, the other on ``target``; False when no cut fits."""
    for row in rows:
        lines = row["cells"].get(c)
        if row is target or not lines or len(lines) < 2 or not (
                _top(lines[0]) < target["mid"] < _bottom(lines[-1])):
            continue
        above = row["mid"] < target["mid"]
        best = None
        for i in range(1, len(lines)):
            first, second = lines[:i], lines[i:]
            own, other = (first, second) if above else (second, first)
            error = abs(_middle(own) - row["mid"]) + abs(_middle(other) - target["mid"])
            if best is None or error < best[0]:
                best = (error, own, other)
        if best and best[0] <= max(3.0, 0.5 * _height(lines[0])):
            row["cells"][c], target["cells"][c] = best[1], best[2]
            return True
    return False


def _place_groups(rows: list[Row], words, column, no, sas, pitch) -> None:
    """NO and SASARAN centred on their group. Each number (else each SASARAN block) is
    the middle of its group's band of rows; the groups are cut so; a SASARAN block that
    runs over several groups (no gap between them) is cut into parts centred on theirs.
    Where the middles do not agree, the rows are reported."""
    anchor = no if no is not None else sas
    if not rows or anchor is None:
        return
    blocks = [(c, b) for c, b in _blocks(words, column, len(rows[0].cells), set(), pitch)
              if c in (no, sas)]
    anchors = [_middle(b) for c, b in blocks if c == anchor]
    if not anchors:  # a group going on from the page before: its text to the first row
        for c, block in blocks:
            rows[0].cells[c] += block
        return
    tolerance = max(3.0, 0.5 * median(_height(b[0]) for _, b in blocks))
    bands = [_band(r) for r in rows]
    starts, start = [], 0
    for k, m in enumerate(anchors):
        choices = [(abs((bands[s][0] + bands[e - 1][1]) / 2 - m), s, e)
                   for s in (range(start, len(rows)) if k == 0 else [start])
                   for e in range(s + 1, len(rows) + 1)]
        if not choices:
            anchors = anchors[:k]
            break
        error, s, start = min(choices)
        starts.append(s)
        if error > tolerance:
            for r in rows[s:start]:
                r.doubt = r.doubt or "pdf_baris"
    for c, block in blocks:
        for g, lines, error in _split_centred(block, anchors):
            head = rows[starts[g]]
            head.cells[c] += lines
            if error > tolerance:
                head.doubt = head.doubt or "pdf_baris"


def _split_centred(block: list[list[Word]], anchors: list[float]
                   ) -> list[tuple[int, list[list[Word]], float]]:
    """(group, lines, error) parts of ``block`` centred on the anchors it spans (the
    nearest one when it spans none)."""
    h = _height(block[0])
    spanned = [g for g, a in enumerate(anchors) if _top(block[0]) - h <= a <= _bottom(
        block[-1]) + h][:len(block)]
    if len(spanned) <= 1:
        g = spanned[0] if spanned else min(range(len(anchors)),
                                           key=lambda g: abs(anchors[g] - _middle(block)))
        return [(g, block, abs(anchors[g] - _middle(block)))]
    best: dict[tuple[int, int], tuple[float, list]] = {(0, 0): (0.0, [])}
    for j, g in enumerate(spanned):  # parts in order, each at least one line
        for (i, done), (cost, parts) in list(best.items()):
            if done != j:
                continue
            for end in range(i + 1, len(block) - (len(spanned) - j - 1) + 1):
                part = block[i:end]
                key = (end, j + 1)
                total = cost + abs(_middle(part) - anchors[g])
                if key not in best or total < best[key][0]:
                    best[key] = (total, parts + [(g, part, abs(_middle(part) - anchors[g]))])
    return best[(len(block), len(spanned))][1]

"""The cut of a flattened table's body into rows and cells (see :mod:`.flat`).

A row group starts at the next NO (``1``, ``2`` … in sequence at the start of a line; a
number seen twice before the next one goes to the line that starts like a sasaran). Inside
a group the lines — and the parts of a line where two cells' first lines ran together —
are split into cells in the order of the header's columns by the best-scoring split
(:func:`_segment`, dynamic programming with a small beam) by what a cell of each column
looks like (:mod:`.flatscore`; column widths are learnt from a first pass over the same
table); every row costs, so rows are not invented for their bonuses. Text set as blocks
(a blank line between cells, the decree's shape) keeps every block one cell, but for
first lines that ran together.
A row whose cut rests on weak evidence, lacks a cell or starts one in lowercase is
reported (``kolom_tidak_pasti``, with its source lines), as are the rows around a page
break that cut a row (the page goes on in lowercase): those are not rebuilt.
"""

from __future__ import annotations

import re

from .flatscore import BULLET, STARTS, Piece, cell_lines, cell_score, cell_text, core, cuts
from .issues import Issue
from .words import Vocabulary

_NO = re.compile(r"^(\d{1,3})[.)]?(?:\s+(?=\S)|$)")
_SKIP = {"sasaran": 4.0, "indikator": 8.0, "target": 2.5, "penjelasan": 2.5,
         "sumber_data": 2.5, "satuan": 1.0, "lain": 0.2}
_BEAM = 12  # states kept per position of the cut (the best ones)
_ROW = 3.0  # the cost of one more row: every row earns its cells' bonuses again
_WEAK = 1.0  # a row is reported when moving a cell boundary scores less than this
# worse, when a cell the header has is missing, or when a cell starts in lowercase


def rebuild(kinds: list[str], body: list[tuple[int, str, bool, bool]],
            vocab: Vocabulary | None = None) -> tuple[list[tuple[int, list[str]]], list[Issue]]:
    """Rows (first source line, cells in header order) of a flattened table body: (line
    number, text, first line of a page, after a blank line) per line; ``vocab`` joins a
    cell's wrapped lines."""
    has_no = "no" in kinds
    cols = [k for k in kinds if k != "no"]
    groups = _groups(body, has_no, "target" in cols)
    boxed = sum(b[3] for b in body) >= max(3, 0.1 * len(body))  # cells as blocks
    widths: dict[str, int] = {}
    for _ in range(2):  # the first pass learns the column widths the second one uses
        cut = [_segment(pieces, cols, has_no, widths, boxed) for _, pieces in groups]
        learnt: dict[str, list[int]] = {}
        for rows, _margins in cut:
            for row in rows:
                for kind, cell in row.items():
                    learnt.setdefault(kind, []).extend(len(t) for t in cell_lines(cell))
        widths = {k: max(v) for k, v in learnt.items() if len(v) >= 3}
    out: list[tuple[int, list[str]]] = []
    issues: list[Issue] = []
    flat_rows = [row for rows, _ in cut for row in rows]
    broken = set()  # rows a page break cut: the page goes on in lowercase (not rebuilt)
    for k, row in enumerate(flat_rows):
        if any(p.page_start and (core(p.text)[:1].islower() or p.text[:1].isdigit())
               for c in row.values() for p in c):
            broken |= {id(r) for r in flat_rows[max(k - 1, 0):k + 2]}  # and its neighbours
    for (no, pieces), (rows, margins) in zip(groups, cut):
        for r, (row, margin) in enumerate(zip(rows, margins)):
            first = min(p.line for cell in row.values() for p in cell)
            last = max(p.line for cell in row.values() for p in cell)
            cells = []
            for kind in kinds:
                if kind == "no":
                    cells.append(no if r == 0 else "")
                else:
                    cells.append(cell_text(row.get(kind, []), vocab))
            out.append((first, cells))
            needed = [k for k in cols if k in ("indikator", "penjelasan", "sumber_data")
                      or (k == "sasaran" and r == 0 and has_no)]
            if (margin < _WEAK or id(row) in broken or any(k not in row for k in needed)
                    or any(core(cell_text(c))[:1].islower() for c in row.values())):
                issues.append(Issue("kolom_tidak_pasti", first,
                                    {"why": "teks_rata", "last_line": last}))
    return out, issues


def _groups(body: list[tuple[int, str, bool, bool]], has_no: bool, has_target: bool
            ) -> list[tuple[str, list[Piece]]]:
    """Pieces per NO group; a NO, or a target at the start of a line, is cut off."""
    groups: list[tuple[str, list[Piece]]] = []
    starts = _number_lines(body) if has_no else set()
    for k, (line_no, line, page_start, after_blank) in enumerate(body):
        line = line.strip()
        if not line:
            continue
        m = _NO.match(line) if k in starts else None
        if m:
            groups.append((m[1], []))
            line = line[m.end():]
            if not line:
                continue
        if not groups:
            groups.append(("", []))
        pieces = groups[-1][1]
        for k, (part, cost) in enumerate(cuts(line, has_target)):
            pieces.append(Piece(line_no, part, joined=bool(m) or k > 0, cut_cost=cost,
                                 page_start=page_start and k == 0,
                                 box=after_blank and k == 0))
    for _, pieces in groups:  # a list item after a list item: the list goes on
        item = False
        for p in pieces:
            if p.joined:
                continue
            if BULLET.match(p.text):
                if item:
                    p.cut_cost += 2.0
                item = True
            elif not p.text[:1].islower() and not item:
                item = False
    return groups


def _number_lines(body: list[tuple[int, str, bool, bool]]) -> set[int]:
    """Indexes of the body lines that start a NO group: numbers in sequence at the start
    of a line (``4 laporan`` is a target: lowercase after it). When a number shows up
    more than once before the next one (a wrapped ``… bidang`` / ``3 Jumlah …``), the
    line whose text starts like a sasaran wins, else the first."""
    found: dict[int, list[int]] = {}
    for k, (_, line, _, _) in enumerate(body):
        m = _NO.match(line.strip())
        if m and not line.strip()[m.end():][:1].islower():
            found.setdefault(int(m[1]), []).append(k)
    out: set[int] = set()
    first = [v for v in found if 1 <= v <= 3]  # a target "0" is no NO
    expected, after = (min(first) if first else 1), -1
    while expected in found:
        mine = [k for k in found[expected] if k > after]
        if not mine:
            break
        nxt = [k for k in found.get(expected + 1, []) if k > mine[0]]  # a "4 dokumen"
        limit = min(nxt) if nxt else len(body)  # target before the 3 is no NO
        cands = [k for k in mine if k < limit]
        best = next((k for k in cands if STARTS["sasaran"].match(
            body[k][1].strip()[_NO.match(body[k][1].strip()).end():])), cands[0])
        out.add(best)
        after, expected = best, expected + 1
    return out


def _segment(pieces: list[Piece], cols: list[str], has_no: bool, widths: dict[str, int],
             boxed: bool = False) -> tuple[list[dict[str, list[Piece]]], list[float]]:
    """The best cut of one group's pieces into rows of cells (dynamic programming over
    (pieces used, last column, row has an indikator, still the group's first row)), and
    its confidence: how much worse moving any cell boundary by one line would score.
    ``boxed``: every cell is a block of lines after a blank line, but for first lines
    that share one line (so a cell starts at a block or inside a line, never inside a
    block's later lines, and never holds two blocks)."""
    n, m = len(pieces), len(cols)
    if n == 0:
        return [], []
    has_target = "target" in cols
    ind = cols.index("indikator") if "indikator" in cols else -1

    late = any(p.page_start for p in pieces[1:])  # the sasaran may follow a page break

    def skip_cost(a: int, b: int, first_row: bool) -> float:
        return sum((0.5 if late and cols[k] == "sasaran" else _SKIP.get(cols[k], 0.2))
                   for k in range(a, b) if not (cols[k] == "sasaran" and not first_row))

    table = {(a, b, f): skip_cost(a, b, f) for a in range(m + 1) for b in range(m + 1)
             for f in (False, True)}

    def skip(a: int, b: int, first_row: bool) -> float:
        return table[(a, b, first_row)] if a <= b else 0.0

    scores: dict[tuple[int, int, int], float] = {}

    def cell(i: int, j: int, c2: int) -> float:
        key = (i, j, c2)
        if key not in scores:
            scores[key] = cell_score(cols[c2], pieces[i:j], has_target, widths)
        return scores[key]

    ends = []  # how far a cell starting at piece i may reach: 12 source lines
    for i in range(n):
        j, lines = i, set()
        while j < n and len(lines | {pieces[j].line}) <= 12 and not (
                boxed and j > i and pieces[j].box):
            lines.add(pieces[j].line)
            j += 1
        ends.append(j)
    opens = [not boxed or k == n or pieces[k].joined or pieces[k].box or pieces[k].page_start
             for k in range(n + 1)]  # where a cell may start
    # state: (last column, row has indikator, group's first row, the last cell lies on one
    # source line) per pieces used. Two cells share a line only when the first of them is
    # that one line: cells start together at the top of their row.
    best: list[dict[tuple[int, bool, bool, bool], float]] = [{} for _ in range(n + 1)]
    best[0][(m, False, True, True)] = 0.0
    back: dict[tuple, tuple] = {}
    for i in range(n):
        joined, new_row_ok = pieces[i].joined, not pieces[i].joined
        states = sorted(best[i].items(), key=lambda kv: -kv[1])[:_BEAM]
        for (c, h, f, one), here in states:
            if joined and not one and c != m:
                continue
            for j in range(i + 1, ends[i] + 1):
                if not opens[j]:
                    continue
                one2 = pieces[j - 1].line == pieces[i].line
                for c2 in range(m):
                    if c == m:
                        penalty, h2, f2 = skip(0, c2, True), c2 == ind, True
                    elif c2 > c:
                        penalty, h2, f2 = skip(c + 1, c2, f), h or c2 == ind, f
                    else:
                        if not new_row_ok or (cols[c2] == "sasaran" and has_no
                                              and not pieces[i].page_start):
                            continue  # a row never starts beside the previous row's text;
                            # a merged sasaran a page break cut goes on at the page's top
                        penalty = skip(c + 1, m, f) + (0.0 if h else 6.0) + skip(0, c2, False)
                        if cols[c2] == "sasaran":
                            penalty += 1.0  # a new sasaran in a table without NO
                        penalty += _ROW
                        h2, f2 = c2 == ind, False
                    score = here - penalty - pieces[i].cut_cost + cell(i, j, c2)
                    key = (c2, h2, f2, one2)
                    if score > best[j].get(key, float("-inf")):
                        best[j][key] = score
                        back[(j, *key)] = (i, c, h, f, one)
    finals = [(v - skip(k[0] + 1, m, k[2]) - (0.0 if k[1] else 6.0), (n, *k))
              for k, v in best[n].items() if k[0] < m]
    if not finals:
        return [], []
    _, key = max(finals)
    cells: list[tuple[int, int, int]] = []  # (start, end, column)
    while key[0] > 0:
        prev = back[key]
        cells.append((prev[0], key[0], key[1]))
        key = prev
    cells.reverse()
    rows: list[dict[str, list[Piece]]] = []
    last = m
    for i, j, c in cells:
        if last == m or c <= last:
            rows.append({})
        rows[-1][cols[c]] = pieces[i:j]
        last = c
    if has_no and len(rows) > 1:
        for row in rows[1:]:  # the rest of a merged sasaran, after a page break
            if "sasaran" in row:
                rows[0]["sasaran"] = rows[0].get("sasaran", []) + row.pop("sasaran")
        rows = [r for r in rows if r]
    return rows, _row_margins(rows, cols, has_target, widths)


def _row_margins(rows, cols, has_target, widths) -> list[float]:
    """Per row: how much better each of its cell boundaries scores than the same boundary
    moved by one source line (or one part of a shared line) either way."""
    def start_cost(cell: list[Piece], left: list[Piece]) -> float | None:
        if not cell[0].joined:
            return 0.0
        if any(p.line != cell[0].line for p in left):
            return None  # two cells share a line only when the first is that one line
        return cell[0].cut_cost

    def pair(a, left, b, right) -> float | None:
        if not left or not right:
            return None
        cost = start_cost(right, left)
        if cost is None:
            return None
        return (cell_score(a, left, has_target, widths) + cell_score(b, right, has_target,
                                                                      widths) - cost)

    out = []
    for row in rows:
        kinds = [k for k in cols if k in row]
        worst = 99.0
        for a, b in zip(kinds, kinds[1:]):
            left, right = row[a], row[b]
            base = pair(a, left, b, right)
            if base is None:
                continue
            alts = [pair(a, left[:-1], b, left[-1:] + right),
                    pair(a, left + right[:1], b, right[1:])]
            alts = [x for x in alts if x is not None]
            if alts:
                worst = min(worst, base - max(alts))
        out.append(worst)
    return out

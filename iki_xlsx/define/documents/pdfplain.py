"""Tables printed without rulings, rebuilt from where their words stand.

* **Header.** The column titles are the lines around the one that names INDIKATOR and
  two other columns, as long as every word is a title word: a title may wrap over several
  lines, centred. The titles are the header's words grouped where they overlap from line
  to line or stand a space apart on a line (a word of another kind starts another title).
* **Columns.** Between two titles lies the border of their columns; it is placed where no
  word of the table crosses (a river through every line). A line whose words leave no
  such river ends the table when it is prose, else its row is reported (``pdf_kolom``).
  Words to the right of the last column, beyond a river, are a block beside the table (a
  signature): they are no cell.
* **Rows.** A row starts at a number in NO, where a column's text starts again below
  the first line of a row (cells start together at the top of their row), after a wider
  gap than the lines of a cell have, or where a cell's next word would have fitted on its
  line above; a row cut on weak evidence is reported (``pdf_baris``). The text of a merged
  SASARAN (and NO) goes to the first row of its group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from .header import parse_label_line
from .pdftable import Row, Table, would_fit
from .table import is_header, is_number, title_kind, title_word
from .words import Word, group_lines, line_text, segments

SIGNATURE_LINE = re.compile(
    r"^\s*(?:NIP\b|[A-Z][A-Za-z .'-]{2,30},\s*\d{1,2}\s+[A-Za-z]+\s+\d{4}|(?:Mengetahui|"
    r"Menyetujui|Atasan\s+Langsung|Pihak\s+(?:Pertama|Kedua)|Pejabat\s+Penilai|"
    r"Pegawai\s+yang\s+Dinilai|Yang\s+membuat|Dibuat\s+oleh)\b)", re.I)
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")


@dataclass
class Columns:
    """Titles (None on a page that goes on without them) and the borders between them."""

    titles: list[str] | None
    spans: list[tuple[float, float]]  # each title's extent
    borders: list[float] | None = None  # set once the body is known
    prior: list[float] | None = None  # the borders the same titles had on a page before


def header_block(lines: list[list[Word]], start: int) -> tuple[int, int, list[str],
                                                                list[tuple[float, float]]] | None:
    """(first line, end line, titles, title extents) of a column header found from
    ``lines[start]`` on, or None."""
    k = start
    while k < len(lines):
        if not title_line(lines[k]):
            k += 1
            continue
        while k > start and _title_words(lines[k - 1]) and _close(lines[k - 1], lines[k]):
            k -= 1  # a title wrapped and centred: its first line may hold no title word
        end = k
        while end + 1 < len(lines) and _title_words(lines[end + 1]) and _close(
                lines[end], lines[end + 1]):
            end += 1
        titles = _titles([w for line in lines[k:end + 1] for w in line
                          if not _COLUMN_NUMBER.match(w.text)])
        if titles and is_header([t for t, _ in titles]):
            return k, end + 1, [t for t, _ in titles], [s for _, s in titles]
        k = end + 1
    return None


def title_line(line: list[Word]) -> bool:
    """A line of column titles (one at least names a column)."""
    return _title_words(line) and any(title_kind(w.text.strip(".,:;()")) for w in line)


def _title_words(line: list[Word]) -> bool:
    return all(title_word(w.text) or _COLUMN_NUMBER.match(w.text) for w in line)


def _close(upper: list[Word], lower: list[Word]) -> bool:
    height = max(w.height for w in upper)
    return min(w.top for w in lower) - max(w.bottom for w in upper) <= 1.2 * height


def _titles(words: list[Word]) -> list[tuple[str, tuple[float, float]]]:
    """Header words grouped into titles, left to right."""
    pieces: list[list[Word]] = []
    for line in group_lines(words):
        height = median(w.height for w in line)
        for seg in segments(line, 0.9 * height):
            piece: list[Word] = []
            kind = None
            for w in seg:
                k = title_kind(w.text.strip(".,:;()"))
                if piece and k and kind and k != kind:
                    pieces.append(piece)
                    piece, kind = [], None
                piece.append(w)
                kind = kind or k
            pieces.append(piece)
    groups: list[list[list[Word]]] = []
    for piece in sorted(pieces, key=lambda p: p[0].x0):
        x0, x1 = piece[0].x0, piece[-1].x1
        for group in groups:
            if any(min(x1, p[-1].x1) - max(x0, p[0].x0) > 0 for p in group):
                group.append(piece)
                break
        else:
            groups.append([piece])
    out = []
    for group in groups:
        ordered = sorted((w for p in group for w in p), key=lambda w: (round(w.top), w.x0))
        out.append((" ".join(w.text for w in ordered),
                    (min(w.x0 for w in ordered), max(w.x1 for w in ordered))))
    return sorted(out, key=lambda t: t[1][0])


# --------------------------------------------------------------------------- body

def body_lines(lines: list[list[Word]], columns: Columns) -> tuple[int, list[list[Word]],
                                                                  list[Word]]:
    """(lines used, the table's lines, words beside it) from the lines under a header.
    ``columns.borders`` is set from the body's rivers."""
    gaps = [(a, b) for (_, a), (b, _) in zip(columns.spans, columns.spans[1:])]
    free = [[g] for g in gaps]
    used: list[list[Word]] = []
    last_gap, height = 0.0, median(w.height for line in lines[:5] for w in line) if lines else 10
    n = 0
    for n, line in enumerate(lines):
        text = line_text(line)
        if used:
            gap = min(w.top for w in line) - max(w.bottom for w in used[-1])
            if gap > max(6 * height, 3 * last_gap) and n > 1:
                break  # far below the table
            last_gap = max(last_gap, gap)
        if (SIGNATURE_LINE.match(text) or parse_label_line(text, None) is not None
                or title_line(line)):
            break
        left = [_subtract(f, line) for f in free]
        if any(not f for f in left):
            if _prose(line, gaps):
                break
        else:
            free = left
        used.append(line)
    else:
        n = len(lines)
    side = _beside(used, columns)
    table = [[w for w in line if w not in side] for line in used]
    starts = [seg[0].x0 for line in table for seg in segments(line) if line]
    prior = columns.prior if columns.prior and len(columns.prior) == len(gaps) else [None] * len(
        gaps)
    columns.borders = [_border(f, g, starts, p) for f, g, p in zip(free, gaps, prior)]
    return n, [line for line in table if line], sorted(side, key=lambda w: (w.top, w.x0))


def _subtract(free: list[tuple[float, float]], line: list[Word]) -> list[tuple[float, float]]:
    out = []
    for a, b in free:
        pieces = [(a, b)]
        for w in line:
            pieces = [p for x, y in pieces for p in ((x, min(y, w.x0)), (max(x, w.x1), y))
                      if p[1] - p[0] > 0.3]
        out += pieces
    return out


def _prose(line: list[Word], gaps: list[tuple[float, float]]) -> bool:
    """A line of running text across the columns (the table has ended)."""
    seg = max(segments(line, 0.6 * max(w.height for w in line)), key=len)
    crossed = sum(seg[0].x0 < a and seg[-1].x1 > b for a, b in gaps)
    return crossed >= 2


def _border(free: list[tuple[float, float]], gap: tuple[float, float],
            starts: list[float], prior: float | None) -> float:
    """The border in one of the rivers between two titles: the one that holds the border
    the same titles had on a page before, else the one whose right side holds the
    aligned starts of the next column's lines, else the widest."""
    if not free:
        return prior if prior is not None else (gap[0] + gap[1]) / 2
    if prior is not None:
        held = [(a, b) for a, b in free if a - 2 <= prior <= b + 2]
        if held:
            return prior if held[0][0] <= prior <= held[0][1] else sum(held[0]) / 2
    a, b = max(free, key=lambda f: (sum(abs(x - f[1]) <= 1.5 for x in starts), f[1] - f[0]))
    return (a + b) / 2


def _beside(lines: list[list[Word]], columns: Columns) -> set[Word]:
    """Words right of the table beyond a river through all its lines (a signature block
    set beside the last rows)."""
    last = columns.spans[-1][1]
    candidates = [seg for line in lines for seg in segments(line) if seg[0].x0 > last + 2]
    if not candidates:
        return set()
    start = min(seg[0].x0 for seg in candidates)
    inside = [w for line in lines for w in line if w.x0 < start - 0.5]
    if any(w.x1 > start - 2 for w in inside):
        return set()
    return {w for line in lines for w in line if w.x0 >= start - 0.5}


# --------------------------------------------------------------------------- rows

def build_rows(body: list[list[Word]], columns: Columns, page: int) -> list[Row]:
    """The body's words cut into columns and rows (see module docstring). NO and a
    merged SASARAN are set apart first: their lines run on their own beside the rows."""
    kinds = [title_kind(t) for t in columns.titles] if columns.titles else []
    borders = columns.borders or []
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
    pitch = _pitch(lines, cells)
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
    for w in crossing:
        _row_at(rows, w.top).doubt = "pdf_kolom"
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


def _pitch(lines: list[list[Word]], cells) -> float:
    """The gap between two lines of one cell (leading): the lower quartile of the gaps
    between lines that both hold text in a column (most go on a cell; the others are
    wider, between rows)."""
    gaps = sorted(min(w.top for w in lines[k]) - max(w.bottom for w in lines[k - 1])
                  for k in range(1, len(lines))
                  if any(cells[k][c] and cells[k - 1][c] for c in range(len(cells[k]))))
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


def plain_table(lines: list[list[Word]], start: int, page: int,
                seen: dict[tuple[str, ...], Columns]
                ) -> tuple[Table, Columns, int, int, list[Word]] | None:
    """The next table without rulings from ``lines[start]`` on: (table, its columns,
    first line, end line, words beside it), or None. ``seen``: the columns of the titles
    met on pages before (their borders guide these), updated."""
    found = header_block(lines, start)
    if found is None:
        return None
    first, end, titles, spans = found
    key = tuple(" ".join(t.split()).casefold() for t in titles)
    before = seen.get(key)
    columns = Columns(titles, spans, prior=before.borders if before else None)
    seen[key] = columns
    used, body, side = body_lines(lines[end:], columns)
    top = min(w.top for w in lines[first])
    return _table(columns, body, page, top, lines[end - 1]), columns, first, end + used, side


def carried_table(lines: list[list[Word]], start: int, page: int, carry: Columns
                  ) -> tuple[Table, int, int, list[Word], Columns] | None:
    """The rows at the top of a page that go on with the columns ``carry`` of a table
    that ran to the foot of the page before (titles not printed again): (table, first
    line, end line, words beside it, its columns), or None."""
    columns = Columns(carry.titles, carry.spans, prior=carry.borders)
    used, body, side = body_lines(lines[start:], columns)
    if not body:
        return None
    table = _table(columns, body, page, min(w.top for w in body[0]), body[-1])
    table.titles = None
    return table, start, start + used, side, columns


def _table(columns: Columns, body: list[list[Word]], page: int, top: float,
           last: list[Word]) -> Table:
    x0 = min([s[0] for s in columns.spans] + [w.x0 for line in body for w in line])
    x1 = max([s[1] for s in columns.spans] + [w.x1 for line in body for w in line])
    bottom = max(w.bottom for w in (body[-1] if body else last))
    return Table(page, top, bottom, x0, x1, columns.titles,
                 [x0 - 1, *(columns.borders or []), x1 + 1],
                 build_rows(body, columns, page) if body else [], ruled=False)

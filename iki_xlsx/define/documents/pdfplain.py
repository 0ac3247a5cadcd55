"""Tables printed without rulings, rebuilt from where their words stand.

* **Header.** The column titles are the lines around the one that names INDIKATOR and
  two other columns, as long as every word is a title word (a signature set far to the
  right may stand beside them): a title may wrap over several lines, centred. The
  titles are the header's words grouped where they overlap from line to line or stand a
  space apart on a line (a word of another kind starts another title).
* **Columns.** Between two titles lies the border of their columns; it is placed where no
  word of the table crosses (a river through every line), in the river the same titles
  had their border on a page before, else before the aligned starts of the next
  column's lines. A line whose words leave no such river ends the table when it is
  prose, else its row is reported (``pdf_kolom``). Words to the right of the last
  column, beyond a river, are a block beside the table (a signature): they are no cell.
* **Rows** are cut by :mod:`.pdfrows`. A page that goes on without titles is read with
  the columns of the page before (:func:`carried_table`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from .header import parse_label_line
from .pdfrows import build_rows
from .pdftable import Table
from .table import is_header, title_kind, title_word
from .words import TAB_GAP, Word, group_lines, line_text, segments

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
    centred: bool | None = None  # cells centred in their rows (known once rows are read)


def header_block(lines: list[list[Word]], start: int
                 ) -> tuple[int, int, list[str], list[tuple[float, float]], list[Word]] | None:
    """(first line, end line, titles, title extents, words beside the titles) of a
    column header found from ``lines[start]`` on, or None."""
    k = start
    while k < len(lines):
        if not title_line(lines[k]):
            k += 1
            continue
        while k > start and _title_part(lines[k - 1]) and _close(lines[k - 1], lines[k]):
            k -= 1  # a title wrapped and centred: its first line may hold no title word
        end = k
        while end + 1 < len(lines) and _title_part(lines[end + 1]) and _close(
                lines[end], lines[end + 1]):
            end += 1
        parts = [_title_part(line) for line in lines[k:end + 1]]
        titles = _titles([w for part in parts for w in part
                          if not _COLUMN_NUMBER.match(w.text)])
        if titles and is_header([t for t, _ in titles]):
            beside = [w for line, part in zip(lines[k:end + 1], parts) for w in line
                      if w not in part]
            return k, end + 1, [t for t, _ in titles], [s for _, s in titles], beside
        k = end + 1
    return None


def title_line(line: list[Word]) -> bool:
    """A line of column titles (one at least names a column)."""
    return any(title_kind(w.text.strip(".,:;()")) for w in _title_part(line))


def _title_part(line: list[Word]) -> list[Word]:
    """The words of a line of column titles: every word a title word, a column number or
    the end of one a narrow column broke (``TARGE`` / ``T``); a block far to the right (a
    signature beside the table) may follow them. Empty when the line is no such line."""
    part: list[Word] = []
    for seg in segments(line):
        if all(title_word(w.text) or _COLUMN_NUMBER.match(w.text)
               or (len(w.text) <= 2 and w.text.isupper()) for w in seg):
            part += seg
            continue
        if part and seg[0].x0 - part[-1].x1 > 2 * TAB_GAP:
            break  # beside the titles
        return []
    return part if any(len(w.text) > 2 for w in part) else []


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
    right = columns.spans[-1][1] + 2
    for n, line in enumerate(lines):
        inner = [w for w in line if w.x0 <= right]  # not a block beside the table
        if not inner:
            used.append(line)
            continue
        text = line_text(inner)
        if used:
            gap = min(w.top for w in line) - max(w.bottom for w in used[-1])
            if gap > max(6 * height, 3 * last_gap) and n > 1:
                break  # far below the table
            last_gap = max(last_gap, gap)
        if (SIGNATURE_LINE.match(text) or parse_label_line(text, None) is not None
                or title_line(line)):
            break
        left = [_subtract(f, inner) for f in free]
        if any(not f for f in left):
            if _prose(inner, gaps):
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


def plain_table(lines: list[list[Word]], start: int, page: int,
                seen: dict[tuple[str, ...], Columns]
                ) -> tuple[Table, Columns, int, int, list[Word]] | None:
    """The next table without rulings from ``lines[start]`` on: (table, its columns,
    first line, end line, words beside it), or None. ``seen``: the columns of the titles
    met on pages before (their borders guide these), updated."""
    found = header_block(lines, start)
    if found is None:
        return None
    first, end, titles, spans, beside = found
    key = tuple(" ".join(t.split()).casefold() for t in titles)
    before = seen.get(key)
    columns = Columns(titles, spans, prior=before.borders if before else None,
                      centred=before.centred if before else None)
    seen[key] = columns
    used, body, side = body_lines(lines[end:], columns)
    top = min(w.top for w in lines[first])
    return (_table(columns, body, page, top, lines[end - 1]), columns, first, end + used,
            beside + side)


def carried_table(lines: list[list[Word]], start: int, page: int, carry: Columns
                  ) -> tuple[Table, int, int, list[Word], Columns] | None:
    """The rows at the top of a page that go on with the columns ``carry`` of a table
    that ran to the foot of the page before (titles not printed again): (table, first
    line, end line, words beside it, its columns), or None."""
    columns = Columns(carry.titles, carry.spans, prior=carry.borders, centred=carry.centred)
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
    rows: list = []
    if body:
        rows, columns.centred = build_rows(body, _kinds(columns), columns.borders or [], page,
                                           columns.centred)
    return Table(page, top, bottom, x0, x1, columns.titles,
                 [x0 - 1, *(columns.borders or []), x1 + 1], rows, ruled=False)


def _kinds(columns: Columns) -> list[str | None]:
    return [title_kind(t) for t in columns.titles] if columns.titles else []

"""The lines of a PDF page outside its tables, as the text reader wants them.

Words far apart (tab stops, the columns of a signature block) are separated by a tab. A
header laid out as columns — number, label, ``:``, value — whose label wraps
(``PERANGKAT`` over ``DAERAH``) is put back on one line: the colons stand one under the
other, what is left of them is the label, what is right the value, and a line without a
colon continues the label and the value above it. A line that ends in a hyphen takes the
first word of the next line (``Perundang-`` + ``Undangan``), joined as the document's
vocabulary says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from .header import parse_label_line, title_year
from .pdfplain import SIGNATURE_LINE
from .words import Vocabulary, Word, line_text


@dataclass
class TextLine:
    page: int
    top: float
    bottom: float
    x0: float
    text: str
    order: float | None = None  # where it is read, when not at its height (a 2nd column)

    @property
    def key(self) -> float:
        return self.top if self.order is None else self.order


def text_lines(lines: list[list[Word]], page: int) -> list[TextLine]:
    """``lines`` (a page's lines outside tables, top to bottom) as text lines."""
    out: list[TextLine] = []
    runs = _colon_columns(lines)
    taken: set[int] = set()
    for k, line in enumerate(lines):
        if k in taken:
            continue
        top = min(w.top for w in line)
        run = next(((x, first, last) for x, first, last in runs
                    if first - 1.6 * _height(line) <= top <= last), None)
        if run is None or not _in_run(lines, k, run):
            block = _signature_block(lines, k, page)
            if block:
                taken.update(range(k, k + block[0]))
                out += block[1]
                continue
            out.append(TextLine(page, top, max(w.bottom for w in line), line[0].x0,
                                line_text(line)))
            continue
        members = [j for j in range(k, len(lines)) if _in_run(lines, j, run)]
        taken.update(members)
        out += _key_values([lines[j] for j in members], run[0], page)
    return out


def _signature_block(lines: list[list[Word]], k: int, page: int
                     ) -> tuple[int, list[TextLine]] | None:
    """(lines used, text lines) of a signature block in two columns starting at line
    ``k`` (a signature line first: ``Mengetahui``, a date, ``NIP``; the room left for
    signing allowed), or None to read its lines as they are:

    * columns whose lines are not shared (cells centred in their rows), apart by a river
      no word crosses: the left column's lines, then the right's;
    * columns sharing their lines but closer than a tab stop (``… M.Si AGUS …``): each line
      cut with a tab where the right column's lines all start."""
    if not SIGNATURE_LINE.match(line_text(lines[k])):
        return None
    end = k + 1
    while end < len(lines) and min(w.top for w in lines[end]) - max(
            w.bottom for w in lines[end - 1]) <= 5 * _height(lines[end]):
        text = line_text(lines[end])
        if title_year(text) is not False or parse_label_line(text, None) is not None:
            break
        end += 1
    block = lines[k:end]
    if len(block) < 4:
        return None
    river = _river(block)
    if river is not None:
        both = sum(any(w.x1 <= river for w in ln) and any(w.x0 >= river for w in ln)
                   for ln in block)
        if 2 <= both < 0.6 * len(block):
            parts = [p for p in ([w for w in ln if w.x1 <= river] for ln in block) if p]
            parts += [p for p in ([w for w in ln if w.x0 >= river] for ln in block) if p]
            out = [TextLine(page, min(w.top for w in p), max(w.bottom for w in p), p[0].x0,
                            line_text(p)) for p in parts]
            for n, line in enumerate(out):  # read column after column
                line.order = out[0].top + n * 1e-3
            return len(block), out
    edge = _shared_start(block)
    if edge is None:
        return None
    out = []
    for ln in block:
        left = [w for w in ln if w.x0 < edge - 1.5]
        right = [w for w in ln if w.x0 >= edge - 1.5]
        text = "\t".join([" ".join(w.text for w in left)] * bool(left)
                         + [" ".join(w.text for w in right)] * bool(right))
        out.append(TextLine(page, min(w.top for w in ln), max(w.bottom for w in ln),
                            ln[0].x0, ("\t" if right and not left else "") + text))
    return len(block), out


def _shared_start(block: list[list[Word]]) -> float | None:
    """Where the right column's lines start: an x where a word after another starts on
    three lines or more, in the middle third of the block, that no word crosses."""
    x0 = min(w.x0 for ln in block for w in ln)
    x1 = max(w.x1 for ln in block for w in ln)
    starts = [b.x0 for ln in block for a, b in zip(ln, ln[1:]) if b.x0 - a.x1 >= 3.5
              and x0 + (x1 - x0) / 3 <= b.x0 <= x1 - (x1 - x0) / 3]
    best = max(starts, key=lambda x: sum(abs(y - x) <= 1.5 for y in starts), default=None)
    if best is None or sum(abs(y - best) <= 1.5 for y in starts) < 3 or any(
            w.x0 < best - 1.5 and w.x1 > best + 0.5 for ln in block for w in ln):
        return None
    return best


def _river(lines: list[list[Word]]) -> float | None:
    """The middle of the widest gap (12 pt at least) no word of ``lines`` crosses, between
    a third and two thirds of their width."""
    words = sorted((w for ln in lines for w in ln), key=lambda w: w.x0)
    x0, x1 = words[0].x0, max(w.x1 for w in words)
    best, reach = None, words[0].x1
    for w in words[1:]:
        if w.x0 - reach >= 12 and x0 + (x1 - x0) / 3 <= (w.x0 + reach) / 2 <= x1 - (x1 - x0) / 3:
            if best is None or w.x0 - reach > best[1] - best[0]:
                best = (reach, w.x0)
        reach = max(reach, w.x1)
    return (best[0] + best[1]) / 2 if best else None


def _height(line: list[Word]) -> float:
    return max(w.height for w in line)


def _in_run(lines: list[list[Word]], k: int, run: tuple[float, float, float]) -> bool:
    """Line ``k`` belongs to a header set as columns: between its first and last colon,
    or (cells centred in their rows: a label wrapped above its colon) just above the first
    colon with words on the label side only."""
    x, first, last = run
    line = lines[k]
    top = min(w.top for w in line)
    if first <= top <= last:
        return True
    return top < first and all(w.x1 <= x + 1 for w in line) and any(
        first - top <= 1.6 * _height(line) and min(v.top for v in other) >= top
        for other in lines if any(w.text.startswith(":") and abs(w.x0 - x) <= 3
                                  for w in other))


def _key_values(lines: list[list[Word]], x: float, page: int) -> list[TextLine]:
    """A header set as columns — number, label, ``:``, value — one text line per label
    (``1. PERANGKAT DAERAH : …``) and one per further line of its value. Each line goes to
    the colon above it, or, when labels stand above their colons (cells centred in their
    rows), to the nearest colon."""
    def sep(line):
        return next((w for w in line if w.text.startswith(":") and abs(w.x0 - x) <= 3), None)

    colons = [line for line in lines if sep(line) is not None]
    centred = sep(lines[0]) is None  # a label line above the first colon
    rows = {id(c): ([], []) for c in colons}  # label words, value lines
    for line in lines:
        top = min(w.top for w in line)
        s = sep(line)
        if s is not None:
            owner = line
        elif centred:
            owner = min(colons, key=lambda c: abs(min(w.top for w in c) - top))
        else:
            owner = max((c for c in colons if min(w.top for w in c) <= top),
                        key=lambda c: min(w.top for w in c), default=colons[0])
        label, values = rows[id(owner)]
        left = [w for w in line if w.x1 <= x + 1 and w is not s]
        label += left
        value = [w for w in line if w not in left and w is not s]  # every word is kept
        text = " ".join(([s.text[1:].strip()] if s is not None and s.text[1:].strip() else [])
                        + [w.text for w in value])
        if text:
            values.append((top, line is owner, value[0].x0 if value else x, text))
    out = []
    for c in colons:
        label, values = rows[id(c)]
        values.sort(key=lambda v: v[0])
        first = values[0] if centred and values else next((v for v in values if v[1]), None)
        top = min([min(w.top for w in c)] + [v[0] for v in values] + [w.top for w in label])
        number = [w for w in label if re.fullmatch(r"\d{1,2}[.)]|[IVX]{1,4}[.)]", w.text)][:1]
        words = number + sorted((w for w in label if w not in number),
                                key=lambda w: (round(w.top), w.x0))
        head = " ".join(w.text for w in words)
        out.append(TextLine(page, top, max(w.bottom for w in c), c[0].x0,
                            f"{head} : {first[3] if first else ''}".rstrip()))
        out += [TextLine(page, max(t, top), t, x0, text) for t, _, x0, text in values
                if (t, _, x0, text) != first]
    return out


def _colon_columns(lines: list[list[Word]]) -> list[tuple[float, float, float]]:
    """(x, first top, last top) of each run of three colons or more standing one under
    the other on nearby lines (a header set as columns), with the lines that go on with
    the last value (FUNGSI: a. … b. …)."""
    marks = sorted(((w.x0, min(v.top for v in line)) for line in lines for w in line[1:]
                    if w.text.startswith(":")), key=lambda m: m[1])
    if len(marks) < 3:
        return []
    height = median(w.height for line in lines for w in line)
    runs: list[list[tuple[float, float]]] = []
    for x, top in marks:
        run = next((r for r in runs if abs(r[-1][0] - x) <= 3 and top - r[-1][1] < 8 * height),
                   None)
        if run is None:
            runs.append([(x, top)])
        else:
            run.append((x, top))
    out = []
    for run in (r for r in runs if len(r) >= 3):
        x, last = median(m[0] for m in run), run[-1][1]
        for line in lines:  # the value of the last label may go on below it
            t = min(w.top for w in line)
            if t <= last:
                continue
            if t - last > 1.8 * height or line[0].x0 < x:
                break
            last = t
        out.append((x, run[0][1], last))
    return out


def join_hyphens(lines: list[TextLine], vocab: Vocabulary) -> list[TextLine]:
    """A line ending in ``word-`` takes the first word of the line under it."""
    out: list[TextLine] = []
    for line in lines:
        prev = out[-1] if out else None
        if (prev is not None and prev.page == line.page and "\t" not in line.text
                and re.search(r"\w-$", prev.text)
                and 0 <= line.top - prev.bottom < 1.2 * (prev.bottom - prev.top)):
            first, _, rest = line.text.strip().partition(" ")
            prev.text = vocab.join(prev.text, first)
            if not rest.strip():
                continue
            line.text = rest
        out.append(line)
    return out

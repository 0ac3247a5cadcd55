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

from .words import Vocabulary, Word, line_text


@dataclass
class TextLine:
    page: int
    top: float
    bottom: float
    x0: float
    text: str


def text_lines(lines: list[list[Word]], page: int) -> list[TextLine]:
    """``lines`` (a page's lines outside tables, top to bottom) as text lines."""
    out: list[TextLine] = []
    runs = _colon_columns(lines)
    label: TextLine | None = None
    for line in lines:
        top, bottom = min(w.top for w in line), max(w.bottom for w in line)
        x = next((x for x, first, last in runs if first <= top <= last), None)
        if x is None:
            out.append(TextLine(page, top, bottom, line[0].x0, line_text(line)))
            label = None
            continue
        sep = next((w for w in line if w.text.startswith(":") and abs(w.x0 - x) <= 3), None)
        left = [w for w in line if w.x1 <= x + 1 and w is not sep]
        right = [w for w in line if w.x0 > x + 1 and w is not sep]
        value = " ".join(w.text for w in right)
        if sep is not None:
            value = f"{sep.text[1:].strip()} {value}".strip()
            label = TextLine(page, top, bottom, line[0].x0,
                             f"{' '.join(w.text for w in left)} : {value}".rstrip())
            out.append(label)
        elif label is not None and left:  # the label wrapped: "PERANGKAT" / "DAERAH"
            head, _, rest = label.text.partition(" : ")
            label.text = f"{head} {' '.join(w.text for w in left)} : {rest}".rstrip()
            if value:
                out.append(TextLine(page, top, bottom, right[0].x0, value))
        else:
            out.append(TextLine(page, top, bottom, line[0].x0, line_text(line)))
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

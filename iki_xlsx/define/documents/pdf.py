"""PDF documents as the text the IKI reader understands, rebuilt from word positions.

pdfplumber (pdfminer.six + pypdfium2, wheels for Windows) gives every word with its box
and the ruling lines of the page. A table drawn with borders is cut into cells along its
rulings; a table without borders into the columns its header row names (INDIKATOR,
SASARAN …), cut where no word crosses, and into rows (see :func:`_unruled_table`); its
columns carry over to the next page when the titles are not printed again. Cells that a
page break cut (a merged sasaran, a row Word let break) are put back together
(:func:`_rejoin_merged_cells`). Each table row becomes one
tab-separated line (a cell's wrapped lines joined, its bulleted lines kept as items), the
text around the tables becomes plain lines (words far apart, as in a signature block set
with tab stops, separated by a tab). Running page headers and footers (the same text near
the top or bottom of several pages, page numbers) are dropped so that a table split over
pages reads as one. A PDF without any text (a scan) is reported, not guessed: no OCR.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .cleanup import squash
from .issues import Issue
from .table import is_header, is_number, title_kind

_TAB_GAP = 18.0  # points between two words that a tab stop, not a space, separates
_MARGIN = 0.09  # share of the page height where running headers/footers sit
_PAGE_NUMBER = re.compile(r"^(?:-\s*)?(?:hal(?:aman)?\.?\s*)?\d{1,3}(?:\s*(?:dari|/)\s*\d{1,3})?"
                          r"(?:\s*-)?$", re.I)
_ITEM_START = re.compile(r"^(?:[-•·▪]\s|\d{1,2}[.)]\s|[a-z][.)]\s)")


class SourceError(ValueError):
    """A document that cannot be read, with the review item that says why."""

    def __init__(self, issue: Issue):
        super().__init__(issue.kind)
        self.issue = issue


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    text: str
    in_table: bool = False


def pdf_text(path: str | Path) -> str:
    """The text of an IKI PDF: one line per table row (cells separated by tabs)."""
    import pdfplumber

    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:  # pdfminer raises many types (syntax, encryption, xref …)
        raise SourceError(Issue("pdf_tidak_terbaca", None, {"reason": type(exc).__name__})) \
            from exc
    lines: list[_Line] = []
    heights: list[float] = []
    carry: dict = {}
    with pdf:
        pages = len(pdf.pages)
        for number, page in enumerate(pdf.pages, start=1):
            heights.append(float(page.height))
            try:
                lines += _page_lines(page, number, carry)
            except Exception as exc:  # a damaged page: say which, keep the others
                raise SourceError(Issue("pdf_tidak_terbaca", None, {
                    "reason": f"halaman {number}: {type(exc).__name__}"})) from exc
    if not any(line.text.strip() for line in lines):
        raise SourceError(Issue("pdf_tanpa_teks", None, {"halaman": pages}))
    lines = _rejoin_merged_cells(_drop_furniture(lines, heights))
    return "\n".join(line.text for line in lines)


def _page_lines(page, number: int, carry: dict) -> list[_Line]:
    """The lines of one page; ``carry`` holds the columns of a table without rulings that
    ran to the foot of the previous page (its titles are not always printed again)."""
    tables = [t for t in page.find_tables() if _table_size(t) >= (2, 3)]
    boxes = [t.bbox for t in tables]
    words = [w for w in page.extract_words(keep_blank_chars=False, use_text_flow=False)
             if not any(_inside(w, b) for b in boxes)]
    out = [_Line(number, top, bottom, text) for top, bottom, text in _text_lines(words)]
    for table in tables:
        x0, top, x1, bottom = table.bbox
        rows = table.extract()
        step = (bottom - top) / max(len(rows), 1)
        for i, row in enumerate(rows):
            cells = [_cell_text(c) for c in row]
            if any(cells):
                out.append(_Line(number, top + i * step, top + (i + 1) * step,
                                 "\t".join(cells), in_table=True))
    if not tables:
        out = _unruled_table(out, words, number, float(page.height), carry)
    else:
        carry.clear()
    out.sort(key=lambda line: line.top)
    return out


def _table_size(table) -> tuple[int, int]:
    rows = table.rows
    return len(rows), max((len(r.cells) for r in rows), default=0)


def _inside(word: dict, box: tuple) -> bool:
    x0, top, x1, bottom = box
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def _cell_text(cell: str | None) -> str:
    """A cell's lines: wrapped lines joined by a space, list items kept apart (``<br>``)."""
    if not cell:
        return ""
    parts: list[str] = []
    for line in cell.split("\n"):
        line = squash(line)
        if not line:
            continue
        if parts and not _ITEM_START.match(line):
            parts[-1] = _join(parts[-1], line)
        else:
            parts.append(line)
    return "<br>".join(p.replace("\t", " ") for p in parts)


def _join(left: str, right: str) -> str:
    """Join a wrapped line: a word broken at a hyphen (``Perundang-``) stays one word."""
    if left.endswith("-") and not left.endswith(" -") and right[:1].islower():
        return left + right
    return f"{left} {right}"


def _text_lines(words: list[dict]) -> list[tuple[float, float, str]]:
    """Words outside tables grouped into lines (top within half a word height)."""
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        for line in lines[-3:]:
            if abs(line[0]["top"] - w["top"]) <= max(2.0, 0.4 * (w["bottom"] - w["top"])):
                line.append(w)
                break
        else:
            lines.append([w])
    out = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        text, prev = "", None
        for w in line:
            if prev is not None:
                text += "\t" if w["x0"] - prev["x1"] > _TAB_GAP else " "
            text += w["text"]
            prev = w
        out.append((min(w["top"] for w in line), max(w["bottom"] for w in line), text))
    return out


def _drop_furniture(lines: list[_Line], heights: list[float]) -> list[_Line]:
    """Lines near the top/bottom edge repeated on several pages, and page numbers."""
    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", squash(line.text).casefold())

    def in_margin(line: _Line) -> bool:
        h = heights[line.page - 1]
        return line.top < _MARGIN * h or line.bottom > (1 - _MARGIN) * h

    edge = [ln for ln in lines if not ln.in_table and in_margin(ln)]
    pages_of = Counter()
    for k, page in {(key(ln), ln.page) for ln in edge}:
        pages_of[k] += 1
    pages = len(heights)
    return [ln for ln in lines if ln.in_table or not in_margin(ln) or not (
        (pages > 1 and pages_of[key(ln)] >= 2) or _PAGE_NUMBER.match(squash(ln.text)))]


def _rejoin_merged_cells(lines: list[_Line]) -> list[_Line]:
    """Cells a page break cut, put back together (tables with a NO column):

    * a NO/SASARAN cell merged over rows: the page printed the number (and maybe the
      start of the sasaran) at its foot and the sasaran, or its rest, in the first row of
      the next page, whose NO is empty. That text goes back to the row with the number.
    * a row broken across the pages (Word lets rows break by default): the next page's
      first row has no NO and its texts mostly start in lowercase, as the rest of a
      sentence does. Each of its cells goes back to the end of the row above.

    A row left without any text is dropped."""
    kinds: list[str | None] = []
    group: _Line | None = None  # the last row with a number in NO
    last: _Line | None = None  # the last table row
    out: list[_Line] = []
    for line in lines:
        cells = line.text.split("\t")
        if not line.in_table:
            out.append(line)
            continue
        if is_header(cells):
            kinds = [title_kind(c) for c in cells]
            out.append(line)
            continue
        if "no" not in kinds or "sasaran" not in kinds or len(cells) != len(kinds):
            out.append(line)
            continue
        no, sas = kinds.index("no"), kinds.index("sasaran")
        first = last is not None and line.page != last.page
        if is_number(cells[no]):
            group = line
        elif first and group is not None:
            if cells[sas]:
                head = group.text.split("\t")
                head[sas] = f"{head[sas]} {cells[sas]}".strip()
                group.text = "\t".join(head)
                cells[sas] = ""
            rest = [c for k, c in enumerate(cells) if c and k != no]
            if rest and 2 * sum(_continues(c) for c in rest) >= len(rest):
                above = last.text.split("\t")
                if len(above) == len(cells):
                    last.text = "\t".join(_join(a, c) if a and c else a or c
                                          for a, c in zip(above, cells))
                    cells = [""] * len(cells)
            line.text = "\t".join(cells)
            if not any(cells):
                continue
        out.append(line)
        last = line
    return out


def _continues(text: str) -> bool:
    """Text that goes on from a line above: it starts in lowercase (or with a digit)."""
    first = text.lstrip("-•· ")[:1]
    return first.islower() or first.isdigit()


# --------------------------------------------------------------------------- no rulings

def _unruled_table(lines: list[_Line], words: list[dict], page: int, height: float,
                   carry: dict) -> list[_Line]:
    """A table without borders. Its body runs from the header row (cells that name
    INDIKATOR, SASARAN …) to a gap wider than two lines or a signature line; its columns
    are the bands of the page that no body word crosses, each band given to the header
    cell it overlaps (header titles may be centred or left-aligned); its rows start at a
    number in NO, where a column that had ended starts again, or after a wider gap."""
    for i, line in enumerate(lines):
        cells = line.text.split("\t")
        if "\t" in line.text and is_header(cells):
            titles = cells
            head = _segments(sorted((w for w in words if abs(w["top"] - line.top) < 3),
                                    key=lambda w: w["x0"]))
            start = line.bottom
            break
    else:
        if not carry:
            return lines
        titles, head = carry["titles"], carry["head"]  # the table goes on from the last page
        start = _MARGIN * height  # below a running header
        i = max((k for k, ln in enumerate(lines) if ln.bottom <= start), default=-1)
    carry.clear()
    if len(head) != len(titles):
        return lines
    kinds = [title_kind(c) for c in titles]
    below = sorted((w for w in words if w["top"] > start + 1), key=lambda w: w["top"])
    heights = sorted(w["bottom"] - w["top"] for w in below) or [10.0]
    line_h = heights[len(heights) // 2]
    body: list[tuple[float, float, list[dict]]] = []
    last_bottom = start
    for top, bottom, text in _text_lines(below):
        if (top - last_bottom > 2.2 * line_h and body) or _SIGNATURE_LINE.match(text):
            break
        if bottom > (1 - _MARGIN) * height:
            break  # a running footer or a page number
        body.append((top, bottom, [w for w in below if abs(w["top"] - top) < 2]))
        last_bottom = bottom
    else:
        if last_bottom > 0.75 * height:
            carry.update(titles=titles, head=head)  # ran to the foot of the page
    column_of = _bands(head, [w for _, _, ws in body for w in ws])
    rows: list[list[list[str]]] = []
    prev_used: set[int] = set()
    last_bottom = None
    for top, bottom, ws in body:
        cells: list[list[str]] = [[] for _ in titles]
        for w in sorted(ws, key=lambda w: w["x0"]):
            cells[column_of(w)].append(w["text"])
        texts = [" ".join(c) for c in cells]
        used = {k for k, t in enumerate(texts) if t}
        new_row = (last_bottom is None or ("no" in kinds and is_number(texts[kinds.index("no")]))
                   or not used <= prev_used  # a column that had ended starts again
                   or top - last_bottom > 1.6 * line_h)
        prev_used, last_bottom = used, bottom
        if new_row:
            rows.append([[] for _ in titles])
        for k, t in enumerate(texts):
            if t:
                rows[-1][k].append(t)
    _merged_sasaran(rows, kinds)
    out = lines[:i + 1]
    for n, row in enumerate(rows):
        out.append(_Line(page, start + (n + 0.5) * 1e-3, start + (n + 1) * 1e-3,
                         "\t".join(_cell_text("\n".join(c)) for c in row), in_table=True))
    end = last_bottom if last_bottom is not None else start
    return out + [ln for ln in lines[i + 1:] if ln.top > end]


_SIGNATURE_LINE = re.compile(r"^\s*(?:NIP\b|[A-Z][A-Za-z .'-]{2,30},\s*\d{1,2}\s+[A-Za-z]+\s+\d{4}|"
                             r"(?:Mengetahui|Menyetujui|Atasan\s+Langsung|Pihak\s+(?:Pertama|Kedua)|"
                             r"Pejabat\s+Penilai|Pegawai\s+yang\s+Dinilai)\b)", re.I)


def _segments(words: list[dict]) -> list[tuple[float, float]]:
    """Words of one line grouped where they are further apart than a tab stop."""
    out: list[list[float]] = []
    for w in words:
        if out and w["x0"] - out[-1][1] <= _TAB_GAP:
            out[-1][1] = max(out[-1][1], w["x1"])
        else:
            out.append([w["x0"], w["x1"]])
    return [(a, b) for a, b in out]


def _bands(head: list[tuple[float, float]], body: list[dict]):
    """word → column index: the page is cut where no word of the table crosses, and each
    band belongs to the header cell it overlaps most (else the nearest one)."""
    spans = sorted([(w["x0"], w["x1"]) for w in body] + list(head))
    bands: list[list[float]] = []
    for a, b in spans:
        if bands and a <= bands[-1][1] + 2.0:
            bands[-1][1] = max(bands[-1][1], b)
        else:
            bands.append([a, b])
    owner = []
    for a, b in bands:
        overlaps = [max(0.0, min(b, h1) - max(a, h0)) for h0, h1 in head]
        if max(overlaps) > 0:
            owner.append(overlaps.index(max(overlaps)))
        else:
            mid = (a + b) / 2
            owner.append(min(range(len(head)), key=lambda k: abs((head[k][0] + head[k][1]) / 2
                                                                 - mid)))

    def column_of(word: dict) -> int:
        mid = (word["x0"] + word["x1"]) / 2
        for (a, b), k in zip(bands, owner):
            if a - 1 <= mid <= b + 1:
                return k
        return 0

    return column_of


def _merged_sasaran(rows: list[list[list[str]]], kinds: list) -> None:
    """Sasaran text longer than its first indicator row runs on beside the next rows of
    the same NO: it belongs to the row with the number."""
    if "no" not in kinds or "sasaran" not in kinds:
        return
    no, sas = kinds.index("no"), kinds.index("sasaran")
    head = None
    for row in rows:
        if row[no]:
            head = row
        elif head is not None and row[sas]:
            head[sas] += row[sas]
            row[sas] = []

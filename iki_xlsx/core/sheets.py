"""How every workbook iki-xlsx writes looks on paper.

* Print setup (:func:`setup_print`): the master's paper (A4 or F4), landscape, one page
  wide, the form's margins, header rows repeated on every page, a footer with page numbers.
* Cell formats (:class:`ListFormats`): Arial 10 — the font :mod:`.textfit` measures —,
  top-aligned, wrapped, with a thin grid, so a printed list reads row by row.
* List sheets (:func:`list_sheet`): title lines, a header row and data rows, every row as
  tall as its wrapped text, so nothing prints over the next row or is cut off, whatever
  font stands in for Arial (Liberation Sans, DejaVu Sans).

Used by the distribution list, the collect report, the reminder list, the master and
the recap; the form's own sheet has its layout (:mod:`iki_xlsx.forms.layout`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .show import XLSX_TIME_FORMAT, number_format
from .textfit import FONT, FONT_SIZE, LINE_HEIGHT, PADDING, row_height, text_lines
from .xlsxtext import merge_text, write_text

PAPER = {"A4": 9, "F4": 14}  # Excel paper codes; 14 = Folio 8.5 × 13 in (≈ F4)
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6}  # inches
GRID = "#A6A6A6"  # the thin lines between the cells of a list
HEAD_FILL = "#D9E1F2"
TITLE_SIZE = 12


def setup_print(ws, kertas: str = "A4", footer: str = "",
                header_rows: tuple[int, int] | None = None) -> None:
    """Print setup shared by every workbook iki-xlsx writes: the master's paper (A4/F4),
    landscape, one page wide, the form's margins, header rows repeated, a footer."""
    ws.set_paper(PAPER.get(kertas, PAPER["A4"]))
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(**MARGINS)
    if footer:
        ws.set_footer(footer)
    if header_rows is not None:
        ws.repeat_rows(*header_rows)


@dataclass(frozen=True)
class Link:
    """A link cell: ``text`` shown, ``url`` opened (our own links only, never a user's)."""

    url: str
    text: str


@dataclass(frozen=True)
class Styled:
    """A value written with a format of its own (a status in its colour)."""

    value: object
    format: object


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    center: bool = False  # short codes and numbers: centred


class ListFormats:
    """The cell formats of one workbook's lists (xlsxwriter formats are per workbook)."""

    def __init__(self, wb):
        self._wb = wb
        self.base = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "top"}
        self.cell = {**self.base, "text_wrap": True, "border": 1, "border_color": GRID}
        self.title = wb.add_format({**self.base, "bold": True, "font_size": TITLE_SIZE,
                                    "text_wrap": True})
        self.line = wb.add_format({**self.base, "text_wrap": True})
        self.head = wb.add_format({**self.cell, "bold": True, "bg_color": HEAD_FILL})
        self.text = wb.add_format(self.cell)
        self.center = wb.add_format({**self.cell, "align": "center"})
        self.link = wb.add_format({**self.cell, "font_color": "#0563C1", "underline": 1})
        self.date = wb.add_format({**self.cell, "num_format": XLSX_TIME_FORMAT,
                                   "align": "left"})
        self._made: dict[tuple, object] = {}

    def variant(self, **props):
        """A grid cell format with ``props`` added (a fill, a number format), made once."""
        key = tuple(sorted(props.items()))
        fmt = self._made.get(key)
        if fmt is None:
            fmt = self._made[key] = self._wb.add_format({**self.cell, **props})
        return fmt

    def number(self, value: float):
        """The format that shows ``value`` as :func:`~.show.format_number` writes it."""
        return self.variant(num_format=number_format(value))


def put(ws, r: int, c: int, value: object, fm: ListFormats, cell_format=None) -> str:
    """Write one list cell (text stays text, never a formula or link) with
    ``cell_format`` or the list's format for its kind; returns the text it shows when
    that text may wrap (for the row height), else ``""``."""
    fmt = cell_format
    if isinstance(value, Styled):
        fmt, value = value.format, value.value
    if isinstance(value, Link):
        ws.write_url(r, c, value.url, fmt or fm.link, string=value.text)
        return value.text
    if isinstance(value, bool) or value is None:
        write_text(ws, r, c, "" if value is None else str(value), fmt or fm.text)
        return ""
    if isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt or fm.number(value))
        return ""
    if isinstance(value, (date, datetime)):
        ws.write_datetime(r, c, value, fmt or fm.date)
        return ""
    write_text(ws, r, c, value, fmt or fm.text)
    return str(value)


def heading(ws, r: int, text: str, widths: Sequence[float], fmt, size: float = FONT_SIZE,
            bold: bool = False) -> None:
    """A line above a table, merged across its columns, wrapped, as tall as it needs."""
    if len(widths) > 1:
        merge_text(ws, r, 0, r, len(widths) - 1, text, fmt)
    else:
        write_text(ws, r, 0, text, fmt)
    ws.set_row(r, heading_height(text, widths, size, bold))


def heading_height(text: str, widths: Sequence[float], size: float = FONT_SIZE,
                   bold: bool = False) -> float:
    """The height of a :func:`heading` row: its text wrapped across ``widths``."""
    scale = size / FONT_SIZE
    lines = text_lines(text, sum(widths) / scale, bold)
    return min(409, round(lines * LINE_HEIGHT * scale + PADDING, 2))


def table(ws, fm: ListFormats, top: int, columns: Sequence[Column],
          rows: Iterable[Sequence[object]], freeze_cols: int = 0) -> int:
    """A header row at ``top`` (repeated on every printed page) and the data rows under
    it, each as tall as its wrapped text, every cell inside the grid; autofilter, frozen
    header. Returns the last row."""
    widths = [c.width for c in columns]
    for i, col in enumerate(columns):
        ws.set_column(i, i, col.width)
        write_text(ws, top, i, col.title, fm.head)
    ws.set_row(top, row_height([c.title for c in columns], widths, bold=True))
    r = top
    for row in rows:
        r += 1
        shown = [put(ws, r, i, value, fm, fm.center if col.center else None)
                 for i, (col, value) in enumerate(zip(columns, row))]
        ws.set_row(r, row_height(shown, widths))
    ws.autofilter(top, 0, max(r, top + 1), len(columns) - 1)
    ws.freeze_panes(top + 1, freeze_cols)
    ws.repeat_rows(top)
    return r


def list_sheet(wb, fm: ListFormats, name: str, columns: Sequence[Column],
               rows: Iterable[Sequence[object]], *, title: str = "",
               lines: Sequence[str] = (), kertas: str = "A4", footer: str = "",
               freeze_cols: int = 0):
    """A whole list sheet: ``title`` and ``lines`` above the table, the table, and the
    print setup (header row repeated on every page). Returns the worksheet."""
    ws = wb.add_worksheet(name)
    widths = [c.width for c in columns]
    top = 0
    if title:
        heading(ws, top, title, widths, fm.title, TITLE_SIZE, bold=True)
        top += 1
    for line in lines:
        heading(ws, top, line, widths, fm.line)
        top += 1
    if title or lines:
        top += 1  # a blank line before the table
    table(ws, fm, top, columns, rows, freeze_cols)
    setup_print(ws, kertas, footer)
    return ws

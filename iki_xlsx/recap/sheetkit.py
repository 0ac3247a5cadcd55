"""What every sheet of the recap workbook is written with: its cell formats (one
:class:`Formats` per workbook), a text or value written safely (a user's text never
becomes a formula or a link), header rows, rows fitted to their wrapped text, and the
conditional rules (predikat colours, bars, a text in red)."""

from __future__ import annotations

import math
from datetime import datetime

from ..core.model import format_nip
from ..core.sheets import ListFormats, heading
from ..core.show import decimals_shown, number_format, period_label
from ..core.textfit import row_height
from ..core.texts import Texts
from ..core.xlsxtext import write_text
from .build import (
    Recap,
    predikat_colours,
)
from .direct import DirectRows
from .wording import atasan_text

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "constant_memory": True}


def put_identity(ws, r: int, number: int, f, fm) -> None:
    """No, NIP, Nama, Jabatan, Perangkat Daerah, Unit Kerja, Atasan (columns A–G)."""
    ws.write_number(r, 0, number, fm.int)
    put_text(ws, r, 1, format_nip(f.nip), fm.text)
    for c, value in enumerate((f.nama, f.jabatan, f.perangkat_daerah, f.unit_kerja,
                               atasan_text(f)), start=2):
        put_text(ws, r, c, value, fm.text)


def fit_row(ws, r: int, f, widths, more=(), more_widths=()) -> None:
    """Row ``r`` as tall as the identity columns (A–G, :func:`put_identity`) and ``more``
    need when wrapped."""
    ws.set_row(r, row_height([f.nama, f.jabatan, f.perangkat_daerah, f.unit_kerja,
                              atasan_text(f), *more], [*widths[2:7], *more_widths]))


def put_text(ws, r: int, c: int, value: object, fmt=None) -> None:
    """Write user text as text, whatever it looks like (``=…``, ``http…``, ``<r>…</r>``)."""
    if type(ws) is DirectRows:
        ws.write_text(r, c, value, fmt)
    else:
        write_text(ws, r, c, value, fmt)


def put_value(ws, r: int, c: int, value: object, fm: Formats, fmt=None) -> None:
    """A value in the grid: a number as it reads in text (or with ``fmt``: a format, or a
    function of the value giving one), a time in the one date format, text as text,
    nothing as a blank cell (the grid stays whole)."""
    cell = fm.text if fmt is None or callable(fmt) else fmt
    if type(value) is str:  # most values: a text (or nothing), as below
        if value:
            put_text(ws, r, c, value, cell)
        else:
            ws.write_blank(r, c, None, cell)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) \
            and math.isfinite(value):
        number = fmt(value) if callable(fmt) else \
            fm.number(value) if fmt is None or fmt is fm.text else fmt
        ws.write_number(r, c, value, number)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value, fm.date)
    elif value not in (None, ""):
        put_text(ws, r, c, str(value), cell)
    else:
        ws.write_blank(r, c, None, cell)


class Formats(ListFormats):
    """The recap's cell formats: the lists' own (Arial 10, the grid, numbers as they read
    in text) and the recap's colours."""

    def __init__(self, wb, labels: list[str]):
        super().__init__(wb)
        self.subtitle = wb.add_format({**self.base, "bold": True, "font_size": 11,
                                       "text_wrap": True})
        self.note = wb.add_format({**self.base, "italic": True, "font_color": "#404040",
                                   "text_wrap": True})
        self.int = self.variant(num_format="0")
        self.total_text = self.variant(bold=True, top=2)
        self.total_int = self.variant(bold=True, top=2, num_format="0")
        self.bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.grey = wb.add_format({"font_color": "#808080"})
        colours = predikat_colours(labels)
        self.predikat = {k: wb.add_format({"bg_color": v}) for k, v in colours.items()}
        self.predikat_head = {k: self.variant(bold=True, bg_color=v)
                              for k, v in colours.items()}
        self.colours = colours

    def share(self, value: float):
        """A share (0.5) as a percent with at most one decimal: ``50%``, ``62,5%``."""
        return self.variant(num_format="0.0%" if decimals_shown(value * 1000) else "0%")

    def total_number(self, value: float):
        return self.variant(bold=True, top=2, num_format=number_format(value))

    def total_share(self, value: float):
        return self.variant(bold=True, top=2,
                            num_format="0.0%" if decimals_shown(value * 1000) else "0%")


def header_row(ws, r: int, titles: list[str], widths: list[float], fm: Formats,
          formats: dict[int, object] | None = None) -> None:
    ws.set_row(r, row_height(titles, widths, bold=True))
    for c, (title, width) in enumerate(zip(titles, widths)):
        ws.set_column(c, c, width)
        put_text(ws, r, c, title, (formats or {}).get(c, fm.head))
    ws.repeat_rows(r)


def sheet_title(ws, recap: Recap, texts: Texts, fm: Formats, widths: list[float]) -> None:
    """Row 1 of a sheet: the recap's title and period, across the table's width."""
    heading(ws, 0, texts.t("rekap.judul", tahun=recap.tahun) + " — " + texts.t(
        "rekap.subjudul", periode=period_label(texts, recap.upto)), widths, fm.subtitle,
        11, bold=True)


def text_rule(ws, first: int, last: int, col: int, text: str, fmt) -> None:
    if last >= first:
        quoted = '"' + text.replace('"', '""') + '"'
        ws.conditional_format(first, col, last, col, {"type": "cell", "criteria": "==",
                                                       "value": quoted, "format": fmt})


def data_bars(ws, first: int, last: int, col: int, high: float, colour: str = "#63BE7B") -> None:
    if last >= first:
        ws.conditional_format(first, col, last, col, {
            "type": "data_bar", "bar_color": colour, "bar_solid": True,
            "min_type": "num", "min_value": 0, "max_type": "num", "max_value": high})


def predikat_rules(ws, first: int, last: int, col: int, fm: Formats) -> None:
    for label, fmt in fm.predikat.items():
        text_rule(ws, first, last, col, label, fmt)

"""What every sheet of the recap workbook is written with: its cell formats (one
:class:`Formats` per workbook), a text or value written safely (a user's text never
becomes a formula or a link), header rows, rows fitted to their wrapped text, and the
conditional rules (predikat colours, bars, a text in red)."""

from __future__ import annotations

import math
from datetime import datetime

from ..core.model import format_nip
from ..core.show import period_label
from ..core.texts import Texts
from ..core.xlsxtext import write_text
from ..forms import layout as L
from .build import (
    Recap,
    atasan_text,
    predikat_colours,
)

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
    ws.set_row(r, L.row_height([f.nama, f.jabatan, f.perangkat_daerah, f.unit_kerja,
                                atasan_text(f), *more], [*widths[2:7], *more_widths]))


def put_text(ws, r: int, c: int, value: object, fmt=None) -> None:
    """Write user text as text, whatever it looks like (``=…``, ``http…``, ``<r>…</r>``)."""
    write_text(ws, r, c, value, fmt)


def put_value(ws, r: int, c: int, value: object, fmt=None, date_fmt=None) -> None:
    if value is None:
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        put_text(ws, r, c, str(value), fmt)
    elif isinstance(value, (int, float)):
        if math.isfinite(value):
            ws.write_number(r, c, value, fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value, date_fmt or fmt)
    else:
        put_text(ws, r, c, value, fmt)


class Formats:
    def __init__(self, wb, labels: list[str]):
        base = {"font_name": L.FONT, "font_size": L.FONT_SIZE, "valign": "top"}
        add = lambda **kw: wb.add_format({**base, **kw})  # noqa: E731
        self.title = add(bold=True, font_size=13)
        self.subtitle = add(bold=True, font_size=11)
        self.note = add(italic=True, font_color="#404040")
        self.head = add(bold=True, bg_color="#D9E1F2", border=1, text_wrap=True)
        self.text = add(text_wrap=True)
        self.int = add(num_format="0")
        self.num = add(num_format="General")
        self.pct = add(num_format="0.00")
        self.share = add(num_format="0.0%")
        self.date = add(num_format="dd/mm/yyyy hh:mm")
        self.total_text = add(bold=True, top=1)
        self.total_int = add(bold=True, top=1, num_format="0")
        self.total_pct = add(bold=True, top=1, num_format="0.00")
        self.total_share = add(bold=True, top=1, num_format="0.0%")
        self.bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.grey = wb.add_format({"font_color": "#808080"})
        colours = predikat_colours(labels)
        self.predikat = {k: wb.add_format({"bg_color": v}) for k, v in colours.items()}
        self.predikat_head = {k: add(bold=True, border=1, text_wrap=True, bg_color=v)
                              for k, v in colours.items()}
        self.colours = colours


def header_row(ws, r: int, titles: list[str], widths: list[float], fm: Formats,
          formats: dict[int, object] | None = None) -> None:
    lines = max(L.text_lines(title, width, bold=True) for title, width in zip(titles, widths))
    ws.set_row(r, L.height_for(lines))
    for c, (title, width) in enumerate(zip(titles, widths)):
        ws.set_column(c, c, width)
        put_text(ws, r, c, title, (formats or {}).get(c, fm.head))
    ws.repeat_rows(r)


def sheet_title(ws, recap: Recap, texts: Texts, fm: Formats) -> None:
    put_text(ws, 0, 0, texts.t("rekap.judul", tahun=recap.tahun) + " — " + texts.t(
        "rekap.subjudul", periode=period_label(texts, recap.upto)), fm.subtitle)


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

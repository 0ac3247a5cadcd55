"""The recap workbook (xlsxwriter): Ringkasan with charts, Per Pegawai, Per Indikator,
Belum Mengumpulkan and Masalah, from a :class:`~iki_xlsx.recap.build.Recap`.

Every text a user typed is written as a string (never a formula or link). The Per
Indikator rows of a large recap are written straight as SpreadsheetML rows after
xlsxwriter closes the workbook (see ``_InlineRows``): xlsxwriter's ~10 µs per cell made
that sheet alone 40 s for 10,000 pegawai × 25 indikator.

Longer than 400 lines because each recap sheet's writer sits beside the fast raw-row
writer it may use.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from ..core.atomic import atomic_path
from ..core.model import format_nip
from ..core.show import history_row, period_label, status_label
from ..core.texts import Texts, get_texts
from ..core.xlsxtext import limit, write_text
from ..forms import layout as L
from .build import (
    NOT_COUNTED,
    NOT_SUBMITTED,
    Recap,
    UnitSummary,
    atasan_text,
    belum_notes,
    notes,
    predikat_colours,
    value_sources,
)
from .closed import sheet_closed

# --------------------------------------------------------------------------- workbook

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "constant_memory": True}


def _identity(ws, r: int, number: int, f, fm) -> None:
    """No, NIP, Nama, Jabatan, Perangkat Daerah, Unit Kerja, Atasan (columns A–G)."""
    ws.write_number(r, 0, number, fm.int)
    _text(ws, r, 1, format_nip(f.nip), fm.text)
    for c, value in enumerate((f.nama, f.jabatan, f.perangkat_daerah, f.unit_kerja,
                               atasan_text(f)), start=2):
        _text(ws, r, c, value, fm.text)


def _fit(ws, r: int, f, widths, more=(), more_widths=()) -> None:
    """Row ``r`` as tall as the identity columns (A–G, :func:`_identity`) and ``more``
    need when wrapped."""
    ws.set_row(r, L.row_height([f.nama, f.jabatan, f.perangkat_daerah, f.unit_kerja,
                                atasan_text(f), *more], [*widths[2:7], *more_widths]))


def _text(ws, r: int, c: int, value: object, fmt=None) -> None:
    """Write user text as text, whatever it looks like (``=…``, ``http…``, ``<r>…</r>``)."""
    write_text(ws, r, c, value, fmt)


def _put(ws, r: int, c: int, value: object, fmt=None, date_fmt=None) -> None:
    if value is None:
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        _text(ws, r, c, str(value), fmt)
    elif isinstance(value, (int, float)):
        if math.isfinite(value):
            ws.write_number(r, c, value, fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value, date_fmt or fmt)
    else:
        _text(ws, r, c, value, fmt)


class _Formats:
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


def write_recap_xlsx(recap: Recap, path: str | Path, texts: Texts | None = None) -> Path:
    """Write the recap workbook atomically: Ringkasan, Per Pegawai, Per Indikator,
    Belum Mengumpulkan, Per Atasan, Riwayat, Masalah. Returns ``path``.

    xlsxwriter writes everything, rows streamed (``constant_memory``), except the data rows
    of Per Indikator (one per pegawai × indikator: 250,000 for 10,000 pegawai), which
    :class:`_InlineRows` writes straight into that sheet's XML, an order of magnitude
    faster; see :func:`_splice`."""
    texts = texts or get_texts()
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)  # its row files: system temp
        label = period_label(texts, recap.upto)
        wb.set_properties({"title": texts.t("rekap.judul", tahun=recap.tahun),
                           "subject": texts.t("rekap.subjudul", periode=label),
                           "author": "iki-xlsx"})
        fm = _Formats(wb, recap.predikat_labels)
        deferred = []
        for write in (_sheet_summary, _sheet_forms, _sheet_indicators, _sheet_missing,
                      _sheet_atasan, _sheet_history, _sheet_problems,
                      *((sheet_closed,) if recap.closed else ())):  # issue 11
            ws = write(wb, recap, texts, fm)
            if isinstance(ws, _Deferred):
                deferred.append(ws)
                ws = ws.sheet
            ws.set_landscape()
            ws.set_paper(L.PAPER.get(recap.kertas, 9))
            ws.fit_to_pages(1, 0)
            ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
            ws.set_footer(texts.t("rekap.footer", tahun=recap.tahun, periode=label))
        wb.close()
        for d in deferred:
            d.number = wb.worksheets().index(d.sheet) + 1
        _splice(tmp, deferred)
    return path


def _head(ws, r: int, titles: list[str], widths: list[float], fm: _Formats,
          formats: dict[int, object] | None = None) -> None:
    lines = max(L.text_lines(title, width, bold=True) for title, width in zip(titles, widths))
    ws.set_row(r, L.height_for(lines))
    for c, (title, width) in enumerate(zip(titles, widths)):
        ws.set_column(c, c, width)
        _text(ws, r, c, title, (formats or {}).get(c, fm.head))
    ws.repeat_rows(r)


def _title(ws, recap: Recap, texts: Texts, fm: _Formats) -> None:
    _text(ws, 0, 0, texts.t("rekap.judul", tahun=recap.tahun) + " — " + texts.t(
        "rekap.subjudul", periode=period_label(texts, recap.upto)), fm.subtitle)


def _text_rule(ws, first: int, last: int, col: int, text: str, fmt) -> None:
    if last >= first:
        quoted = '"' + text.replace('"', '""') + '"'
        ws.conditional_format(first, col, last, col, {"type": "cell", "criteria": "==",
                                                       "value": quoted, "format": fmt})


def _bars(ws, first: int, last: int, col: int, high: float, colour: str = "#63BE7B") -> None:
    if last >= first:
        ws.conditional_format(first, col, last, col, {
            "type": "data_bar", "bar_color": colour, "bar_solid": True,
            "min_type": "num", "min_value": 0, "max_type": "num", "max_value": high})


def _predikat_rules(ws, first: int, last: int, col: int, fm: _Formats) -> None:
    for label, fmt in fm.predikat.items():
        _text_rule(ws, first, last, col, label, fmt)


def _summary_row(s: UnitSummary, labels: list[str]) -> list:
    return [s.perangkat_daerah or "", s.unit_kerja or "", s.pegawai, s.formulir, s.sudah,
            s.belum, s.persen_sudah, s.rata_rata, *(s.predikat.get(k, 0) for k in labels),
            s.belum_dinilai]


def _sheet_summary(wb, recap: Recap, texts: Texts, fm: _Formats):
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.ringkasan"))
    name = ws.get_name()
    labels = recap.predikat_labels
    titles = [t("rekap.kolom.perangkat_daerah"), t("rekap.kolom.unit_kerja"),
              t("rekap.kolom.pegawai"), t("rekap.kolom.formulir"), t("rekap.kolom.sudah"),
              t("rekap.kolom.belum"), t("rekap.kolom.persen_sudah"),
              t("rekap.kolom.rata_rata"), *labels, t("rekap.kolom.belum_dinilai")]
    widths = [40, 34, 10, 11, 13, 13, 12, 13, *([13] * len(labels)), 12]
    p0 = 8  # first predikat column
    heads = {p0 + i: fm.predikat_head[label] for i, label in enumerate(labels)}
    numeric = [fm.int] * 4 + [fm.share, fm.pct] + [fm.int] * (len(labels) + 1)
    totals = [fm.total_int] * 4 + [fm.total_share, fm.total_pct] + [fm.total_int] * (
        len(labels) + 1)

    _text(ws, 0, 0, t("rekap.judul", tahun=recap.tahun), fm.title)
    _text(ws, 1, 0, t("rekap.subjudul", periode=period_label(texts, recap.upto)),
          fm.subtitle)
    lines = notes(recap, texts)
    for i, line in enumerate(lines):
        _text(ws, 2 + i, 0, line, fm.note)
    r = 3 + len(lines)
    _text(ws, r, 0, t("rekap.tabel.unit"), fm.subtitle)
    head = r + 1
    _head(ws, head, titles, widths, fm, heads)
    first = head + 1
    for i, s in enumerate(recap.units):
        row = _summary_row(s, labels)
        _text(ws, first + i, 0, row[0], fm.text)
        _text(ws, first + i, 1, row[1], fm.text)
        ws.set_row(first + i, L.row_height(row[:2], widths[:2]))
        for c, (value, f) in enumerate(zip(row[2:], numeric), start=2):
            _put(ws, first + i, c, value, f)
    last = first + len(recap.units) - 1
    ws.autofilter(head, 0, last, len(titles) - 1)
    ws.freeze_panes(first, 2)

    r = last + 2
    _text(ws, r, 0, t("rekap.tabel.perangkat_daerah"), fm.subtitle)
    pd_head = r + 1
    ws.set_row(pd_head, L.height_for(max(L.text_lines(x, w, bold=True)
                                         for x, w in zip(titles, widths))))
    for c, title in enumerate(titles):
        _text(ws, pd_head, c, "" if c == 1 else title, heads.get(c, fm.head))
    pd_first = pd_head + 1
    for i, s in enumerate(recap.agencies):
        row = _summary_row(s, labels)
        _text(ws, pd_first + i, 0, row[0], fm.text)
        ws.set_row(pd_first + i, L.row_height(row[:1], widths[:1]))
        for c, (value, f) in enumerate(zip(row[2:], numeric), start=2):
            _put(ws, pd_first + i, c, value, f)
    total = pd_first + len(recap.agencies)
    row = _summary_row(recap.total, labels)
    _text(ws, total, 0, t("rekap.tabel.total"), fm.total_text)
    ws.write_blank(total, 1, None, fm.total_text)
    for c, (value, f) in enumerate(zip(row[2:], totals), start=2):
        _put(ws, total, c, value, f)

    cap = max(recap.caps or [120.0])
    for a, b in ((first, last), (pd_first, total)):
        _bars(ws, a, b, 7, cap)
        _bars(ws, a, b, 6, 1, "#5B9BD5")

    chart = wb.add_chart({"type": "column"})
    chart.add_series({
        "name": t("rekap.grafik.predikat"),
        "categories": [name, pd_head, p0, pd_head, p0 + len(labels) - 1],
        "categories_data": list(labels),  # text: Excel needs a strRef, not a numRef
        "values": [name, total, p0, total, p0 + len(labels) - 1],
        "points": [{"fill": {"color": fm.colours[x]}, "border": {"color": "#595959"}}
                   for x in labels],
        "data_labels": {"value": True}})
    chart.set_title({"name": t("rekap.grafik.predikat"), "name_font": {"size": 11}})
    chart.set_legend({"none": True})
    chart.set_y_axis({"min": 0, "num_format": "0", "major_gridlines": {"visible": True}})
    chart.set_size({"width": 480, "height": 300})
    ws.insert_chart(total + 2, 0, chart)

    bars = wb.add_chart({"type": "bar"})
    bars.add_series({
        "name": t("rekap.grafik.capaian"),
        "categories": [name, first, 1, last, 1],
        "categories_data": [s.unit_kerja or "" for s in recap.units],
        "values": [name, first, 7, last, 7],
        "fill": {"color": "#4472C4"},
        "data_labels": {"value": True, "num_format": "0.0"}})
    bars.set_title({"name": t("rekap.grafik.capaian"), "name_font": {"size": 11}})
    bars.set_legend({"none": True})
    bars.set_y_axis({"reverse": True})
    bars.set_x_axis({"min": 0, "max": cap, "major_gridlines": {"visible": True}})
    bars.set_size({"width": 760, "height": max(300, 26 * len(recap.units) + 110)})
    ws.insert_chart(total + 2, 2, bars, {"x_offset": 20})
    _period_table(ws, total + 4 + math.ceil(max(300, 26 * len(recap.units) + 110) / 20),
                  recap, texts, fm)
    return ws


def _period_table(ws, r: int, recap: Recap, texts: Texts, fm: _Formats) -> None:
    """How many forms are lengkap / sebagian / kosong / belum in each period s.d. the
    recap's period: "sudah mengumpulkan" is always about a period."""
    t = texts.t
    _text(ws, r, 0, t("rekap.tabel.per_periode"), fm.subtitle)
    kinds = ("lengkap", "sebagian", "kosong", "belum")
    for c, title in enumerate([t("rekap.kolom.periode"), *(status_label(texts, k)
                                                           for k in kinds),
                               t("rekap.kolom.persen_sudah")]):
        _text(ws, r + 1, c, title, fm.head)
    for i, p in enumerate(recap.periods, start=r + 2):
        counts = {k: 0 for k in kinds}
        for f in recap.forms:
            st = f.period_status.get(p)
            if st in counts:
                counts[st] += 1
        n = sum(counts.values())
        _text(ws, i, 0, period_label(texts, p), fm.text)
        for c, k in enumerate(kinds, start=1):
            ws.write_number(i, c, counts[k], fm.int)
        _put(ws, i, 5, (counts["lengkap"] + counts["sebagian"]) / n if n else None, fm.share)


def _sheet_forms(wb, recap: Recap, texts: Texts, fm: _Formats):
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.pegawai"))
    keys = ("no", "nip", "nama", "jabatan", "perangkat_daerah", "unit_kerja", "atasan",
            "indikator_terisi", "indikator_total", "rata_rata", "predikat", "status",
            "terakhir", "form_id")
    periods = recap.periods
    titles = [t(f"rekap.kolom.{k}") for k in keys]
    titles += [t("rekap.kolom.status_periode", periode=period_label(texts, p)) for p in periods]
    widths = [6, 22, 30, 32, 30, 26, 34, 10, 10, 13, 15, 22, 17, 18, *([14] * len(periods))]
    _title(ws, recap, texts, fm)
    _head(ws, 1, titles, widths, fm)
    r = 1
    for i, f in enumerate(recap.forms, start=1):
        r += 1
        _identity(ws, r, i, f, fm)
        ws.write_number(r, 7, f.filled, fm.int)
        ws.write_number(r, 8, f.total, fm.int)
        _put(ws, r, 9, f.capaian, fm.pct)
        _put(ws, r, 10, f.predikat, fm.text)
        _text(ws, r, 11, status_label(texts, f.status), fm.text)
        _put(ws, r, 12, f.last_sent, fm.date)
        _text(ws, r, 13, f.form_id, fm.text)
        for c, p in enumerate(periods, start=len(keys)):
            st = f.period_status.get(p)
            _text(ws, r, c, status_label(texts, st) if st else "", fm.text)
        _fit(ws, r, f, widths)
    ws.autofilter(1, 0, r, len(titles) - 1)
    ws.freeze_panes(2, 3)
    _bars(ws, 2, r, 9, max(recap.caps or [120.0]))
    _predikat_rules(ws, 2, r, 10, fm)
    for c in (11, *range(len(keys), len(titles))):
        for st in NOT_COUNTED:
            _text_rule(ws, 2, r, c, status_label(texts, st), fm.bad)
    return ws


def _sheet_indicators(wb, recap: Recap, texts: Texts, fm: _Formats):
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.indikator"))
    keys = ("nip", "nama", "unit_kerja", "no", "sasaran", "indikator", "satuan", "target",
            "polaritas", "agregasi")
    label = period_label(texts, recap.upto)
    titles = [t(f"rekap.kolom.{k}") for k in keys]
    titles += [t("rekap.kolom.realisasi", periode=period_label(texts, p))
               for p in recap.periods]
    titles += [t("rekap.kolom.agregat", periode=label), t("rekap.kolom.capaian"),
               t("rekap.kolom.status"), t("rekap.kolom.keterangan"), t("rekap.kolom.sumber")]
    widths = [22, 28, 24, 5, 40, 50, 12, 14, 11, 11, *([11] * len(recap.periods)), 13, 11,
              18, 40, 60]
    _title(ws, recap, texts, fm)
    _head(ws, 1, titles, widths, fm)
    status = {s: t(f"rekap.status_indikator.{s}") for s in ("terisi", "kosong",
                                                            NOT_SUBMITTED, "galat")}
    n_p = len(recap.periods)
    c_cap, c_status = 11 + n_p, 12 + n_p
    formats = [fm.text] * 10 + [fm.num] * (n_p + 1) + [fm.pct, fm.text, fm.text, fm.text]
    last = 1 + sum(f.total for f in recap.forms)
    for c, f in enumerate(formats):  # placeholder row: sets the dimension, registers formats
        ws.write_blank(last, c, None, f)
    ws.autofilter(1, 0, last, len(titles) - 1)
    ws.freeze_panes(2, 2)
    _bars(ws, 2, last, c_cap, max(recap.caps or [120.0]))
    _text_rule(ws, 2, last, c_status, status[NOT_SUBMITTED], fm.grey)
    _text_rule(ws, 2, last, c_status, status["galat"], fm.bad)

    def rows(out: _InlineRows):
        static: dict[tuple, str] = {}  # the indicator's own columns, shared between forms
        r = 1
        for f in recap.forms:
            head = out.cells(0, (format_nip(f.nip), f.nama, f.unit_kerja))
            for ind in f.indicators:
                r += 1
                key = (ind.no, ind.sasaran, ind.indikator, ind.satuan, ind.target,
                       ind.polaritas, ind.agregasi)
                mid = static.get(key)
                if mid is None:
                    if len(static) > 100_000:  # bounded: ≤ about 100 MB
                        static.clear()
                    mid = static[key] = out.cells(3, key)
                yield out.row(r, head, mid, out.cells(10, [
                    *(ind.values.get(p) for p in recap.periods), ind.total, ind.capaian,
                    status[ind.status], ind.keterangan, value_sources(ind, texts)]))

    # xf indices now: a format equal to another one shares its index (xlsxwriter sets
    # ``xf_index`` only on the first); the placeholder row keeps each in styles.xml.
    return _Deferred(ws, 2, last, [f._get_xf_index() for f in formats], rows)


def _sheet_missing(wb, recap: Recap, texts: Texts, fm: _Formats):
    """Who has not submitted: the recap's period first, then each earlier one."""
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.belum"))
    keys = ("no", "nip", "nama", "jabatan", "perangkat_daerah", "unit_kerja", "atasan",
            "periode", "status", "terakhir", "catatan")
    widths = [6, 22, 30, 32, 30, 26, 34, 12, 18, 17, 60]
    _title(ws, recap, texts, fm)
    _head(ws, 1, [t(f"rekap.kolom.{k}") for k in keys], widths, fm)
    r = 1
    i = 0
    for period in reversed(recap.periods):
        for f in recap.missing(period):
            r += 1
            i += 1
            _identity(ws, r, i, f, fm)
            _text(ws, r, 7, period_label(texts, period), fm.text)
            _text(ws, r, 8, status_label(texts, f.period_status[period]), fm.text)
            _put(ws, r, 9, f.last_sent, fm.date)
            _text(ws, r, 10, belum_notes(f, texts), fm.text)
            _fit(ws, r, f, widths, [belum_notes(f, texts)], [widths[10]])
    ws.autofilter(1, 0, r, len(keys) - 1)
    ws.freeze_panes(2, 3)
    return ws


def _sheet_atasan(wb, recap: Recap, texts: Texts, fm: _Formats):
    """Each atasan with the bawahan whose forms they sign, and their status per period:
    the officer chases late forms through the superiors."""
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.atasan"))
    periods = recap.periods
    titles = [t("rekap.kolom.atasan"), t("rekap.kolom.nip"), t("rekap.kolom.nama"),
              t("rekap.kolom.jabatan"), t("rekap.kolom.unit_kerja"),
              *(t("rekap.kolom.status_periode", periode=period_label(texts, p))
                for p in periods), t("rekap.kolom.belum_periode")]
    widths = [36, 22, 30, 32, 26, *([14] * len(periods)), 12]
    _title(ws, recap, texts, fm)
    _head(ws, 1, titles, widths, fm)
    groups: dict[tuple, list] = {}
    for f in recap.forms:
        groups.setdefault((f.atasan_nip, f.atasan_nama), []).append(f)
    r = 1
    for (_, _), forms in sorted(groups.items(), key=lambda kv: (
            -sum(1 for f in kv[1] if not f.submitted), kv[0][1])):
        head = atasan_text(forms[0]) or t("rekap.tanpa_atasan")
        for f in forms:
            r += 1
            _text(ws, r, 0, head, fm.text)
            _text(ws, r, 1, format_nip(f.nip), fm.text)
            for c, value in enumerate((f.nama, f.jabatan, f.unit_kerja), start=2):
                _text(ws, r, c, value, fm.text)
            for c, p in enumerate(periods, start=5):
                st = f.period_status.get(p)
                _text(ws, r, c, status_label(texts, st) if st else "", fm.text)
            ws.write_number(r, 5 + len(periods), sum(
                1 for p in periods if f.period_status.get(p) in NOT_COUNTED), fm.int)
            ws.set_row(r, L.row_height([head, f.nama, f.jabatan, f.unit_kerja],
                                       [widths[0], widths[2], widths[3], widths[4]]))
    ws.autofilter(1, 0, r, len(titles) - 1)
    ws.freeze_panes(2, 1)
    for c in range(5, 5 + len(periods)):
        for st in NOT_COUNTED:
            _text_rule(ws, 2, r, c, status_label(texts, st), fm.bad)
    return ws


def _sheet_history(wb, recap: Recap, texts: Texts, fm: _Formats):
    """What happened to the values: replaced, left blank by a later file, late files of
    an earlier revision, values of removed indikator, the officer's decisions."""
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.riwayat"))
    keys = ("no", "nip", "nama", "kejadian", "indikator", "periode", "nilai_lama",
            "berkas_lama", "nilai_baru", "berkas_baru", "alasan")
    widths = [6, 22, 30, 34, 44, 10, 12, 50, 12, 50, 40]
    _title(ws, recap, texts, fm)
    _head(ws, 1, [t(f"rekap.kolom.{k}") for k in keys], widths, fm)
    r = 1
    for f in recap.forms:
        names = {i.id: f"{i.no}. {i.indikator}".strip(". ") for i in f.indicators}
        for e in f.events:
            r += 1
            row = history_row(e, names, texts)
            ws.write_number(r, 0, r - 1, fm.int)
            _text(ws, r, 1, format_nip(f.nip), fm.text)
            _text(ws, r, 2, f.nama, fm.text)
            for c, value in enumerate(row, start=3):
                _put(ws, r, c, value, fm.text)
            ws.set_row(r, L.row_height([f.nama, *row], widths[2:]))
    ws.autofilter(1, 0, r, len(keys) - 1)
    ws.freeze_panes(2, 3)
    return ws


def _sheet_problems(wb, recap: Recap, texts: Texts, fm: _Formats):
    t = texts.t
    ws = wb.add_worksheet(t("rekap.sheet.masalah"))
    keys = ("no", "berkas", "nip", "nama", "status_berkas", "dipakai", "tingkat", "sheet",
            "sel", "indikator", "masalah", "saran", "diterima_pada")
    widths = [6, 50, 22, 28, 20, 10, 12, 10, 8, 40, 60, 50, 17]
    _title(ws, recap, texts, fm)
    _head(ws, 1, [t(f"rekap.kolom.{k}") for k in keys], widths, fm)
    yes, no = t("rekap.ya"), t("rekap.tidak")
    nameless = t("rekap.tanpa_nama_berkas")
    r = 1
    for i, issue in enumerate(recap.files, start=1):
        head = [" | ".join(issue.names) or nameless, format_nip(issue.nip or ""),
                issue.nama or "", status_label(texts, issue.status),
                yes if issue.used else no]
        for p in issue.problems or [{}]:
            r += 1
            ws.write_number(r, 0, i, fm.int)
            for c, value in enumerate(head, start=1):
                _text(ws, r, c, value, fm.text)
            severity = p.get("severity") or ""
            key = f"tingkat.{severity}"
            _text(ws, r, 6, t(key) if severity and texts.has(key) else severity, fm.text)
            _text(ws, r, 7, p.get("sheet") or "", fm.text)
            _put(ws, r, 8, p.get("cell") or p.get("row"), fm.text)
            _text(ws, r, 9, p.get("indicator") or "", fm.text)
            _text(ws, r, 10, p.get("message") or p.get("code") or "", fm.text)
            _text(ws, r, 11, p.get("advice") or "", fm.text)
            _put(ws, r, 12, issue.first_seen, fm.date)
    ws.autofilter(1, 0, r, len(keys) - 1)
    ws.freeze_panes(2, 2)
    _text_rule(ws, 2, r, 4, t("rekap.status.ditolak"), fm.bad)
    if texts.has("tingkat.error"):
        _text_rule(ws, 2, r, 6, t("tingkat.error"), fm.bad)
    return ws


# --------------------------------------------------------------------------- fast rows

_XML_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
                          "|_x[0-9A-Fa-f]{4}_")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _escape_one(m: re.Match) -> str:
    g = m.group()
    if g in _ENTITIES:
        return _ENTITIES[g]
    if len(g) > 1:  # text that reads like Excel's own escape stays literal: _x005F_x0041_
        return "_x005F" + g
    if "\ud800" <= g <= "\udfff":  # a lone surrogate cannot be stored
        return "\ufffd"
    return f"_x{ord(g):04X}_"  # control characters, as Excel escapes them


class _InlineRows:
    """Rows of SpreadsheetML, every text an inline string (``t="inlineStr"``: never a
    formula, never a link), every number a number, each column with its cell style."""

    def __init__(self, styles: list[int]):
        self.styles = styles
        self.prefix = [f'<c r="{xl_col_to_name(c)}\x00" s="{style}"'
                       for c, style in enumerate(styles)]
        self._memo: dict[str, str] = {}

    def text(self, value: str) -> str:
        hit = self._memo.get(value)
        if hit is None:
            body = _XML_SPECIAL.sub(_escape_one, limit(value))
            space = ' xml:space="preserve"' if body[:1].isspace() or body[-1:].isspace() else ""
            hit = f"<is><t{space}>{body}</t></is>"
            if len(self._memo) < 100_000:
                self._memo[value] = hit
        return hit

    def cells(self, start: int, values) -> str:
        """Cells of columns ``start``, ``start + 1``, … (blank values are left out), with
        the row number left as ``\\x00`` (escaped text never holds one) for :meth:`row`."""
        out = []
        prefix = self.prefix
        for c, v in enumerate(values, start):
            if type(v) is str:
                if v:
                    out.append(f'{prefix[c]} t="inlineStr">{self.text(v)}</c>')
            elif v is None:
                continue
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                if math.isfinite(v):
                    out.append(f"{prefix[c]}><v>{v!r}</v></c>")
            else:
                out.append(f'{prefix[c]} t="inlineStr">{self.text(str(v))}</c>')
        return "".join(out)

    @staticmethod
    def row(r: int, *chunks: str) -> str:
        """Row ``r`` (0-based) from chunks of :meth:`cells`, in column order."""
        n = str(r + 1)
        return f'<row r="{n}">' + "".join(chunks).replace("\x00", n) + "</row>"


@dataclass
class _Deferred:
    """Data rows first..last (0-based) of ``sheet``, written after the workbook: xlsxwriter
    wrote the sheet with a placeholder row at ``last`` (for the dimension and the cell
    formats); :func:`_splice` puts ``rows`` in its place."""

    sheet: object
    first: int
    last: int
    styles: list[int]  # cell style (xf index) per column
    rows: object  # callable(_InlineRows) → iterator of row XML
    number: int = 0  # xl/worksheets/sheet<number>.xml


def _splice(path: Path, deferred: list[_Deferred]) -> None:
    if not deferred:
        return
    by_name = {f"xl/worksheets/sheet{d.number}.xml": d for d in deferred}
    out = path.with_name(path.name + ".rows")
    try:
        # The big sheet is deflated at level 1: several times faster than the default
        # level, for a file about a fifth larger.
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(
                out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
            for info in zin.infolist():
                d = by_name.get(info.filename)
                if d is None:
                    zout.writestr(info, zin.read(info.filename))
                    continue
                xml = zin.read(info.filename).decode("utf-8")
                cut = xml.index(f'<row r="{d.last + 1}"')
                end = xml.index("</sheetData>", cut)
                rows = _InlineRows(d.styles)
                with zout.open(info.filename, "w", force_zip64=True) as fh:
                    fh.write(xml[:cut].encode("utf-8"))
                    chunk: list[str] = []
                    for row in d.rows(rows):
                        chunk.append(row)
                        if len(chunk) >= 2000:
                            fh.write("".join(chunk).encode("utf-8"))
                            chunk.clear()
                    fh.write("".join(chunk).encode("utf-8"))
                    fh.write(xml[end:].encode("utf-8"))
        os.replace(out, path)
    finally:
        out.unlink(missing_ok=True)

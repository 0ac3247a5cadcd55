"""The recap's first sheet, Ringkasan: how it was computed, per unit kerja and per
perangkat daerah (forms, submitted, missing, average capaian, predikat counts), the two
charts, and the statuses per period."""

from __future__ import annotations

import math

from ..core.sheets import TITLE_SIZE, heading
from ..core.show import period_label, status_label
from ..core.textfit import row_height
from ..core.texts import Texts
from .build import (
    Recap,
    UnitSummary,
)
from .wording import notes
from .sheetkit import (
    Formats,
    data_bars,
    header_row,
    put_text,
    put_value,
)


def _summary_row(s: UnitSummary, labels: list[str]) -> list:
    return [s.perangkat_daerah or "", s.unit_kerja or "", s.people, s.forms, s.submitted,
            s.missing, s.submitted_share, s.average, *(s.predikat.get(k, 0) for k in labels),
            s.unrated]


def sheet_summary(wb, recap: Recap, texts: Texts, fm: Formats):
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
    numeric = [fm.int] * 4 + [fm.share, fm.number] + [fm.int] * (len(labels) + 1)
    totals = [fm.total_int] * 4 + [fm.total_share, fm.total_number] + [fm.total_int] * (
        len(labels) + 1)

    heading(ws, 0, t("rekap.judul", tahun=recap.tahun), widths, fm.title, TITLE_SIZE, True)
    heading(ws, 1, t("rekap.subjudul", periode=period_label(texts, recap.upto)), widths,
            fm.subtitle, 11, True)
    lines = notes(recap, texts)
    for i, line in enumerate(lines):
        heading(ws, 2 + i, line, widths, fm.note)
    r = 3 + len(lines)
    heading(ws, r, t("rekap.tabel.unit"), widths, fm.subtitle, 11, True)
    head = r + 1
    header_row(ws, head, titles, widths, fm, heads)
    first = head + 1
    for i, s in enumerate(recap.units):
        row = _summary_row(s, labels)
        put_text(ws, first + i, 0, row[0], fm.text)
        put_text(ws, first + i, 1, row[1], fm.text)
        ws.set_row(first + i, row_height(row[:2], widths[:2]))
        for c, (value, f) in enumerate(zip(row[2:], numeric), start=2):
            put_value(ws, first + i, c, value, fm, f)
    last = first + len(recap.units) - 1
    ws.autofilter(head, 0, last, len(titles) - 1)
    ws.freeze_panes(first, 2)

    r = last + 2
    heading(ws, r, t("rekap.tabel.perangkat_daerah"), widths, fm.subtitle, 11, True)
    pd_head = r + 1
    ws.set_row(pd_head, row_height(titles, widths, bold=True))
    for c, title in enumerate(titles):
        put_text(ws, pd_head, c, "" if c == 1 else title, heads.get(c, fm.head))
    pd_first = pd_head + 1
    for i, s in enumerate(recap.agencies):
        row = _summary_row(s, labels)
        put_text(ws, pd_first + i, 0, row[0], fm.text)
        put_text(ws, pd_first + i, 1, "", fm.text)
        ws.set_row(pd_first + i, row_height(row[:1], widths[:1]))
        for c, (value, f) in enumerate(zip(row[2:], numeric), start=2):
            put_value(ws, pd_first + i, c, value, fm, f)
    total = pd_first + len(recap.agencies)
    row = _summary_row(recap.total, labels)
    put_text(ws, total, 0, t("rekap.tabel.total"), fm.total_text)
    ws.write_blank(total, 1, None, fm.total_text)
    for c, (value, f) in enumerate(zip(row[2:], totals), start=2):
        put_value(ws, total, c, value, fm, f)

    cap = max(recap.caps or [120.0])
    for a, b in ((first, last), (pd_first, total)):
        data_bars(ws, a, b, 7, cap)
        data_bars(ws, a, b, 6, 1, "#5B9BD5")

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
                  recap, texts, fm, widths)
    return ws


def _period_table(ws, r: int, recap: Recap, texts: Texts, fm: Formats,
                  widths: list[float]) -> None:
    """How many forms are lengkap / sebagian / kosong / belum in each period s.d. the
    recap's period: "sudah mengumpulkan" is always about a period."""
    t = texts.t
    heading(ws, r, t("rekap.tabel.per_periode"), widths[:6], fm.subtitle, 11, True)
    kinds = ("lengkap", "sebagian", "kosong", "belum")
    titles = [t("rekap.kolom.periode"), *(status_label(texts, k) for k in kinds),
              t("rekap.kolom.persen_sudah")]
    for c, title in enumerate(titles):
        put_text(ws, r + 1, c, title, fm.head)
    ws.set_row(r + 1, row_height(titles, widths, bold=True))
    for i, p in enumerate(recap.periods, start=r + 2):
        counts = {k: 0 for k in kinds}
        for f in recap.forms:
            st = f.period_status.get(p)
            if st in counts:
                counts[st] += 1
        n = sum(counts.values())
        put_text(ws, i, 0, period_label(texts, p), fm.text)
        for c, k in enumerate(kinds, start=1):
            ws.write_number(i, c, counts[k], fm.int)
        put_value(ws, i, 5, (counts["lengkap"] + counts["sebagian"]) / n if n else None, fm,
                  fm.share)

"""The recap's ``Selesai / Ditarik`` sheet (issue 11): forms that do not count in the
recap period — ended (Selesai), not yet started (Mulai), withdrawn from the master —
with their data kept (capaian s.d. the last active period; withdrawn: files kept in
the ledger). Kept apart from :mod:`iki_xlsx.recap.xlsx`'s layout code."""

from __future__ import annotations

from ..core.model import format_nip
from ..core.show import period_label
from ..core.texts import Texts
from ..core.xlsxtext import write_text
from .build import Recap


def sheet_closed(wb, recap: Recap, texts: Texts, fm):
    t = texts.t
    ws = wb.add_worksheet(t("rekap_selesai.sheet"))
    keys = ("no", "nip", "nama", "jabatan", "kode_iki", "perangkat_daerah", "unit_kerja",
            "alasan", "periode", "capaian", "predikat", "catatan")
    widths = [6, 22, 30, 32, 12, 30, 26, 20, 22, 12, 16, 50]
    write_text(ws, 0, 0, t("rekap_selesai.judul", tahun=recap.tahun,
                           periode=period_label(texts, recap.upto)), fm.subtitle)
    for c, (k, w) in enumerate(zip(keys, widths)):
        ws.set_column(c, c, w)
        write_text(ws, 1, c, t(f"rekap_selesai.kolom.{k}"), fm.head)
    r = 1
    for i, f in enumerate(recap.closed, start=1):
        r += 1
        ws.write_number(r, 0, i, fm.int)
        periods = f["periode"]
        span = (f"{period_label(texts, periods[0])} – {period_label(texts, periods[-1])}"
                if periods else "")
        note = t("rekap_selesai.catatan_ditarik", waktu=(f["at"] or "")[:10],
                 berkas=f.get("berkas", 0)) if f["alasan"] == "ditarik" else ""
        for c, value in enumerate((format_nip(f["nip"]), f["nama"], f["jabatan"],
                                   f["kode_iki"], f["perangkat_daerah"], f["unit_kerja"],
                                   t(f"rekap_selesai.alasan.{f['alasan']}"), span), start=1):
            write_text(ws, r, c, value, fm.text)
        if f["capaian"] is not None:
            ws.write_number(r, 9, f["capaian"], fm.pct)
        if f["predikat"] and f["capaian"] is not None:
            write_text(ws, r, 10, f["predikat"], fm.text)
        write_text(ws, r, 11, note, fm.text)
    if not recap.closed:
        write_text(ws, 2, 0, t("rekap_selesai.tidak_ada"), fm.note)
    ws.freeze_panes(2, 3)
    return ws


def closed_rows(recap: Recap, texts: Texts) -> list[dict]:
    """The same list for the HTML report (plain texts)."""
    t = texts.t
    out = []
    for f in recap.closed:
        periods = f["periode"]
        out.append({
            "nip": format_nip(f["nip"]), "nama": f["nama"], "jabatan": f["jabatan"],
            "kode": f["kode_iki"], "unit": f["unit_kerja"],
            "alasan": t(f"rekap_selesai.alasan.{f['alasan']}"),
            "periode": (f"{period_label(texts, periods[0])} – "
                        f"{period_label(texts, periods[-1])}") if periods else "",
            "capaian": "" if f["capaian"] is None else f"{f['capaian']:.2f}".replace(".", ","),
            "catatan": t("rekap_selesai.catatan_ditarik", waktu=(f["at"] or "")[:10],
                         berkas=f.get("berkas", 0)) if f["alasan"] == "ditarik" else ""})
    return out

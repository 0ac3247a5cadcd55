"""The recap's ``Selesai / Ditarik`` sheet (issue 11): forms that do not count in the
recap period — ended (Selesai), not yet started (Mulai), withdrawn from the master —
with their data kept (capaian s.d. the last active period; withdrawn: files kept in
the ledger). Kept apart from :mod:`iki_xlsx.recap.xlsx`'s layout code."""

from __future__ import annotations

from ..core.model import format_nip
from ..core.sheets import Column, heading, table
from ..core.show import day, number_text, period_label
from ..core.texts import Texts
from .build import Recap


def sheet_closed(wb, recap: Recap, texts: Texts, fm):
    t = texts.t
    ws = wb.add_worksheet(t("rekap_selesai.sheet"))
    keys = ("no", "nip", "nama", "jabatan", "kode_iki", "perangkat_daerah", "unit_kerja",
            "alasan", "periode", "capaian", "predikat", "catatan")
    widths = [6, 22, 30, 32, 12, 30, 26, 20, 22, 12, 16, 50]
    heading(ws, 0, t("rekap_selesai.judul", tahun=recap.tahun,
                     periode=period_label(texts, recap.upto)), widths, fm.subtitle, 11, True)
    columns = [Column(t(f"rekap_selesai.kolom.{k}"), w, k == "no")
               for k, w in zip(keys, widths)]
    rows = []
    for i, f in enumerate(recap.closed, start=1):
        periods = f["periode"]
        span = (f"{period_label(texts, periods[0])} – {period_label(texts, periods[-1])}"
                if periods else "")
        note = t("rekap_selesai.catatan_ditarik", waktu=day(f["at"]),
                 berkas=f.get("berkas", 0)) if f["alasan"] == "ditarik" else ""
        rows.append((i, format_nip(f["nip"]), f["nama"], f["jabatan"], f["kode_iki"],
                     f["perangkat_daerah"], f["unit_kerja"],
                     t(f"rekap_selesai.alasan.{f['alasan']}"), span, f["capaian"],
                     f["predikat"] if f["capaian"] is not None else "", note))
    last = table(ws, fm, 1, columns, rows, freeze_cols=3)
    if not recap.closed:
        heading(ws, last + 1, t("rekap_selesai.tidak_ada"), widths, fm.note)
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
            "capaian": "" if f["capaian"] is None else number_text(f["capaian"]),
            "catatan": t("rekap_selesai.catatan_ditarik", waktu=day(f["at"]),
                         berkas=f.get("berkas", 0)) if f["alasan"] == "ditarik" else ""})
    return out

"""The recap's ``Selesai / Ditarik`` sheet (issue 11): forms that do not count in the
recap period — ended (Selesai), not yet started (Mulai), withdrawn from the master —
with their data kept (capaian s.d. the last active period; withdrawn: files kept in
the ledger), and each one's values per indikator and period (issue 23, withdrawn forms
too). Kept apart from :mod:`iki_xlsx.recap.xlsx`'s layout code.

:mod:`.build` calls :func:`closed_forms` (and this module does not import it: the recap
passed in is a :class:`iki_xlsx.recap.build.Recap`)."""

from __future__ import annotations

from collections.abc import Callable

from ..core.model import format_nip
from ..core.sheets import Column, heading, put, row_height, table
from ..core.show import day, number_text, period_label
from ..core.texts import Texts
from ..core.timeline import END_MONTH
from ..workspace import Workspace


def closed_forms(ws: Workspace, recap, withdrawn_figures: Callable) -> list[dict]:
    """Issues 11, 23: the forms that do not count in the recap period — ended (Selesai
    before it), not yet started, or withdrawn from the master — for the ``Selesai /
    Ditarik`` sheet: each with why (``alasan``: selesai | belum_mulai | ditarik), its
    periods, and its figures (``form``: a RecapForm) s.d. its last active period (a
    withdrawn form: the last that had ended when it was withdrawn, from
    ``withdrawn_figures(ws, recap, withdrawn forms)`` → {form id: RecapForm})."""
    out = []
    for f in recap.forms:
        if not f.active:
            periods = list(f.active_periods or ())
            ended = bool(periods) and END_MONTH[periods[-1]] < END_MONTH[recap.upto]
            out.append(_closed("selesai" if ended else "belum_mulai", f, f))
    gone = ws.issued.withdrawn(recap.tahun)
    figures = withdrawn_figures(ws, recap, gone) if gone else {}
    for w in gone:
        out.append(_closed("ditarik", w, figures.get(w.form_id), w.ditarik_at, w.berkas))
    return out


def _closed(alasan: str, head, f, at: str = "", berkas: int = 0) -> dict:
    return {"alasan": alasan, "nip": head.nip, "nama": head.nama, "jabatan": head.jabatan,
            "kode_iki": head.kode_iki, "unit_kerja": head.unit_kerja,
            "perangkat_daerah": head.perangkat_daerah,
            "periode": list(f.active_periods or ()) if f else [],
            "capaian": f.capaian if f else None, "predikat": f.predikat if f else None,
            "form_id": head.form_id, "revision": head.revision, "at": at, "berkas": berkas,
            "form": f}


def sheet_closed(wb, recap, texts: Texts, fm):
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
    _values(ws, last + 2, recap, texts, fm, widths)
    return ws


def _values(ws, r: int, recap, texts: Texts, fm, widths: list[float]) -> None:
    """Under the list, each closed form's values per indikator and period, and its
    capaian, s.d. its last active period (issue 23: a withdrawn form's too), in the
    list's grid (the columns keep the list's widths)."""
    t = texts.t
    if not any(f.get("form") is not None for f in recap.closed):
        return
    heading(ws, r, t("rekap_selesai.nilai_judul"), widths, fm.subtitle, 11, True)
    heads = [t("rekap_selesai.kolom.no"), t("rekap_selesai.kolom.nama"),
             t("rekap_selesai.kolom.indikator"), t("rekap_selesai.kolom.target"),
             *(period_label(texts, p) for p in recap.periods),
             t("rekap_selesai.kolom.capaian")]
    r += 1
    for c, head in enumerate(heads):
        put(ws, r, c, head, fm, fm.head)
    ws.set_row(r, row_height(heads, widths[:len(heads)], bold=True))
    for i, f in enumerate(recap.closed, start=1):
        for ind in f["form"].indicators if f.get("form") is not None else ():
            r += 1
            row = [i, f["nama"], f"{ind.no}. {ind.indikator}".strip(". "), ind.target,
                   *(ind.values.get(p) for p in recap.periods), ind.capaian]
            shown = [put(ws, r, c, value, fm) for c, value in enumerate(row)]
            ws.set_row(r, row_height(shown, widths[:len(row)]))


def closed_rows(recap, texts: Texts) -> list[dict]:
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
            "predikat": f["predikat"] or "" if f["capaian"] is not None else "",
            "catatan": t("rekap_selesai.catatan_ditarik", waktu=day(f["at"]),
                         berkas=f.get("berkas", 0)) if f["alasan"] == "ditarik" else ""})
    return out

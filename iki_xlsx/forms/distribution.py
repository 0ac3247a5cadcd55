"""The distribution list ``daftar-distribusi.xlsx``: one row per form generated (and per
form withdrawn), with its file, form id, revision, status — *baru*, *revisi*, *tidak
berubah*, *terbit ulang* (issue 23), withdrawn — and what its pegawai must do with it, to
tick off as the forms are handed out. Printed on the master's paper, one page wide, every
row as tall as its wrapped text, in a grid."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from ..core.atomic import atomic_path
from ..core.model import format_nip
from ..core.sheets import Column, ListFormats, list_sheet
from ..core.texts import Texts
from ..workspace import IssuedFormRow

DISTRIBUTION_FILE = "daftar-distribusi.xlsx"

_COLUMNS = (("no", 5, True), ("nip", 22, False), ("nama", 30, False),
            ("jabatan", 34, False), ("perangkat_daerah", 30, False),
            ("unit_kerja", 26, False), ("atasan", 30, False), ("berkas", 50, False),
            ("form_id", 18, False), ("revisi", 8, True), ("status", 14, False),
            ("tindakan", 44, False), ("diserahkan", 14, False))


def write_distribution(planned: list, out_dir: Path, texts: Texts, tahun: int,
                       withdrawn: list[IssuedFormRow] = ()) -> Path:
    """Write the list of ``planned`` forms (``generate``'s PlannedForm) and the
    ``withdrawn`` ones under ``out_dir``; returns its path."""
    t = texts.t
    path = out_dir / DISTRIBUTION_FILE
    rows = []
    for i, p in enumerate(planned, start=1):
        f = p.form
        atasan = f.atasan.nama + (f" ({f.atasan.nip_text})" if f.atasan.nip else "")
        rows.append((i, f.pegawai.nip_text, f.pegawai.nama, f.pegawai.jabatan,
                     f.pegawai.perangkat_daerah, f.pegawai.unit_kerja, atasan,
                     p.path.relative_to(out_dir).as_posix(), p.form_id, p.revision,
                     *distribution_status(p, texts), ""))
    for i, w in enumerate(withdrawn, start=len(planned) + 1):
        rows.append((i, format_nip(w.nip), w.nama, w.jabatan, w.perangkat_daerah,
                     w.unit_kerja, w.atasan_nama, w.file_path, w.form_id, w.revision,
                     t("distribusi.status.ditarik"), t("distribusi.tindakan.ditarik"), ""))
    columns = [Column(t(f"distribusi.kolom.{key}"), width, center)
               for key, width, center in _COLUMNS]
    title = t("distribusi.judul", tahun=tahun)
    kertas = planned[0].form.settings.kertas if planned else "A4"
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        list_sheet(wb, ListFormats(wb), t("distribusi.sheet"), columns, rows, title=title,
                   kertas=kertas, footer=t("cetak.halaman", judul=title), freeze_cols=2)
        wb.close()
    return path


def issued_paper(ws, tahun: int | None = None) -> str:
    """The paper (A4 | F4) of the master last generated (of ``tahun``): the forms last
    issued carry its Pengaturan. The lists made later (collect report, reminders) print
    on it. A4 when nothing was issued."""
    forms = ws.issued.forms(tahun)
    latest = ws.issued.form(forms[-1].form_id) if forms else None
    settings = (latest.form_json.get("settings") if latest else None) or {}
    return settings.get("kertas") or "A4"


def distribution_status(p, texts: Texts) -> tuple[str, str]:
    """A form's status (``p``: a :class:`~iki_xlsx.forms.generate.PlannedForm`) in the
    distribution list and what its pegawai must do: a re-issued form says *terbit ulang* and which periods to fill (late ones too); an
    unchanged one that is not re-issued need not be sent again."""
    t = texts.t
    status = t(f"distribusi.status.{p.status}")
    if p.reissue is None:
        return status, t(f"distribusi.tindakan.{p.status}")
    r = p.reissue
    if p.status == "sama":
        status = t("distribusi.status.terbit_ulang")
    else:
        status = t("distribusi.status.terbit_ulang_juga", status=status)
    return status, t("distribusi.tindakan.terbit_ulang", isi=", ".join(r["isi"]),
                     terlambat="; ".join(r["terlambat"]), terisi=", ".join(r["terisi"]))

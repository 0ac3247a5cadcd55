"""The distribution list (``daftar-distribusi.xlsx``) that ``generate`` writes beside the
forms: every form issued, its file, revision and status — *baru*, *revisi*, *tidak
berubah*, *terbit ulang* (issue 23), withdrawn — and what its pegawai must do with it."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from ..core.atomic import atomic_path
from ..core.model import format_nip
from ..core.texts import Texts
from ..core.xlsxtext import write_text
from ..workspace import IssuedFormRow
from . import layout as L

DISTRIBUTION_FILE = "daftar-distribusi.xlsx"


def _distribution_row(ws, r: int, row: tuple, widths) -> None:
    for c, value in enumerate(row):
        if isinstance(value, int):
            ws.write_number(r, c, value)
        elif value:
            write_text(ws, r, c, value)
    ws.set_row(r, L.row_height(row, widths))


def write_distribution(planned: list, out_dir: Path, texts: Texts,
                       tahun: int, withdrawn: list[IssuedFormRow] = ()) -> Path:
    path = out_dir / DISTRIBUTION_FILE
    t = texts.t
    keys = ("no", "nip", "nama", "jabatan", "perangkat_daerah", "unit_kerja", "atasan",
            "berkas", "form_id", "revisi", "status", "tindakan", "diserahkan")
    widths = (5, 22, 30, 34, 30, 26, 30, 50, 18, 8, 14, 44, 14)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True})
        head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                              "text_wrap": True, "valign": "top"})
        title = wb.add_format({"bold": True, "font_size": 12})
        text = wb.add_format({"valign": "top", "text_wrap": True})
        ws = wb.add_worksheet(t("distribusi.sheet"))
        ws.write_string(0, 0, t("distribusi.judul", tahun=tahun), title)
        for c, (k, w) in enumerate(zip(keys, widths)):
            ws.write_string(2, c, t(f"distribusi.kolom.{k}"), head)
            ws.set_column(c, c, w, text)
        for i, p in enumerate(planned, start=1):
            f = p.form
            atasan = f.atasan.nama + (f" ({f.atasan.nip_text})" if f.atasan.nip else "")
            row = (i, f.pegawai.nip_text, f.pegawai.nama, f.pegawai.jabatan,
                   f.pegawai.perangkat_daerah, f.pegawai.unit_kerja, atasan,
                   p.path.relative_to(out_dir).as_posix(), p.form_id, p.revision,
                   *distribution_status(p, texts), "")
            _distribution_row(ws, 2 + i, row, widths)
        for i, w in enumerate(withdrawn, start=len(planned) + 1):
            row = (i, format_nip(w.nip), w.nama, w.jabatan, w.perangkat_daerah, w.unit_kerja,
                   w.atasan_nama, w.file_path, w.form_id, w.revision,
                   t("distribusi.status.ditarik"), t("distribusi.tindakan.ditarik"), "")
            _distribution_row(ws, 2 + i, row, widths)
        ws.set_row(2, L.row_height([t(f"distribusi.kolom.{k}") for k in keys], widths, True))
        ws.autofilter(2, 0, 2 + len(planned) + len(withdrawn), len(keys) - 1)
        ws.freeze_panes(3, 2)
        kertas = planned[0].form.settings.kertas if planned else "A4"
        L.setup_print(ws, kertas, t("cetak.halaman", judul=t("distribusi.judul", tahun=tahun)),
                      (2, 2))
        wb.close()
    return path


def distribution_status(p, texts: Texts) -> tuple[str, str]:
    """A form's status (``p``: a :class:`~iki_xlsx.forms.generate.PlannedForm`) in the distribution list and what its pegawai must do: a
    re-issued form says *terbit ulang* and which periods to fill (late ones too); an
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

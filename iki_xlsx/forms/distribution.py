"""The distribution list ``daftar-distribusi.xlsx``: one row per form generated (and per
form withdrawn), with its file, form id, revision, status — *baru*, *revisi*, *tidak
berubah*, *terbit ulang* (issue 23), withdrawn — and what its pegawai must do with it, to
tick off as the forms are handed out. Printed on the master's paper, one page wide, every
row as tall as its wrapped text, in a grid."""

from __future__ import annotations

import queue
import threading
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


class DistributionList:
    """The distribution list written while the forms are: ``generate`` hands in each
    form's row as its worker is done with it (:meth:`add`), the withdrawn forms' rows at
    the end (:meth:`finish`). The sheet is made by the same calls as one written at the
    end (:func:`~iki_xlsx.core.sheets.list_sheet`, row by row), on a thread of its own
    that takes the rows as they come: for 10,000 forms that was ~2 s after the last
    form, with one core idle. Used as a context manager: leaving it without
    :meth:`finish` (an error) abandons the file."""


    def __init__(self, out_dir: Path, texts: Texts, tahun: int, kertas: str = "A4"):
        self.out_dir, self.texts = out_dir, texts
        self.path = out_dir / DISTRIBUTION_FILE
        self._rows: queue.SimpleQueue = queue.SimpleQueue()
        self._count = 0
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._write, args=(tahun, kertas),
                                         name="daftar-distribusi", daemon=True)
        self._thread.start()

    def add(self, p) -> None:
        """The row of a form (``generate``'s PlannedForm, its status final)."""
        f = p.form
        self._count += 1
        atasan = f.atasan.nama + (f" ({f.atasan.nip_text})" if f.atasan.nip else "")
        self._rows.put((self._count, f.pegawai.nip_text, f.pegawai.nama, f.pegawai.jabatan,
                        f.pegawai.perangkat_daerah, f.pegawai.unit_kerja, atasan,
                        p.path.relative_to(self.out_dir).as_posix(), p.form_id, p.revision,
                        *distribution_status(p, self.texts), ""))

    def finish(self, withdrawn: list[IssuedFormRow] = ()) -> Path:
        """Add the rows of the forms ``withdrawn``, write the file; returns its path."""
        t = self.texts.t
        for w in withdrawn:
            self._count += 1
            self._rows.put((self._count, format_nip(w.nip), w.nama, w.jabatan,
                            w.perangkat_daerah, w.unit_kerja, w.atasan_nama, w.file_path,
                            w.form_id, w.revision, t("distribusi.status.ditarik"),
                            t("distribusi.tindakan.ditarik"), ""))
        self._rows.put(_END)
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        return self.path

    def __enter__(self) -> DistributionList:
        return self

    def __exit__(self, *exc) -> None:
        if self._thread.is_alive():  # not finished: the file is abandoned
            self._rows.put(_ABANDON)
            self._thread.join()

    def _incoming(self):
        while True:
            row = self._rows.get()
            if row is _END:
                return
            if row is _ABANDON:
                raise _Abandoned
            yield row

    def _write(self, tahun: int, kertas: str) -> None:
        t = self.texts.t
        columns = [Column(t(f"distribusi.kolom.{key}"), width, center)
                   for key, width, center in _COLUMNS]
        title = t("distribusi.judul", tahun=tahun)
        try:
            with atomic_path(self.path) as tmp:
                wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True,
                                                    "strings_to_formulas": False,
                                                    "strings_to_urls": False})
                list_sheet(wb, ListFormats(wb), t("distribusi.sheet"), columns,
                           self._incoming(), title=title, kertas=kertas,
                           footer=t("cetak.halaman", judul=title), freeze_cols=2)
                wb.close()
        except _Abandoned:
            pass
        except BaseException as exc:  # noqa: BLE001 - raised again by finish()
            self._failure = exc
            for row in iter(self._rows.get, _END):  # let finish() return
                if row is _ABANDON:
                    break


_END, _ABANDON = object(), object()  # the rows' queue: all there; the list not wanted


class _Abandoned(Exception):
    """The list is not to be written (``generate`` failed before it finished)."""


def issued_paper(ws, tahun: int | None = None, forms: list | None = None) -> str:
    """The paper (A4 | F4) of the master last generated (of ``tahun``): the forms last
    issued carry its Pengaturan. The lists made later (collect report, reminders) print
    on it. A4 when nothing was issued. ``forms``: ``ws.issued.forms(tahun)``, when the
    caller has them already (10,000 of them take ~0.4 s to read)."""
    if forms is None:
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

"""Helpers for the verification tests (issue 26): a year of the small master with its
forms filled and collected, the atasan's review workbooks, and filling those as an
atasan would (openpyxl as the "Python client", or a real LibreOffice)."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from filling import fill, realisasi_ref, saved_on
from mailtools import master_with_contacts

from iki_xlsx.collect import collect
from iki_xlsx.define.master import load_master
from iki_xlsx.forms import generate_reviews
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace

KEPALA = ("197001011995031001", "IKI-KEPALA")
SEKRETARIS = ("198203152006042002", "IKI-SEKRETARIS")
SRI_PLT = ("198203152006042002", "IKI-PENGOLAH")
ANDI = ("199005202015031003", "IKI-PENGOLAH")
NUR = ("199107112019032011", "IKI-PENGOLAH")
SRI_NIP = "198203152006042002"
KEPALA_NIP = "197001011995031001"
BUPATI = "Ir. H. Bupati Contoh, M.Si"  # Sri's atasan as Plt.: no NIP
# what Sri, the atasan of Andi and Nur, decides in her TW2 review workbook
SRI_DECISIONS = {("Andi", 0): ("Setuju", None, None),
                 ("Andi", 1): ("Koreksi", "72,5", None),
                 ("Nur", 0): ("Kembalikan", None, "Lampirkan bukti 2 laporan TW II")}

# (form, indikator index, period) → what each pegawai typed (TW1 and TW2)
VALUES = {
    KEPALA: {(0, "TW1"): 80, (1, "TW1"): 0, (2, "TW1"): 90, (3, "TW1"): 100,
             (0, "TW2"): 84, (1, "TW2"): 0, (2, "TW2"): 95, (3, "TW2"): 100},
    SEKRETARIS: {(0, "TW1"): "Ya", (1, "TW1"): 85, (0, "TW2"): "Ya", (1, "TW2"): 88},
    SRI_PLT: {(0, "TW1"): 2, (1, "TW1"): 65, (0, "TW2"): 3, (1, "TW2"): 70},
    ANDI: {(0, "TW1"): 3, (1, "TW1"): 70, (0, "TW2"): 4, (1, "TW2"): 74},
    NUR: {(0, "TW1"): 4, (1, "TW1"): 72, (0, "TW2"): 2, (1, "TW2"): 76},
}


def build_world(root: Path, master_path: Path, *, fill_forms: bool = True) -> dict:
    """Forms generated and (``fill_forms``) filled with :data:`VALUES`, saved on 1 July
    and collected; the TW2 review workbooks made in ``root/verifikasi``."""
    master = load_master(master_path).master
    ws = Workspace(root / "ws")
    planned = {p.form.key: p for p in generate_forms(master, root / "forms", ws,
                                                     jobs=1).forms}
    if fill_forms:
        for i, (key, values) in enumerate(VALUES.items()):
            m = planned[key].manifest
            fill(planned[key].path, root / "masuk" / f"{key[0]}-{key[1]}.xlsx",
                 {realisasi_ref(m, k, p): v for (k, p), v in values.items()},
                 saved=f"2025-07-01T0{i}:00:00Z")
        collect([root / "masuk"], ws, jobs=1)
    run = generate_reviews(ws, "TW2", root / "verifikasi", jobs=1)
    ws.close()
    return {"root": root, "master": master_path, "forms": planned, "run": run,
            "books": {r.ledger_row.atasan_nip or r.ledger_row.atasan_nama: r
                      for r in run.results}}


def copy_world(world: dict, dst: Path) -> dict:
    """The world copied into ``dst`` (paths and workspace of the copy)."""
    shutil.copytree(world["root"], dst)
    out = dict(world)
    out["root"] = dst
    out["ws"] = Workspace(dst / "ws")
    out["paths"] = {k: dst / "verifikasi" / Path(r.path).name
                    for k, r in world["books"].items()}
    return out


def manifest_of(book) -> dict:
    """The review workbook's signed manifest as the ledger keeps it."""
    return json.loads(book.ledger_row.manifest)


def block_of(manifest: dict, nama_prefix: str) -> dict:
    return next(b for b in manifest["blocks"] if b["nama"].startswith(nama_prefix))


def decision_cells(manifest: dict, decisions: dict, notes: dict | None = None) -> dict:
    """{(bawahan name prefix, row index): (keputusan, koreksi, umpan balik)} and
    {name prefix: note} → {"'sheet'!ref": value} (None values are left blank)."""
    out = {}
    for (who, k), values in decisions.items():
        block = block_of(manifest, who)
        for ref, value in zip(block["rows"][k]["cells"], values):
            if value is not None:
                out[(block["sheet"], ref)] = value
    for who, note in (notes or {}).items():
        block = block_of(manifest, who)
        out[(block["sheet"], block["note"])] = note
    return out


def fill_review(src: Path, dst: Path, manifest: dict, decisions: dict,
                notes: dict | None = None, saved: str = "2025-07-20T09:00:00Z",
                edit=None) -> Path:
    """The atasan's decisions typed into a copy of a review workbook with openpyxl;
    ``edit(workbook)`` may alter it further (the bad-input fixtures)."""
    wb = openpyxl.load_workbook(src)
    for (sheet, ref), value in decision_cells(manifest, decisions, notes).items():
        wb[sheet][ref] = value
    if edit is not None:
        edit(wb)
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return saved_on(dst, saved)


def ods_saved_on(path: Path, stamp: str) -> Path:
    """Set an ODS file's own saved time (``meta.xml`` ``dc:date``), as LibreOffice
    writes it (local time, no zone)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "meta.xml":
                data, n = re.subn(rb"<dc:date>[^<]*<", b"<dc:date>" + stamp.rstrip("Z")
                                  .encode() + b"<", data)
                assert n == 1, path
            zout.writestr(item, data)
    tmp.replace(path)
    return path


def lo_writes(manifest: dict, decisions: dict, notes: dict | None = None) -> dict:
    """The same decisions as writes for the LibreOffice driver (``'Sheet'!A1``)."""
    return {f"'{sheet}'!{ref}": value
            for (sheet, ref), value in decision_cells(manifest, decisions, notes).items()}


# --------------------------------------------------------------------------- fixtures

def review_fixtures():
    """The ``world`` (built once per test module) and ``w`` (a fresh copy of it per test)
    fixtures; a module takes them with ``world, w = review_fixtures()``."""

    @pytest.fixture(scope="module")
    def world(tmp_path_factory):
        root = tmp_path_factory.mktemp("verifikasi")
        return build_world(root / "dunia", master_with_contacts(root / "master.yaml"))

    @pytest.fixture
    def w(world, tmp_path):
        out = copy_world(world, tmp_path / "salinan")
        yield out
        out["ws"].close()

    return world, w


def sri_filled(w, dst, decisions=SRI_DECISIONS, notes=None, **kw):
    """Sri's TW2 review workbook of world ``w`` filled with ``decisions`` (and by default
    an overall note for Nur), saved as ``dst``."""
    book = w["books"][SRI_NIP]
    return fill_review(w["paths"][SRI_NIP], dst, manifest_of(book), decisions,
                       notes if notes is not None else {"Nur": "Perbaiki TW II"}, **kw)

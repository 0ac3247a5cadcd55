"""Import → master workbook → ``load_master`` → ``generate``: the rows read from the
documents survive every step and appear in the generated forms."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from test_import_seeds import seed

from iki_xlsx.core.model import Person, Target, nip_problems
from iki_xlsx.core.texts import get_texts
from iki_xlsx.define.documents import import_documents
from iki_xlsx.define.master import load_master
from iki_xlsx.define.masterbook import write_master
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.forms.layout import SHEET_FORM
from iki_xlsx.workspace import Workspace

DATA = Path(__file__).parent / "data" / "import"
SEEDS = ("kukar-bkpsdm-2025.txt", "sampang-bkd.txt", "kaltim-bkd-iku.txt")


def rows_of(definition) -> list[tuple]:
    return [(i.no, i.sasaran, i.indikator, i.penjelasan, i.sumber_data, i.satuan,
             i.polaritas, i.agregasi) for i in definition.indicators]


def officer_fills_in(master):
    """What the officer does with the Tinjauan list: targets, and NIPs/names/atasan that
    are missing or wrong (synthetic but valid values)."""
    serial = iter(range(1, 1000))

    def nip() -> str:
        return f"198001012010011{next(serial):03d}"

    master.iki = {k: replace(d, indicators=tuple(
        replace(i, target=i.target if i.target.text else Target("1", value=1.0))
        for i in d.indicators)) for k, d in master.iki.items()}
    atasan_nips = {a.atasan.nip for a in master.assignments if a.atasan}
    seen: set[str] = set()
    fixed = []
    for a in master.assignments:
        p = a.pegawai
        if nip_problems(p.nip) or p.nip in atasan_nips or p.nip in seen:
            p = replace(p, nip=nip())
        p = replace(p, nama=p.nama or "PEGAWAI CONTOH")
        seen.add(p.nip)
        atasan = a.atasan or Person(nip="", nama="ATASAN CONTOH", jabatan="Kepala")
        if nip_problems(atasan.nip):
            atasan = replace(atasan, nip=nip())
        fixed.append(replace(a, pegawai=p, atasan=atasan, atasan_nip=atasan.nip))
    master.assignments = fixed
    return master


@pytest.mark.parametrize("name", SEEDS)
def test_master_workbook_keeps_every_row(tmp_path, name):
    result = import_documents([seed(name)])
    path = write_master(tmp_path / "master.xlsx", result.master, review=result.review,
                        notes=result.notes, inferred=result.inferred)
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb[get_texts().t("master.tinjauan.sheet")].max_row == len(result.review) + 1
    assert wb["Indikator"].max_row == result.summary["indikator"] + 1
    assert wb["Pegawai"].max_row == result.summary["pegawai"] + 1
    wb.close()
    loaded = load_master(path)
    codes = {p.code for p in loaded.problems if p.is_error}
    assert codes <= {"target_kosong", "iki_tidak_valid", "nip_kosong", "nip_panjang",
                     "nama_kosong", "atasan_tidak_dikenal", "atasan_diri_sendiri"}
    # With the targets filled in, every IKI and every indicator row reads back unchanged.
    master = officer_fills_in(result.master)
    write_master(path, master)
    loaded = load_master(path)
    assert loaded.ok, [p.message() for p in loaded.errors][:5]
    assert set(loaded.master.iki) == set(master.iki)
    for kode, definition in master.iki.items():
        back = loaded.master.iki[kode]
        assert (back.perangkat_daerah, back.jabatan, back.tugas, back.fungsi) == (
            definition.perangkat_daerah, definition.jabatan, definition.tugas, definition.fungsi)
        assert rows_of(back) == rows_of(definition)
    assert [(a.pegawai.nip, a.kode_iki) for a in loaded.master.assignments] == [
        (a.pegawai.nip, a.kode_iki) for a in master.assignments]


def test_inferred_cells_and_notes_in_the_workbook(tmp_path):
    result = import_documents([DATA / "tab-target-rumus.txt"])
    path = write_master(tmp_path / "m.xlsx", result.master, review=result.review,
                        notes=result.notes, inferred=result.inferred)
    ws = openpyxl.load_workbook(path)["Indikator"]
    header = [c.value for c in ws[1]]
    col = {title: i for i, title in enumerate(header)}
    row = list(ws.iter_rows(min_row=2, max_row=2))[0]
    assert row[col["Catatan"]].value.startswith("Diisi otomatis")
    assert row[col["Polaritas"]].fill.fgColor.rgb.endswith("FFF2CC")  # inferred: highlighted
    assert row[col["Target"]].fill.fgColor.rgb != row[col["Polaritas"]].fill.fgColor.rgb
    assert ("IKI-001", 0, "polaritas") in result.inferred
    assert ("IKI-001", 0, "target") not in result.inferred  # read from the TARGET column


@pytest.mark.parametrize("name", SEEDS)
def test_generated_forms_show_the_imported_rows(tmp_path, name):
    result = import_documents([seed(name)])
    imported = {k: rows_of(d) for k, d in result.master.iki.items()}
    master = officer_fills_in(result.master)
    path = write_master(tmp_path / "master.xlsx", master)
    loaded = load_master(path)
    assert loaded.ok
    generated = generate_forms(loaded.master, tmp_path / "forms", Workspace(tmp_path / "ws"),
                               jobs=1)
    assert len(generated.forms) == len(result.master.assignments)
    for planned in generated.forms:
        ws = openpyxl.load_workbook(planned.path, read_only=True)[SHEET_FORM]
        cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row
                 if c.value not in (None, "")}
        expected = imported[planned.form.iki.kode]
        entries = planned.manifest["indicators"]
        assert len(entries) == len(expected)
        previous_no = None
        for (no, sasaran, indikator, penjelasan, sumber, satuan, *_), entry in zip(expected,
                                                                                  entries):
            r = entry["row"]
            assert [cells.get((r, c), "") for c in (3, 4, 5, 6)] == [
                indikator, penjelasan, sumber, satuan]
            if no != previous_no:  # NO and SASARAN show on the first row of their span
                assert (str(cells.get((r, 1))), cells.get((r, 2))) == (no, sasaran)
            previous_no = no

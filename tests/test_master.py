"""The master workbook: init writes it, users fill it, validation names every problem by
sheet, cell and column, in Indonesian."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import SMALL_MASTER
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.core.problems import KINDS
from iki_xlsx.core.texts import get_texts
from iki_xlsx.define.master import load_master
from iki_xlsx.define.masterbook import write_master

runner = CliRunner()


def test_every_problem_kind_has_an_indonesian_message():
    texts = get_texts()
    for code in KINDS:
        assert texts.has(f"masalah.{code}"), code


def test_init_writes_blank_master_with_headers_and_dropdowns(tmp_path):
    path = tmp_path / "master.xlsx"
    result = runner.invoke(app, ["init", str(path)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(path)
    for sheet in ("Petunjuk", "Pengaturan", "Pegawai", "IKI", "Indikator"):
        assert sheet in wb.sheetnames
    assert [c.value for c in wb["Pegawai"][1]][:9] == [
        "NIP", "Nama", "Pangkat", "Golongan", "Jabatan", "Perangkat Daerah", "Unit Kerja",
        "Kode IKI", "NIP Atasan"]
    assert [c.value for c in wb["IKI"][1]] == [
        "Kode IKI", "Perangkat Daerah", "Jabatan", "Tugas", "Fungsi", "Label Sasaran"]
    assert [c.value for c in wb["Indikator"][1]][:10] == [
        "Kode IKI", "No", "Sasaran", "Indikator Kinerja", "Penjelasan", "Sumber Data",
        "Satuan", "Target", "Polaritas", "Agregasi"]
    keys = [r[0].value for r in wb["Pengaturan"].iter_rows(min_row=2)]
    assert keys[:8] == ["Tahun", "Periode", "Tempat", "Tanggal Penetapan", "Kertas",
                        "Batas Capaian", "Skala Predikat", "Sandi Proteksi"]
    dropdowns = {str(dv.sqref).split(":")[0]: dv.formula1
                 for dv in wb["Indikator"].data_validations.dataValidation}
    assert "Daftar" in dropdowns["I2"] and "Daftar" in dropdowns["J2"]  # polaritas, agregasi
    peg = {str(dv.sqref).split(":")[0] for dv in wb["Pegawai"].data_validations.dataValidation}
    assert {"C2", "D2"} <= peg  # pangkat, golongan
    assert wb["Pegawai"].column_dimensions["A"].number_format == "@"  # NIP as text, not 1.9E+17
    # Refuses to overwrite, exit 2 (usage).
    assert runner.invoke(app, ["init", str(path)]).exit_code == 2
    # A blank master is invalid: the year is missing.
    loaded = load_master(path)
    assert [p.code for p in loaded.errors] == ["pengaturan_tahun"]
    assert loaded.errors[0].cell == "B2" and loaded.errors[0].sheet == "Pengaturan"


def test_master_workbook_round_trip(tmp_path, small_master):
    path = write_master(tmp_path / "m.xlsx", small_master)
    loaded = load_master(path)
    assert loaded.ok, [p.message() for p in loaded.problems]
    assert loaded.master.forms() == small_master.forms()


def _broken_master(tmp_path: Path, small_master) -> Path:
    path = write_master(tmp_path / "m.xlsx", small_master)
    wb = openpyxl.load_workbook(path)
    peg, ind = wb["Pegawai"], wb["Indikator"]
    peg["A3"] = "19820315 2006 0420"  # 16 digits
    peg["H4"] = "IKI-TIDAK-ADA"  # unknown Kode IKI
    peg["I5"] = "199901012020011001"  # unknown atasan (and no Nama Atasan)
    peg.append([c.value for c in peg[6]])  # duplicate (NIP, Kode IKI) of row 6 → row 7
    ind["H2"] = None  # missing target
    ind["H3"] = "nol temuan"  # not a number, polarity minimal
    ind["I4"] = "tinggi"  # unknown polarity
    wb.save(path)
    return path


def test_validation_reports_every_problem_with_its_cell(tmp_path, small_master):
    loaded = load_master(_broken_master(tmp_path, small_master))
    found = {(p.code, p.sheet, p.cell) for p in loaded.errors}
    assert found >= {
        ("nip_panjang", "Pegawai", "A3"),
        ("kode_iki_tidak_dikenal", "Pegawai", "H4"),
        ("atasan_tidak_dikenal", "Pegawai", "I5"),
        ("pegawai_ganda", "Pegawai", "A7"),
        ("target_kosong", "Indikator", "H2"),
        ("target_bukan_angka", "Indikator", "H3"),
        ("polaritas_tidak_dikenal", "Indikator", "I4"),
    }
    by_code = {p.code: p for p in loaded.errors}
    p = by_code["nip_panjang"]
    assert p.message() == "NIP '19820315 2006 0420' tidak 18 digit."
    assert p.location() == "m.xlsx, sheet Pegawai, sel A3 (kolom NIP)"
    assert "Teks" in p.advice()
    assert by_code["target_bukan_angka"].message() == \
        "Target 'nol temuan' bukan angka, padahal polaritasnya minimal."
    assert by_code["kode_iki_tidak_dikenal"].message() == \
        "Kode IKI 'IKI-TIDAK-ADA' tidak ada di sheet IKI."
    # Pegawai whose IKI is broken are rejected too, with the reason.
    rejected = {(r.nip, r.kode_iki) for r in loaded.rejected}
    assert ("197001011995031001", "IKI-KEPALA") in rejected  # its indicators are broken


def test_generate_refuses_invalid_master_unless_skip_invalid(tmp_path, small_master):
    path = _broken_master(tmp_path, small_master)
    out, ws = tmp_path / "forms", tmp_path / "ws"
    result = runner.invoke(app, ["generate", str(path), "-o", str(out), "-w", str(ws)])
    assert result.exit_code == 1
    assert "sel A3 (kolom NIP)" in result.output and "tidak 18 digit" in result.output
    assert "--skip-invalid" in result.output
    assert not out.exists()
    result = runner.invoke(app, ["generate", str(path), "-o", str(out), "-w", str(ws),
                                 "--skip-invalid", "-j", "1"])
    assert result.exit_code == 1  # something was skipped: not a clean success
    assert "dilewati" in result.output and "(IKI-KEPALA)" in result.output
    made = list(out.rglob("*.xlsx"))
    assert len(made) == 2  # distribution list + the one fully valid pegawai (Nur Aini)
    assert any("Nur Aini" in p.name for p in made)


def test_yaml_and_workbook_give_the_same_problems(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL_MASTER.read_text(encoding="utf-8").replace(
        'nip: "199005202015031003"', 'nip: "1990052020150310"'), encoding="utf-8")
    loaded = load_master(bad)
    p = next(p for p in loaded.errors if p.code == "nip_panjang")
    assert p.sheet == "pegawai" and p.row == 4 and p.column == "NIP"


@pytest.mark.parametrize("raw, code", [
    ("abc", "master_tidak_terbaca"),
    (b"PK\x03\x04broken", "master_tidak_terbaca"),
])
def test_unreadable_master_is_one_clear_problem(tmp_path, raw, code):
    path = tmp_path / "m.xlsx"
    path.write_bytes(raw if isinstance(raw, bytes) else raw.encode())
    loaded = load_master(path)
    assert loaded.master is None and [p.code for p in loaded.problems] == [code]
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1 and "tidak dapat dibaca" in result.output
    assert "Traceback" not in result.output


def test_missing_sheet_and_column_are_named(tmp_path, small_master):
    path = write_master(tmp_path / "m.xlsx", small_master)
    wb = openpyxl.load_workbook(path)
    wb["Indikator"]["H1"] = "Sasaran Target"
    wb.save(path)
    p = load_master(path).problems[0]
    assert p.code == "master_kolom_hilang" and p.params["columns"] == ["Target"]
    del wb["IKI"]
    wb.save(path)
    p = load_master(path).problems[0]
    assert p.code == "master_sheet_hilang" and "IKI" in p.message()


def test_yaml_keeps_indicator_numbers(small_master):
    """YAML 1.1 would read the key ``no:`` as False and lose every NO."""
    assert [i.no for i in small_master.iki["IKI-KEPALA"].indicators] == ["1", "2", "3", "3"]


def test_yaml_reads_the_same_with_libyaml_or_pyyamls_own_parser():
    """Masters and templates are parsed by libyaml where PyYAML has it and by PyYAML's
    Python parser where it does not: the same documents, ``no:`` kept as text, and a
    broken master refused by both."""
    import yaml

    from iki_xlsx.core.texts import YamlLoader, bundled_templates_dir

    class PurePython(yaml.SafeLoader):
        yaml_implicit_resolvers = YamlLoader.yaml_implicit_resolvers

    files = [SMALL_MASTER, *sorted(bundled_templates_dir().glob("*.yaml"))]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=YamlLoader) == yaml.load(text, Loader=PurePython), path
    assert yaml.load("no: ya", Loader=YamlLoader) == {"no": "ya"}
    for loader in (YamlLoader, PurePython):
        with pytest.raises(yaml.YAMLError):
            yaml.load("pegawai: [nama: {", Loader=loader)


def test_nip_and_pangkat_normalised(small_master):
    a = {x.pegawai.nip: x.pegawai for x in small_master.assignments}
    kepala = a["197001011995031001"]  # typed "19700101 199503 1 001", "Pembina Tk.I / IV/b"
    assert (kepala.pangkat, kepala.golongan) == ("Pembina Tingkat I", "IV/b")
    pppk = a["199107112019032011"]
    assert (pppk.pangkat, pppk.golongan, pppk.pangkat_text) == ("", "IX", "IX")

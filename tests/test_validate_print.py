"""validate: ya/tidak aggregation and targets, and what a form would print incompletely
(a header or signature part missing, a text too long for one row)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from iki_xlsx.define.master import load_master
from iki_xlsx.forms.printcheck import add_print_warnings

SMALL = Path(__file__).parent / "data" / "master-kecil.yaml"


@pytest.fixture
def data():
    return yaml.safe_load(SMALL.read_text(encoding="utf-8"))


def load(tmp_path, data):
    path = tmp_path / "master.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = load_master(path)
    add_print_warnings(loaded)  # what validate and generate add: the forms' print check
    return loaded


def codes(loaded):
    return [(p.code, p.severity.value) for p in loaded.problems]


def yes_no_indicator(data):
    return next(i for d in data["iki"] for i in d["indikator"] if i["polaritas"] == "ya/tidak")


def test_the_small_master_prints_complete(tmp_path, data):
    assert codes(load(tmp_path, data)) == []


def test_yes_no_jumlah_is_refused_with_an_indonesian_message(tmp_path, data):
    yes_no_indicator(data)["agregasi"] = "jumlah"
    loaded = load(tmp_path, data)
    assert ("agregasi_ya_tidak_jumlah", "error") in codes(loaded)
    p = next(p for p in loaded.problems if p.code == "agregasi_ya_tidak_jumlah")
    assert "ya/tidak" in p.message() and "jumlah" in p.message()
    assert p.row and p.column == "Agregasi"


@pytest.mark.parametrize("agregasi", ["rata-rata", "terakhir"])
def test_yes_no_rata_rata_and_terakhir_are_fine(tmp_path, data, agregasi):
    yes_no_indicator(data)["agregasi"] = agregasi
    assert codes(load(tmp_path, data)) == []


@pytest.mark.parametrize("target", [100, "100", "1"])
def test_numeric_target_on_yes_no_is_a_warning(tmp_path, data, target):
    yes_no_indicator(data)["target"] = target
    loaded = load(tmp_path, data)
    assert codes(loaded) == [("target_ya_tidak_angka", "warning")]
    assert loaded.ok
    assert "ya/tidak" in loaded.problems[0].message()


def test_missing_header_or_signature_parts_are_warned(tmp_path, data):
    andi = next(p for p in data["pegawai"] if p["nama"].startswith("Andi"))
    del andi["unit_kerja"]
    del andi["perangkat_daerah"]
    sri = next(p for p in data["pegawai"] if p["jabatan"] == "Sekretaris")
    sri["jabatan"] = ""  # Andi's atasan: falls back to her IKI's jabatan, still printed
    kepala = next(p for p in data["pegawai"] if p["jabatan"] == "Kepala Badan")
    kepala["atasan"]["jabatan"] = ""
    loaded = load(tmp_path, data)
    warned = {p.message() for p in loaded.problems if p.code == "formulir_tidak_lengkap"}
    assert any("Drs. H. Rahmat Wijaya" in m and "Jabatan Pejabat Penilai" in m
               for m in warned), warned
    assert loaded.ok  # warnings only


def test_a_text_too_long_for_one_row_is_warned(tmp_path, data):
    data["iki"][0]["indikator"][0]["penjelasan"] = "rumus perhitungan yang panjang " * 200
    loaded = load(tmp_path, data)
    assert ("teks_terlalu_panjang", "warning") in codes(loaded)
    p = next(p for p in loaded.problems if p.code == "teks_terlalu_panjang")
    assert "409" in p.message() and "Penjelasan" in p.message()

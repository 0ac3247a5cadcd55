"""What the officer and the pegawai see on the terminal: the collect table at 80 columns
(wrapped at spaces, long names cut in the middle, known files marked) and ``check``'s
values and capaian per indikator."""

from __future__ import annotations

import re

import pytest
from filling import fill, realisasi_ref
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.collect.report import middle
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace

runner = CliRunner()
KEPALA = ("197001011995031001", "IKI-KEPALA")
PENGOLAH = ("199005202015031003", "IKI-PENGOLAH")
LONG = "IKI Triwulan Pertama Bapak Kepala Badan revisi terakhir sekali (final 2).xlsx"


@pytest.fixture
def issued(tmp_path, small_master):
    ws = Workspace(tmp_path / "ws")
    result = generate_forms(small_master, tmp_path / "forms", ws, jobs=1)
    return ws, {p.form.key: p for p in result.forms}


@pytest.fixture
def inbox(issued, tmp_path):
    ws, forms = issued
    km, pm = forms[KEPALA].manifest, forms[PENGOLAH].manifest
    box = tmp_path / "masuk"
    fill(forms[KEPALA].path, box / LONG, {realisasi_ref(km, 0, "TW1"): 80,
                                          realisasi_ref(km, 2, "TW1"): "1.000"})
    fill(forms[PENGOLAH].path, box / "Book1.xlsx", {realisasi_ref(pm, 0, "TW1"): "3 laporan",
                                                    realisasi_ref(pm, 1, "TW1"): "BB"})
    return box


def collect_out(ws, box, tmp_path):
    """collect from inside tmp_path (short paths, as an officer types them)."""
    import os

    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        return runner.invoke(app, ["collect", box.name, "-w", "ws", "-j", "1",
                                   "--report", "lap.xlsx"])
    finally:
        os.chdir(here)


def test_middle_keeps_start_and_extension():
    assert middle("Book1.xlsx", 20) == "Book1.xlsx"
    cut = middle(LONG, 24)
    assert len(cut) == 24 and cut.startswith("IKI Triwulan") and cut.endswith("2).xlsx")
    assert "…" in cut


def test_collect_table_fits_80_columns_and_breaks_no_word(issued, inbox, tmp_path):
    ws, _ = issued
    r = collect_out(ws, inbox, tmp_path)
    assert r.exit_code == 1, r.output  # a note on the long-named file
    lines = r.output.splitlines()
    assert max(len(line) for line in lines) <= 80, r.output
    table = r.output[: r.output.index("berkas:")]
    assert "Book1.xlsx" in table  # a short name whole, never Book1.x|lsx
    assert "…" in table and ".xlsx" in table  # the long one cut in the middle
    # Every word of the problem message appears whole (wrapped at spaces only).
    words = re.findall(r"\S+", " ".join(line.strip(" •") for line in lines))
    assert "indikator" in words and "bersatuan" in words and "persen" in words
    assert "Rahmat" in table and "Andi" in table and "19700101 199503 1 001" in table
    assert "sudah tercatat" not in r.output  # all new


def test_second_collect_marks_known_files(issued, inbox, tmp_path):
    ws, _ = issued
    collect_out(ws, inbox, tmp_path)
    r = collect_out(ws, inbox, tmp_path)
    assert r.output.count("tercatat") == 3, r.output  # 2 rows (wrapped) + the summary
    assert "2 dari 2 berkas sudah tercatat" in r.output and "Tidak ada berkas baru." in r.output
    assert max(len(line) for line in r.output.splitlines()) <= 80


def test_check_shows_values_and_capaian_per_indikator(issued, inbox):
    ws, _ = issued
    r = runner.invoke(app, ["check", str(inbox / "Book1.xlsx"), "-w", str(ws.path)])
    assert r.exit_code == 0, r.output
    out = r.output
    assert "diterima" in out and "Nilai yang terbaca:" in out
    # Indikator 1: "3 laporan" against the TW I target of 3 (of 12 laporan) → 100 %.
    assert "1. Jumlah laporan pengolahan data yang tersusun (satuan laporan, target 12" in out
    assert "TW I: 3; capaian s.d. TW I: 100 %" in out
    # Indikator 2: "BB" read as the 70 of target BB (70) → 100 %.
    assert "2. Nilai kualitas data SIASN (satuan nilai, target BB (70))" in out
    assert "TW I: 70; capaian s.d. TW I: 100 %" in out
    values = out[out.index("Nilai yang terbaca:"):]
    assert max(len(line) for line in values.splitlines()) <= 80


def test_check_without_the_key_still_shows_values(issued, inbox, tmp_path, monkeypatch):
    monkeypatch.chdir(inbox)
    r = runner.invoke(app, ["check", "Book1.xlsx", "-w", str(tmp_path / "lain")])
    assert r.exit_code == 1  # without the key: a note (tanpa_kunci)
    values = r.output[r.output.index("Nilai yang terbaca:"):]
    assert max(len(line) for line in values.splitlines()) <= 80, r.output
    r = runner.invoke(app, ["check", LONG, "-w", str(tmp_path / "lain")])
    out = r.output
    assert r.exit_code == 1  # tanpa_kunci and an implausible value are notes
    assert "Indikator No. 1" in out and "TW I: 80" in out
    assert "capaian s.d. TW I:" in out and "BKPSDM menghitungnya ulang" in out
    assert "realisasi_persen_tidak_wajar" not in out and "tidak wajar" in out

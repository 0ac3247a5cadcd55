"""Realisasi typed with their unit (``20 JP``, ``1 laporan``, ``85 persen``), letters of a
target like ``BB (70)``, and values implausible for a percent indikator: read, explained,
or reported with their cell — never silently used."""

from __future__ import annotations

import pytest
from filling import fill, realisasi_ref

from iki_xlsx.collect import collect
from iki_xlsx.core.values import CellInfo, is_percent, parse_realisasi, unit_matches
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace

KEPALA = ("197001011995031001", "IKI-KEPALA")
PENGOLAH = ("199005202015031003", "IKI-PENGOLAH")


@pytest.mark.parametrize("typed, satuan, target, expected", [
    ("20 JP", "JP", 40, 20.0),
    ("20 jp", "JP (jam pelajaran)", 40, 20.0),
    ("1 laporan", "Laporan", 12, 1.0),
    ("1,5 Laporan", "laporan", 12, 1.5),
    ("3 dok", "dokumen", 4, 3.0),
    ("85 persen", "%", 100, 85.0),
    ("85 %", "Persen", 100, 85.0),
    ("85,5 persen", "persen (%)", 100, 85.5),
])
def test_a_number_with_the_indikators_unit_is_read(typed, satuan, target, expected):
    assert parse_realisasi(typed, satuan=satuan, target=target) == (expected, "", "")


@pytest.mark.parametrize("typed, satuan", [
    ("20 jam", "JP"), ("1 dokumen", "laporan"), ("85 persen", "dokumen"), ("3 d", "dokumen"),
])
def test_another_unit_is_named_not_used(typed, satuan):
    assert parse_realisasi(typed, satuan=satuan, target=10) == (None, "realisasi_satuan_lain",
                                                                "")


def test_without_a_satuan_a_unit_is_still_unreadable():
    assert parse_realisasi("20 JP", target=40).problem == "realisasi_tidak_terbaca"


def test_the_letter_of_a_target_like_BB_70():
    kw = dict(satuan="nilai", target=70, target_text="BB (70)")
    assert parse_realisasi("BB", **kw) == (70.0, "", "")  # the target's own letter
    assert parse_realisasi("bb", **kw).value == 70.0
    assert parse_realisasi("A (80)", **kw).value == 80.0  # a letter with its number
    assert parse_realisasi("72", **kw).value == 72.0
    assert parse_realisasi("A", **kw) == (None, "realisasi_huruf", "")  # explained
    assert parse_realisasi("sepuluh", **kw).problem == "realisasi_tidak_terbaca"


@pytest.mark.parametrize("raw, info, target, polaritas, problem", [
    ("1.000", CellInfo(), 100, "maksimal", "realisasi_persen_tidak_wajar"),  # a thousand
    (1000.0, CellInfo(), 100, "maksimal", "realisasi_persen_tidak_wajar"),
    (250.0, CellInfo(), 100, "maksimal", "realisasi_persen_tidak_wajar"),
    (0.9, CellInfo(), 100, "maksimal", "realisasi_pecahan_persen"),  # 90 % unformatted
    ("0,9", CellInfo(), 80, "maksimal", "realisasi_pecahan_persen"),
])
def test_implausible_percent_values_are_not_used(raw, info, target, polaritas, problem):
    assert parse_realisasi(raw, info, satuan="%", target=target,
                           polaritas=polaritas) == (None, problem, "")


@pytest.mark.parametrize("raw, info, target, polaritas, value", [
    (0.9, CellInfo(percent=True), 100, "maksimal", 90.0),  # formatted as percent
    ("0,9%", CellInfo(), 100, "maksimal", 0.9),  # said so explicitly
    (0.5, CellInfo(), 5, "maksimal", 0.5),  # small target: a small value is plausible
    (0.5, CellInfo(), 10, "minimal", 0.5),  # lower is better: 0,5 % errors is plausible
    (150.0, CellInfo(), 100, "maksimal", 150.0),  # above target, still believable
    (85.0, CellInfo(), 100, "maksimal", 85.0),
])
def test_plausible_percent_values_are_used(raw, info, target, polaritas, value):
    assert parse_realisasi(raw, info, satuan="%", target=target,
                           polaritas=polaritas) == (value, "", "")


def test_unit_words():
    assert is_percent("%") and is_percent("Persen") and is_percent("persen (%)")
    assert not is_percent("dokumen") and not is_percent("")
    assert unit_matches("JP", "JP") and unit_matches("lap", "laporan")
    assert not unit_matches("j", "JP") and not unit_matches("jam", "JP")


@pytest.fixture
def issued(tmp_path, small_master):
    ws = Workspace(tmp_path / "ws")
    result = generate_forms(small_master, tmp_path / "forms", ws, jobs=1)
    return ws, {p.form.key: p for p in result.forms}


def test_collect_reads_units_and_letters_and_names_implausible_cells(issued, tmp_path):
    ws, forms = issued
    pengolah, kepala = forms[PENGOLAH], forms[KEPALA]
    pm, km = pengolah.manifest, kepala.manifest
    assert (pm["indicators"][0]["satuan"], pm["indicators"][1]["target"]["text"]) == \
        ("laporan", "BB (70)")
    assert km["indicators"][2]["satuan"] == "%" and km["indicators"][3]["satuan"] == "%"
    inbox = tmp_path / "masuk"
    fill(pengolah.path, inbox / "andi.xlsx", {
        realisasi_ref(pm, 0, "TW1"): "3 laporan",
        realisasi_ref(pm, 0, "TW2"): "2 dokumen",
        realisasi_ref(pm, 1, "TW1"): "BB",
        realisasi_ref(pm, 1, "TW2"): "A",
    })
    fill(kepala.path, inbox / "kepala.xlsx", {
        realisasi_ref(km, 2, "TW1"): "1.000",
        realisasi_ref(km, 3, "TW1"): 0.9,
        realisasi_ref(km, 3, "TW2"): "85 persen",
    })
    report = collect([inbox], ws, jobs=1)
    andi = next(r for r in report.results if r.name.endswith("andi.xlsx"))
    kep = next(r for r in report.results if r.name.endswith("kepala.xlsx"))
    assert andi.realisasi[pm["indicators"][0]["id"]]["realisasi"]["TW1"] == 3.0
    assert andi.realisasi[pm["indicators"][1]["id"]]["realisasi"]["TW1"] == 70.0
    assert {(p.code, p.cell) for p in andi.problems} == {
        ("realisasi_satuan_lain", realisasi_ref(pm, 0, "TW2")),
        ("realisasi_huruf", realisasi_ref(pm, 1, "TW2"))}
    other = next(p for p in andi.problems if p.code == "realisasi_satuan_lain")
    assert "'2 dokumen'" in other.message() and "(laporan)" in other.message()
    assert "20 laporan" in other.advice()
    letter = next(p for p in andi.problems if p.code == "realisasi_huruf")
    assert "BB (70)" in letter.message() and "angka" in letter.advice()
    assert kep.status == "diterima_catatan"
    assert {(p.code, p.cell) for p in kep.problems} == {
        ("realisasi_persen_tidak_wajar", realisasi_ref(km, 2, "TW1")),
        ("realisasi_pecahan_persen", realisasi_ref(km, 3, "TW1"))}
    values = {k: v["realisasi"] for k, v in kep.realisasi.items()}
    assert values[km["indicators"][2]["id"]]["TW1"] is None  # never 1000, never capped
    assert values[km["indicators"][3]["id"]] == {"TW1": None, "TW2": 85.0, "TW3": None,
                                                 "TW4": None}
    frac = next(p for p in kep.problems if p.code == "realisasi_pecahan_persen")
    assert "0,9" in frac.message() and "90" in frac.advice()  # decimal comma, as typed


def test_a_percent_cell_past_any_float_is_not_a_value():
    """A percent-formatted 1.8e306 is 1.8e308 % — past any float: never a value, even
    beside a target so large that no limit would stop it (found by the 10,000-case fuzz)."""
    for target in (85.0, 1.8e305):
        parsed = parse_realisasi(1.8e306, CellInfo(percent=True), target=target)
        assert parsed.value is None and parsed.problem == "realisasi_tidak_wajar"

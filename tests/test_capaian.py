"""capaian, aggregation, periods, predikat — the rules of domain.md, table by table."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iki_xlsx.core.capaian import (
    aggregate,
    capaian,
    capaian_formula,
    capaian_upto,
    effective_target,
    excel_number,
    parse_answer,
    parse_period,
    period_index,
)
from iki_xlsx.core.model import Aggregation, Indicator, MidYear, PeriodScheme, Polarity, Target
from iki_xlsx.core.predikat import LIMA, SAKIP, PredikatScale

MAKS, MIN, RENT, YT = Polarity.MAKSIMAL, Polarity.MINIMAL, Polarity.RENTANG, Polarity.YA_TIDAK
SUM, AVG, LAST = Aggregation.JUMLAH, Aggregation.RATA_RATA, Aggregation.TERAKHIR
TW, SEM, TH = PeriodScheme.TRIWULAN, PeriodScheme.SEMESTER, PeriodScheme.TAHUNAN


def T(value: float) -> Target:
    return Target(str(value), value=value)


def R(lo: float, hi: float) -> Target:
    return Target(f"{lo}-{hi}", low=lo, high=hi)


YA = Target("Ya")


def indicator(target: Target, polaritas: Polarity = MAKS, agregasi: Aggregation = SUM,
              period_targets: dict | None = None) -> Indicator:
    return Indicator("1", "sasaran", "indikator", "", "", "%", target, polaritas, agregasi,
                     period_targets or {})


# --------------------------------------------------------------------------- capaian

CAPAIAN_CASES = [
    # realisasi, target, polaritas, cap, expected
    # maksimal
    (80, T(100), MAKS, 120, 80.0),
    (100, T(100), MAKS, 120, 100.0),
    (110, T(100), MAKS, 120, 110.0),
    (130, T(100), MAKS, 120, 120.0),  # capped
    (130, T(100), MAKS, 110, 110.0),  # configurable cap
    (130, T(100), MAKS, 150, 130.0),
    (3, T(4), MAKS, 120, 75.0),
    (0, T(4), MAKS, 120, 0.0),  # 0 is a submitted zero, not blank
    (-5, T(100), MAKS, 120, 0.0),  # never negative
    (0, T(0), MAKS, 120, 100.0),  # zero target
    (5, T(0), MAKS, 120, 100.0),
    (-1, T(0), MAKS, 120, 0.0),
    (5, T(0), MAKS, 90, 90.0),  # cap below 100 applies to the 100 too
    ("85,5", T(100), MAKS, 120, 85.5),  # Indonesian number text
    ("1.234", T(1234), MAKS, 120, 100.0),
    # minimal
    (0, T(5), MIN, 120, 120.0),  # 200 → cap
    (5, T(5), MIN, 120, 100.0),
    (6, T(5), MIN, 120, 80.0),
    (10, T(5), MIN, 120, 0.0),
    (15, T(5), MIN, 120, 0.0),  # floored at 0
    (4, T(5), MIN, 120, 120.0),  # 120
    (4.5, T(5), MIN, 120, 110.0),
    (4.5, T(5), MIN, 200, 110.0),
    (2, T(5), MIN, 200, 160.0),
    (0, T(0), MIN, 120, 100.0),  # zero target
    (-1, T(0), MIN, 120, 100.0),
    (1, T(0), MIN, 120, 0.0),
    (0.0001, T(0), MIN, 120, 0.0),
    # rentang
    (85, R(80, 90), RENT, 120, 100.0),
    (80, R(80, 90), RENT, 120, 100.0),  # bounds are inside
    (90, R(80, 90), RENT, 120, 100.0),
    (99, R(80, 90), RENT, 120, 110.0),  # above: R / hi
    (200, R(80, 90), RENT, 120, 120.0),
    (60, R(80, 90), RENT, 120, 75.0),  # below: R / lo
    (-3, R(80, 90), RENT, 120, 0.0),
    (0, R(0, 5), RENT, 120, 100.0),
    (-1, R(0, 5), RENT, 120, 0.0),  # below a zero low bound
    (0, R(0, 0), RENT, 120, 100.0),
    (3, R(0, 0), RENT, 120, 100.0),  # above a zero high bound
    (85, R(80, 90), RENT, 90, 90.0),
    # ya/tidak
    ("Ya", YA, YT, 120, 100.0),
    ("ya", YA, YT, 120, 100.0),
    (" YA ", YA, YT, 120, 100.0),
    ("Tidak", YA, YT, 120, 0.0),
    ("TIDAK", YA, YT, 120, 0.0),
    (True, YA, YT, 120, 100.0),
    (False, YA, YT, 120, 0.0),
    ("Ya", YA, YT, 80, 80.0),
    ("belum", YA, YT, 120, 0.0),  # any other answer is not yes (as the live formula)
    (1, YA, YT, 120, 0.0),
]


@pytest.mark.parametrize("realisasi,target,polaritas,cap,expected", CAPAIAN_CASES)
def test_capaian(realisasi, target, polaritas, cap, expected):
    assert capaian(realisasi, target, polaritas, cap) == pytest.approx(expected, abs=1e-12)


def test_capaian_is_unrounded():
    assert capaian(1, T(3), MAKS) == 1 / 3 * 100
    assert capaian(2.5, T(3), MIN) == (6 - 2.5) / 3 * 100


@pytest.mark.parametrize("polaritas,target", [(MAKS, T(100)), (MIN, T(5)), (RENT, R(1, 2)),
                                              (YT, YA), (MAKS, T(0)), (MIN, T(0))])
@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_is_not_submitted(polaritas, target, blank):
    assert capaian(blank, target, polaritas) is None


def test_default_cap_is_120():
    assert capaian(1000, T(1), MAKS) == 120.0


@pytest.mark.parametrize("target,polaritas", [
    (Target("-"), MAKS), (Target("x"), MIN), (T(-1), MAKS), (T(100), RENT),
    (Target("90-80", low=90, high=80), RENT), (Target("?", low=1), RENT),
])
def test_target_not_fitting_polarity(target, polaritas):
    with pytest.raises(ValueError, match="target"):
        capaian(1, target, polaritas)


@pytest.mark.parametrize("cap", [0, -5, float("inf"), float("nan")])
def test_invalid_cap(cap):
    with pytest.raises(ValueError, match="cap"):
        capaian(1, T(1), MAKS, cap)


def test_unparsable_numeric_text_is_not_a_number():
    assert capaian("nihil", T(5), MIN) is None
    assert capaian(True, T(5), MAKS) is None


@pytest.mark.parametrize("value,expected", [
    ("Ya", True), ("ya", True), ("YA ", True), (True, True), ("Tidak", False),
    ("tidak", False), (False, False), ("belum", None), (1, None), (None, None), ("", None)])
def test_parse_answer(value, expected):
    assert parse_answer(value) is expected


# --------------------------------------------------------------------------- aggregate

AGGREGATE_CASES = [
    ([10, 20, 30, 40], SUM, 100.0),
    ([10, 20, 30, 40], AVG, 25.0),
    ([10, 20, 30, 40], LAST, 40.0),
    ([10, None, 30, None], SUM, 40.0),
    ([10, None, 30, None], AVG, 20.0),  # mean of the filled periods only
    ([10, None, 30, None], LAST, 30.0),  # last filled, not last period
    ([None, None, None, 7], LAST, 7.0),
    ([0, None, None, None], SUM, 0.0),  # a zero is filled
    ([0, None, None, None], AVG, 0.0),
    ([None, 0, None, None], LAST, 0.0),
    ([None, None, None, None], SUM, None),
    ([None, None, None, None], AVG, None),
    ([None, None, None, None], LAST, None),
    ([], SUM, None),
    (["", "  ", None], AVG, None),
    (["1,5", "2,5"], SUM, 4.0),
    ([0.1, 0.2, 0.3], SUM, 0.6),  # exactly rounded sum
    ([5, "nihil", 7], SUM, 12.0),  # text the live formula ignores is ignored here too
    (["Ya", None, "Tidak", None], SUM, "Tidak"),  # answers: always the last filled
    (["Ya", None, "tidak", "ya"], AVG, "Ya"),
    ([True, False], LAST, "Tidak"),
    ([None, None], LAST, None),
]


@pytest.mark.parametrize("values,agregasi,expected", AGGREGATE_CASES)
def test_aggregate(values, agregasi, expected):
    result = aggregate(values, agregasi)
    if isinstance(expected, float):
        assert result == pytest.approx(expected, abs=1e-12)
    else:
        assert result == expected


def test_aggregate_with_polarity():
    assert aggregate([1.0, 2.0, None], SUM, YT) == 2.0  # numbers in a ya/tidak row: last
    assert aggregate(["x", None], SUM, YT) == "x"
    assert aggregate(["Ya", 3, 4], SUM, MAKS) == 7.0  # answers in a numeric row: ignored
    assert aggregate([10, 20], "rata-rata") == 15.0  # enum values work as strings


# --------------------------------------------------------------------------- capaian_upto

UPTO_CASES = [  # under the rule "tahunan": a jumlah against the whole yearly target
    # values, upto, indicator, scheme, expected
    ({"TW1": 1, "TW2": 1, "TW3": 1, "TW4": 1}, "TW4", indicator(T(4)), TW, 100.0),
    ({"TW1": 1, "TW2": 1, "TW3": 1, "TW4": 1}, "TW2", indicator(T(4)), TW, 50.0),
    ({"TW1": 1, "TW2": 1, "TW3": 1, "TW4": 1}, "TW II", indicator(T(4)), TW, 50.0),
    ({"TW1": 1}, "TW4", indicator(T(4)), TW, 25.0),  # later periods blank
    ({}, "TW4", indicator(T(4)), TW, None),
    ({"TW1": None, "TW2": ""}, "TW4", indicator(T(4)), TW, None),
    ({"TW3": 9}, "TW2", indicator(T(4)), TW, None),  # filled only after upto
    ({"TW1": 80, "TW2": 90}, "TW4", indicator(T(100), agregasi=AVG), TW, 85.0),
    ({"TW1": 20, "TW2": 90}, "TW4", indicator(T(100), agregasi=LAST), TW, 90.0),
    ({"TW1": 0, "TW2": 2}, "TW4", indicator(T(0), MIN, SUM), TW, 0.0),
    ({"TW1": 0, "TW2": 0}, "TW4", indicator(T(0), MIN, SUM), TW, 100.0),
    ({"TW1": 85}, "TW1", indicator(R(80, 90), RENT, LAST), TW, 100.0),
    ({"TW1": 50, "TW2": 50}, "TW2", indicator(R(80, 90), RENT, SUM), TW, 100 / 90 * 100),
    ({"TW1": "Ya", "TW2": "Tidak"}, "TW2", indicator(YA, YT, SUM), TW, 0.0),
    ({"TW1": "Ya", "TW2": "Tidak"}, "TW1", indicator(YA, YT, SUM), TW, 100.0),
    ({"TW1": "Tidak", "TW3": "Ya"}, "TW4", indicator(YA, YT, AVG), TW, 50.0),  # the mean
    ({"TW1": "Ya", "TW2": "Tidak"}, "TW2", indicator(YA, YT, AVG), TW, 50.0),
    ({"TW1": "Ya", "TW2": "Tidak", "TW3": "ya"}, "TW4", indicator(YA, YT, AVG), TW,
     200 / 3),
    ({"TW1": "Ya", "TW2": "Tidak"}, "TW2", indicator(YA, YT, LAST), TW, 0.0),
    ({"TW1": "Ya", "TW2": "Tidak"}, "TW1", indicator(YA, YT, AVG), TW, 100.0),
    ({"S1": 2, "S2": 2}, "S2", indicator(T(4)), SEM, 100.0),
    ({"Semester I": 2}, "S2", indicator(T(4)), SEM, 50.0),  # keys in any spelling
    ({"TAHUNAN": 3}, "TAHUNAN", indicator(T(4)), TH, 75.0),
    # per-period (cumulative "s.d.") targets, chosen by the last filled period
    ({"TW1": 20}, "TW4", indicator(T(100), period_targets={"TW1": 25, "TW2": 50}), TW, 80.0),
    ({"TW1": 20, "TW2": 30}, "TW4",
     indicator(T(100), period_targets={"TW1": 25, "TW2": 50}), TW, 100.0),
    ({"TW1": 20, "TW2": 30}, "TW1",
     indicator(T(100), period_targets={"TW1": 25, "TW2": 50}), TW, 80.0),
    ({"TW1": 20, "TW2": 30, "TW3": 10}, "TW4",  # TW3 has none: the annual target
     indicator(T(100), period_targets={"TW1": 25, "TW2": 50}), TW, 60.0),
    ({"TW1": 20, "TW2": None}, "TW2",  # TW2 blank: last filled is TW1
     indicator(T(100), period_targets={"TW1": 25, "TW2": 50}), TW, 80.0),
    ({"TW1": 1}, "TW4", indicator(T(4), MIN, LAST, {"TW1": 0}), TW, 0.0),
    ({"TW1": 0}, "TW4", indicator(T(4), MIN, LAST, {"TW1": 0}), TW, 100.0),
    ({"TW1": 1}, "TW4", indicator(T(4), MIN, LAST, {"TW I": 2}), TW, 120.0),
    ({"TW1": 85}, "TW4",  # rentang: per-period targets do not apply
     indicator(R(80, 90), RENT, LAST, {"TW1": 10}), TW, 100.0),
    ({"TW1": "Ya"}, "TW4", indicator(YA, YT, LAST, {"TW1": 10}), TW, 100.0),
]


# The default rule (issue 22): a jumlah with only a yearly target is compared, s.d. the
# last filled period n, with T × n/4 (semester k: T × k/2); a per-period target first.
PRORATED_CASES = [
    ({"TW1": 1, "TW2": 1, "TW3": 1, "TW4": 1}, "TW4", indicator(T(4)), TW, 100.0),
    ({"TW1": 1, "TW2": 1, "TW3": 1, "TW4": 1}, "TW2", indicator(T(4)), TW, 100.0),
    ({"TW1": 1}, "TW4", indicator(T(4)), TW, 100.0),  # a quarter of 4 by TW I: on track
    ({"TW1": 3}, "TW1", indicator(T(12)), TW, 100.0),
    ({"TW1": 2}, "TW1", indicator(T(12)), TW, 200 / 3),
    ({"TW1": 1, "TW2": 1, "TW3": 1}, "TW3", indicator(T(4)), TW, 100.0),
    ({"Semester I": 2}, "S2", indicator(T(4)), SEM, 100.0),
    ({"S1": 1}, "S1", indicator(T(4)), SEM, 50.0),
    ({"TAHUNAN": 3}, "TAHUNAN", indicator(T(4)), TH, 75.0),
    ({"TW1": 1}, "TW1", indicator(T(4), MIN, SUM), TW, 100.0),  # minimal: (2·1 − 1)/1
    ({"TW1": 0}, "TW1", indicator(T(0), MIN, SUM), TW, 100.0),
    ({"TW1": 20, "TW2": 30, "TW3": 10}, "TW4",  # TW3 has no per-period target: 100 × 3/4
     indicator(T(100), period_targets={"TW1": 25, "TW2": 50}), TW, 80.0),
    ({"TW1": 20}, "TW4", indicator(T(100), period_targets={"TW1": 25, "TW2": 50}), TW, 80.0),
    ({"TW1": 80}, "TW1", indicator(T(100), agregasi=AVG), TW, 80.0),  # not a jumlah
    ({"TW1": 20}, "TW1", indicator(T(100), agregasi=LAST), TW, 20.0),
    ({"TW1": 50}, "TW1", indicator(R(80, 90), RENT, SUM), TW, 50 / 80 * 100),  # rentang
]


@pytest.mark.parametrize("values,upto,ind,scheme,expected", UPTO_CASES)
def test_capaian_upto(values, upto, ind, scheme, expected):
    result = capaian_upto(values, upto, ind, scheme, midyear=MidYear.TAHUNAN)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("values,upto,ind,scheme,expected", PRORATED_CASES)
def test_capaian_upto_prorates_a_yearly_jumlah(values, upto, ind, scheme, expected):
    assert capaian_upto(values, upto, ind, scheme) == pytest.approx(expected, abs=1e-12)


def test_the_recap_period_decides_the_share_of_a_stalled_sum():
    """With the recap's period (target_period), a jumlah that stopped growing after TW I
    is compared with the TW II share: behind, not on track."""
    ind = indicator(T(12))
    assert capaian_upto({"TW1": 3}, "TW2", ind, TW, target_period="TW2") == 50.0
    assert capaian_upto({"TW1": 3}, "TW2", ind, TW, target_period="TW2",
                        midyear=MidYear.TAHUNAN) == 25.0


def test_capaian_upto_cap_and_bad_period():
    ind = indicator(T(1))
    assert capaian_upto({"TW1": 5}, "TW4", ind, TW, cap=110) == 110.0
    with pytest.raises(ValueError, match="S1"):
        capaian_upto({"TW1": 5}, "S1", ind, TW)


def test_effective_target():
    ind = indicator(T(100), period_targets={"TW1": 25})
    assert effective_target(ind, "TW1") == Target("25", value=25.0)
    assert effective_target(ind, "TW2") is ind.target
    assert effective_target(ind, None) is ind.target


# --------------------------------------------------------------------------- periods

PERIOD_CASES = [
    # text, scheme, code
    ("TW2", TW, "TW2"), ("TW II", TW, "TW2"), ("tw 2", TW, "TW2"), ("2", TW, "TW2"),
    ("Triwulan II", TW, "TW2"), ("triwulan 2", TW, "TW2"), ("TRIWULAN IV", TW, "TW4"),
    ("Triwulan ke-3", TW, "TW3"), ("tw.1", TW, "TW1"), ("TW-III", TW, "TW3"),
    ("s.d. TW III", TW, "TW3"), ("s/d Triwulan I", TW, "TW1"), (" tw  iv ", TW, "TW4"),
    (2, TW, "TW2"), (3.0, TW, "TW3"),
    ("TW5", TW, None), ("5", TW, None), ("0", TW, None), ("TW V", TW, None),
    ("S1", TW, None), ("Semester I", TW, None), ("TAHUNAN", TW, None), ("", TW, None),
    (None, TW, None), ("Triwulan", TW, None), ("abc", TW, None), (True, TW, None),
    ("S1", SEM, "S1"), ("Semester I", SEM, "S1"), ("SEM 1", SEM, "S1"), ("1", SEM, "S1"),
    ("semester 2", SEM, "S2"), ("Smt II", SEM, "S2"), ("s2", SEM, "S2"),
    ("S3", SEM, None), ("TW1", SEM, None), ("3", SEM, None), ("tahun", SEM, None),
    ("TAHUNAN", TH, "TAHUNAN"), ("tahun", TH, "TAHUNAN"), ("Tahunan", TH, "TAHUNAN"),
    ("TW1", TH, None), ("S1", TH, None),
]


@pytest.mark.parametrize("text,scheme,expected", PERIOD_CASES)
def test_parse_period(text, scheme, expected):
    assert parse_period(text, scheme) == expected


def test_period_index():
    assert [period_index(p, TW) for p in ("TW1", "TW II", "3", "Triwulan IV")] == [0, 1, 2, 3]
    assert period_index("Semester II", SEM) == 1
    assert period_index("tahun", TH) == 0
    assert period_index("TW5", TW) is None


# --------------------------------------------------------------------------- predikat

LIMA_CASES = [
    (120, "Sangat Baik"), (90.0001, "Sangat Baik"), (90, "Baik"), (75.5, "Baik"),
    (75, "Cukup"), (65.01, "Cukup"), (65, "Kurang"), (50.001, "Kurang"), (50, "Sangat Kurang"),
    (0, "Sangat Kurang"), (-1, "Sangat Kurang"),
]


@pytest.mark.parametrize("value,expected", LIMA_CASES)
def test_predikat_lima_boundaries(value, expected):
    assert PredikatScale.from_setting("lima").label(value) == expected


@pytest.mark.parametrize("value,expected", [
    (95, "AA"), (90, "A"), (80.5, "A"), (80, "BB"), (70, "B"), (60, "CC"), (50, "C"),
    (30.5, "C"), (30, "D"), (0, "D")])
def test_predikat_sakip(value, expected):
    assert PredikatScale.from_setting("SAKIP").label(value) == expected


def test_predikat_none_and_default():
    assert LIMA.label(None) is None
    assert LIMA.label(float("nan")) is None
    assert PredikatScale.from_setting("") == LIMA
    assert PredikatScale.from_setting(None) == LIMA
    assert PredikatScale.from_setting(" Lima ") == LIMA
    assert LIMA.name == "lima" and SAKIP.name == "sakip"


def test_predikat_describe():
    assert LIMA.describe() == ("> 90 Sangat Baik; > 75 Baik; > 65 Cukup; > 50 Kurang; "
                               "≤ 50 Sangat Kurang")
    assert SAKIP.describe().endswith("> 30 C; ≤ 30 D")
    assert LIMA.bands[0] == (90.0, "Sangat Baik")
    assert str(SAKIP) == SAKIP.describe()


USER_SCALES = [
    ("Sangat Baik > 90; Baik > 75; Cukup > 65; Kurang > 50; Sangat Kurang", LIMA.bands,
     "Sangat Kurang"),
    (">90 Sangat Baik; >75 Baik; >65 Cukup; >50 Kurang; Sangat Kurang", LIMA.bands,
     "Sangat Kurang"),
    ("Sangat Baik > 90\nBaik > 75\r\nCukup > 65\nKurang > 50\nSangat Kurang\n", LIMA.bands,
     "Sangat Kurang"),
    (LIMA.describe(), LIMA.bands, "Sangat Kurang"),
    ("Memuaskan > 85,5; Cukup > 60; Kurang ≤ 60", ((85.5, "Memuaskan"), (60.0, "Cukup")),
     "Kurang"),
    ("Baik: > 80 %; Kurang <= 80", ((80.0, "Baik"),), "Kurang"),
    ("> 90 Sangat Baik; > 75 – 90 Baik; Lainnya", ((90.0, "Sangat Baik"), (75.0, "Baik")),
     "Lainnya"),
    ("Sangat Baik (> 90) | Baik (> 70) | Kurang", ((90.0, "Sangat Baik"), (70.0, "Baik")),
     "Kurang"),
    ("Tinggi > 0,5; Rendah", ((0.5, "Tinggi"),), "Rendah"),
]


@pytest.mark.parametrize("text,bands,final", USER_SCALES)
def test_predikat_user_scale(text, bands, final):
    scale = PredikatScale.from_setting(text)
    assert scale.bands == bands
    assert scale.final == final
    assert PredikatScale.from_setting(scale.describe()) == scale  # describe parses back


def test_user_scale_strict_boundaries():
    scale = PredikatScale.from_setting("Memuaskan > 85,5; Cukup > 60; Kurang")
    assert scale.label(85.5) == "Cukup"
    assert scale.label(85.51) == "Memuaskan"
    assert scale.label(60) == "Kurang"


@pytest.mark.parametrize("text,message", [
    ("Baik > 75; Sangat Baik > 90; Kurang", "strictly decreasing"),
    ("Baik > 75; Cukup > 75; Kurang", "strictly decreasing"),
    ("Sangat Baik > 90; Baik > 75", "no final band"),
    ("Kurang; Baik > 75", "final band"),
    ("Baik >= 75; Kurang", "strict"),
    ("Baik ≥ 75; Kurang", "strict"),
    ("Baik < 75; Kurang", "strict"),
    ("Baik > 75; Kurang ≤ 60", "final band"),
    ("> 75; Kurang", "no label"),
    ("Baik > 7.5.5; Kurang", "not a number"),
    ("sedang", "no final band|at least one band"),
    (";;", "no final band"),
    ("lima puluh", "no final band|at least one band"),
])
def test_invalid_user_scale(text, message):
    with pytest.raises(ValueError, match=message):
        PredikatScale.from_setting(text)


def test_scale_constructor_validates():
    with pytest.raises(ValueError, match="at least one band"):
        PredikatScale((), "X")
    with pytest.raises(ValueError, match="label"):
        PredikatScale(((1.0, " "),), "X")


# --------------------------------------------------------------------------- live formula


def test_formula_shape():
    f = capaian_formula(["H14", "I14", "J14", "K14"], indicator(T(100)), midyear=MidYear.TAHUNAN)
    assert f == ('=IF(COUNT(H14,I14,J14,K14)=0,"",'
                 'MAX(0,MIN(120,SUM(H14,I14,J14,K14)/100*100)))')
    f = capaian_formula(["H14", "I14", "J14", "K14"], indicator(T(100)))  # pro-rated
    assert f == ('=IF(COUNT(H14,I14,J14,K14)=0,"",'
                 'IF(ISNUMBER(K14),MAX(0,MIN(120,SUM(H14,I14,J14,K14)/100*100)),'
                 'IF(ISNUMBER(J14),MAX(0,MIN(120,SUM(H14,I14,J14,K14)/75*100)),'
                 'IF(ISNUMBER(I14),MAX(0,MIN(120,SUM(H14,I14,J14,K14)/50*100)),'
                 'MAX(0,MIN(120,SUM(H14,I14,J14,K14)/25*100))))))')
    f = capaian_formula(["W14", "Z14"], indicator(YA, YT, LAST), scheme=SEM)
    assert f == '=IF(COUNT(W14,Z14)=0,"",IF(ISNUMBER(Z14),Z14,W14))'
    f = capaian_formula(["W14", "Z14"], indicator(YA, YT, AVG), scheme=SEM, flag="AI14",
                        warning='Periksa "isian"')
    assert f == ('=IF(AI14>0,"Periksa ""isian""",'
                 'IF(COUNT(W14,Z14)=0,"",AVERAGE(W14,Z14)))')


ALLOWED = {"IF", "AND", "OR", "NOT", "COUNT", "COUNTA", "SUM", "AVERAGE", "MIN", "MAX",
           "ISNUMBER", "ISBLANK", "TRUE"}


@pytest.mark.parametrize("polaritas,target", [(MAKS, T(100)), (MAKS, T(0)), (MIN, T(3)),
                                              (MIN, T(0)), (RENT, R(80, 90)), (YT, YA)])
@pytest.mark.parametrize("agregasi", list(Aggregation))
@pytest.mark.parametrize("period_targets", [{}, {"TW1": 25, "TW2": 50, "TW3": 0}])
def test_formula_uses_portable_functions_only(polaritas, target, agregasi, period_targets):
    import re

    f = capaian_formula(["'IKI 1'!H14", "I14", "$J$14", "K14"],
                        indicator(target, polaritas, agregasi, period_targets), cap=110)
    assert f.startswith("=IF(")
    names = set(re.findall(r"([A-Z]+)\(", f.replace('"Ya"', "")))
    assert names <= ALLOWED, names - ALLOWED
    assert "TRUE" not in names  # TRUE is a constant, not a function call
    assert f.count("(") == f.count(")")
    assert "e+" not in f and "e-" not in f and ";" not in f
    assert len(f) < 8192


def test_formula_constants_are_plain_decimals():
    f = capaian_formula(["A1"], indicator(T(1e-05)), cap=120)
    assert "0.00001" in f
    f = capaian_formula(["A1"], indicator(T(1e20)))
    assert "100000000000000000000" in f
    f = capaian_formula(["A1"], indicator(T(0.1)), cap=112.5)
    assert "/0.1*100" in f and "MIN(112.5," in f


@pytest.mark.parametrize("x,text", [(120.0, "120"), (0.0, "0"), (-0.0, "0"), (85.5, "85.5"),
                                    (1e-05, "0.00001"), (1e20, "100000000000000000000"),
                                    (0.1 + 0.2, "0.30000000000000004"), (-2.5, "-2.5")])
def test_excel_number(x, text):
    assert excel_number(x) == text
    assert float(text) == x


def test_formula_validates():
    with pytest.raises(ValueError, match="scheme|periods"):
        capaian_formula(["A1", "B1", "C1"], indicator(T(1)))
    with pytest.raises(ValueError):
        capaian_formula([], indicator(T(1)))
    with pytest.raises(ValueError, match="target"):
        capaian_formula(["A1"], indicator(Target("x"), MAKS))
    with pytest.raises(ValueError, match="cap"):
        capaian_formula(["A1"], indicator(T(1)), cap=0)
    with pytest.raises(ValueError, match="periods"):
        capaian_formula(["A1", "B1"], indicator(T(1)), scheme=TW)


# --------------------------------------------------------------------------- properties

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
nonneg = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
caps = st.sampled_from([100.0, 110.0, 120.0, 150.0])
targets = st.one_of(st.just(0.0), st.floats(min_value=1e-3, max_value=1e6))
ranges = st.tuples(nonneg, nonneg).map(sorted)
polarities = st.sampled_from([MAKS, MIN, RENT])


def _target_for(polaritas, t, rng):
    return R(*rng) if polaritas is RENT else T(t)


@settings(max_examples=300)
@given(a=finite, b=finite, t=targets, cap=caps)
def test_maksimal_monotone_non_decreasing(a, b, t, cap):
    lo, hi = sorted((a, b))
    assert capaian(lo, T(t), MAKS, cap) <= capaian(hi, T(t), MAKS, cap)


@settings(max_examples=300)
@given(a=finite, b=finite, t=targets, cap=caps)
def test_minimal_monotone_non_increasing(a, b, t, cap):
    lo, hi = sorted((a, b))
    assert capaian(lo, T(t), MIN, cap) >= capaian(hi, T(t), MIN, cap)


@settings(max_examples=500)
@given(r=finite, polaritas=polarities, t=targets, rng=ranges, cap=caps)
def test_within_zero_and_cap(r, polaritas, t, rng, cap):
    value = capaian(r, _target_for(polaritas, t, rng), polaritas, cap)
    assert value is not None and math.isfinite(value)
    assert 0.0 <= value <= cap


@given(polaritas=polarities, t=targets, rng=ranges, cap=caps,
       blank=st.sampled_from([None, "", " ", "\t"]))
def test_blank_never_a_number(polaritas, t, rng, cap, blank):
    assert capaian(blank, _target_for(polaritas, t, rng), polaritas, cap) is None


@given(values=st.lists(st.one_of(st.none(), finite), min_size=4, max_size=4),
       polaritas=polarities, agregasi=st.sampled_from(list(Aggregation)), t=targets,
       rng=ranges)
def test_upto_blank_only_when_nothing_filled(values, polaritas, agregasi, t, rng):
    ind = indicator(_target_for(polaritas, t, rng), polaritas, agregasi)
    result = capaian_upto(dict(zip(TW.periods, values)), "TW4", ind, TW)
    if all(v is None for v in values):
        assert result is None
    else:
        assert result is not None and 0.0 <= result <= 120.0


@given(values=st.lists(st.one_of(st.none(), nonneg), min_size=4, max_size=4))
def test_blank_period_differs_from_zero(values):
    # Replacing a blank by 0 changes what counts as filled (rata-rata, terakhir).
    ind = indicator(T(100), MAKS, AVG)
    with_blank = capaian_upto(dict(zip(TW.periods, values)), "TW4", ind, TW)
    if any(v is None for v in values) and any(v for v in values):
        zeros = [0.0 if v is None else v for v in values]
        with_zero = capaian_upto(dict(zip(TW.periods, zeros)), "TW4", ind, TW)
        assert with_zero <= with_blank


@settings(max_examples=200)
@given(v=st.floats(min_value=-50, max_value=200, allow_nan=False))
def test_predikat_label_matches_bands(v):
    label = LIMA.label(v)
    expected = next((lbl for thr, lbl in LIMA.bands if v > thr), LIMA.final)
    assert label == expected

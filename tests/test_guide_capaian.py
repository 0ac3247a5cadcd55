"""PANDUAN.md's worked examples of capaian (section 4g) are what iki-xlsx computes: each
row of its tables is recomputed with :mod:`iki_xlsx.core.capaian` — the one definition
the form's formula, ``check``, the portal and the recap use — and the figures the guide
prints must be those numbers, written as iki-xlsx writes numbers."""

from __future__ import annotations

import math
import re
from pathlib import Path

from iki_xlsx.core.capaian import capaian_upto
from iki_xlsx.core.predikat import PredikatScale
from iki_xlsx.core.model import (
    Aggregation,
    Indicator,
    PeriodScheme,
    Polarity,
    format_number,
    parse_number,
    parse_target,
)

GUIDE = Path(__file__).resolve().parent.parent / "PANDUAN.md"
PERIODS = ("TW1", "TW2", "TW3", "TW4")
CAP = 120.0


def table(marker: str) -> list[list[str]]:
    """The rows (cells stripped) of the markdown table right after ``<!-- marker``."""
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(f"<!-- {marker}")
    lines = text[start:].splitlines()[1:]
    rows = []
    for line in lines[2:]:  # the header and its rule
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    assert rows, marker
    return rows


def computed(row: list[str]) -> float:
    name, polaritas, agregasi, target, realisasi, _, _ = row
    pol = Polarity(polaritas)
    indicator = Indicator("1", "", name, "", "", "", parse_target(target, pol), pol,
                          Aggregation(agregasi))
    values = [v.strip() for v in realisasi.split(";")]
    typed = {p: (v if pol is Polarity.YA_TIDAK else parse_number(v))
             for p, v in zip(PERIODS, values)}
    return capaian_upto(typed, "TW4", indicator, PeriodScheme.TRIWULAN, CAP)


def test_every_worked_example_is_what_iki_xlsx_computes():
    rows = table("contoh-capaian")
    for row in rows:
        assert format_number(round(computed(row), 2)) == row[-1], row
    # the examples show every polarity and every way of aggregating periods
    assert {r[1] for r in rows} == {p.value for p in Polarity}
    assert {r[2] for r in rows} == {a.value for a in Aggregation}


def test_the_average_and_predikat_examples_are_what_iki_xlsx_computes():
    by_shown = {row[-1]: computed(row) for row in table("contoh-capaian")}
    scale = PredikatScale.from_setting("lima")
    rows = table("contoh-rata-rata")
    for _, listed, average, predikat in rows:
        figures = [x.strip() for x in listed.split(";")]
        filled = [by_shown[x] for x in figures if re.match(r"^[\d.,]+$", x)]
        assert len(filled) >= 2
        mean = math.fsum(filled) / len(filled)  # the indikator without realisasi: not 0
        assert format_number(round(mean, 2)) == average, listed
        assert scale.label(mean) == predikat, listed
    assert any("belum diisi" in row[1] for row in rows)

"""A form with every polarity × aggregation, and the values people type or paste into
its realisasi cells (shared by the LibreOffice and Gnumeric recalculation tests)."""

from __future__ import annotations

import random
from datetime import date

from iki_xlsx.core.model import (
    Aggregation,
    Assignment,
    IKIDefinition,
    Indicator,
    Master,
    PeriodScheme,
    Person,
    Polarity,
    Settings,
    Target,
)
from iki_xlsx.core.rules import INVALID, table_reading
from iki_xlsx.forms.layout import reading_context

MAKS, MIN, RENT, YT = Polarity.MAKSIMAL, Polarity.MINIMAL, Polarity.RENTANG, Polarity.YA_TIDAK
JUMLAH, RATA, AKHIR = Aggregation.JUMLAH, Aggregation.RATA_RATA, Aggregation.TERAKHIR

KINDS = [(MAKS, Target("100", value=100.0)), (MAKS, Target("12", value=12.0)),
         (MIN, Target("5", value=5.0)), (RENT, Target("80 - 90", low=80.0, high=90.0)),
         (YT, Target("Ya"))]

# (value, percent format) as a pegawai types or pastes it. Not here: TRUE pasted into a
# numeric cell (LibreOffice loads it as 1 in the cell's number format: it counts as 1 there,
# while the recap refuses it; Excel and Gnumeric warn).
NUMBER_CASES = [
    (90, False), (0, False), (12.5, False), (0.9, True), (0.855, True), (1.2, True),
    ("85,5", False), ("85.5", False), ("1.234", False), ("1.234,5", False), ("0,75", False),
    (" 85 ", False), ("85%", False), ("85 %", False), ("7", False), (" ", False),
    ("", False), (None, False), (-5, False), (1e9, False), ("delapan", False),
    ("Rp 1.500", False), ("-3", False), ("1,234,567", False),
    ("12.345.678", False), ("85,", False), (",5", False), ("0.500", False),
    ("00.500", False), ("1.2345", False), ("1234.567", False), ("1.234.5", False),
    ("8 5", False), ("85 ,5", False), ("0,0001", False), ("85%%", False), ("%", False),
    ("\u00a0", False), ("1e3", False), ("+85", False),
]
ANSWER_CASES = [("Ya", False), ("Tidak", False), (" Ya ", False), ("TIDAK", False),
                ("ya", False), (True, False), (False, False), (" ", False), (None, False),
                ("belum", False), (1, False), ("Ya.", False)]


def master(periode: str = "triwulan", cap: float = 120.0) -> Master:
    inds = []
    for polaritas, target in KINDS:
        for agregasi in (JUMLAH, RATA, AKHIR):
            if polaritas is YT and agregasi is JUMLAH:
                continue
            period_targets = {"TW1": 25.0, "TW2": 50.0} if (
                polaritas is MAKS and agregasi is JUMLAH and periode == "triwulan") else {}
            inds.append(Indicator(str(len(inds) + 1), f"Sasaran {len(inds) + 1}",
                                  f"Indikator {polaritas.value} {agregasi.value}", "-", "-",
                                  "%", target, polaritas, agregasi, period_targets))
    iki = IKIDefinition("IKI-UJI", "Badan Uji", "Penguji", "Menguji", ("Menguji",),
                        "SASARAN", tuple(inds))
    boss = Person("197002021996031002", "Kepala", "Pembina", "IV/a", "Kepala Badan",
                  "Badan Uji", "Badan Uji")
    peg = Person("199001012015031001", "Pegawai Uji", "Penata", "III/c", "Penguji",
                 "Subbagian Uji", "Badan Uji")
    settings = Settings(2025, periode=PeriodScheme(periode), tempat="Tenggarong",
                        tanggal=date(2025, 1, 2),
                        batas_capaian=cap)
    return Master(settings, [Assignment(peg, "IKI-UJI", boss.nip, boss)], {"IKI-UJI": iki})


def fillings(indicators, periods, n: int, seed: int = 12):
    """``n`` fillings: per indicator, one case per period. The last period cycles through
    every case (in the first filling, every case the form reads); the others are random
    cases the form reads (or blank)."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        rows = []
        for i, ind in enumerate(indicators):
            pool = ANSWER_CASES if ind.polaritas is YT else NUMBER_CASES
            ctx = reading_context(ind)
            good = [c for c in pool if table_reading(c[0], ctx, percent=c[1]) != INVALID]
            row = [rng.choice(good) if rng.random() < 0.7 else (None, False)
                   for _ in periods]
            cycle = good if k == 0 else pool  # the first filling: nothing to warn about
            row[-1] = cycle[(k * len(indicators) + i) % len(cycle)]
            rows.append(row)
        out.append(rows)
    return out

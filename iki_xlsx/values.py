"""Realisasi as people type them, turned into numbers (or Ya/Tidak) — or into a named
problem, never silently into 0.

Input is what a value reader found in the cell plus what the sheet XML says about it
(percent number format, formula, error). See domain.md: ``85,5``, ``1.234,5``, ``85%``,
a percent-formatted 0.85, numbers stored as text, ``Ya``/``Tidak``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from .capaian import parse_answer
from .model import parse_number, whole

ABSURD_FACTOR = 1000  # a realisasi above 1000 × target (or 1000 for a zero target) is absurd
MAX_NUMBER_TEXT = 100  # characters: longer text in a realisasi cell is not a number


@dataclass(frozen=True)
class CellInfo:
    """What the sheet XML says about one input cell."""

    percent: bool = False  # number format shows percent (the value is a fraction)
    formula: bool = False  # the cell holds a formula (its cached value is what we read)
    error: bool = False  # the cell holds an error value (#DIV/0!, #VALUE!, …)
    cached: bool = True  # a formula cell carries a computed value (False: never computed)


class Parsed(NamedTuple):
    value: float | str | None  # None = blank (not submitted) or unusable
    problem: str = ""  # problem code when the cell could not be used as typed
    note: str = ""  # warning code when it was used but deserves a look


def parse_realisasi(raw: object, info: CellInfo = CellInfo(), *, yes_no: bool = False,
                    target: float | None = None) -> Parsed:
    """One realisasi cell → a number (or "Ya"/"Tidak"), or a problem code:
    ``realisasi_galat`` (error value), ``realisasi_tanggal`` (Excel turned the entry into
    a date), ``realisasi_tidak_terbaca``, ``realisasi_negatif``, ``realisasi_tidak_wajar``,
    ``realisasi_ya_tidak``, ``realisasi_rumus_tanpa_nilai`` (a formula never computed).
    Formulas are used through their cached value and noted (``realisasi_rumus``).
    A target that is not a finite number counts as none."""
    note = "realisasi_rumus" if info.formula else ""
    if info.error:
        return Parsed(None, "realisasi_galat")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if info.formula and not info.cached:
            return Parsed(None, "realisasi_rumus_tanpa_nilai")
        return Parsed(None)
    if isinstance(raw, (datetime, date, time, timedelta)):
        return Parsed(None, "realisasi_tanggal")
    if yes_no:
        answer = parse_answer(raw)
        if answer is None:
            return Parsed(None, "realisasi_ya_tidak")
        return Parsed("Ya" if answer else "Tidak", "", note)
    if isinstance(raw, bool):
        return Parsed(None, "realisasi_tidak_terbaca")
    if isinstance(raw, (int, float)):
        value = float(raw)
        if not math.isfinite(value):
            return Parsed(None, "realisasi_tidak_terbaca")
        if info.percent:
            value *= 100  # a cell formatted as 85 % holds 0.85
    else:
        text = str(raw)
        value = parse_number(text) if len(text) <= MAX_NUMBER_TEXT else None
        if value is None or not math.isfinite(value):
            return Parsed(None, "realisasi_tidak_terbaca")
    if value < 0:
        return Parsed(None, "realisasi_negatif")
    if value > absurd_limit(target):
        return Parsed(None, "realisasi_tidak_wajar")
    return Parsed(round(value, 10), "", note)


def absurd_limit(target: object) -> float:
    """Above this a realisasi is absurd (a target that is not a finite number counts as
    none)."""
    if not (isinstance(target, (int, float)) and math.isfinite(target)):
        target = None
    return ABSURD_FACTOR * max(target or 0.0, 1.0)


def plain_number(raw: object, limit: float) -> float | None:
    """The realisasi of a number read from a plain cell (no formula, error or percent
    format) of an indicator that is not ya/tidak, when it needs nothing more: finite,
    from 0 to ``limit``. None sends it through :func:`parse_realisasi` (same result for
    what this accepts; the fuzz tests hold both to it)."""
    if type(raw) is float and 0.0 <= raw <= limit:
        return round(raw, 10)
    return None


def keterangan_text(raw: object) -> str | None:
    """Keterangan as plain text (dates and numbers as typed-looking text)."""
    if raw is None:
        return None
    text = str(whole(raw)).strip()
    return text or None

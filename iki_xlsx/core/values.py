"""Realisasi as people type them, turned into numbers (or Ya/Tidak) — or into a named
problem, never silently into 0: collect's reading of the rule table
(:mod:`iki_xlsx.core.rules`).

Input is what a value reader found in the cell plus what the sheet XML says about it
(percent number format, formula, error). See domain.md: ``85,5``, ``1.234,5``, ``85%``,
a percent-formatted 0.85, numbers stored as text, ``Ya``/``Tidak``.

With the indikator's SATUAN and target text, a number typed with its unit (``20 JP``,
``1 laporan``, ``85 persen``) is read when the unit is the indikator's, and the letter of
a target such as ``BB (70)`` is understood (``BB`` → 70). A value implausible for a
percent indikator — far above 100 %, or a fraction such as 0,9 that looks like an
unformatted 90 % — is reported with its cell, never used. A text the table does not
list but collect still reads (``Rp1.500``, ``+85``) is used with the note
``realisasi_bentuk_lain``: the form shows a warning for it instead of a capaian.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from .capaian import parse_answer
from .model import parse_number, whole
from .rules import (
    INVALID,
    MAX_NUMBER_TEXT,
    Context,
    absurd_limit,
    context,
    is_percent,
    percent_limit,
    table_reading,
    target_letters,
    unit_matches,
)


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
                    target: float | None = None, satuan: str = "", target_text: str = "",
                    polaritas: str = "") -> Parsed:
    """One realisasi cell → a number (or "Ya"/"Tidak"), or a problem code:
    ``realisasi_galat`` (error value), ``realisasi_tanggal`` (Excel turned the entry into
    a date), ``realisasi_tidak_terbaca``, ``realisasi_negatif``, ``realisasi_tidak_wajar``,
    ``realisasi_ya_tidak``, ``realisasi_rumus_tanpa_nilai`` (a formula never computed).
    Formulas are used through their cached value and noted (``realisasi_rumus``).
    A target that is not a finite number counts as none.

    ``satuan``, ``target_text`` and ``polaritas`` (the indikator's) add: a unit typed
    with the number (``realisasi_satuan_lain`` when it is not the SATUAN), the letter of
    a target like ``BB (70)`` (``realisasi_huruf`` for another letter), and the percent
    checks (``realisasi_persen_tidak_wajar``, ``realisasi_pecahan_persen``)."""
    if yes_no:
        polaritas = "ya/tidak"
    return read_realisasi(raw, info, context(polaritas, target, satuan, target_text))


def read_realisasi(raw: object, info: CellInfo, ctx: Context) -> Parsed:
    """:func:`parse_realisasi` with the indikator's :class:`~iki_xlsx.core.rules.Context`
    (collect makes it once per indikator)."""
    note = "realisasi_rumus" if info.formula else ""
    if info.error:
        return Parsed(None, "realisasi_galat")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if info.formula and not info.cached:
            return Parsed(None, "realisasi_rumus_tanpa_nilai")
        return Parsed(None)
    if isinstance(raw, (datetime, date, time, timedelta)):
        return Parsed(None, "realisasi_tanggal")
    if ctx.yes_no:
        answer = parse_answer(raw)
        if answer is None:
            return Parsed(None, "realisasi_ya_tidak")
        if not note and table_reading(raw, ctx) == INVALID:
            note = "realisasi_bentuk_lain"  # " Ya" with a tab: the form cannot tell
        return Parsed("Ya" if answer else "Tidak", "", note)
    if isinstance(raw, bool):
        return Parsed(None, "realisasi_tidak_terbaca")
    target = ctx.target
    if isinstance(raw, (int, float)):
        value = float(raw)
        if not math.isfinite(value):
            return Parsed(None, "realisasi_tidak_terbaca")
        if info.percent:
            value *= 100  # a cell formatted as 85 % holds 0.85
        explicit = info.percent
    else:
        text = str(raw)
        if len(text) > MAX_NUMBER_TEXT:
            return Parsed(None, "realisasi_tidak_terbaca")
        value = parse_number(text)
        explicit = "%" in text
        if value is None and (ctx.satuan or ctx.target_text):
            value, problem, explicit = _with_unit_or_letter(text, ctx.satuan,
                                                            ctx.target_text, target)
            if problem:
                return Parsed(None, problem)
        if value is None or not math.isfinite(value):
            return Parsed(None, "realisasi_tidak_terbaca")
        if not note and value >= 0 and table_reading(text, ctx) == INVALID:
            note = "realisasi_bentuk_lain"  # read here, but not by the form's table
    if value < 0:
        return Parsed(None, "realisasi_negatif")
    # a percent-formatted 1.8e306 times 100 is no float (inf), which no limit of an
    # absurdly large target would stop
    if not math.isfinite(value) or value > absurd_limit(target):
        return Parsed(None, "realisasi_tidak_wajar")
    if ctx.percent:
        problem = _percent_problem(value, ctx, explicit)
        if problem:
            return Parsed(None, problem)
    return Parsed(round(value, 10), "", note)


_NUMBER_UNIT = re.compile(r"^\s*(?P<num>[+-]?[\d.,]+)\s*(?P<unit>[^\d\s.,].*?)\s*$")
_LETTER_VALUE = re.compile(r"^\s*[A-Za-z]{1,3}[+-]?\s*\((?P<num>[\d.,]+)\s*%?\)\s*$")
_LETTERS = re.compile(r"^\s*[A-Za-z]{1,3}[+-]?\s*$")


def _with_unit_or_letter(text: str, satuan: str, target_text: str,
                         target: float | None) -> tuple[float | None, str, bool]:
    """(value, problem, explicit percent) of a realisasi typed with a unit or a letter."""
    letters = target_letters(target_text)
    if letters:
        if text.strip().casefold() == letters.casefold() and target is not None:
            return float(target), "", False
        m = _LETTER_VALUE.match(text)
        if m:
            return parse_number(m["num"]), "", False
        if _LETTERS.match(text):
            return None, "realisasi_huruf", False
    m = _NUMBER_UNIT.match(text)
    if m and satuan:
        number = parse_number(m["num"])
        if number is not None:
            if unit_matches(m["unit"], satuan):
                return number, "", is_percent(m["unit"])
            return None, "realisasi_satuan_lain", False
    return None, "", False


def _percent_problem(value: float, ctx: Context, explicit: bool) -> str:
    if value > percent_limit(ctx.target):
        return "realisasi_persen_tidak_wajar"
    if not explicit and 0 < value < 1 and ctx.fraction_check:
        return "realisasi_pecahan_persen"
    return ""


def plain_limit(ctx: Context) -> float:
    """The upper bound :func:`plain_number` may accept for an indikator: -1 (nothing is
    plain) for ya/tidak; for a percent indikator, below what the percent checks of
    :func:`parse_realisasi` would refuse (with :func:`plain_low` as the lower bound)."""
    return -1.0 if ctx.yes_no else ctx.limit


def plain_low(ctx: Context) -> float:
    """The lower bound (besides 0) :func:`plain_number` may accept: on a percent
    indikator a fraction below 1 may be an unformatted percent, for the full checks."""
    return 1.0 if ctx.percent else 0.0


_INF = float("inf")


def plain_number(raw: object, limit: float, low: float = 0.0) -> float | None:
    """The realisasi of a number read from a plain cell (no formula, error or percent
    format) of an indicator that is not ya/tidak, when it needs nothing more: finite,
    0 or from ``low`` to ``limit``. None sends it through :func:`parse_realisasi` (same
    result for what this accepts; the fuzz tests hold both to it)."""
    # ``limit`` is infinite itself for a target near the float's largest: not a bound
    if type(raw) is float and raw <= limit and (raw >= low or raw == 0.0) and raw != _INF:
        return round(raw, 10)
    return None


def keterangan_text(raw: object) -> str | None:
    """Keterangan as plain text (dates and numbers as typed-looking text)."""
    if raw is None:
        return None
    text = str(whole(raw)).strip()
    return text or None

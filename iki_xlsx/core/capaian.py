"""Capaian (achievement, in percent) and aggregation over periods (predikat: predikat.py).

One definition of capaian, used three ways:

* the reader and the recap recompute every capaian with these functions from the realisasi
  values they read (never trusting what the workbook shows);
* the workbook generator writes :func:`capaian_formula` into each CAPAIAN cell, so that a
  pegawai sees the same number live in Excel, LibreOffice, Gnumeric, WPS or Google Sheets;
* the generator writes the formula's cached value with :func:`capaian_upto`, so viewers that
  do not recalculate show the right value too.

The live formula and these functions must agree exactly (tests recalculate the generated
formulas in LibreOffice and compare). Rules, from ``domain.md``:

* ``maksimal``: R / T × 100; T = 0 → 100 when R ≥ 0, else 0.
* ``minimal``: (2T − R) / T × 100; T = 0 → 100 when R ≤ 0, else 0.
* ``rentang`` lo–hi: inside → 100; above → R / hi × 100; below → R / lo × 100 (a zero bound
  behaves like a zero ``maksimal`` target).
* ``ya/tidak``: an answer "Ya" (or True) → 100, any other answer → 0, per period;
  ``rata-rata`` averages the periods' capaian, ``terakhir`` takes the last (``jumlah`` makes
  no sense for answers: ``validate`` refuses it; it behaves like ``terakhir``).
* Every capaian is floored at 0 and capped at ``cap`` (default 120). A blank realisasi is
  *not submitted*: the result is None, never 0.
* Capaian s.d. a period compares the aggregate with that period's target: the master's
  per-period target, else for a ``jumlah`` the annual target pro-rated (T × n/4 s.d.
  TW n, T × k/2 s.d. semester k) — or, with the setting *Target Tengah Tahun* =
  ``tahunan``, the annual target itself.

The form reads each realisasi cell the way the recap reads it (``values.py``: percent
formats, numbers as text with a decimal comma, answers with spaces or in other case), in
hidden helper cells (:mod:`iki_xlsx.forms.liveform`), and shows a warning instead of a capaian
where the recap would refuse or reinterpret a value; so the capaian formula itself only
sees numbers (and, for ya/tidak, each period's capaian).

Longer than 400 lines because the Python rule and the spreadsheet formula that must
agree with it are kept side by side, so that a change to one is made to the other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from operator import itemgetter

from .model import (
    Aggregation,
    Indicator,
    MidYear,
    PeriodScheme,
    Polarity,
    Target,
    parse_number,
)
from .periods import parse_period, period_index

__all__ = [
    "DEFAULT_CAP", "capaian", "aggregate", "capaian_upto", "effective_target", "parse_answer",
    "upto_figures",
    "parse_period", "period_index", "capaian_formula", "excel_number", "prorated_target",
    "prorates",
]

DEFAULT_CAP = 120.0
FULL = 100.0
_INF = math.inf

# --------------------------------------------------------------------------- values


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: object) -> float | None:
    """A realisasi number, or None (blank, text that is not a number, bool)."""
    if type(value) is float:  # the hot path: what the reader stores
        return value if math.isfinite(value) else None
    if _is_blank(value) or isinstance(value, bool):
        return None
    return parse_number(value)


def parse_answer(value: object) -> bool | None:
    """A ya/tidak answer: "Ya"/True → True, "Tidak"/False → False, anything else → None.

    The reader uses this to flag answers the form does not allow; :func:`capaian` itself
    treats every non-blank answer other than yes as no, like the live formula.
    """
    if type(value) is str:  # the hot path: each text's answer worked out once
        got = _ANSWERS.get(value, _UNKNOWN)
        if got is not _UNKNOWN:
            return got
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        key = value.strip().casefold()
        got = True if key == "ya" else False if key == "tidak" else None
        if type(value) is str:
            if len(_ANSWERS) >= 10_000:
                _ANSWERS.clear()
            _ANSWERS[value] = got
        return got
    return None


_ANSWERS: dict[str, bool | None] = {}  # text → parse_answer of it
_UNKNOWN = object()


def _member(kind, value):
    """``value`` as a member of enum ``kind``: itself when it already is one (the hot
    path: ``kind(value)`` costs ~0.5 µs even then), else ``kind(value)``."""
    return value if type(value) is kind else kind(value)


def _check_cap(cap: float) -> float:
    if type(cap) is float and 0.0 < cap < _INF:  # the hot path: a checked cap is itself
        return cap
    if not (isinstance(cap, (int, float)) and math.isfinite(cap) and cap > 0):
        raise ValueError(f"capaian cap must be a positive finite number, got {cap!r}")
    return float(cap)


# --------------------------------------------------------------------------- capaian


def _maksimal(r: float, t: float, cap: float) -> float:
    if t == 0:
        return min(cap, FULL) if r >= 0 else 0.0
    return max(0.0, min(cap, r / t * 100))


def _minimal(r: float, t: float, cap: float) -> float:
    if t == 0:
        return min(cap, FULL) if r <= 0 else 0.0
    return max(0.0, min(cap, (2 * t - r) / t * 100))


def _target_value(target: Target) -> float:
    t = target.value
    if type(t) is float and 0.0 <= t < _INF:  # the hot path: a finite float ≥ 0 is itself
        return t
    if t is None or not math.isfinite(t):
        raise ValueError(f"target {target.text!r} has no number to compare realisasi with")
    if t < 0:
        raise ValueError(f"target {target.text!r} is negative")
    return float(t)


def _target_range(target: Target) -> tuple[float, float]:
    lo, hi = target.low, target.high
    if lo is None or hi is None or not (0 <= lo <= hi) or not math.isfinite(hi):
        raise ValueError(f"target {target.text!r} is not a range lo–hi with 0 ≤ lo ≤ hi")
    return float(lo), float(hi)


def capaian(realisasi: object, target: Target, polaritas: Polarity,
            cap: float = DEFAULT_CAP) -> float | None:
    """Capaian in percent (unrounded) of one realisasi against one target.

    ``realisasi`` is a number (or number text as Indonesians type it) for ``maksimal``,
    ``minimal`` and ``rentang``; an answer ("Ya"/"Tidak", True/False) for ``ya/tidak``.
    Blank (None, empty text) → None: not submitted, never 0. Numeric text that cannot be
    parsed also gives None. Raises ValueError when the target does not fit the polarity.
    """
    return _capaian(realisasi, target, _member(Polarity, polaritas), _check_cap(cap))


def _capaian(realisasi: object, target: Target, polaritas: Polarity, cap: float
             ) -> float | None:
    """:func:`capaian` of a checked ``cap`` and a ``polaritas`` that is a member."""
    if polaritas is Polarity.YA_TIDAK:
        if _is_blank(realisasi):
            return None
        return min(cap, FULL) if parse_answer(realisasi) is True else 0.0
    r = _number(realisasi)
    if polaritas is Polarity.RENTANG:
        lo, hi = _target_range(target)
        if r is None:
            return None
        if r > hi:
            return _maksimal(r, hi, cap)
        if r < lo:
            return _maksimal(r, lo, cap)
        return min(cap, FULL)
    t = _target_value(target)
    if r is None:
        return None
    if polaritas is Polarity.MINIMAL:
        return _minimal(r, t, cap)
    return _maksimal(r, t, cap)


# --------------------------------------------------------------------------- aggregation


def _filled(values: Sequence[object], polaritas: Polarity | None
            ) -> tuple[bool, list[tuple[int, object]]]:
    """Whether these are ya/tidak answers, and (index, value) of the filled periods:
    non-blank answers for ya/tidak, numbers otherwise."""
    if polaritas is None:  # guess: any answer (bool or Ya/Tidak text) makes it ya/tidak
        answers = any(parse_answer(v) is not None for v in values)
    else:
        answers = _member(Polarity, polaritas) is Polarity.YA_TIDAK
    if answers:
        return True, [(i, _answer_value(v)) for i, v in enumerate(values) if not _is_blank(v)]
    return False, [(i, n) for i, v in enumerate(values)
                   if v is not None and (n := _number(v)) is not None]


def _answer_value(value: object) -> object:
    answer = parse_answer(value)
    if answer is None:
        return value.strip() if isinstance(value, str) else value
    return "Ya" if answer else "Tidak"


def aggregate(values: Sequence[object], agregasi: Aggregation,
              polaritas: Polarity | None = None) -> float | str | None:
    """Aggregate the filled periods, in period order; None when none is filled.

    ``jumlah`` sums, ``rata-rata`` averages the filled periods, ``terakhir`` takes the last
    filled one. Answers of a ya/tidak indicator (``polaritas`` YA_TIDAK, or when not given,
    any value that is "Ya"/"Tidak"/bool) are shown as the last filled answer, returned as
    "Ya"/"Tidak" (other text as typed); their capaian (:func:`capaian_upto`) follows
    ``agregasi``.
    """
    answers, filled = _filled(values, polaritas)
    return _aggregate_filled(answers, filled, agregasi) if filled else None


def _aggregate_filled(answers: bool, filled: list[tuple[int, object]],
                      agregasi: Aggregation) -> float | str:
    """:func:`aggregate` of what :func:`_filled` gave (at least one period)."""
    if not answers:
        agregasi = _member(Aggregation, agregasi)
        if agregasi is Aggregation.JUMLAH:
            return math.fsum(map(_SECOND, filled))
        if agregasi is Aggregation.RATA_RATA:
            return math.fsum(map(_SECOND, filled)) / len(filled)
    return filled[-1][1]


_SECOND = itemgetter(1)  # the value of a filled (index, value)


def _normalise_periods(values: Mapping[str, object], scheme: PeriodScheme) -> dict[str, object]:
    """``values`` keyed by period code (keys that are no period of ``scheme`` dropped)."""
    if not values:
        return {}
    codes = scheme.periods
    if all(type(key) is str and key in codes for key in values):  # the hot path
        return dict(values)
    out: dict[str, object] = {}
    for key, value in values.items():
        code = parse_period(key, scheme)
        if code is not None:
            out[code] = value
    return out


def effective_target(indicator: Indicator, period: str | None,
                     scheme: PeriodScheme | None = None,
                     midyear: MidYear = MidYear.PROPORSIONAL) -> Target:
    """The target capaian compares with when ``period`` is the last filled period.

    For ``maksimal`` and ``minimal``: the per-period ("s.d.", cumulative) target of that
    period when the master gives one; else, for a ``jumlah`` (with ``scheme`` known and
    ``midyear`` PROPORSIONAL, the default), the annual target pro-rated to that point of
    the year — T × n/4 s.d. TW n, T × k/2 s.d. semester k (domain.md: a quarter of a
    yearly count done by TW I is on track); the annual target otherwise.
    """
    if period is None or _member(Polarity, indicator.polaritas) not in (Polarity.MAKSIMAL,
                                                                         Polarity.MINIMAL):
        return indicator.target
    if scheme is not None:
        scheme = _member(PeriodScheme, scheme)
        targets = _normalise_periods(indicator.period_targets, scheme)
        period = parse_period(period, scheme) or period
    else:
        targets = dict(indicator.period_targets)
    value = targets.get(period)
    if value is None or isinstance(value, bool):
        return prorated_target(indicator, period, scheme, midyear)
    value = parse_number(value)
    if value is None:
        raise ValueError(f"per-period target for {period} is not a number: "
                         f"{targets.get(period)!r}")
    return Target(_format_constant(value), value=value)


def prorated_target(indicator: Indicator, period: str | None,
                    scheme: PeriodScheme | None,
                    midyear: MidYear = MidYear.PROPORSIONAL) -> Target:
    """The annual target of a ``jumlah`` s.d. ``period`` under the PROPORSIONAL rule
    (T × n / number of periods; the whole target at the year's end); the annual target
    itself for any other indikator, rule or period."""
    periods = _member(PeriodScheme, scheme).periods if scheme is not None else ()
    if (_member(MidYear, midyear) is not MidYear.PROPORSIONAL or period not in periods
            or _member(Aggregation, indicator.agregasi) is not Aggregation.JUMLAH
            or period == periods[-1]):
        return indicator.target
    share = _target_value(indicator.target) * (periods.index(period) + 1) / len(periods)
    return Target(_format_constant(share), value=share)


def prorates(indicator: Indicator, scheme: PeriodScheme) -> bool:
    """Whether the *Target Tengah Tahun* rule decides some period's target of
    ``indicator``: a ``maksimal``/``minimal`` ``jumlah`` lacking the per-period target of
    a period before the last."""
    given = _normalise_periods(indicator.period_targets, scheme)
    return Polarity(indicator.polaritas) in (Polarity.MAKSIMAL, Polarity.MINIMAL) and any(
        p not in given and prorated_target(indicator, p, scheme) is not indicator.target
        for p in PeriodScheme(scheme).periods)


def capaian_upto(values: Mapping[str, object], upto: str, indicator: Indicator,
                 scheme: PeriodScheme, cap: float = DEFAULT_CAP, *,
                 target_period: str | None = None,
                 midyear: MidYear = MidYear.PROPORSIONAL) -> float | None:
    """Capaian "s.d." period ``upto``: aggregate the periods up to and including it.

    ``values`` maps period codes (or any spelling :func:`parse_period` accepts) to realisasi.
    The aggregate is compared with the target of the last filled period (see
    :func:`effective_target`: its per-period target, a ``jumlah``'s pro-rated annual
    target under ``midyear`` PROPORSIONAL, else the annual target). With
    ``target_period`` (the recap's period), a ``jumlah`` indikator is compared with that
    period's target instead: a sum that stopped growing is behind, not on target.
    None when no period up to ``upto`` is filled. ValueError for a period not in the scheme.
    """
    scheme = _member(PeriodScheme, scheme)
    periods = _UPTO.get((upto, scheme)) if type(upto) is str else None
    if periods is None:
        end = period_index(upto, scheme)
        if end is None:
            raise ValueError(f"period {upto!r} does not exist in the {scheme.value} scheme")
        periods = scheme.periods[: end + 1]
        if type(upto) is str:
            _UPTO[upto, scheme] = periods
    codes = scheme.periods
    by_code = values if all(type(key) is str and key in codes for key in values) \
        else _normalise_periods(values, scheme)
    polaritas = _member(Polarity, indicator.polaritas)
    answers, filled = _filled([by_code.get(p) for p in periods], polaritas)
    return _upto(answers, filled, None, periods, indicator, scheme, polaritas, cap,
                 target_period, midyear)[0]


def _upto(answers: bool, filled: list, total: object, periods: tuple, indicator: Indicator,
          scheme: PeriodScheme, polaritas: Polarity, cap: float,
          target_period: str | None, midyear: MidYear) -> tuple:
    """(:func:`capaian_upto` of the ``filled`` periods — ``total``: their aggregate when
    known —, the target it compared with: None for answers or nothing filled)."""
    if not filled:
        return None, None
    if polaritas is Polarity.YA_TIDAK:  # each period's capaian (Ya 100, Tidak 0), then
        cap = _check_cap(cap)
        scores = [_capaian(v, indicator.target, polaritas, cap) for _, v in filled]
        if _member(Aggregation, indicator.agregasi) is Aggregation.RATA_RATA:  # their mean
            return math.fsum(scores) / len(scores), None
        return scores[-1], None  # terakhir (jumlah, refused by validate, behaves the same)
    summed = _member(Aggregation, indicator.agregasi) is Aggregation.JUMLAH
    last = target_period if target_period is not None and summed else periods[filled[-1][0]]
    if total is None:
        total = _aggregate_filled(answers, filled, indicator.agregasi)
    target = indicator.target if not (summed or indicator.period_targets) and type(
        midyear) is MidYear else _effective_target(indicator, last, scheme, midyear)
    return _capaian(total, target, polaritas, _check_cap(cap)), target  # in capaian's order


def upto_figures(values: Mapping[str, object], upto: str, indicator: Indicator,
                 scheme: PeriodScheme, cap: float = DEFAULT_CAP, *,
                 target_period: str | None = None,
                 midyear: MidYear = MidYear.PROPORSIONAL) -> tuple:
    """A recap's figures of one indikator in one pass over its row (``values``: the first
    periods, in order): (:func:`aggregate` of the values, :func:`capaian_upto`, the
    progress — the aggregate's :func:`capaian`; for answers the capaian — and whether
    both came). An aggregate's ValueError is raised; a capaian's gives (total, the
    capaian when it came, None, False)."""
    polaritas = _member(Polarity, indicator.polaritas)
    answers, filled = _filled(list(values.values()), polaritas)
    total = _aggregate_filled(answers, filled, indicator.agregasi) if filled else None
    periods = _UPTO.get((upto, scheme)) if type(upto) is str and type(
        scheme) is PeriodScheme else None
    value = None
    try:
        if periods is None or tuple(values) != scheme.periods[:len(values)]:
            value = capaian_upto(values, upto, indicator, scheme, cap,  # not a recap's row
                                 target_period=target_period, midyear=midyear)
            target = None
        else:  # the row's filled periods up to ``upto``: capaian_upto's
            end = len(periods)
            upto_filled = filled if not filled or filled[-1][0] < end else \
                [(i, v) for i, v in filled if i < end]
            whole = upto_filled is filled
            value, target = _upto(answers, upto_filled, total if whole else None, periods,
                                  indicator, scheme, polaritas, cap, target_period, midyear)
            if whole and (target is indicator.target or target is not None
                          and target == indicator.target):
                return total, value, value, True  # the same sum against the same target
        return total, value, value if isinstance(total, str) else _capaian(
            total, indicator.target, polaritas, _check_cap(cap)), True
    except ValueError:
        return total, value, None, False


# What capaian_upto asks again and again (a recap: 250,000 calls): the periods up to a
# period code, and the effective target of an indikator without per-period targets, which
# depends on its target, polaritas and agregasi alone (a few hundred distinct ones).
_UPTO: dict[tuple[str, PeriodScheme], tuple[str, ...]] = {}
_TARGETS: dict[tuple, Target] = {}


def _effective_target(indicator: Indicator, period: str, scheme: PeriodScheme,
                      midyear: MidYear) -> Target:
    if indicator.period_targets or type(period) is not str:
        return effective_target(indicator, period, scheme, midyear)
    key = (indicator.target, indicator.polaritas, indicator.agregasi, period, scheme,
           midyear)
    target = _TARGETS.get(key)
    if target is None:
        target = effective_target(indicator, period, scheme, midyear)
        if len(_TARGETS) >= 10_000:
            _TARGETS.clear()
        _TARGETS[key] = target
    return target


# --------------------------------------------------------------------------- constants


def excel_number(x: float) -> str:
    """A number as a formula constant: plain decimal, no exponent, parses back to the same
    float (``1e-05`` → ``0.00001``, ``120.0`` → ``120``). Safe in every spreadsheet."""
    return _format_constant(x)


def _format_constant(x: float) -> str:
    """A float as a plain decimal that parses back to the same float (no exponent)."""
    x = float(x)
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = format(Decimal(repr(x)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# --------------------------------------------------------------------------- live formula


def _scheme_for(n: int) -> PeriodScheme:
    for scheme in PeriodScheme:
        if len(scheme.periods) == n:
            return scheme
    raise ValueError(f"{n} realisasi cells match no period scheme (4, 2 or 1 cells)")


def _f(x: float) -> str:
    return _format_constant(x)


def _fx_maksimal(a: str, t: float, cap: float) -> str:
    if t == 0:
        return f"IF({a}>=0,{_f(min(cap, FULL))},0)"
    return f"MAX(0,MIN({_f(cap)},{a}/{_f(t)}*100))"


def _fx_minimal(a: str, t: float, cap: float) -> str:
    if t == 0:
        return f"IF({a}<=0,{_f(min(cap, FULL))},0)"
    return f"MAX(0,MIN({_f(cap)},(2*{_f(t)}-{a})/{_f(t)}*100))"


def _fx_body(a: str, target: Target, polaritas: Polarity, cap: float) -> str:
    """Capaian of aggregate expression ``a`` (known to be filled) against ``target``."""
    if polaritas is Polarity.RENTANG:
        lo, hi = _target_range(target)
        return (f"IF({a}>{_f(hi)},{_fx_maksimal(a, hi, cap)},"
                f"IF({a}<{_f(lo)},{_fx_maksimal(a, lo, cap)},{_f(min(cap, FULL))}))")
    t = _target_value(target)
    if polaritas is Polarity.MINIMAL:
        return _fx_minimal(a, t, cap)
    return _fx_maksimal(a, t, cap)


def capaian_formula(cells: Sequence[str], indicator: Indicator, cap: float = DEFAULT_CAP,
                    scheme: PeriodScheme | None = None, *, flag: str | None = None,
                    warning: str = "", midyear: MidYear = MidYear.PROPORSIONAL) -> str:
    """Excel formula computing the indicator's capaian from the form's checked realisasi.

    ``cells`` are, in period order, the cells holding each period's realisasi as the recap
    reads it (``["W14", "Z14", …]``: the form's hidden helper cells, see
    :mod:`iki_xlsx.forms.liveform`): a number, or ``""`` when not filled; for a ``ya/tidak``
    indicator the period's capaian (Ya → 100, Tidak → 0, capped). ``scheme`` defaults to
    the one with that many periods. The formula gives exactly ``capaian_upto(values, last
    period, indicator, scheme, cap, midyear=midyear)`` (the targets of each period
    embedded as constants), and ``""`` while no period is filled; with ``flag``
    (a cell counting the periods the recap would refuse), ``warning`` while it is not 0.
    It uses only functions every spreadsheet evaluates the same way (IF, AND, OR, COUNT,
    SUM, AVERAGE, MIN, MAX, ISNUMBER), with the targets embedded as constants.
    """
    cap = _check_cap(cap)
    cells = [str(c).strip().lstrip("=") for c in cells]
    if not cells or any(not c for c in cells):
        raise ValueError("capaian_formula needs one realisasi cell reference per period")
    scheme = PeriodScheme(scheme) if scheme is not None else _scheme_for(len(cells))
    periods = scheme.periods
    if len(cells) != len(periods):
        raise ValueError(f"{len(cells)} cells for the {len(periods)} periods of "
                         f"{scheme.value}")
    polaritas = Polarity(indicator.polaritas)
    agregasi = Aggregation(indicator.agregasi)
    args = ",".join(cells)
    count = f"COUNT({args})"

    def filled(c: str) -> str:
        return f"ISNUMBER({c})"

    if polaritas is Polarity.YA_TIDAK:
        # The cells already hold each period's capaian: average them, or take the last.
        if agregasi is Aggregation.RATA_RATA:
            expr = f"AVERAGE({args})"
        else:
            expr = cells[0]
            for c in cells[1:]:
                expr = f"IF({filled(c)},{c},{expr})"
        return _wrap(count, expr, flag, warning)
    targets = [effective_target(indicator, p, scheme, midyear) for p in periods]
    if agregasi is Aggregation.TERAKHIR:
        # One branch per last filled period: the aggregate is that cell itself.
        branches = [(filled(c), _fx_body(c, t, polaritas, cap))
                    for c, t in zip(cells, targets)]
    else:
        total = f"SUM({args})" if agregasi is Aggregation.JUMLAH else f"AVERAGE({args})"
        # Group consecutive periods sharing a target; pick the group of the last filled one.
        groups: list[tuple[list[str], Target]] = []
        for c, t in zip(cells, targets):
            if groups and (groups[-1][1].value, groups[-1][1].low, groups[-1][1].high) == (
                    t.value, t.low, t.high):
                groups[-1][0].append(c)
            else:
                groups.append(([c], t))
        branches = []
        for members, t in groups:
            conds = [filled(c) for c in members]
            cond = conds[0] if len(conds) == 1 else f"OR({','.join(conds)})"
            branches.append((cond, _fx_body(total, t, polaritas, cap)))
    # Latest first; the earliest branch needs no test (something is filled).
    expr = branches[0][1]
    for cond, body in branches[1:]:
        expr = f"IF({cond},{body},{expr})"
    return _wrap(count, expr, flag, warning)


def _wrap(count: str, expr: str, flag: str | None, warning: str) -> str:
    body = f'IF({count}=0,"",{expr})'
    if flag:
        return f'=IF({flag}>0,"{warning.replace(chr(34), chr(34) * 2)}",{body})'
    return "=" + body

"""upto_figures — the recap's one pass over an indikator's row — gives exactly what
aggregate, capaian_upto and capaian give one after the other (the recap's way before it),
errors included, on generated rows: numbers, answers, text, blanks, non-finite numbers,
per-period targets, pro-rated sums, bad targets and caps, rows not in period order."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from iki_xlsx.core.capaian import (
    aggregate,
    capaian,
    capaian_upto,
    effective_target,
    parse_period,
    period_index,
    upto_figures,
)
from iki_xlsx.core.model import (
    Aggregation,
    Indicator,
    MidYear,
    PeriodScheme,
    Polarity,
    Target,
    parse_number,
)


def _number(v):
    if type(v) is float:
        return v if math.isfinite(v) else None
    if v is None or isinstance(v, bool) or (isinstance(v, str) and not v.strip()):
        return None
    return parse_number(v)


def _capaian_upto_as_it_was(values, upto, ind, scheme, cap, target_period, midyear):
    """capaian_upto as core/capaian.py had it at 875475e, from public functions only."""
    scheme = PeriodScheme(scheme)
    end = period_index(upto, scheme)
    if end is None:
        raise ValueError(upto)
    periods = scheme.periods[: end + 1]
    if all(type(key) is str and key in scheme.periods for key in values):
        by_code = dict(values)
    else:
        by_code = {parse_period(k, scheme): v for k, v in values.items()
                   if parse_period(k, scheme) is not None}
    row = [by_code.get(p) for p in periods]
    polaritas = Polarity(ind.polaritas)
    if polaritas is Polarity.YA_TIDAK:
        filled = [i for i, v in enumerate(row) if not (
            v is None or (isinstance(v, str) and not v.strip()))]
    else:
        filled = [i for i, v in enumerate(row) if _number(v) is not None]
    if not filled:
        return None
    if polaritas is Polarity.YA_TIDAK:
        scores = [capaian(row[i], ind.target, polaritas, cap) for i in filled]
        if Aggregation(ind.agregasi) is Aggregation.RATA_RATA:
            return math.fsum(scores) / len(scores)
        return scores[-1]
    last = periods[filled[-1]]
    if target_period is not None and Aggregation(ind.agregasi) is Aggregation.JUMLAH:
        last = target_period
    return capaian(aggregate(row, ind.agregasi, polaritas),
                   effective_target(ind, last, scheme, midyear), polaritas, cap)


def _separately(values, upto, ind, scheme, cap, target_period, midyear):
    """What the recap did before upto_figures (recap/build.py at 875475e)."""
    total = aggregate(list(values.values()), ind.agregasi, ind.polaritas)
    value = progress = None
    try:
        value = _capaian_upto_as_it_was(values, upto, ind, scheme, cap, target_period,
                                        midyear)
        progress = value if isinstance(total, str) else capaian(total, ind.target,
                                                                ind.polaritas, cap)
    except ValueError:
        return total, value, None, False
    return total, value, progress, True


def _same(a, b) -> bool:
    """Equal, and of the same type (85 is not 85.0 here; NaN is itself)."""
    return type(a) is type(b) and repr(a) == repr(b)


realisasi = st.one_of(
    st.none(), st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.sampled_from([float("nan"), float("inf"), -0.0, 0.0, 1e308, "", " ", "85", "85,5",
                     "1.234,5", "abc", "Ya", "ya ", "Tidak", "TIDAK", "mungkin", True, False,
                     3, 0]))
targets = st.one_of(
    st.builds(lambda v: Target(repr(v), value=v),
              st.one_of(st.just(0.0), st.floats(min_value=1e-3, max_value=1e6))),
    st.builds(lambda lo, hi: Target(f"{lo}-{hi}", low=lo, high=hi),
              st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=200)),
    st.sampled_from([Target("Ya"), Target("-1", value=-1.0),
                     Target("nan", value=float("nan")), Target("")]))
period_targets = st.dictionaries(
    st.sampled_from(["TW1", "TW2", "TW3", "TW4", "S1", "S2", "TAHUNAN", "tw 2"]),
    st.one_of(st.floats(min_value=0, max_value=1e4), st.sampled_from(["50", "x", True])),
    max_size=3)


@st.composite
def rows(draw):
    scheme = draw(st.sampled_from(list(PeriodScheme)))
    periods = scheme.periods
    shown = draw(st.integers(1, len(periods)))
    keys = list(periods[:shown])
    if draw(st.integers(0, 9)) == 0:  # now and then not a recap's row
        keys = draw(st.permutations(keys + ["TW 2", "S1", "x"]))[:shown + 1]
    values = {k: draw(realisasi) for k in keys}
    upto = draw(st.sampled_from([*periods, *periods[:shown], "TW5", None]))
    target_period = draw(st.sampled_from([None, upto, periods[-1]]))
    ind = Indicator("1", "s", "i", "", "", "%", draw(targets),
                    draw(st.sampled_from(list(Polarity))),
                    draw(st.sampled_from(list(Aggregation))), draw(period_targets))
    cap = draw(st.sampled_from([120.0, 100.0, 150, 0.0, float("nan")]))
    midyear = draw(st.sampled_from([*MidYear, *(m.value for m in MidYear), "x"]))
    return values, upto, ind, scheme, cap, target_period, midyear


@settings(max_examples=1500, deadline=None)
@given(case=rows())
def test_upto_figures_equal_the_three_functions(case):
    try:
        want = _separately(*case)
    except (ValueError, OverflowError) as e:  # an aggregate's error is raised, as before
        want = e
    values, upto, ind, scheme, cap, target_period, midyear = case
    try:  # capaian_upto itself (it shares its tail with upto_figures) is as it was
        now = capaian_upto(values, upto, ind, scheme, cap, target_period=target_period,
                           midyear=midyear)
    except (ValueError, OverflowError) as e:
        now = type(e)
    try:
        was = _capaian_upto_as_it_was(*case)
    except (ValueError, OverflowError) as e:
        was = type(e)
    assert now is was or _same(now, was), (case, now, was)
    for _ in range(2):  # the second time with what the first one left cached
        try:
            got = upto_figures(values, upto, ind, scheme, cap, target_period=target_period,
                               midyear=midyear)
        except (ValueError, OverflowError) as e:
            assert type(want) is type(e), (case, e)
            continue
        assert not isinstance(want, Exception), (case, got)
        assert all(_same(a, b) for a, b in zip(got, want)), (case, got, want)


def test_upto_figures_of_a_recap_row():
    """The short path itself, on rows a recap gives (numbers, periods in order)."""
    ind = Indicator("1", "s", "i", "", "", "%", Target("100", value=100.0),
                    Polarity.MAKSIMAL, Aggregation.JUMLAH)
    tw = PeriodScheme.TRIWULAN
    values = {"TW1": 30.0, "TW2": 20.0}
    assert capaian_upto(values, "TW2", ind, tw) is not None  # the periods s.d. TW2 known
    assert upto_figures(values, "TW2", ind, tw, target_period="TW2") == (
        50.0, 100.0, 50.0, True)  # 50 of a half-year target of 50; of the year's 100: 50 %
    avg = Indicator("1", "s", "i", "", "", "%", Target("80", value=80.0),
                    Polarity.MINIMAL, Aggregation.RATA_RATA)
    assert upto_figures(values, "TW2", avg, tw, target_period="TW2") == (
        25.0, 120.0, 120.0, True)  # (2 × 80 − 25) / 80 = 168.75 %, capped
    assert upto_figures({"TW1": 30.0, "TW2": None}, "TW1", avg, tw) == (
        30.0, 120.0, 120.0, True)
    assert upto_figures({"TW1": None, "TW2": 90.0}, "TW1", avg, tw) == (
        90.0, None, 87.5, True)  # nothing s.d. TW1; the year: (160 − 90) / 80

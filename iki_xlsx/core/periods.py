"""Periods as people write them: ``TW II``, ``triwulan ke-2``, ``Semester I``, ``2`` →
the period code of a scheme (``TW2``, ``S1``, ``TAHUNAN``)."""

from __future__ import annotations

import re

from .model import PeriodScheme

__all__ = ["parse_period", "period_index"]


def _scheme(scheme: object) -> PeriodScheme:
    return scheme if type(scheme) is PeriodScheme else PeriodScheme(scheme)


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_PERIOD = re.compile(
    r"^(?:(?:s\.?\s*d\.?|s/d|sampai\s+dengan)\s*)?"   # "s.d. TW II"
    r"(?P<kind>triwulan|trw|tw|kuartal|q|semester|smt|sem|s)?"
    r"\s*[-.:]?\s*(?:ke\s*[-.]?\s*)?"
    r"(?P<num>\d+|iv|iii|ii|i)$")
_ANNUAL = re.compile(r"^(?:tahunan|tahun|setahun|annual|th)$")
_KINDS = {"triwulan": PeriodScheme.TRIWULAN, "trw": PeriodScheme.TRIWULAN,
          "tw": PeriodScheme.TRIWULAN, "kuartal": PeriodScheme.TRIWULAN,
          "q": PeriodScheme.TRIWULAN, "semester": PeriodScheme.SEMESTER,
          "smt": PeriodScheme.SEMESTER, "sem": PeriodScheme.SEMESTER,
          "s": PeriodScheme.SEMESTER}


def parse_period(text: object, scheme: PeriodScheme) -> str | None:
    """The period code (``TW2``, ``S1``, ``TAHUNAN``) of a period as people write it.

    Triwulan: ``TW2``, ``TW II``, ``tw 2``, ``Triwulan II``, ``triwulan ke-2``, ``2``;
    semester: ``S1``, ``Semester I``, ``SEM 1``, ``1``; annual: ``TAHUNAN``, ``tahun``.
    A bare number means the n-th period of the scheme. None when the text is not a period
    of ``scheme`` (``TW2`` in a semester scheme, ``TW5``, ``S1`` in a triwulan scheme).
    """
    scheme = _scheme(scheme)
    if isinstance(text, str) and text in scheme.periods:  # already a code: the hot path
        return text
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    key = re.sub(r"\s+", " ", str(text).strip().casefold())
    if key in (p.casefold() for p in scheme.periods):
        return next(p for p in scheme.periods if p.casefold() == key)
    if _ANNUAL.match(key):
        return "TAHUNAN" if scheme is PeriodScheme.TAHUNAN else None
    m = _PERIOD.match(key)
    if not m:
        return None
    kind = m["kind"]
    if kind is not None and _KINDS[kind] is not scheme:
        return None
    num = m["num"]
    n = _ROMAN[num] if num in _ROMAN else int(num)
    if scheme is PeriodScheme.TAHUNAN:
        return None
    if not 1 <= n <= len(scheme.periods):
        return None
    return scheme.periods[n - 1]


def period_index(text: object, scheme: PeriodScheme) -> int | None:
    """0-based position of a period in ``scheme`` (``TW3`` → 2), None when not a period."""
    code = parse_period(text, scheme)
    return None if code is None else _scheme(scheme).periods.index(code)

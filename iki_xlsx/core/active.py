"""When a form counts (issue 11): the master's optional ``Mulai`` and ``Selesai`` of a
(NIP, Kode IKI) row, each a period (``TW3``, ``TW III``, ``Semester 2``) or a date (TMT)
mapped to the period it falls in.

A form counts only for its active periods: a Plt. from TW2 to TW3, a pegawai moving to
another position at TW3 (the old form ends at TW2, the new one starts at TW3), a new
pegawai from TW2. Pure functions; the ledger keeps the periods per form
(:meth:`iki_xlsx.workspace.issued.IssuedForms.record_year`).
"""

from __future__ import annotations

from datetime import date, datetime

from .capaian import parse_period
from .model import PeriodScheme, Settings
from .timeline import END_MONTH


def period_of(value: object, text: str, settings: Settings,
              parse_date) -> tuple[str | None, tuple | None]:
    """(period code, None) of a Mulai / Selesai cell (``value`` as read, ``text`` as
    shown), or (None, (problem code, params)). ``parse_date``: the master's date reader."""
    scheme = PeriodScheme(settings.periode)
    when = value if isinstance(value, (date, datetime)) else None
    if when is None and any(ch in text for ch in "-/") or (
            when is None and len(text.split()) == 3 and text.split()[0].isdigit()):
        when = parse_date(text)
        if when is None:
            return None, ("aktif_tanggal_salah", {"value": text})
    if when is not None:
        when = when.date() if isinstance(when, datetime) else when
        if when.year != settings.tahun:
            return None, ("aktif_di_luar_tahun", {"value": when.strftime("%d-%m-%Y"),
                                                  "tahun": settings.tahun})
        return period_of_month(when.month, scheme), None
    code = parse_period(text, scheme)
    if code is None:
        return None, ("aktif_periode_salah", {"value": text,
                                              "pilihan": ", ".join(scheme.periods)})
    return code, None


def period_of_month(month: int, scheme: PeriodScheme) -> str:
    """The period of ``scheme`` that holds ``month`` (TMT 1 Agustus → TW3)."""
    return next(p for p in PeriodScheme(scheme).periods if END_MONTH[p] >= month)


def last_active(periods: list[str] | None, upto: str | None,
                scheme_periods: tuple[str, ...]) -> str | None:
    """The last period ≤ ``upto`` in which the form was active (its capaian s.d. there)."""
    if upto is None:
        return None
    if periods is None:
        return upto
    shown = scheme_periods[: scheme_periods.index(upto) + 1]
    got = [p for p in shown if p in periods]
    return got[-1] if got else None


def ended_by(when: str | None, tahun: int, scheme_periods: tuple[str, ...],
             active: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The periods of ``scheme_periods`` (within ``active``, when given) that had ended by
    the time ``when`` (ISO): those a form withdrawn then counted in. A time that cannot
    be read keeps them all."""
    try:
        at = datetime.fromisoformat(str(when)[:10]).date()
    except ValueError:
        at = None
    return tuple(p for p in scheme_periods if (active is None or p in active) and (
        at is None or at.year > tahun or (at.year == tahun and at.month > END_MONTH[p])))

"""The portal's officer page computed the long way, for comparison: every form's year
resolved value by value and every collected file read (as the page was made before it
took the statuses of forms without decisions from the bits their files filled)."""

from __future__ import annotations

from iki_xlsx.core.matching import indicator_id
from iki_xlsx.core.model import format_nip
from iki_xlsx.core.problems import ACCEPTED
from iki_xlsx.core.texts import get_texts
from iki_xlsx.core.timeline import END_MONTH, KOSONG, TIDAK_AKTIF, load_years, period_statuses
from iki_xlsx.portal.status import LATEST, overview


def reference(ws, period: str | None) -> dict:
    years_in = ws.issued.years()
    tahun = years_in[-1] if years_in else None
    forms = ws.issued.forms(tahun) if tahun is not None else []
    years = load_years(ws, tahun, forms)
    shapes = ws.issued.shapes(forms)
    _, statuses = period_statuses(years, shapes, upto_month=12)
    codes = sorted({p for periods, _ in shapes.values() for p in periods},
                   key=lambda p: (END_MONTH.get(p, 13), p))
    if period not in codes:
        filled = [p for y in years.values() for (_, p) in y.values]
        period = max(filled, key=lambda p: END_MONTH.get(p, 0)) if filled else \
            (codes[0] if codes else None)
    shown = []
    for f in forms:
        status = statuses.get(f.form_id, {}).get(period)
        if status is None or status == TIDAK_AKTIF:
            continue
        ids = [indicator_id(i) for i in range(shapes[f.form_id].count)]
        shown.append((f.nama, format_nip(f.nip), "belum" if status == KOSONG else status,
                      years[f.form_id].verification_status(period, ids)))
    rows = [r for r in ws.files.all() if r.tahun in (None, tahun)]
    return {"period": period, "forms": sorted(shown),
            "latest": [r.sha256 for r in reversed(rows[-LATEST:])],
            "problems": [r.sha256 for r in reversed(rows)
                         if r.problems or r.status not in ACCEPTED]}


def page(ws, period: str | None) -> dict:
    o = overview(ws, get_texts(), period)
    shown = sorted((row["nama"], row["nip"], row["status"], row["verifikasi"])
                   for g in o.units for row in g.forms)
    assert sorted((row["nama"], row["nip"], row["status"], row["verifikasi"])
                  for g in o.atasan for row in g.forms) == shown
    return {"period": o.period, "forms": shown, "latest": [r.sha256 for r in o.latest],
            "problems": [r.sha256 for r in o.problem_files]}


def assert_same_page(ws) -> int:
    """The officer's page equals the long way for every period it offers (and none
    chosen); returns how many forms' verification states it showed."""
    checked = 0
    o = overview(ws, get_texts())
    for period in [None, *o.periods]:
        want, got = reference(ws, period), page(ws, period)
        assert got == want, period
        checked += sum(1 for *_, check in got["forms"] if check)
    return checked

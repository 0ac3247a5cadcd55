"""Re-issue with earlier periods filled in (issue 11): ``generate --terisi-sampai TW2``.

Each form carries the realisasi and keterangan counted so far (the ledger's resolved
year, :mod:`iki_xlsx.core.timeline`) for the closed periods: realisasi locked, only the open
periods yellow; the keterangan written in its (still open) cell, to be extended. The
form's live capaian formulas then cover the year so far. The values are *not* part of
the form's locked content (its content hash): a re-issue is not a revision.

The closed periods and their values go into the signed manifest (``terisi``); a returned
re-issued file's values for those periods are not taken from the file — the ledger's
stand — and an altered one is noted (:func:`closed_in_file`).

This module only adds to a built :class:`~iki_xlsx.forms.layout.FormLayout` (cells, inputs)
after its content hash is taken; the layout itself is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.model import Form, PeriodScheme
from ..core.show import decimals_shown, period_label
from . import layout as L

MANIFEST_KEY = "terisi"


def closed_periods(scheme: PeriodScheme, upto: str) -> list[str]:
    periods = list(PeriodScheme(scheme).periods)
    return periods[: periods.index(upto) + 1]


def filled_for(form: Form, year, current_indicators: list | None, upto: str) -> dict:
    """What a re-issued form carries: {"periods": closed periods, "values": {indikator
    id: {period: value}}, "keterangan": {id: text}}, the ids those of ``form`` (matched
    to the current revision's indikator, ``current_indicators``, by
    :func:`iki_xlsx.core.timeline.match_indicators`). ``year``: the form's FormYear (None for
    a new form: nothing filled, the periods still closed)."""
    from ..core.timeline import match_indicators

    periods = closed_periods(form.settings.periode, upto)
    values: dict[str, dict] = {}
    notes: dict[str, str] = {}
    if year is not None and current_indicators is not None:
        new = [{"no": i.no, "sasaran": i.sasaran, "indikator": i.indikator}
               for i in form.iki.indicators]
        pairs = match_indicators(current_indicators, new).pairs  # current id → new id
        for cur, nid in pairs.items():
            got = {p: year.value(cur, p) for p in periods
                   if year.value(cur, p) is not None}
            if got:
                values[nid] = got
            note = year.keterangan.get(cur)
            if note is not None and note.value not in (None, ""):
                notes[nid] = str(note.value)
    return {"periods": periods, "values": values, "keterangan": notes}


def apply(lay: L.FormLayout, filled: Mapping) -> None:
    """Write the closed periods into the layout: their realisasi cells locked (with
    the value, when there is one), the keterangan prefilled in its open cell."""
    closed = set(filled["periods"])
    values, notes = filled["values"], filled["keterangan"]
    by_row = {ic.row: ic for ic in lay.indicators}
    col_period = dict(zip(lay.realisasi_cols, lay.periods))
    keep = []
    for r, c, kind in lay.inputs:
        ic = by_row.get(r)
        period = col_period.get(c)
        if ic is not None and period in closed:
            value = values.get(ic.id, {}).get(period)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                lay.cells.append(L.Cell(r, c, value, f"td_target_{decimals_shown(value)}"))
            elif value is not None:
                lay.cells.append(L.Cell(r, c, value, "td_center"))
            continue  # locked (the sheet is protected), not yellow
        if ic is not None and c == lay.keterangan_col and notes.get(ic.id):
            lay.cells.append(L.Cell(r, c, notes[ic.id], "input_text"))
            continue
        keep.append((r, c, kind))
    lay.inputs = keep


def manifest_part(filled: Mapping, lay: L.FormLayout) -> dict:
    """The manifest's ``terisi``: the closed periods, the values filled in, and the
    cell of the note under the table (not part of the locked content)."""
    return {"periods": list(filled["periods"]),
            "values": {k: dict(v) for k, v in filled["values"].items()},
            "catatan": L.cell_ref(lay.last_row + 2, 0)}


def drop_note(locked: dict | None, manifest: Mapping | None) -> None:
    """Take the re-issue note out of a file's locked cells (before they are compared
    with, or hashed as, the issued content)."""
    part = closed_in_file(manifest)
    ref = part.get("catatan") if part else None
    if locked is not None and isinstance(ref, str):
        locked.pop(ref, None)


def closed_in_file(manifest: Mapping | None) -> dict | None:
    """The ``terisi`` part of a returned file's signed manifest, when well formed."""
    part = (manifest or {}).get(MANIFEST_KEY)
    if not isinstance(part, dict) or not isinstance(part.get("periods"), list) or \
            not isinstance(part.get("values"), dict):
        return None
    return part


def drop_closed(realisasi: dict, part: Mapping) -> list[tuple[str, str, object, object]]:
    """Take the closed periods' values out of a re-issued file's realisasi (the
    ledger's stand); the (indikator id, period, in the file, as issued) that differ."""
    closed = set(part["periods"])
    issued = part["values"]
    altered = []
    for ind, entry in realisasi.items():
        if not isinstance(entry, dict):
            continue
        real = entry.get("realisasi") or {}
        for period in [p for p in real if p in closed]:
            got, want = real.pop(period), (issued.get(ind) or {}).get(period)
            if got != want and not _same_number(got, want):
                altered.append((ind, period, got, want))
    return altered


def _same_number(a, b) -> bool:
    try:
        return a is not None and b is not None and float(a) == float(b)
    except (TypeError, ValueError):
        return False


def describe(lay: L.FormLayout, filled: Mapping, texts) -> dict:
    """What the form and its Petunjuk say: the closed periods (filled, locked) and the
    open ones to fill; a line under the form's table says it too."""
    closed = [period_label(texts, p) for p in filled["periods"]]
    open_ = [period_label(texts, p) for p in lay.periods if p not in filled["periods"]]
    info = {"terisi": closed, "isi": open_}
    text = texts.t("terbit_ulang.catatan_formulir", terisi=", ".join(closed),
                   isi=", ".join(open_))
    lay.cells.append(L.Cell(lay.last_row + 2, 0, text, "label_bold"))
    return info


def fill_jobs(ws, jobs: list, upto_text: str) -> None:
    """Set ``filled`` on each generate job: the ledger's counted values of its form for
    the periods s.d. ``upto_text`` (a new form: nothing, the periods still closed)."""
    from ..core.capaian import parse_period
    from ..core.timeline import load_years

    if not jobs:
        return
    scheme = jobs[0].form.settings.periode
    tahun = jobs[0].form.settings.tahun
    upto = parse_period(upto_text, scheme)
    if upto is None:
        raise ValueError(upto_text)
    current = {f.form_id: f for f in ws.issued.forms(tahun)} if ws.has_key() else {}
    years = load_years(ws, tahun, list(current.values())) if current else {}
    indicators = {}
    if current:
        for form_id, rev, inds in ws.issued.indicators(tahun, list(current)):
            if current[form_id].revision == rev:
                indicators[form_id] = inds
    for job in jobs:
        job.filled = filled_for(job.form, years.get(job.form_id),
                                indicators.get(job.form_id), upto)

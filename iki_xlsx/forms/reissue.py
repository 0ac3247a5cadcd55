"""Re-issue with earlier periods filled in (issue 11): ``generate --terisi-sampai TW2``.

Each form carries the realisasi and keterangan counted so far (the ledger's resolved
year, :mod:`iki_xlsx.core.timeline`) for the closed periods: realisasi locked, only the open
periods yellow; the keterangan written in its (still open) cell, to be extended. The
form's live capaian formulas then cover the year so far. The values are *not* part of
the form's locked content (its content hash): a re-issue is not a revision.

The closed periods and their values go into the signed manifest (``terisi``); a returned
re-issued file's values for those periods are not taken from the file — the ledger's
stand — and an altered one is noted (:func:`closed_in_file`).

Issue 26: an indikator the atasan returned (*Kembalikan*) is marked in a column beside
the table with the atasan's umpan balik, and its realisasi stays open (prefilled) even
in a closed period, for the pegawai to correct; the marks are not issued content either
(the manifest lists them, ``tanda``, and a returned file's are set aside like the note).

This module only adds to a built :class:`~iki_xlsx.forms.layout.FormLayout` (cells, inputs)
after its content hash is taken; the layout itself is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.model import Form, PeriodScheme
from ..core.show import period_label
from ..core.timeline import DIKEMBALIKAN
from . import layout as L

MANIFEST_KEY = "terisi"
MARK_WIDTH = 30  # the column of the atasan's umpan balik (issue 26)


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
    returned: dict[str, list] = {}  # issue 26: new id → [[period, umpan balik], …]
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
            back = [[p, check[1].note] for p in form.settings.periode.periods
                    for check in [year.checks.get((cur, p))]
                    if check is not None and check[0] == DIKEMBALIKAN]
            if back:
                returned[nid] = back
    return {"periods": periods, "values": values, "keterangan": notes,
            "kembali": returned}


def apply(lay: L.FormLayout, filled: Mapping) -> None:
    """Write the closed periods into the layout: their realisasi cells locked (with
    the value, when there is one), the keterangan prefilled in its open cell."""
    closed = set(filled["periods"])
    values, notes = filled["values"], filled["keterangan"]
    reopened = open_cells(filled)
    by_row = {ic.row: ic for ic in lay.indicators}
    col_period = dict(zip(lay.realisasi_cols, lay.periods))
    keep = []
    for r, c, kind in lay.inputs:
        ic = by_row.get(r)
        period = col_period.get(c)
        if ic is not None and period in closed:
            value = values.get(ic.id, {}).get(period)
            if (ic.id, period) in reopened:  # returned by the atasan: open, prefilled
                if value is None:
                    keep.append((r, c, kind))
                else:
                    style = "input_choice" if kind == "choice" else "input_number"
                    lay.cells.append(L.Cell(r, c, value, style))
                continue
            if value is not None:
                lay.cells.append(L.Cell(r, c, value, "td_center"))
            continue  # locked (the sheet is protected), not yellow
        if ic is not None and c == lay.keterangan_col and notes.get(ic.id):
            lay.cells.append(L.Cell(r, c, notes[ic.id], "input_text"))
            continue
        keep.append((r, c, kind))
    lay.inputs = keep


def open_cells(filled: Mapping) -> set[tuple[str, str]]:
    """(indikator id, period) of the cells the atasan returned (issue 26)."""
    return {(ind, p) for ind, items in (filled.get("kembali") or {}).items()
            for p, _ in items}


def manifest_part(filled: Mapping, lay: L.FormLayout) -> dict:
    """The manifest's ``terisi``: the closed periods, the values filled in (the cells
    left open for the pegawai to correct are not), the cell of the note under the table
    and the atasan's marks (none is part of the locked content)."""
    reopened = open_cells(filled)
    values = {k: {p: v for p, v in items.items() if (k, p) not in reopened}
              for k, items in filled["values"].items()}
    return {"periods": list(filled["periods"]),
            "values": {k: v for k, v in values.items() if v},
            "terbuka": sorted([k, p] for k, p in reopened),
            "tanda": mark_cells(lay, filled),
            "catatan": L.cell_ref(lay.last_row + 2, 0)}


def mark_cells(lay: L.FormLayout, filled: Mapping) -> list[str]:
    """Where the atasan's marks go: the column right of the table, its header cell and
    one cell per returned indikator (issue 26); none when nothing was returned."""
    returned = filled.get("kembali") or {}
    if not returned:
        return []
    col = lay.keterangan_col + 1
    rows = {ic.id: ic.row for ic in lay.indicators}
    return [L.cell_ref(lay.header_rows[0], col)] + [
        L.cell_ref(rows[ind], col) for ind in sorted(returned) if ind in rows]


def add_marks(lay: L.FormLayout, filled: Mapping, texts) -> None:
    """The atasan's umpan balik beside each returned indikator, in red (issue 26)."""
    returned = filled.get("kembali") or {}
    if not returned:
        return
    col = lay.keterangan_col + 1
    h0, h1 = lay.header_rows
    lay.cells.append(L.Cell(h0, col, texts.t("verifikasi.formulir.kolom"), "th", h1, col))
    rows = {ic.id: ic.row for ic in lay.indicators}
    for ind in sorted(returned):
        if ind not in rows:
            continue
        text = "\n".join(texts.t("verifikasi.formulir.tanda", umpan_balik=note,
                                  periode=period_label(texts, p)) for p, note in returned[ind])
        lay.cells.append(L.Cell(rows[ind], col, text, "returned"))
        need = L.height_for(L.text_lines(text, MARK_WIDTH, False))
        lay.heights[rows[ind]] = min(L.MAX_ROW_HEIGHT, max(lay.heights[rows[ind]], need))
    if len(lay.widths) <= col:
        lay.widths.append(MARK_WIDTH)
    lay.last_col = max(lay.last_col, col)


def drop_note(locked: dict | None, manifest: Mapping | None) -> None:
    """Take the re-issue note (and the atasan's marks) out of a file's locked cells
    (before they are compared with, or hashed as, the issued content)."""
    part = closed_in_file(manifest)
    if locked is None or not part:
        return
    ref = part.get("catatan")
    if isinstance(ref, str):
        locked.pop(ref, None)
    marks = part.get("tanda")
    for mark in marks if isinstance(marks, list) else ():
        if isinstance(mark, str):
            locked.pop(mark, None)


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
    reopened = {tuple(x) for x in part.get("terbuka") or () if isinstance(x, list)
                and len(x) == 2}  # issue 26: returned by the atasan, open to correct
    altered = []
    for ind, entry in realisasi.items():
        if not isinstance(entry, dict):
            continue
        real = entry.get("realisasi") or {}
        for period in [p for p in real if p in closed and (ind, p) not in reopened]:
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
    if filled.get("kembali"):  # issue 26
        text += " " + texts.t("verifikasi.formulir.catatan")
        add_marks(lay, filled, texts)
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

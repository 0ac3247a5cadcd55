"""Which realisasi cells of a form are open: re-issue with what was counted filled in
(issue 11, ``generate --terisi-sampai TW2``; issue 23), and the periods outside a form's
Mulai / Selesai.

A re-issued form carries, for the closed periods (s.d. ``--terisi-sampai``), the
realisasi counted so far (the ledger's resolved year, :mod:`iki_xlsx.core.timeline`) and
the keterangan (written in its still open cell, to be extended). Only a cell with a
counted value is locked; a cell of a closed period without one stays open, marked
*terlambat* (its own fill, the note under the table, the Petunjuk): a pegawai who never
sent TW1, or whose TW1 value collect refused, can still report it. Periods the officer
closes explicitly (``--tutup``) are locked whole, blank where nothing was counted. The
form's live capaian formulas then cover the year so far. The values are *not* part of
the form's locked content (its content hash): a re-issue is not a revision.

The closed periods, their values and the cells left open go into the signed manifest
(``terisi``); a returned re-issued file's values for the locked cells are not taken from
the file — the ledger's stand — and an altered one is noted (:func:`drop_closed`).

Every form, re-issued or not, has the cells of periods outside its Mulai / Selesai
locked and grey (:func:`close_inactive`): nothing to fill there.

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
from ..core.show import decimals_shown, period_label
from ..core.textfit import MAX_ROW_HEIGHT, height_for, text_lines
from ..core.timeline import DIKEMBALIKAN
from . import layout as L

MANIFEST_KEY = "terisi"
LATE = {"number": "late_number", "choice": "late_choice"}  # input kinds of a late cell
MARK_WIDTH = 30  # the column of the atasan's umpan balik (issue 26)


def closed_periods(scheme: PeriodScheme, upto: str) -> list[str]:
    periods = list(PeriodScheme(scheme).periods)
    return periods[: periods.index(upto) + 1]


def filled_for(form: Form, year, current_indicators: list | None, upto: str,
               active: tuple | None = None, shut: str | None = None) -> dict:
    """What a re-issued form carries: {"periods": closed periods, "values": {indikator
    id: {period: value}}, "keterangan": {id: text}, "tutup": periods closed whole}, the
    ids those of ``form`` (matched to the current revision's indikator,
    ``current_indicators``, by :func:`iki_xlsx.core.matching.match_indicators`).
    ``year``: the form's FormYear (None for a new form: nothing counted); ``active``:
    the periods the form counts in (None: all year) — values elsewhere are not carried;
    ``shut``: the period s.d. which the officer closes every cell (``--tutup``)."""
    from ..core.matching import match_indicators

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
                   if year.value(cur, p) is not None and (active is None or p in active)}
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
    tutup = closed_periods(form.settings.periode, shut) if shut else []
    return {"periods": periods, "values": values, "keterangan": notes,
            "tutup": [p for p in tutup if p in periods], "kembali": returned}


def close_inactive(lay: L.FormLayout, active: tuple | None) -> list[str]:
    """Lock the realisasi cells of the periods outside ``active`` (grey, not yellow);
    the periods closed so."""
    if active is None:
        return []
    col_period = dict(zip(lay.realisasi_cols, lay.periods))
    keep = []
    for r, c, kind in lay.inputs:
        if c in col_period and col_period[c] not in active:
            lay.cells.append(L.Cell(r, c, None, "td_inactive"))
        else:
            keep.append((r, c, kind))
    lay.inputs = keep
    return [p for p in lay.periods if p not in active]


def apply(lay: L.FormLayout, filled: Mapping) -> dict[str, list[str]]:
    """Write the closed periods into the layout: a cell with a counted value locked
    with it, a cell without one left open and marked late (unless its period is closed
    whole: then locked blank), the keterangan prefilled in its open cell. Returns the
    cells left open: {indikator id: [period, …]}."""
    closed, shut = set(filled["periods"]), set(filled.get("tutup", ()))
    values, notes = filled["values"], filled["keterangan"]
    reopened = open_cells(filled)
    by_row = {ic.row: ic for ic in lay.indicators}
    col_period = dict(zip(lay.realisasi_cols, lay.periods))
    keep, late = [], {}
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
            if value is not None or period in shut:  # locked (the sheet is protected)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    lay.cells.append(L.Cell(r, c, value, f"td_target_{decimals_shown(value)}"))
                else:
                    lay.cells.append(L.Cell(r, c, value, "td_center"))
                continue
            late.setdefault(ic.id, []).append(period)
            kind = LATE.get(kind, kind)
        elif ic is not None and c == lay.keterangan_col and notes.get(ic.id):
            lay.cells.append(L.Cell(r, c, notes[ic.id], "input_text"))
            continue
        keep.append((r, c, kind))
    lay.inputs = keep
    return late


def open_cells(filled: Mapping) -> set[tuple[str, str]]:
    """(indikator id, period) of the cells the atasan returned (issue 26)."""
    return {(ind, p) for ind, items in (filled.get("kembali") or {}).items()
            for p, _ in items}


def manifest_part(filled: Mapping, lay: L.FormLayout, late: Mapping) -> dict:
    """The manifest's ``terisi``: the closed periods, the values filled in (the cells
    the atasan returned, left open for the pegawai to correct, are not), the cells of
    those periods left open for a late value (``terbuka``: their values are read from
    the file), those the atasan returned (``kembali``), the cell of the note under the
    table and the atasan's marks (none is part of the locked content)."""
    reopened = open_cells(filled)
    values = {k: {p: v for p, v in items.items() if (k, p) not in reopened}
              for k, items in filled["values"].items()}
    return {"periods": list(filled["periods"]),
            "values": {k: v for k, v in values.items() if v},
            "terbuka": {k: list(v) for k, v in late.items()},
            "kembali": sorted([k, p] for k, p in reopened),
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
        need = height_for(text_lines(text, MARK_WIDTH, False))
        lay.heights[rows[ind]] = min(MAX_ROW_HEIGHT, max(lay.heights[rows[ind]], need))
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
    """Take the locked cells' values out of a re-issued file's realisasi (the ledger's
    stand; a cell left open for a late value is read as any other); the (indikator id,
    period, in the file, as issued) that differ."""
    closed = set(part["periods"])
    issued = part["values"]
    open_ = part.get("terbuka") if isinstance(part.get("terbuka"), dict) else {}
    reopened = {tuple(x) for x in part.get("kembali") or () if isinstance(x, list)
                and len(x) == 2}  # issue 26: returned by the atasan, open to correct
    altered = []
    for ind, entry in realisasi.items():
        if not isinstance(entry, dict):
            continue
        real = entry.get("realisasi") or {}
        late = open_.get(ind) or ()
        for period in [p for p in real if p in closed and p not in late
                       and (ind, p) not in reopened]:
            got, want = real.pop(period), (issued.get(ind) or {}).get(period)
            if got != want and not _same_number(got, want):
                altered.append((ind, period, got, want))
    return altered


def _same_number(a, b) -> bool:
    try:
        return a is not None and b is not None and float(a) == float(b)
    except (TypeError, ValueError):
        return False


def describe(lay: L.FormLayout, filled: Mapping, late: Mapping, texts,
             active: tuple | None = None) -> dict:
    """What the form, its Petunjuk and the distribution list say: the closed periods
    with counted values (locked), the late cells still open (by period, with the
    indikator numbers), the periods to fill; a line under the form's table says it."""
    counted = {p for v in filled["values"].values() for p in v}
    on = [p for p in lay.periods if active is None or p in active]
    terisi = [period_label(texts, p) for p in filled["periods"] if p in counted]
    isi = [period_label(texts, p) for p in on if p not in filled["periods"]]
    number = {ic.id: str(i) for i, ic in enumerate(lay.indicators, start=1)}
    terlambat = []
    for p in on:
        ids = [number[i] for i, ps in late.items() if p in ps]
        if ids:
            label = period_label(texts, p)
            if len(ids) < len(number):
                label += " " + texts.t("terbit_ulang.indikator",
                                       nomor=", ".join(sorted(ids, key=int)))
            terlambat.append(label)
    info = {"terisi": terisi, "isi": isi, "terlambat": terlambat,
            "tutup": [period_label(texts, p) for p in filled.get("tutup", ()) if p in on]}
    text = texts.t("terbit_ulang.catatan_formulir", terisi=", ".join(terisi),
                   isi=", ".join(isi), terlambat="; ".join(terlambat))
    if filled.get("kembali"):  # issue 26
        text += " " + texts.t("verifikasi.formulir.catatan")
        add_marks(lay, filled, texts)
    lay.cells.append(L.Cell(lay.last_row + 2, 0, text, "label_bold"))
    return info


def fill_jobs(ws, jobs: list, upto_text: str, shut_text: str | None = None) -> None:
    """Set ``filled`` on each generate job: the ledger's counted values of its form for
    the periods s.d. ``upto_text`` (a new form: nothing counted, every cell late);
    ``shut_text``: the period s.d. which every cell is locked (``--tutup``)."""
    from ..core.capaian import parse_period
    from ..core.timeline import load_years

    if not jobs:
        return
    scheme = jobs[0].form.settings.periode
    tahun = jobs[0].form.settings.tahun
    upto = parse_period(upto_text, scheme)
    shut = parse_period(shut_text, scheme) if shut_text else None
    if upto is None or (shut_text and shut is None):
        raise ValueError(upto_text if upto is None else shut_text)
    periods = list(PeriodScheme(scheme).periods)
    if shut is not None and periods.index(shut) > periods.index(upto):
        upto = shut  # closing a period whole closes it at all
    current = {f.form_id: f for f in ws.issued.forms(tahun)} if ws.has_key() else {}
    years = load_years(ws, tahun, list(current.values())) if current else {}
    indicators = {}
    if current:
        for form_id, rev, inds in ws.issued.indicators(tahun, list(current)):
            if current[form_id].revision == rev:
                indicators[form_id] = inds
    for job in jobs:
        job.filled = filled_for(job.form, years.get(job.form_id),
                                indicators.get(job.form_id), upto, job.active, shut)

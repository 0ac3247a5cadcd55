"""The changes a run's files make to a form whose earlier files all came before them,
found without resolving the form's whole year, from the earlier file that last filled
each cell. Collect no longer takes this way: a run's files meet the values kept for
their form (:mod:`iki_xlsx.core.kept`, issue 25). It stays as a second, independent
answer for forms of files alone, which tests/test_latest_changes.py compares with the
whole year's.

The timeline (:func:`iki_xlsx.core.timeline.resolve`) meets each file, in order, with the
value each cell holds so far: the value of the latest earlier file that filled the cell.
When every file of this run is later than every file the form had, the events in which
this run's files take part are therefore those of resolving this run's files after, for
each cell they hold (or leave blank), the one earlier file that last filled it — which
the bits of what each file filled (``filled_mask``) tell without decoding its values.
Only forms whose year is made of files alone qualify (of the current revision, with a
mask, no decision of the officer, no Koreksi of the atasan: the run decides that); any
other form, or one whose earlier file does not hold the value its bits claim, is
resolved in full as before. A single new file that restates every value it meets (what
staff usually send: last quarter's values again, one period more) meets no event: that
is checked cell by cell without replaying the files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

from ..core.matching import indicator_id
from ..core.timeline import Event, FileInput, FormYear, file_events, touching
from ..workspace import Workspace


def latest_changes(ws: Workspace, forms: dict[str, tuple[int, int]],
                   given: Mapping[str, dict]) -> dict[str, list[Event]]:
    """``forms``: form id → (its current revision, its number of indikator), forms this
    run touched whose year is made of files alone; ``given``: sha256 → what each of this
    run's accepted files gave (as recorded). Returns form id → the events in which one
    of them takes part, as :func:`touching` of the form's resolved year gives them; a
    form this cannot answer is left out (to be resolved in full)."""
    plans: dict[str, tuple[list[FileInput], dict[str, dict]]] = {}
    for form_id, files in ws.files.year_orders(list(forms)).items():
        revision, count = forms[form_id]
        mine = [f for f, _ in files if f.sha256 in given]
        earlier = sorted(((f, m) for f, m in files if f.sha256 not in given),
                         key=lambda fm: fm[0].order, reverse=True)
        if not mine or (earlier and min(f.order for f in mine) <= earlier[0][0].order) \
                or any(f.revision != revision or not isinstance(m, dict) for f, m in files):
            continue
        wanted = _cells((given[f.sha256] for f in mine), count)
        plans[form_id] = (mine, _last_filled(wanted, earlier))
    before = ws.files.year_inputs(sorted({sha for _, cells in plans.values()
                                          for sha in cells}), named=False)
    out: dict[str, list[Event]] = {}
    differ = []  # forms whose new files change a value: their events are made below
    for form_id, (mine, cells) in plans.items():
        met = _met(given[mine[0].sha256] if len(mine) == 1 else None, before, cells,
                   forms[form_id][1])
        if met:
            out[form_id] = []  # each value it gives is the one it meets: no event
        elif met is not None:  # (None: the bits claim a value the file does not give)
            differ.append(form_id)
    # where each file was first seen names it in an event: asked of these forms' only
    names = {sha: s.where for sha, s in ws.files.first_sightings(
        [f.sha256 for form_id in differ for f in plans[form_id][0]] +
        [sha for form_id in differ for sha in plans[form_id][1]]).items()}
    for form_id in differ:
        (mine, cells), (revision, count) = plans[form_id], forms[form_id]
        files = [replace(f, name=names.get(f.sha256, f.sha256[:12]),
                         realisasi=given[f.sha256]) for f in mine] + \
            [replace(before[sha], name=names.get(sha, sha[:12])) for sha in cells]
        events = file_events(files, {revision: [{}] * count}, revision)
        out[form_id] = touching(FormYear(events=events), set(given))
    return out


def _cells(realisasi, count: int) -> dict[str, int]:
    """period → the bits of the indikator (``"01"`` bit 0, …) the files hold a value or
    a blank for; an id the revision does not have sets no bit (its values count for no
    indikator of the revision: no earlier file matters to them)."""
    ids = _ids(count)
    out: dict[str, int] = {}
    for given in realisasi:
        for ind, entry in (given or {}).items():
            k = ids.get(ind)
            if k is None or not isinstance(entry, dict):
                continue
            bit = 1 << k
            for period in entry.get("realisasi") or {}:
                out[period] = out.get(period, 0) | bit
    return out


@lru_cache(maxsize=64)
def _ids(count: int) -> dict[str, int]:
    """The indikator ids of a revision of ``count`` indikator and their positions."""
    return {indicator_id(k): k for k in range(count)}


def _last_filled(wanted: dict[str, int], earlier: list[tuple[FileInput, dict]]
                 ) -> dict[str, dict[str, int]]:
    """sha256 of an earlier file → period → the bits of the cells it is the latest of
    ``earlier`` (newest first) to have filled, among those ``wanted``."""
    left = dict(wanted)
    out: dict[str, dict[str, int]] = {}
    for f, mask in earlier:
        if not any(left.values()):
            break
        for period in left:
            filled = mask.get(period, 0)
            got = left[period] & filled if isinstance(filled, int) else 0
            if got:
                out.setdefault(f.sha256, {})[period] = got
                left[period] &= ~got
    return out


def _met(real: dict | None, before: Mapping[str, FileInput],
         cells: dict[str, dict[str, int]], count: int) -> bool | None:
    """One pass over the cells the earlier files last filled (``cells``: sha256 → period
    → bits): None when a file does not give a value its bits claim; else whether the one
    file of this run, which gave ``real`` (None: several files), restates every one of
    them — it names no indikator the revision lacks, and each such cell holds the same
    value in it (it meets no event)."""
    ids = _ids(count)
    names = list(ids)
    restates = real is not None and all(ind in ids for ind in real)
    for sha, bits in cells.items():
        f = before.get(sha)
        if f is None:
            return None
        earlier = f.realisasi or {}
        for period, b in bits.items():
            while b:
                low = b & -b
                b ^= low
                ind = names[low.bit_length() - 1]
                entry = earlier.get(ind)
                value = (entry.get("realisasi") or {}).get(period) \
                    if isinstance(entry, dict) else None
                if value is None:
                    return None
                if restates:
                    mine = real.get(ind)
                    restates = isinstance(mine, dict) and \
                        (mine.get("realisasi") or {}).get(period) == value
    return restates

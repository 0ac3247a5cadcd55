"""The changes a run's files make to a form whose earlier files all came before them,
found without resolving the form's whole year (issue 25: the end of a run must not grow
with the files a form already has).

The timeline (:func:`iki_xlsx.core.timeline.resolve`) meets each file, in order, with the
value each cell holds so far: the value of the latest earlier file that filled the cell.
When every file of this run is later than every file the form had, the events in which
this run's files take part are therefore those of resolving this run's files after, for
each cell they hold (or leave blank), the one earlier file that last filled it — which
the bits of what each file filled (``filled_mask``) tell without decoding its values.
Only forms whose year is made of files alone qualify (of the current revision, with a
mask, no decision of the officer, no Koreksi of the atasan: the run decides that); any
other form, or one whose earlier file does not hold the value its bits claim, is
resolved in full as before.
"""

from __future__ import annotations

from ..core.timeline import Event, FileInput, resolve, touching
from ..workspace import Workspace


def latest_changes(ws: Workspace, forms: dict[str, tuple[int, int]],
                   shas: set[str]) -> dict[str, list[Event]]:
    """``forms``: form id → (its current revision, its number of indikator), forms this
    run touched whose year is made of files alone; ``shas``: this run's accepted files.
    Returns form id → the events in which one of ``shas`` takes part, as
    :func:`touching` of its resolved year gives them; a form this cannot answer is left
    out (to be resolved in full)."""
    plans: dict[str, tuple[list[FileInput], list[tuple[FileInput, dict]]]] = {}
    for form_id, files in ws.files.year_orders(list(forms)).items():
        mine = [f for f, _ in files if f.sha256 in shas]
        earlier = sorted(((f, m) for f, m in files if f.sha256 not in shas),
                         key=lambda fm: fm[0].order, reverse=True)
        if not mine or (earlier and min(f.order for f in mine) <= earlier[0][0].order) \
                or any(f.revision != forms[form_id][0] or not isinstance(m, dict)
                       for f, m in files):
            continue
        plans[form_id] = (mine, earlier)
    given = ws.files.year_inputs([f.sha256 for mine, _ in plans.values() for f in mine])
    wanted: dict[str, dict[tuple[str, str], str]] = {}  # form → cell → the earlier file
    for form_id, (mine, earlier) in plans.items():
        if any(f.sha256 not in given for f in mine):
            continue
        wanted[form_id] = _last_filled(_cells(given[f.sha256] for f in mine), earlier,
                                       forms[form_id][1])
    before = ws.files.year_inputs(sorted({sha for cells in wanted.values()
                                          for sha in cells.values()}))
    out: dict[str, list[Event]] = {}
    for form_id, cells in wanted.items():
        if not all(_holds(before.get(sha), cell) for cell, sha in cells.items()):
            continue  # the bits claim a value the file does not give
        revision, count = forms[form_id]
        files = [given[f.sha256] for f in plans[form_id][0]] + \
            [before[sha] for sha in set(cells.values())]
        year = resolve(files, {revision: [{}] * count}, revision)
        out[form_id] = touching(year, shas)
    return out


def _cells(files) -> set[tuple[str, str]]:
    """Every (indikator id, period) the files hold a value or a blank for."""
    out = set()
    for f in files:
        for ind, entry in (f.realisasi or {}).items():
            if isinstance(entry, dict):
                out.update((ind, period) for period in entry.get("realisasi") or {})
    return out


def _last_filled(cells: set[tuple[str, str]], earlier: list[tuple[FileInput, dict]],
                 count: int) -> dict[tuple[str, str], str]:
    """cell → the sha256 of the latest of ``earlier`` (newest first) whose bits say it
    filled the cell; a cell no earlier file filled (or of no indikator the revision
    has) is left out."""
    ids = {f"{k + 1:02d}": k for k in range(count)}
    out = {}
    for cell in cells:
        k = ids.get(cell[0])
        if k is None:
            continue
        for f, mask in earlier:
            if mask.get(cell[1], 0) >> k & 1:
                out[cell] = f.sha256
                break
    return out


def _holds(f: FileInput | None, cell: tuple[str, str]) -> bool:
    """Whether file ``f`` gives a value for ``cell``."""
    entry = (f.realisasi or {}).get(cell[0]) if f is not None else None
    return isinstance(entry, dict) and (entry.get("realisasi") or {}).get(cell[1]) is not None

"""Each form's values as its files give them, kept between runs (issue 25): what
:func:`iki_xlsx.core.meeting.meet` gave for a form's files (:class:`Met`), written as
JSON into the ledger (``ws.kept``) and read back, so that

* a collect run meets its new files with the values the form holds so far — not with
  every earlier file again: its cost per file does not grow with the files a form has;
* a recap reads each form's values once — not what each of its files gave.

The kept values name the files they were made of (how many, and a fingerprint of each
one's sha256, revision and times, in order). They are used only while those files are
still the first the form's year meets (:func:`iki_xlsx.core.meeting.taking_part`):
the files after them are then met with them, exactly as resolving every file would;
otherwise (a file saved earlier came late, one was set aside, a revision changed, a
rejudge) the form's files are all met again and its values kept anew. So the same files
give the same year in any order and any split of runs, kept or not.

The form (a JSON list): ``[version, number of files, fingerprint, values, moved, notes,
events, files of another revision, where each file was first seen]``; a file is named
by its place in the files met;
``values`` lists, per file, the values that count from it as a file gives them
(``[file, {indikator: {period: value}}]``), ``moved`` the cells whose indikator had
another id in that file (``[indikator, period, its id there]``).
:func:`iki_xlsx.core.timeline.load_years` reads and keeps them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from . import fastjson
from .meeting import (
    DIGANTI,
    DIHAPUS,
    DIKOSONGKAN,
    WAKTU_SAMA,
    Event,
    FileInput,
    Met,
    cell_value,
    excluded_files,
    meet,
    revision_maps,
    taking_part,
)

VERSION = 1
FILE_EVENTS = (DIGANTI, DIKOSONGKAN, WAKTU_SAMA, DIHAPUS)  # what meeting files makes


def fingerprint(files: Sequence[FileInput]) -> str:
    """Names ``files`` in order: each one's sha256, revision and the times that order
    it and show where its values came from."""
    h = hashlib.blake2b(digest_size=16)
    for f in files:
        h.update(f"{f.sha256}|{f.revision}|{f.saved_at}|{f.claimed_at}|{f.collected_at}\n"
                 .encode())
    return h.hexdigest()


def encode(met: Met) -> str:
    """The kept form of ``met`` (events of files only: decisions are never kept)."""
    files = met.files
    place = {f.sha256: i for i, f in enumerate(files)}  # a file: its place in ``files``
    groups: dict[int, dict] = {}  # file → {indikator: {period: value}}, as a file gives them
    moved = []  # [indikator, period, its id in the file] where the file's id is another
    wide = 0.0  # the floats' sum, and whether an integer is beyond what orjson writes
    for (cur, period), (raw, f, ind_id) in met.cells.items():
        i = place[f.sha256]
        by_ind = groups.get(i)
        if by_ind is None:
            by_ind = groups[i] = {}
        row = by_ind.get(cur)
        if row is None:
            row = by_ind[cur] = {}
        row[period] = raw
        kind = type(raw)
        if kind is float:
            wide += raw
        elif kind is int and not fastjson.plain(raw):
            wide = math.nan
        if ind_id != cur:
            moved.append([cur, period, ind_id])
    notes = {cur: [note, place[f.sha256], ind_id] for cur, (note, f, ind_id)
             in met.notes.items()}
    events = []
    for e in met.events:
        if e.kind not in FILE_EVENTS or e.decision is not None or e.verification is not None:
            raise ValueError(f"not an event of files: {e.kind}")
        events.append([e.kind, e.indicator, e.period] + [
            None if v is None else [v.value, place[v.sha256], v.indicator]
            for v in (e.old, e.new)] + [e.text])
    # a float sum that is not finite: some value is not (or it overflowed): json writes
    checked = wide - wide == 0.0 and all(
        fastjson.plain(v.value) for e in met.events for v in (e.old, e.new) if v is not None)
    return fastjson.dumps([VERSION, len(files), fingerprint(files),
                           [[i, by_ind] for i, by_ind in groups.items()], moved,
                           notes, events, sorted(place[s] for s in met.old_revision),
                           [f.name for f in files]], checked=checked)


def decode(text: str, files: Sequence[FileInput]) -> Met | None:
    """What was kept, when it was made of the first of ``files`` (the form's files that
    take part, in order); None otherwise, or when it cannot be read."""
    try:
        version, count, mark, groups, moved, notes, events, old, names = \
            fastjson.loads(text, ours=True)
        if version != VERSION or not 0 <= count <= len(files) or len(names) != count:
            return None
        if fingerprint(files[:count]) != mark:
            return None
        met = [f if f.name == name else  # where each was first seen
               FileInput(f.sha256, f.revision, f.saved_at, f.collected_at, name,
                         f.realisasi, f.claimed_at)
               for f, name in zip(files, names)]
        cells = {}
        for i, by_ind in groups:
            f = met[i]
            for cur, row in by_ind.items():
                for period, raw in row.items():
                    cells[(cur, period)] = (raw, f, cur)
        for cur, period, ind_id in moved:
            raw, f, _ = cells[(cur, period)]
            cells[(cur, period)] = (raw, f, ind_id)
        return Met(
            met, cells, {cur: (note, met[i], ind_id) for cur, (note, i, ind_id) in notes.items()},
            [Event(kind, ind, period,
                   None if a is None else cell_value((a[0], met[a[1]], a[2])),
                   None if b is None else cell_value((b[0], met[b[1]], b[2])), text=words)
             for kind, ind, period, a, b, words in events],
            {met[i].sha256 for i in old})
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        return None  # not what this version keeps: the files are met again


# --------------------------------------------------------------------------- the ledger

@dataclass
class Plan:
    """What the ledger holds for some forms' years, and each form's kept values that
    still match its files (:func:`plan`)."""

    files: dict[str, list[FileInput]]  # form id → its accepted files, without what they gave
    decisions: dict[str, list]
    verifications: dict[str, list]
    revisions: dict[str, dict[int, list]]  # form id → revision → its indikator
    current: dict[str, int]
    starts: dict[str, Met | None]  # form id → its kept values (None: its files are met;
    # meeting the files after them continues them in place)
    counts: dict[str, int]  # form id → the files its kept values were made of
    excluded: dict[str, set[str]]  # form id → its files the officer set aside
    read: dict[str, dict]  # sha256 → what a file after the kept values gave
    mark: int  # the ledger's, when the kept values were read (``ws.kept.of``)
    names: Mapping[str, str]  # sha256 → where a file after the kept values was first seen
    met: dict[str, Met | None] = field(default_factory=dict)  # form id → what meeting
    # all its files gave (filled in by the caller)

    def inputs(self, form_id: str) -> list[FileInput]:
        """The form's files: the kept ones as they were kept, the others with what they
        gave and where they were first seen."""
        start = self.starts.get(form_id)
        done = {f.sha256: f for f in start.files[:self.counts[form_id]]} if start else {}
        read, names = self.read, self.names
        return [done.get(f.sha256) or replace(f, realisasi=read.get(f.sha256) or {},
                                               name=names.get(f.sha256, f.name))
                for f in self.files.get(form_id, ())]

    def keep(self, ws) -> None:
        """Keep what meeting their files gave for the forms whose files were met."""
        rows = []
        for form_id, met in self.met.items():
            if met is not None and len(met.files) > self.counts.get(form_id, 0):
                rows.append((form_id, self.current[form_id], encode(met)))
        ws.kept.keep(rows, self.mark)


def plan(ws, tahun: int | None, forms: list, shapes: Mapping[str, tuple] | None = None,
         names: Mapping[str, str] | None = None, given: Mapping[str, dict] | None = None,
         *, checks: bool = True) -> Plan:
    """What the ledger holds for the years of the issued ``forms``: their files, the
    officer's decisions, the atasan's (``checks``), every revision's indikator they need
    and each form's kept values that still match its files; what the files after them
    gave is read (``given``: sha256 → what a file gave, when the caller holds it)."""
    ids = [f.form_id for f in forms]
    # where a file was first seen is kept with the values: asked of the others only
    files = ws.files.year_files(ids, {} if names is None else names, light=True)
    decisions = ws.decisions.by_form(ids)
    verifications = ws.verifications.by_form(ids, names) if checks else {}  # issue 26
    current = {f.form_id: f.revision for f in forms}
    shapes = shapes if shapes is not None else ws.issued.shapes(forms)
    # the current revision's indikator are its positions; other revisions' are matched
    # to them by text, so only forms with a file or a decision of another revision
    # need their indikator decoded
    other = {fid for fid, fs in files.items() if any(f.revision != current[fid] for f in fs)}
    other |= {fid for fid, ds in decisions.items()
              if any(d.revision not in (None, current[fid]) for d in ds)}
    other |= {fid for fid, vs in verifications.items()
              if any(v.revision != current[fid] for v in vs)}
    revisions: dict[str, dict[int, list]] = {
        fid: {current[fid]: [{}] * shapes.get(fid, ((), 0))[1]} for fid in ids}
    if other:
        for form_id, rev, inds in ws.issued.indicators(tahun, sorted(other)):
            if form_id in other:
                revisions[form_id][rev] = inds or []
    mark, stored = ws.kept.of([fid for fid in ids if fid in files])
    given = given or {}
    starts: dict[str, Met | None] = {}
    counts: dict[str, int] = {}
    excluded = {fid: excluded_files(sorted(ds, key=lambda d: d.id))
                for fid, ds in decisions.items()}
    unread: list[str] = []  # files after the kept values whose values are not given
    for fid, fs in files.items():
        met = taking_part(fs, revision_maps(revisions[fid], current[fid]),
                          excluded.get(fid, set()))
        row = stored.get(fid)
        start = starts[fid] = decode(row[1], met) if row and row[0] == current[fid] else None
        counts[fid] = len(start.files) if start else 0
        unread += [f.sha256 for f in met[counts[fid]:] if f.sha256 not in given]
    read = dict(given)
    if unread:
        read.update(ws.files.realisasi_of(unread))
    if names is None:  # where the files not kept were first seen
        done = {f.sha256 for start in starts.values() if start for f in start.files}
        names = {sha: s.where for sha, s in ws.files.first_sightings(
            [f.sha256 for fs in files.values() for f in fs if f.sha256 not in done]).items()}
    return Plan(files, decisions, verifications, revisions, current, starts, counts,
                excluded, read, mark, names)


def meet_files(ws, tahun: int | None, forms: list, shapes: Mapping[str, tuple],
               given: Mapping[str, dict] | None = None, *, keep: bool = True
               ) -> dict[str, Met]:
    """form id → what meeting its files gave (from its kept values on), for ``forms``
    whose year is made of files alone (no value decided by the officer or corrected by
    the atasan: their values are then the files'); ``keep``: kept anew."""
    plan_ = plan(ws, tahun, forms, shapes, None, given, checks=False)
    for f in forms:
        fid = f.form_id
        revisions = plan_.revisions.get(fid, {})
        maps = revision_maps(revisions, f.revision)
        files = taking_part(plan_.inputs(fid), maps, plan_.excluded.get(fid, set()))
        plan_.met[fid] = meet(files, revisions, f.revision, maps, plan_.starts.get(fid))
    if keep:
        plan_.keep(ws)
    return {fid: met for fid, met in plan_.met.items() if met is not None}

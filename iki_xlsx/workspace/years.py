"""The year of each form as the ledger keeps it: what its counting files give, cell by
cell (:class:`iki_xlsx.core.kept.KeptYear`), one row per form in ``kept_years``.

* Recording a new accepted file advances its form's row in the same transaction
  (:func:`advance_kept`): the file meets the kept values only.
* What a file cannot advance (saved before the latest counting file, another revision),
  a verdict judged again and a file set aside or taken back drop the row
  (:func:`forget_kept`); so does a form whose current revision is not the one its row
  was resolved for. A dropped row is resolved again from every file the next time the
  year is read (:meth:`Years.load`), in a transaction: no file recorded meanwhile is
  missed.
* The atasan's verifications and the officer's value decisions are applied when the
  year is read, never kept.

So :meth:`Years.load` gives, for any form, exactly what resolving all its files and
decisions gives (a property test holds it to that), reading one row per form.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from ..core.kept import KeptYear, advance, kept_from_files, year_of
from ..core.timeline import Event, FileInput, FormYear, Value, match_indicators
from .ledger import Ledger, chunks, read_json

# --------------------------------------------------------------------------- the row


def _dump(kept: KeptYear) -> str:
    """The row's JSON: a table of the files the values come from, then the values, the
    keterangan and the events referring to it by position."""
    files: dict[tuple, int] = {}

    def ref(v: Value | None):
        if v is None:
            return None
        key = (v.sha256, v.name, v.revision, v.saved_at, v.collected_at, v.claimed_at)
        return [v.value, files.setdefault(key, len(files)), v.indicator]

    values = [[i, p, *ref(v)] for (i, p), v in kept.values.items()]
    notes = [[i, *ref(v)] for i, v in kept.keterangan.items()]
    events = [[e.kind, e.indicator, e.period, ref(e.old), ref(e.new), e.text]
              for e in (*kept.events, *kept.old)]
    return read_json({"count": kept.count, "files": kept.files,
                      "latest": list(kept.latest) if kept.latest else None,
                      "excluded": sorted(kept.excluded), "old": len(kept.old),
                      "sources": [list(k) for k in files], "values": values,
                      "notes": notes, "events": events})


def _load(revision: int, text: str) -> KeptYear:
    d = json.loads(text)
    sources = d["sources"]

    def value(raw, index, indicator) -> Value:
        sha, name, rev, saved, collected, claimed = sources[index]
        return Value(raw, sha, name, rev, indicator, saved, collected, claimed_at=claimed)

    def opt(ref) -> Value | None:
        return None if ref is None else value(*ref)

    events = [Event(kind, ind, period, opt(old), opt(new), text)
              for kind, ind, period, old, new, text in d["events"]]
    split = len(events) - d["old"]
    return KeptYear(revision, d["count"], d["files"],
                    tuple(d["latest"]) if d["latest"] else None,
                    {(i, p): value(*ref) for i, p, *ref in d["values"]},
                    {i: value(*ref) for i, *ref in d["notes"]},
                    events[:split], events[split:], set(d["excluded"]))


def _rows(db: sqlite3.Connection, form_ids: list[str]) -> dict[str, tuple[int, str]]:
    out = {}
    for chunk in chunks(form_ids):
        out.update((f, (r, s)) for f, r, s in db.execute(
            "SELECT form_id, revision, state FROM kept_years WHERE form_id IN"
            f" ({','.join('?' * len(chunk))})", chunk))
    return out


# --------------------------------------------------------------------------- writing

def advance_kept(db: sqlite3.Connection, new: list[FileInput], form_of: dict[str, str]
                 ) -> None:
    """Inside the transaction that recorded them: meet each new accepted file (``new``,
    in the order recorded; ``form_of``: sha256 → form id) with its form's kept row."""
    rows = _rows(db, sorted(set(form_of.values())))
    loaded: dict[str, KeptYear | None] = {}
    for f in new:
        form_id = form_of[f.sha256]
        if form_id not in loaded:
            row = rows.get(form_id)
            loaded[form_id] = _load(*row) if row else None
        kept = loaded[form_id]
        if kept is not None and not advance(kept, f):
            loaded[form_id] = None  # resolved again when next read
            db.execute("DELETE FROM kept_years WHERE form_id = ?", (form_id,))
    db.executemany("UPDATE kept_years SET state = ? WHERE form_id = ?",
                   [(_dump(kept), form_id) for form_id, kept in loaded.items()
                    if kept is not None])


def forget_kept(db: sqlite3.Connection, form_ids: Iterable[str | None]) -> None:
    """Drop the kept rows of ``form_ids``: resolved again from every file when next read."""
    db.executemany("DELETE FROM kept_years WHERE form_id = ?",
                   [(f,) for f in set(form_ids) if f])


# --------------------------------------------------------------------------- reading

class Years:
    """``ws.years``: the resolved year of issued forms."""

    def __init__(self, ledger: Ledger, issued, files, decisions, verifications):
        self.ledger, self.issued, self.files = ledger, issued, files
        self.decisions, self.verifications = decisions, verifications

    def load(self, tahun: int | None, forms: list, shapes=None,
             names: dict[str, str] | None = None) -> dict[str, FormYear]:
        """form id → its :class:`FormYear`, for the issued ``forms`` (rows of
        ``issued.forms``). ``shapes``: the forms' (periods, number of indikator),
        ``names``: where each file was first seen — when the caller has them."""
        ids = [f.form_id for f in forms]
        current = {f.form_id: f.revision for f in forms}
        decisions = self.decisions.by_form(ids)
        verifications = self.verifications.by_form(ids, names)  # issue 26
        rows = _rows(self.ledger.db, ids)
        stale = [f for f in forms if rows.get(f.form_id, (None,))[0] != f.revision]
        kept = {fid: _load(*rows[fid]) for fid in ids if fid in rows
                and rows[fid][0] == current[fid]}
        if stale:
            kept.update(self._resolve_again(tahun, stale, shapes, names, decisions))
        other: dict[str, set[int]] = {}
        for fid, items in (*decisions.items(), *verifications.items()):
            for x in items:
                if fid in current and x.revision not in (None, current[fid]):
                    other.setdefault(fid, set()).add(x.revision)
        maps = self._maps(tahun, current, kept, other)
        active = self.issued.active_periods(ids)  # issue 11
        out = {}
        for fid in ids:
            out[fid] = year_of(kept[fid], decisions.get(fid, []),
                               verifications.get(fid, ()), maps.get(fid, {}))
            if fid in active:
                out[fid].active = active[fid].periods
        return out

    def _resolve_again(self, tahun, forms: list, shapes, names, decisions
                       ) -> dict[str, KeptYear]:
        """Kept rows made from every file of ``forms``, and stored — in one transaction
        with the files read, so that a file recorded meanwhile is either in them or
        advances them afterwards."""
        ids = [f.form_id for f in forms]
        current = {f.form_id: f.revision for f in forms}
        with self.ledger.transaction() as db:
            shapes = shapes if shapes is not None else self.issued.shapes(forms)
            files = self.files.year_files(ids, names)
            other = {fid for fid, fs in files.items()
                     if any(f.revision != current[fid] for f in fs)}
            revisions = {fid: {current[fid]: [{}] * shapes.get(fid, ((), 0))[1]}
                         for fid in ids}
            if other:
                for form_id, rev, inds in self.issued.indicators(tahun, sorted(other)):
                    if form_id in other:
                        revisions[form_id][rev] = inds or []
            out = {}
            for fid in ids:
                out[fid] = kept_from_files(files.get(fid, []), revisions[fid], current[fid],
                                           decisions.get(fid, []))
            db.executemany(
                "INSERT OR REPLACE INTO kept_years (form_id, revision, state) VALUES (?,?,?)",
                [(fid, current[fid], _dump(k)) for fid, k in out.items()])
        return out

    def _maps(self, tahun, current: dict[str, int], kept: dict[str, KeptYear],
              other: dict[str, set[int]]) -> dict[str, dict[int, dict[str, str]]]:
        """form id → revision → {indikator id there: the current one's}: the current
        revision's own ids, and each other revision a value decision names."""
        out = {fid: {rev: {i: i for i in _ids(kept[fid])}} for fid, rev in current.items()}
        if not other:
            return out
        indicators: dict[str, dict[int, list]] = {}
        for form_id, rev, inds in self.issued.indicators(tahun, sorted(other)):
            indicators.setdefault(form_id, {})[rev] = inds or []
        for fid, revs in other.items():
            now = indicators.get(fid, {}).get(current[fid]) or []
            for rev in revs:
                if rev in indicators.get(fid, {}):
                    out[fid][rev] = match_indicators(indicators[fid][rev], now).pairs
        return out


def _ids(kept: KeptYear) -> list[str]:
    return [f"{i + 1:02d}" for i in range(kept.count)]

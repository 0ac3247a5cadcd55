"""The kept year of a form: what :func:`.timeline.resolve` gives from its files, kept
between runs and advanced one file at a time — so that collecting a file compares it
with the values that stand, never with every file the form had.

The rules make this exact: a cell's value is the one of the latest-saved counting file
that holds one (a blank never erases), so a file saved after every counting file of its
form only has to meet the kept values: it replaces those it holds, and its events (a
value changed, made blank, two files of the same second) are those the whole resolution
gives for it. Anything else — a file saved before the latest counting one, a file of
another revision, the form re-issued, a file set aside or taken back, a verdict judged
again — is resolved again from every file (:func:`kept_from_files`).

What the atasan verifies and what the officer decides about values (set, clear,
release) is not in the kept year: it is applied on top when the year is read
(:func:`year_of`), as :func:`resolve` does.
Pure functions over plain data, like :mod:`.timeline`: the ledger keeps the state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .clock import normal_time
from .timeline import (
    DIGANTI,
    DIKOSONGKAN,
    EXCLUDE,
    FILE_DECISIONS,
    KEPUTUSAN,
    REVISI_LAMA,
    WAKTU_SAMA,
    Decision,
    Event,
    FileInput,
    FormYear,
    Value,
    Verification,
    apply_value_decisions,
    apply_verifications,
    resolve,
)


@dataclass
class KeptYear:
    """What the counting files of one form give, for its revision ``revision``."""

    revision: int
    count: int  # indikator of that revision (their ids: 01, 02, …)
    files: int = 0  # counting files
    latest: tuple[str, str] | None = None  # the order of the latest-saved counting file
    values: dict[tuple[str, str], Value] = field(default_factory=dict)
    keterangan: dict[str, Value] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)  # what files did, in file order
    old: list[Event] = field(default_factory=list)  # REVISI_LAMA, after them
    excluded: set[str] = field(default_factory=set)  # files set aside when it was made


def excluded_by(decisions: Iterable[Decision]) -> set[str]:
    """The files set aside: the latest file decision about each says so."""
    state: dict[str, str] = {}
    for d in sorted(decisions, key=lambda d: d.id):
        if d.kind in FILE_DECISIONS and d.sha256:
            state[d.sha256] = d.kind
    return {sha for sha, kind in state.items() if kind == EXCLUDE}


def kept_from_files(files: list[FileInput], revisions: Mapping[int, list], current: int,
                    decisions: Iterable[Decision] = ()) -> KeptYear:
    """The kept year resolved from every accepted file of the form."""
    file_decisions = [d for d in decisions if d.kind in FILE_DECISIONS]
    year = resolve(files, revisions, current, file_decisions)
    kept = KeptYear(current, len(revisions.get(current) or []), year.files, None,
                    year.values, year.keterangan, excluded=year.excluded)
    for e in year.events:
        if e.kind == REVISI_LAMA:
            kept.old.append(e)
        elif e.kind != KEPUTUSAN:
            kept.events.append(e)
    counting = [f.order for f in files if f.sha256 not in year.excluded
                and f.revision in revisions]
    kept.latest = max(counting) if counting else None
    return kept


def advance(kept: KeptYear, f: FileInput) -> bool:
    """Meet the new file ``f`` with the kept values. False (``kept`` unchanged) when the
    file is not saved after every counting file, is of another revision or gives a value
    for an indikator the revision does not have: the year must then be resolved again
    from every file."""
    if f.sha256 in kept.excluded:
        return True  # set aside before it came: it gives nothing
    if f.revision != kept.revision or (kept.latest is not None and f.order <= kept.latest):
        return False
    ids = {f"{i + 1:02d}" for i in range(kept.count)}
    entries = [(i, e) for i, e in (f.realisasi or {}).items() if isinstance(e, Mapping)]
    if any(i not in ids and any(v is not None for v in (e.get("realisasi") or {}).values())
           for i, e in entries):
        return False  # resolve names it (indikator_dihapus)
    kept.files += 1
    kept.latest = f.order
    for ind_id, entry in entries:
        if ind_id not in ids:
            continue
        for period, raw in (entry.get("realisasi") or {}).items():
            key = (ind_id, period)
            before = kept.values.get(key)
            if raw is None:
                if before is not None:
                    kept.events.append(Event(DIKOSONGKAN, ind_id, period, before,
                                             _value(None, f, ind_id)))
                continue
            new = _value(raw, f, ind_id)
            if before is not None and before.value != raw:
                same = bool(f.saved_at) and _moment(before) == f.order[:2]
                kept.events.append(Event(WAKTU_SAMA if same else DIGANTI, ind_id, period,
                                         before, new))
            kept.values[key] = new
        note = entry.get("keterangan")
        if note not in (None, ""):
            kept.keterangan[ind_id] = _value(note, f, ind_id)
    return True


def _value(raw: object, f: FileInput, ind_id: str) -> Value:
    claimed = f.claimed_at if f.claimed_at != f.saved_at else ""
    return Value(raw, f.sha256, f.name, f.revision, ind_id, f.saved_at, f.collected_at,
                 claimed_at=claimed)


def _moment(v: Value) -> tuple[str, str]:
    """``order[:2]`` of the file a kept value came from (see :class:`FileInput`)."""
    return (v.saved_at or normal_time(v.collected_at), v.claimed_at or v.saved_at)


def year_of(kept: KeptYear, decisions: Iterable[Decision],
            verifications: Iterable[Verification],
            maps: Mapping[int, Mapping[str, str]]) -> FormYear:
    """The form's year: the kept values with the atasan's verifications and the officer's
    decisions on top, exactly as :func:`resolve` gives it. ``maps``: revision → {its
    indikator id: the current one's} for the current revision and every revision a
    decision or verification names."""
    decisions = sorted(decisions, key=lambda d: d.id)
    year = FormYear(dict(kept.values), dict(kept.keterangan), [*kept.events, *kept.old],
                    excluded_by(decisions), kept.files)
    year.own = dict(year.values)
    apply_verifications(year, verifications, maps)
    apply_value_decisions(year, decisions, maps)
    year.events.extend(Event(KEPUTUSAN, "", "", decision=d) for d in decisions
                       if d.kind in FILE_DECISIONS)
    return year

"""The files of one form met in order, cell by cell (the heart of
:mod:`iki_xlsx.core.timeline`, which adds the officer's and the atasan's decisions): the
types the year is made of — the files (:class:`FileInput`), the decisions
(:class:`Decision`, :class:`Verification`), the values and events they give
(:class:`Value`, :class:`Event`) — and :func:`meet`, whose result (:class:`Met`) is what
each form keeps between runs (:mod:`iki_xlsx.core.kept`).

Pure functions over plain data; the rules are the timeline's (its docstring)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .clock import normal_time
from .matching import indicator_id, match_indicators

# Event kinds (the Riwayat sheet and the collect report name them).
DIGANTI = "diganti"  # a later-saved file gives another value
DIKOSONGKAN = "dikosongkan"  # a later-saved file leaves blank a value an earlier one gave
WAKTU_SAMA = "waktu_sama"  # two files saved at the same time give different values
REVISI_LAMA = "revisi_lama"  # a file of an earlier revision counted for the current one
DIHAPUS = "indikator_dihapus"  # values of an indikator the current revision removed
KEPUTUSAN = "keputusan"  # an officer's decision
VERIFIKASI = "verifikasi"  # the atasan's decision about a value (issue 26)

# Decision kinds (ledger ``decisions.kind``).
EXCLUDE, INCLUDE = "kecualikan", "sertakan"
SET, CLEAR, RELEASE = "tetapkan", "kosongkan", "lepas"
FILE_DECISIONS = (EXCLUDE, INCLUDE)
VALUE_DECISIONS = (SET, CLEAR, RELEASE)

# The atasan's decisions on a review workbook (ledger ``verifications.kind``), and the
# overall note about a bawahan (no indikator).
SETUJU, KEMBALIKAN, KOREKSI, CATATAN = "setuju", "kembalikan", "koreksi", "catatan"
VERDICTS = (SETUJU, KEMBALIKAN, KOREKSI)
# Verification of a value, and of a form's period.
TERVERIFIKASI, DIKEMBALIKAN, MENUNGGU = "terverifikasi", "dikembalikan", "menunggu"
ULANG = "verifikasi_ulang"  # decided about a value the pegawai has changed since


# --------------------------------------------------------------------------- inputs

@dataclass(frozen=True, slots=True)
class FileInput:
    """One accepted file of the form, as the ledger recorded it."""

    sha256: str
    revision: int
    saved_at: str  # the saved time that counts (:func:`trusted_time`; "" unknown)
    collected_at: str  # when iki-xlsx first collected it
    name: str  # where it was first seen
    realisasi: Mapping  # {indikator id: {"realisasi": {period: value}, "keterangan": text}}
    claimed_at: str = ""  # the saved time the file itself gives ("" the same, or none)

    @property
    def order(self) -> tuple:
        """Later is newer: the saved time that counts (the collection time when the file
        does not say when it was saved), then the time it claimed, then the sha256 —
        never the order of collection alone, so that any order and any split of runs
        give the same values. Two files saved at the same moment with different values
        are an event (``waktu_sama``) for the officer to settle."""
        return (self.saved_at or normal_time(self.collected_at),
                self.claimed_at or self.saved_at, self.sha256)


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    at: str
    kind: str
    reason: str
    sha256: str | None = None
    revision: int | None = None
    indicator: str | None = None
    period: str | None = None
    value: object = None


@dataclass(frozen=True, slots=True)
class Verification:
    """One decision of the atasan about one value (or the overall note about a bawahan:
    ``kind`` :data:`CATATAN`, no indikator), as the ledger recorded it from a returned
    review workbook."""

    id: int
    kind: str  # setuju | kembalikan | koreksi | catatan
    revision: int  # of the form, the row was of
    indicator: str | None  # the indikator's id in that revision
    period: str
    value: object  # what it makes count: the value shown (setuju), the atasan's (koreksi)
    base: object  # the pegawai's own value under the row then (None: blank)
    note: str  # the umpan balik
    atasan_nip: str
    sha256: str  # the review workbook it came in
    saved_at: str  # when the atasan saved it (UTC; "" unknown)
    collected_at: str
    name: str = ""  # where the workbook was first seen

    @property
    def order(self) -> tuple:
        """Later is newer, as for files: the saved time, then the workbook, then the
        row's place in the ledger."""
        return (self.saved_at or normal_time(self.collected_at), self.sha256, self.id)


@dataclass(slots=True)
class Value:
    """A value and where it came from: a file (and its cell's indikator there), a
    decision of the officer or the atasan's correction."""

    value: object
    sha256: str | None
    name: str
    revision: int | None
    indicator: str  # the indikator's id in that revision
    saved_at: str  # the saved time that counts
    collected_at: str
    decision: Decision | None = None
    claimed_at: str = ""  # the saved time the file gives, when it is not the one counted
    verification: Verification | None = None  # the atasan's Koreksi (issue 26)


@dataclass(slots=True)
class Event:
    kind: str
    indicator: str  # id in the current revision ("" for a removed indikator)
    period: str
    old: Value | None = None
    new: Value | None = None
    text: str = ""  # the indikator text, for a removed one
    decision: Decision | None = None
    verification: Verification | None = None  # the atasan's decision (VERIFIKASI)


# --------------------------------------------------------------------------- meeting

def excluded_files(decisions: Iterable[Decision]) -> set[str]:
    """The files the officer set aside: those whose latest file decision (in the order
    of ``decisions``) is :data:`EXCLUDE`."""
    state: dict[str, str] = {}
    for d in decisions:
        if d.kind in FILE_DECISIONS and d.sha256:
            state[d.sha256] = d.kind
    return {sha for sha, kind in state.items() if kind == EXCLUDE}


def taking_part(files: Iterable[FileInput], maps: Mapping[int, Mapping[str, str]],
                excluded: set[str]) -> list[FileInput]:
    """The files that take part in a form's year, in the order they are met: not set
    aside, of a revision the ledger knows (``maps``: :func:`revision_maps`)."""
    return sorted((f for f in files if f.sha256 not in excluded and f.revision in maps),
                  key=lambda f: f.order)


@dataclass(slots=True)
class Met:
    """What meeting a form's files in order gives, before any decision: the files met
    (in order), cell → (value, file, its indikator id) that counts, indikator → its
    keterangan likewise, the events the files make among themselves, the files of
    another revision that gave a value. Kept per form in the ledger (:mod:`.kept`)."""

    files: list[FileInput] = field(default_factory=list)
    cells: dict[tuple[str, str], tuple] = field(default_factory=dict)
    notes: dict[str, tuple] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    old_revision: set[str] = field(default_factory=set)


def meet(files: list[FileInput], revisions: Mapping[int, list], current: int,
         maps: Mapping[int, Mapping[str, str]], start: Met | None = None) -> Met:
    """Meet ``files`` (:func:`taking_part`), in order, cell by cell; ``start``: what
    meeting the first of them gave (continued in place; its files are not met again).
    Values are made for the events only (most cells of a re-sent file restate an
    earlier one)."""
    met = start if start is not None else Met()
    cells, notes, events = met.cells, met.notes, met.events
    old_revision_files = met.old_revision
    for f in files[len(met.files):]:
        met.files.append(f)
        pairs = maps[f.revision]
        old = f.revision != current
        for ind_id, entry in (f.realisasi or {}).items():
            if type(entry) is not dict and not isinstance(entry, Mapping):
                continue
            cur = pairs.get(ind_id)
            for period, raw in (entry.get("realisasi") or {}).items():
                if cur is None:
                    if raw is not None:
                        events.append(Event(
                            DIHAPUS, "", period, new=cell_value((raw, f, ind_id)),
                            text=_indicator_text(revisions.get(f.revision), ind_id)))
                    continue
                key = (cur, period)
                before = cells.get(key)
                if raw is None:
                    if before is not None:
                        events.append(Event(DIKOSONGKAN, cur, period, cell_value(before),
                                            cell_value((None, f, ind_id))))
                    continue
                if old:
                    old_revision_files.add(f.sha256)
                if before is not None and before[0] != raw:
                    same = bool(f.saved_at) and before[1].order[:2] == f.order[:2]
                    events.append(Event(WAKTU_SAMA if same else DIGANTI, cur, period,
                                        cell_value(before), cell_value((raw, f, ind_id))))
                cells[key] = (raw, f, ind_id)
            note = entry.get("keterangan")
            if cur is not None and note not in (None, ""):
                notes[cur] = (note, f, ind_id)
    return met


def cell_value(cell: tuple) -> Value:
    """The :class:`Value` of a met cell ``(value, file, its indikator id there)``."""
    raw, f, ind_id = cell
    return Value(raw, f.sha256, f.name, f.revision, ind_id, f.saved_at, f.collected_at,
                 None, claimed_of(f))


def cell_values(cells: Mapping) -> dict:
    """``{key: cell_value(cell)}``, each file's part of a Value looked up once."""
    out = {}
    last = None  # the file of the cell before (a form's cells come file by file)
    for key, (raw, f, ind_id) in cells.items():
        if f is not last:
            last = f
            sha, name, revision, saved, collected, claimed = (
                f.sha256, f.name, f.revision, f.saved_at, f.collected_at, claimed_of(f))
        out[key] = Value(raw, sha, name, revision, ind_id, saved, collected, None, claimed)
    return out


def _indicator_text(indicators: list | None, ind_id: str) -> str:
    """The text of indikator ``ind_id`` (``"03"``) of a revision's ``indicators``
    (asked for a removed indikator's event only)."""
    for i, ind in enumerate(indicators or ()):
        if indicator_id(i) == ind_id:
            return str(ind.get("indikator", ""))
    return ""


def claimed_of(f: FileInput) -> str:
    """What the file claimed, when it is not the saved time that counts."""
    return f.claimed_at if f.claimed_at != f.saved_at else ""


_SAME_IDS: dict[int, Mapping[str, str]] = {}  # {id: id} of a revision's n indikator


def revision_maps(revisions: Mapping[int, list], current: int) -> dict[int, Mapping[str, str]]:
    """revision → {its indikator id: the current revision's id}."""
    now = revisions.get(current) or []
    same = _SAME_IDS.get(len(now)) or _SAME_IDS.setdefault(len(now), MappingProxyType(
        {indicator_id(i): indicator_id(i) for i in range(len(now))}))  # made once, read only
    out: dict[int, Mapping[str, str]] = {current: same}
    for rev, inds in revisions.items():
        if rev != current:
            out[rev] = match_indicators(inds, now).pairs
    return out

"""The year's values of one form: every realisasi and keterangan that any accepted file
gave, resolved cell by cell, each with where it came from and what happened to it.

The rules (the README explains them to officers):

* **Values, not files.** A file contributes the values it holds; a blank cell never
  erases a value an earlier file gave (the blank is noted).
* **The file saved last wins, cell by cell.** Files are ordered by the time the pegawai
  saved them (the workbook's own saved time; when a file does not say, when it was
  collected), then by their sha256; so the same files give the same values whatever the
  order or the number of runs that collected them. A later file that changes a value, or leaves it blank, is
  an event the reports show (old → new, which files).
* **A file's clock is a claim** (:func:`iki_xlsx.core.clock.trusted_time`): a saved time never counts as
  later than the moment the file first reached us, nor earlier than its form was
  issued; what it claimed is kept beside what counts, and the order is the time that
  counts, then the claim, then the sha256.
* **Revisions keep what was collected.** An indikator of any revision counts for the
  indikator of the current revision it matches (:func:`iki_xlsx.core.matching.match_indicators`), with the
  current targets. Values of an indikator the current revision removed are kept, not
  counted.
* **The officer decides, on the record.** An excluded file gives nothing (until included
  again); a value the officer sets or clears stands over every file until released. The
  latest decision about a file or a value counts; every decision stays in the ledger.
* **The atasan verifies** (issue 26, :func:`apply_verifications`): the latest decision
  about a value (by the review workbook's saved time) applies to the value its row
  showed — *Setuju* verifies it, *Koreksi* sets the atasan's value over the pegawai's
  (which stays in the record), *Kembalikan* sends it back. When the pegawai's value has
  changed since, the decision is kept but the value needs verifying again. The officer's
  own decisions stand over the atasan's.

Pure functions over plain data: the ledger reads the rows, this module decides.

Longer than 400 lines because these rules (identity across revisions, resolving cell by
cell, statuses per period and active periods) are one procedure, read and changed
together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .clock import normal_time
from .matching import indicator_id, match_indicators

# Period statuses of a form (R4). ``kosong``: files came, but none holds any value.
LENGKAP, SEBAGIAN, KOSONG, BELUM = "lengkap", "sebagian", "kosong", "belum"
TIDAK_AKTIF = "tidak_aktif"  # the form does not count in this period (Mulai / Selesai)
SUBMITTED = (LENGKAP, SEBAGIAN)

# Months at the end of each period: orders periods of different schemes on one time line.
END_MONTH = {"TW1": 3, "TW2": 6, "TW3": 9, "TW4": 12, "S1": 6, "S2": 12, "TAHUNAN": 12}

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


@dataclass
class FormYear:
    """The resolved year of one form."""

    values: dict[tuple[str, str], Value] = field(default_factory=dict)  # (id, period) →
    keterangan: dict[str, Value] = field(default_factory=dict)  # id → latest keterangan
    events: list[Event] = field(default_factory=list)
    excluded: set[str] = field(default_factory=set)  # files the officer set aside
    files: int = 0  # accepted files that count (not excluded)
    active: tuple[str, ...] | None = None  # periods the form counts in (None: all year)
    own: dict[tuple[str, str], Value] = field(default_factory=dict)  # the files' values
    checks: dict[tuple[str, str], tuple[str, Verification]] = field(
        default_factory=dict)  # (id, period) → (status, the atasan's latest decision)
    notes: dict[str, Verification] = field(default_factory=dict)  # period → overall note

    def value(self, indicator: str, period: str) -> object:
        got = self.values.get((indicator, period))
        return None if got is None else got.value

    def verification(self, indicator: str, period: str) -> str:
        """terverifikasi / dikembalikan / verifikasi_ulang / menunggu (a value nobody
        has decided about), "" for a blank cell nobody decided about. A value the
        officer set counts as verified: the officer decided, on the record."""
        key = (indicator, period)
        return self.check_of(key, self.values.get(key))

    def check_of(self, key: tuple[str, str], got: Value | None) -> str:
        """:meth:`verification` of the cell ``key`` whose value is ``got``."""
        if got is not None and got.decision is not None:
            return TERVERIFIKASI
        check = self.checks.get(key)
        if check is not None:
            return check[0]
        return MENUNGGU if got is not None else ""

    def verified(self, indicator: str, period: str) -> bool:
        return self.verification(indicator, period) == TERVERIFIKASI

    def verification_status(self, period: str, indicators: Iterable[str]) -> str:
        """A period of the form as the atasan left it: ``dikembalikan`` when any value
        was sent back, else ``menunggu`` while any value waits (or needs verifying
        again), ``terverifikasi`` when every value was verified; "" with no value and
        no decision (nothing to verify), or when the form does not count then."""
        if self.active is not None and period not in self.active:
            return ""
        return verification_of({self.verification(i, period) for i in indicators})

    def status(self, period: str, indicators: Iterable[str]) -> str:
        """lengkap / sebagian / belum for one period; ``kosong`` when files came but
        none holds any value at all."""
        if self.active is not None and period not in self.active:
            return TIDAK_AKTIF
        ids = list(indicators)
        return self.status_of(period, sum(1 for i in ids if self.value(i, period) is not None),
                              len(ids))

    def status_of(self, period: str, filled: int, count: int) -> str:
        """:meth:`status` of ``period`` when ``filled`` of its ``count`` indikator have a
        value."""
        if self.active is not None and period not in self.active:
            return TIDAK_AKTIF
        if count and filled == count:
            return LENGKAP
        if filled:
            return SEBAGIAN
        if self.files and not self.values:
            return KOSONG
        return BELUM


def verification_of(states: set[str]) -> str:
    """A period as the atasan left it, from the verification of each of its values
    (:meth:`FormYear.verification_status`)."""
    if DIKEMBALIKAN in states:
        return DIKEMBALIKAN
    if MENUNGGU in states or ULANG in states:
        return MENUNGGU
    return TERVERIFIKASI if TERVERIFIKASI in states else ""


# --------------------------------------------------------------------------- resolving

def resolve(files: Iterable[FileInput], revisions: Mapping[int, list],
            current: int, decisions: Iterable[Decision] = (),
            verifications: Iterable[Verification] = ()) -> FormYear:
    """The year of one form: ``files`` its accepted files (any revision), ``revisions``
    every revision's indicators (as in the form JSON), ``current`` the current revision,
    ``decisions`` the officer's decisions about this form and its files, in order,
    ``verifications`` the atasan's (any order)."""
    decisions = sorted(decisions, key=lambda d: d.id)
    year = FormYear()
    file_state: dict[str, str] = {}
    for d in decisions:
        if d.kind in FILE_DECISIONS and d.sha256:
            file_state[d.sha256] = d.kind
    year.excluded = {sha for sha, kind in file_state.items() if kind == EXCLUDE}
    maps = _maps(revisions, current)
    cells, notes, old_revision_files = _replay(year, files, revisions, current, maps)
    year.values = _values(cells)
    year.keterangan = _values(notes)
    for f in files:
        if f.sha256 in old_revision_files:
            year.events.append(Event(REVISI_LAMA, "", "", new=Value(
                None, f.sha256, f.name, f.revision, "", f.saved_at, f.collected_at,
                claimed_at=_claimed(f))))
    year.own = dict(year.values)
    apply_verifications(year, verifications, maps)
    _apply_value_decisions(year, decisions, maps)
    for d in decisions:
        if d.kind in FILE_DECISIONS:
            year.events.append(Event(KEPUTUSAN, "", "", decision=d))
    return year


def file_events(files: Iterable[FileInput], revisions: Mapping[int, list],
                current: int) -> list[Event]:
    """The events the ``files`` make among themselves (:func:`resolve` without decisions,
    verifications nor the values that count: what a new file changed)."""
    year = FormYear()
    _replay(year, files, revisions, current, _maps(revisions, current))
    return year.events


def _replay(year: FormYear, files: Iterable[FileInput], revisions: Mapping[int, list],
            current: int, maps: dict[int, dict[str, str]]) -> tuple[dict, dict, set]:
    """Meet the files not excluded, in order, cell by cell: their count and events go
    into ``year``; returns (cell → (value, file, its indikator id) that counts, indikator
    → its keterangan likewise, the files of another revision that gave a value). Values
    are made for the events only (most cells of a re-sent file restate an earlier one)."""
    old_revision_files: set[str] = set()
    cells: dict[tuple[str, str], tuple] = {}
    notes: dict[str, tuple] = {}
    for f in sorted(files, key=lambda f: f.order):
        if f.sha256 in year.excluded:
            continue
        pairs = maps.get(f.revision)
        if pairs is None:  # a revision the ledger does not know: nothing can be placed
            continue
        year.files += 1
        old = f.revision != current
        for ind_id, entry in (f.realisasi or {}).items():
            if type(entry) is not dict and not isinstance(entry, Mapping):
                continue
            cur = pairs.get(ind_id)
            for period, raw in (entry.get("realisasi") or {}).items():
                if cur is None:
                    if raw is not None:
                        year.events.append(Event(
                            DIHAPUS, "", period, new=_value((raw, f, ind_id)),
                            text=_indicator_text(revisions.get(f.revision), ind_id)))
                    continue
                key = (cur, period)
                before = cells.get(key)
                if raw is None:
                    if before is not None:
                        year.events.append(Event(DIKOSONGKAN, cur, period, _value(before),
                                                 _value((None, f, ind_id))))
                    continue
                if old:
                    old_revision_files.add(f.sha256)
                if before is not None and before[0] != raw:
                    same = bool(f.saved_at) and before[1].order[:2] == f.order[:2]
                    year.events.append(Event(WAKTU_SAMA if same else DIGANTI, cur, period,
                                             _value(before), _value((raw, f, ind_id))))
                cells[key] = (raw, f, ind_id)
            note = entry.get("keterangan")
            if cur is not None and note not in (None, ""):
                notes[cur] = (note, f, ind_id)
    return cells, notes, old_revision_files


def _value(cell: tuple) -> Value:
    raw, f, ind_id = cell
    return Value(raw, f.sha256, f.name, f.revision, ind_id, f.saved_at, f.collected_at,
                 None, _claimed(f))


def _values(cells: Mapping) -> dict:
    """``{key: _value(cell)}``, each file's part of a Value looked up once."""
    out, heads = {}, {}
    for key, (raw, f, ind_id) in cells.items():
        if (head := heads.get(id(f))) is None:
            head = heads[id(f)] = (f.sha256, f.name, f.revision, f.saved_at, f.collected_at,
                                   _claimed(f))
        out[key] = Value(raw, head[0], head[1], head[2], ind_id, *head[3:5], None, head[5])
    return out


def _indicator_text(indicators: list | None, ind_id: str) -> str:
    """The text of indikator ``ind_id`` (``"03"``) of a revision's ``indicators``
    (asked for a removed indikator's event only)."""
    for i, ind in enumerate(indicators or ()):
        if indicator_id(i) == ind_id:
            return str(ind.get("indikator", ""))
    return ""


def _claimed(f: FileInput) -> str:
    """What the file claimed, when it is not the saved time that counts."""
    return f.claimed_at if f.claimed_at != f.saved_at else ""


_SAME_IDS: dict[int, Mapping[str, str]] = {}  # {id: id} of a revision's n indikator


def _maps(revisions: Mapping[int, list], current: int) -> dict[int, Mapping[str, str]]:
    """revision → {its indikator id: the current revision's id}."""
    now = revisions.get(current) or []
    same = _SAME_IDS.get(len(now)) or _SAME_IDS.setdefault(len(now), MappingProxyType(
        {indicator_id(i): indicator_id(i) for i in range(len(now))}))  # made once, read only
    out: dict[int, Mapping[str, str]] = {current: same}
    for rev, inds in revisions.items():
        if rev != current:
            out[rev] = match_indicators(inds, now).pairs
    return out


def _apply_value_decisions(year: FormYear, decisions: list[Decision],
                           maps: dict[int, dict[str, str]]) -> None:
    latest: dict[tuple[str, str], Decision] = {}
    for d in decisions:
        if d.kind not in VALUE_DECISIONS or not d.indicator or not d.period:
            continue
        cur = maps.get(d.revision, {}).get(d.indicator) if d.revision is not None \
            else d.indicator
        if cur is None:
            continue
        latest[(cur, d.period)] = d
        year.events.append(Event(KEPUTUSAN, cur, d.period, decision=d))
    for key, d in latest.items():
        if d.kind == SET:
            year.values[key] = Value(d.value, None, "", None, key[0], "", d.at, decision=d)
        elif d.kind == CLEAR:
            year.values.pop(key, None)


def apply_verifications(year: FormYear, verifications: Iterable[Verification],
                        maps: Mapping[int, Mapping[str, str]]) -> None:
    """The atasan's latest decision about each value (see the module docstring): its
    check, and the value a Koreksi (or a Setuju of a corrected value) makes count."""
    latest: dict[tuple[str, str], Verification] = {}
    for v in sorted(verifications, key=lambda v: v.order):
        if v.kind == CATATAN:
            year.notes[v.period] = v
            continue
        cur = maps.get(v.revision, {}).get(v.indicator or "")
        if cur is None:
            continue
        latest[(cur, v.period)] = v
        if v.kind != SETUJU:
            year.events.append(Event(VERIFIKASI, cur, v.period, verification=v))
    for key, v in latest.items():
        now = year.values.get(key)
        if not same_value(None if now is None else now.value, v.base):
            year.checks[key] = (ULANG, v)
        elif v.kind == KEMBALIKAN:
            year.checks[key] = (DIKEMBALIKAN, v)
        else:
            year.checks[key] = (TERVERIFIKASI, v)
            if v.value is not None and not same_value(v.base, v.value):
                year.values[key] = Value(v.value, None, v.name, None, key[0], v.saved_at,
                                         v.collected_at, verification=v)


def same_value(a: object, b: object) -> bool:
    """Two realisasi are the same value: numbers by value (85 and 85.0), Ya/Tidak by
    their text, blank only as blank."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    return str(a).strip().casefold() == str(b).strip().casefold()


def touching(year: FormYear, shas: set[str]) -> list[Event]:
    """The events of ``year`` in which one of the files ``shas`` takes part."""
    out = []
    for e in year.events:
        if e.kind in (DIGANTI, DIKOSONGKAN, WAKTU_SAMA, DIHAPUS) and \
                ((e.old and e.old.sha256 in shas) or (e.new and e.new.sha256 in shas)):
            out.append(e)
    return out


# --------------------------------------------------------------------------- from the ledger

def load_years(ws, tahun: int | None, forms: list,
               shapes: Mapping[str, tuple] | None = None,
               names: Mapping[str, str] | None = None) -> dict[str, FormYear]:
    """form id → its :class:`FormYear`, for the issued ``forms`` (rows of
    ``Workspace.issued.forms``), from what the ledger holds. ``shapes``: the forms'
    (periods, number of indikator), ``names``: where each file was first seen — when the
    caller has them (a recap asks for its forms in slices)."""
    ids = [f.form_id for f in forms]
    files = ws.files.year_files(ids, names)
    decisions = ws.decisions.by_form(ids)
    verifications = ws.verifications.by_form(ids, names)  # issue 26
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
    active = ws.issued.active_periods(ids)  # issue 11
    out = {}
    for f in forms:
        fid = f.form_id
        out[fid] = resolve(files.get(fid, ()), revisions.get(fid, {}), f.revision,
                           decisions.get(fid, []), verifications.get(fid, ()))
        if fid in active:
            out[fid].active = active[fid].periods
    return out


def mask_status(files, period: str, count: int) -> str:
    """The status of ``period`` from the bits of what each file (``(revision, {period:
    bits})``, all of the current revision, none set aside) filled — the answer of
    :meth:`FormYear.status` without resolving the values."""
    bits = 0
    anything = False
    for _, mask in files:
        bits |= mask.get(period, 0)
        anything = anything or any(mask.values())
    filled = bin(bits).count("1")
    if count and filled == count:
        return LENGKAP
    if filled:
        return SEBAGIAN
    if files and not anything:
        return KOSONG
    return BELUM


def period_statuses(years: Mapping[str, FormYear], shapes: Mapping[str, tuple],
                    upto_month: int | None = None) -> tuple[int | None, dict[str, dict]]:
    """(the end month reported, form id → {period: status}) for every period of each form
    that ends by ``upto_month`` — by default the latest period in which any form has a
    value (None when nothing has been filled yet)."""
    if upto_month is None:
        months = [END_MONTH.get(p, 0) for y in years.values() for (_, p) in y.values]
        upto_month = max(months) if months else None
    out: dict[str, dict] = {}
    for form_id, (periods, count) in shapes.items():
        year = years.get(form_id) or FormYear()
        ids = [indicator_id(i) for i in range(count)]
        out[form_id] = {p: year.status(p, ids) for p in periods
                        if upto_month is not None and END_MONTH.get(p, 13) <= upto_month}
    return upto_month, out

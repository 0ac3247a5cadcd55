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

Pure functions over plain data: the ledger reads the rows, this module decides. The
files are met by :mod:`.meeting` (whose types this module hands on), and what meeting
them gave is kept per form between runs (:mod:`.kept`, issue 25): :func:`load_years`
meets only the files after what was kept, and keeps it anew when asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import kept
from .matching import indicator_id
from .meeting import (
    CATATAN,
    CLEAR,
    DIGANTI,
    DIHAPUS,
    DIKEMBALIKAN,
    DIKOSONGKAN,
    EXCLUDE,
    FILE_DECISIONS,
    INCLUDE,
    KEMBALIKAN,
    KEPUTUSAN,
    KOREKSI,
    MENUNGGU,
    RELEASE,
    REVISI_LAMA,
    SET,
    SETUJU,
    TERVERIFIKASI,
    ULANG,
    VALUE_DECISIONS,
    VERDICTS,
    VERIFIKASI,
    WAKTU_SAMA,
    Decision,
    Event,
    FileInput,
    Met,
    Value,
    Verification,
    cell_value,
    cell_values,
    claimed_of,
    excluded_files,
    meet,
    revision_maps,
    taking_part,
)

__all__ = [
    "BELUM", "CATATAN", "CLEAR", "DIGANTI", "DIHAPUS", "DIKEMBALIKAN", "DIKOSONGKAN",
    "END_MONTH", "EXCLUDE", "FILE_DECISIONS", "INCLUDE", "KEMBALIKAN", "KEPUTUSAN",
    "KOREKSI", "KOSONG", "LENGKAP", "MENUNGGU", "RELEASE", "REVISI_LAMA", "SEBAGIAN", "SET",
    "SETUJU", "SUBMITTED", "TERVERIFIKASI", "TIDAK_AKTIF", "ULANG", "VALUE_DECISIONS",
    "VERDICTS", "VERIFIKASI", "WAKTU_SAMA", "Decision", "Event", "FileInput", "FormYear",
    "Met", "Value", "Verification", "apply_verifications", "cell_value", "cell_values",
    "claimed_of", "excluded_files", "file_events", "load_years", "mask_status", "meet",
    "period_statuses", "resolve", "revision_maps", "same_value", "taking_part", "touching",
    "verification_of",
]

# Period statuses of a form (R4). ``kosong``: files came, but none holds any value.
LENGKAP, SEBAGIAN, KOSONG, BELUM = "lengkap", "sebagian", "kosong", "belum"
TIDAK_AKTIF = "tidak_aktif"  # the form does not count in this period (Mulai / Selesai)
SUBMITTED = (LENGKAP, SEBAGIAN)

# Months at the end of each period: orders periods of different schemes on one time line.
END_MONTH = {"TW1": 3, "TW2": 6, "TW3": 9, "TW4": 12, "S1": 6, "S2": 12, "TAHUNAN": 12}



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
    met: Met | None = None  # what meeting its files gave (kept in the ledger: :mod:`.kept`)

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
            verifications: Iterable[Verification] = (), start: Met | None = None) -> FormYear:
    """The year of one form: ``files`` its accepted files (any revision), ``revisions``
    every revision's indicators (as in the form JSON), ``current`` the current revision,
    ``decisions`` the officer's decisions about this form and its files, in order,
    ``verifications`` the atasan's (any order). ``start``: what meeting the first of
    the files that take part (:func:`taking_part`) gave, kept (:mod:`.kept`): the rest
    of them meet it (it is continued in place); those first files' values are not
    read again. The year's :attr:`FormYear.met` is what meeting every file gave."""
    files = files if isinstance(files, (list, tuple)) else list(files)
    decisions = sorted(decisions, key=lambda d: d.id)
    year = FormYear()
    year.excluded = excluded_files(decisions)
    maps = revision_maps(revisions, current)
    met = year.met = meet(taking_part(files, maps, year.excluded), revisions, current, maps,
                          start)
    year.files = len(met.files)
    year.events = list(met.events)
    year.values = cell_values(met.cells)
    year.keterangan = cell_values(met.notes)
    old_revision_files = met.old_revision
    for f in files:
        if f.sha256 in old_revision_files:
            year.events.append(Event(REVISI_LAMA, "", "", new=Value(
                None, f.sha256, f.name, f.revision, "", f.saved_at, f.collected_at,
                claimed_at=claimed_of(f))))
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
    maps = revision_maps(revisions, current)
    return meet(taking_part(list(files), maps, set()), revisions, current, maps).events


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


def touching(year: FormYear | Met, shas: set[str]) -> list[Event]:
    """The events of ``year`` (or of meeting its files) in which one of the files
    ``shas`` takes part."""
    out = []
    for e in year.events:
        if e.kind in (DIGANTI, DIKOSONGKAN, WAKTU_SAMA, DIHAPUS) and \
                ((e.old and e.old.sha256 in shas) or (e.new and e.new.sha256 in shas)):
            out.append(e)
    return out


# --------------------------------------------------------------------------- from the ledger

def load_years(ws, tahun: int | None, forms: list,
               shapes: Mapping[str, tuple] | None = None,
               names: Mapping[str, str] | None = None, *,
               given: Mapping[str, dict] | None = None, keep: bool = False
               ) -> dict[str, FormYear]:
    """form id → its :class:`FormYear`, for the issued ``forms`` (rows of
    ``Workspace.issued.forms``), from what the ledger holds: each form's kept values
    (:mod:`.kept`) and the files after them. ``shapes``: the forms' (periods, number of
    indikator), ``names``: where each file was first seen — when the caller has them (a
    recap asks for its forms in slices); ``given``: sha256 → what a file gave, for files
    whose values the caller holds (the others' are read from the ledger); ``keep``: keep
    the values of every form whose files were met."""
    plan = kept.plan(ws, tahun, forms, shapes, names, given)
    active = ws.issued.active_periods([f.form_id for f in forms])  # issue 11
    out = {}
    for f in forms:
        fid = f.form_id
        year = out[fid] = resolve(plan.inputs(fid), plan.revisions.get(fid, {}), f.revision,
                                  plan.decisions.get(fid, []),
                                  plan.verifications.get(fid, ()), plan.starts.get(fid))
        if fid in active:
            year.active = active[fid].periods
        plan.met[fid] = year.met
    if keep:
        plan.keep(ws)
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

"""Recording judged files in the ledger: small transactions (nothing half-written, a
rerun completes an interrupted collect), content seen before judged from the ledger
(collecting again changes nothing), and which accepted file of a form counts.

A file whose bytes are not in the workspace's store is recorded with the problem
``berkas_tidak_tersimpan``; collecting it again once the store can be written keeps
its bytes and takes the problem away (the verdict it replaces stays in ``rejudged``).
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime, timezone

from ..core.problems import Problem, Status
from ..core.clock import BEFORE_ISSUED, FUTURE, claim_has_zone, normal_time, trusted_time
from ..workspace import CollectedFile, Workspace
from .judge import Judge
from .reading import RawReading
from .result import FileResult
from .sources import Source, display_name

NOT_KEPT = "berkas_tidak_tersimpan"  # the file's bytes are not in the workspace's store
BATCH_FILES = 100  # files recorded in one transaction, at most …
BATCH_SECONDS = 0.5  # … or what was judged in this time


class Recorder:
    """Judged files waiting to be written: a transaction per batch (few hundred
    microseconds each) instead of per file. A crash loses at most the last batch, which
    a rerun records; the ledger is never half-written."""

    def __init__(self, ws: Workspace, run_id: str):
        self.ws, self.run_id = ws, run_id
        self.pending: list[tuple[FileResult, Source]] = []
        self.shas: set[str] = set()
        self.since = time.monotonic()

    def add(self, res: FileResult, src: Source) -> None:
        self.pending.append((res, src))
        self.shas.add(res.sha256)
        if len(self.pending) >= BATCH_FILES or time.monotonic() - self.since >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            new = self.ws.files.record([(res.entry(), src.source, src.member, src.origin,
                                         res.verifications) for res, src in self.pending],
                                       self.run_id)
            for (res, _), is_new in zip(self.pending, new):
                res.new = is_new
        self.pending, self.shas, self.since = [], set(), time.monotonic()


def judged(ws: Workspace, judge: Judge, src: Source, raw: RawReading,
            seen_this_run: dict, known_shas: set[str] | None = None,
            arrived: str = "") -> FileResult:
    """The verdict on one reading: judged now when its content is new (``arrived``: when
    it reached us, for the trusted clock), else the ledger's verdict."""
    try:
        sha = raw.sha256
        known = ws.files.get(sha) if known_shas is None or sha in known_shas \
            or sha in seen_this_run else None
        if known is None:
            res = judge.judge(raw, src)
            _keep(ws, src, raw, res)
            if raw.kept is not None:
                say_kept(res, raw.kept)
            trust_clock(res, arrived, judge)
            return res
        res = result_from_ledger(known, src)
        changed = raw.kept is not None and say_kept(res, raw.kept)  # the store changed
        earlier = known.arrived_at or normal_time(known.first_seen)
        if arrived and (not earlier or arrived < earlier):  # it reached us earlier:
            changed = trust_clock(res, arrived, judge) or changed  # another way
        if changed:
            ws.files.replace_verdict(res.entry())
        issued = judge.issued(res.form_id, res.revision) if res.form_id and \
            res.revision is not None else None
        if issued:
            res.nama, res.kode_iki = issued.nama, issued.kode_iki
        first = seen_this_run.get(raw.sha256) or _first_sighting(ws, raw.sha256)
        if first and first[:2] != (src.source, src.member):
            res.duplicate_of = first[2]
        return res
    except sqlite3.Error:
        raise  # the ledger itself: not a verdict about this file
    except Exception as exc:  # a bug of ours must not stop the batch nor freeze a verdict
        if os.environ.get("IKI_XLSX_DEBUG"):
            raise
        res = FileResult(src.name, src.source, src.member, raw.sha256, raw.size,
                         Status.REJECTED, kind=raw.kind, recorded=False, new=False)
        res.problems.append(Problem("berkas_rusak", {"reason": f"galat internal "
                                                               f"{type(exc).__name__}"},
                                    file=src.name))
        return res


CLOCK_NOTES = {FUTURE: "waktu_simpan_disesuaikan", BEFORE_ISSUED: "waktu_simpan_sebelum_terbit"}


def trust_clock(res: FileResult, arrived: str, judge: Judge) -> bool:
    """The saved time that counts for ``res`` (:func:`~iki_xlsx.core.timeline.trusted_time`)
    once it reached us at ``arrived``, and the note when its own clock was set aside
    (accepted files only: a rejected one counts for nothing). True when its verdict
    changed."""
    issued = judge.issued(res.form_id, res.revision) if res.form_id and \
        res.revision is not None else None
    trusted, why = trusted_time(res.saved_at, arrived, normal_time(issued.issued_at)
                                if issued else "", res.tahun if issued else None,
                                claim_has_zone(res.saved_from, res.modified_at))
    before = [p for p in res.problems if p.code in CLOCK_NOTES.values()]
    notes = [Problem(CLOCK_NOTES[why], {"claimed": shown_utc(res.saved_at),
                                        "trusted": shown_utc(trusted)}, file=res.name)] \
        if why and res.status != Status.REJECTED else []
    times = (res.arrived_at, res.trusted_at)
    res.arrived_at, res.trusted_at = arrived or res.arrived_at, trusted
    if [(p.code, p.params) for p in before] == [(p.code, p.params) for p in notes]:
        return times != (res.arrived_at, res.trusted_at)
    res.problems = [p for p in res.problems if p.code not in CLOCK_NOTES.values()] + notes
    res.status = Status.of(res.problems)
    return True


def shown_utc(stamp: str) -> str:
    """A normalised time as a person reads it: ``06-12-2026 14:55 UTC``."""
    return f"{stamp[8:10]}-{stamp[5:7]}-{stamp[:4]} {stamp[11:16]} UTC" if stamp else "?"


def say_kept(res: FileResult, kept: bool) -> bool:
    """Make ``res`` say whether its bytes are in the store (the problem
    ``berkas_tidak_tersimpan`` when they are not); True when its verdict changed."""
    if any(p.code == NOT_KEPT for p in res.problems) != kept:
        return False
    if kept:
        res.problems = [p for p in res.problems if p.code != NOT_KEPT]
    else:
        res.problems.append(Problem(NOT_KEPT, file=res.name))
    res.status = Status.of(res.problems)
    return True


def check_store(ws: Workspace, results: list[FileResult], kinds: dict[str, str]) -> None:
    """After a run: each of its files whose bytes were kept (``kinds``: sha256 → kind)
    and are gone from the store by now (a folder removed or replaced meanwhile) is named
    with ``berkas_tidak_tersimpan``, in the report and in the ledger."""
    gone = {sha for sha, kind in kinds.items() if ws.store.kept(sha, kind) is None}
    replaced: set[str] = set()
    for res in results:  # every copy in the report says so; the ledger's row once
        if res.sha256 in gone and res.recorded and say_kept(res, False) \
                and res.sha256 not in replaced:
            replaced.add(res.sha256)
            ws.files.replace_verdict(res.entry())


def _keep(ws: Workspace, src: Source, raw: RawReading, res: FileResult) -> None:
    """A new file's saved time, when the workbook does not say: the file's own time on
    disk. (Its bytes were kept in the workspace by the reader: see pool.read_source.)"""
    if not res.saved_at and src.path is not None:
        try:
            mtime = os.stat(src.path).st_mtime
        except OSError:
            return
        res.saved_at = normal_time(datetime.fromtimestamp(mtime, timezone.utc).isoformat())
        res.saved_from = "berkas" if res.saved_at else ""


def _first_sighting(ws: Workspace, sha: str) -> tuple[str, str, str] | None:
    seen = ws.files.sightings(sha)
    if not seen:
        return None
    s = seen[0]
    return s.source, s.member, display_name(s.where)


def result_from_ledger(row: CollectedFile, src: Source) -> FileResult:
    """A file whose content was collected before: its verdict comes from the ledger."""
    problems = []
    for p in row.problems or []:
        fields = {k: p.get(k) for k in ("code", "params", "file", "sheet", "cell", "row",
                                        "column", "indicator")}
        fields["params"] = fields["params"] or {}
        problems.append(Problem(**{k: v for k, v in fields.items() if v is not None}))
    return FileResult(src.name, src.source, src.member, row.sha256, row.size, row.status,
                      problems, row.form_id, row.revision, row.nip, "", "", row.tahun,
                      row.realisasi, row.filled, row.last_period, row.modified_at,
                      saved_at=row.saved_at or "", saved_from=row.saved_from or "",
                      arrived_at=row.arrived_at or "", trusted_at=row.trusted_at or "",
                      kind=row.kind, new=False)

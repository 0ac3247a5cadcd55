"""One collect run: every source read (:mod:`.pool`), judged (:mod:`.judge`) and recorded
(:mod:`.record`), then the report of the run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path

from ..core.problems import ACCEPTED, Problem, Status
from ..core.show import when
from ..core.clock import mail_arrival, normal_time
from ..core.collector import collecting_rarely, collector_paused
from ..core.kept import meet_files
from ..core.statuses import form_statuses, latest_month, light_files, resolved_by_value
from ..core.timeline import (
    END_MONTH,
    SUBMITTED,
    TIDAK_AKTIF,
    WAKTU_SAMA,
    Event,
    load_years,
    touching,
)
from ..forms import issued_paper
from ..workspace import IssuedFormRow, Workspace
from .judge import Judge
from .mail.mailbox import MailInputs
from .pool import Readers, read_expanding
from .realisasi import show
from .record import NOT_KEPT, Recorder, check_store, judged
from .result import FileResult
from .sources import COLLECT_LIMITS, Limits, estimate_sources, iter_sources


@dataclass
class CollectReport:
    results: list[FileResult]
    not_submitted: list[IssuedFormRow]  # issued forms not submitted for the latest period
    tahun: int | None
    run_id: str
    period: str | None = None  # the latest period any form has a value for
    missing: dict[str, list[IssuedFormRow]] = field(default_factory=dict)  # period → belum
    statuses: dict[str, dict[str, str]] = field(default_factory=dict)  # form → period → st.
    changes: list[tuple[IssuedFormRow, Event]] = field(default_factory=list)  # values changed
    mail: dict | None = None  # messages read, with / without a form (MailStats)
    messages: list[dict] = field(default_factory=list)  # each message read and what it gave
    skipped: list[dict] = field(default_factory=list)  # files a mail program wrote beside
    kertas: str = "A4"  # the master's paper: the report workbook prints on it

    def count(self, status: Status | str) -> int:
        return sum(1 for r in self.results if r.status == status and not r.duplicate_of)

    @property
    def not_kept(self) -> int:
        """Files whose bytes are not in the workspace's store (berkas_tidak_tersimpan)."""
        return sum(1 for r in self.results if not r.duplicate_of
                   and any(p.code == NOT_KEPT for p in r.problems))

    @property
    def exit_code(self) -> int:
        """0 when every file was accepted without problems, else 1."""
        return 0 if all(r.status == Status.OK and r.recorded for r in self.results) else 1


def collect(inputs: list[Path], ws: Workspace, *, tahun: int | None = None,
            jobs: int | None = None,
            progress: Callable[[int, int], None] | None = None,
            imap=None, year: bool = True, mail_files: bool = True,
            received_at: datetime | None = None,
            limits: Limits = COLLECT_LIMITS, readers: Readers | None = None
            ) -> CollectReport:
    """Collect every file under ``inputs`` (mail files — mbox, .eml, .msg, … by content
    — read as mail) and the IMAP folder ``imap`` (an
    :class:`iki_xlsx.collect.mail.imap.ImapSpec`) into the ledger of ``ws``, and report.
    ``year=False``: the files only, without the year's statuses and changes (the portal:
    its cost grows with the workspace, a pegawai needs none of it). ``mail_files=False``:
    every file is judged as a file (the portal: an upload is one file, never a mailbox).
    ``received_at``: when the inputs reached us (the portal: the upload's receipt); by
    default this run's start — a file never counts as saved after it reached us.
    ``limits``: how much the run opens and keeps (the portal: ``UPLOAD_LIMITS``);
    ``readers``: a standing pool of reader processes (the portal's), instead of ``jobs``."""
    run_arrival = normal_time((received_at or datetime.now(timezone.utc)).isoformat())
    mail = MailInputs(imap, files=mail_files)
    years = ws.issued.years()
    if tahun is None and years:
        tahun = years[-1]
    key, key_id = (ws.key, ws.key_id) if ws.has_key() else (None, None)
    judge = Judge(ws, tahun)
    run_id = uuid.uuid4().hex
    results: list[FileResult] = []
    seen_this_run: dict[str, tuple[str, str, str]] = {}  # sha → (source, member, name)
    kept: dict[str, str] = {}  # sha → kind of each file whose bytes were kept
    jobs = max(1, jobs or os.cpu_count() or 1)
    total = estimate_sources(inputs) if progress else 0
    done = 0
    recorder = Recorder(ws, run_id)
    # one query instead of one per new file — not for a run of a few files (an upload):
    # reading every sha256 of a large ledger would cost more than asking for each
    known_shas = ws.files.known_shas() if limits.forms is None else None
    # the bytes of every file read are kept in the workspace's store
    store = ws.store if limits.keep_foreign else replace(ws.store, forms_only=True)
    try:
        with collecting_rarely():
            sources = chain(iter_sources(inputs, mail), mail.imap_sources())
            for src, raw in read_expanding(sources, key, key_id, jobs, store, limits,
                                           readers):
                if raw.sha256 in recorder.shas:
                    recorder.flush()  # the same content again: judged from the ledger
                res = judged(ws, judge, src, raw, seen_this_run, known_shas,
                             arrival_of(src, run_arrival))
                if res.recorded:
                    recorder.add(res, src)
                    if raw.kept:
                        kept[raw.sha256] = raw.kind
                results.append(res)
                mail.seen(res, src)
                seen_this_run.setdefault(raw.sha256, (src.source, src.member, src.name))
                done += 1
                if progress:
                    total = max(total, done)
                    progress(done, total)
    except BaseException:
        with suppress(Exception):  # keep what was judged before an interrupt
            recorder.flush()
        raise
    recorder.flush()
    check_store(ws, results, kept)  # still there at the end of the run?
    mail.annotate(ws)  # sender / attachment-name notes (report only)
    # The year's report builds what lives on (each form's statuses, the earlier files a
    # touched form's values are met with) over a heap the run's results fill: the cycle
    # collector walking it again and again found nothing to free and took ~1/3 of it.
    with collector_paused(settle=False):
        report = _year_report(ws, tahun, run_id, results) if year else \
            CollectReport(results, [], tahun, run_id)
    report.mail = mail.stats.to_dict() if mail.used else None
    report.messages, report.skipped = mail.messages(), mail.skipped
    return report


def arrival_of(src, run_arrival: str) -> str:
    """When a source reached us: this run (or the upload), or earlier — the message it
    came in, as our mail server dated it."""
    sent = mail_arrival(src.origin) if src.origin else ""
    return min(sent, run_arrival) if sent else run_arrival


def _year_report(ws: Workspace, tahun: int | None, run_id: str,
                 results: list[FileResult]) -> CollectReport:
    """What the run means for the year: each form's status per period (up to the latest
    period any form has a value for) and the values the run's files changed."""
    forms = ws.issued.forms(tahun)
    shapes = ws.issued.shapes(forms)
    shas = {r.sha256 for r in results if r.status in ACCEPTED and r.form_id}
    # Forms with a decision (the officer's, or a Koreksi of the atasan) or a file of
    # another revision are resolved value by value; every other form's status per
    # period comes from the bits of what its files filled (the same answer, without
    # reading what they gave: the end of a run stays short as the year grows). This
    # run's files meet the values kept for their form (:mod:`iki_xlsx.core.kept`), not
    # its earlier files — the changes they make — and the form's values are kept anew;
    # so are those of a form with files and nothing kept (a ledger from before kept
    # values, a rejudge).
    masks = ws.files.year_masks()
    current = {f.form_id: f.revision for f in forms}
    touched = {r.form_id for r in results if r.sha256 in shas}
    full = resolved_by_value(ws, current, masks)
    given = {r.sha256: r.realisasi or {} for r in results if r.sha256 in shas}
    years = load_years(ws, tahun, [f for f in forms if f.form_id in full], shapes,
                       given=given, keep=True)
    # (once: a set difference in the list's condition made the end of a run quadratic,
    # 2.3 s at 10,000 forms)
    alone = (touched | (masks.keys() & current.keys()) - ws.kept.forms()) - full
    met = meet_files(ws, tahun, [f for f in forms if f.form_id in alone], shapes, given)
    light = light_files(masks, current, full)
    month = latest_month(years, light)
    active = ws.issued.active_periods(list(current))  # issue 11: Mulai / Selesai
    statuses = form_statuses(years, shapes, light, active, month)
    by_id = {f.form_id: f for f in forms}
    missing: dict[str, list[IssuedFormRow]] = {}
    latest = None
    for form_id, periods in statuses.items():
        for period, status in periods.items():
            if status not in SUBMITTED and status != TIDAK_AKTIF:
                missing.setdefault(period, []).append(by_id[form_id])
            if latest is None or END_MONTH[period] > END_MONTH[latest]:
                latest = period
    not_submitted = [f for f in forms if month is None or any(
        END_MONTH[p] == month and st not in SUBMITTED and st != TIDAK_AKTIF
        for p, st in statuses.get(f.form_id, {}).items())]
    changes = []
    for form_id in sorted(touched):
        year = years.get(form_id) or met.get(form_id)
        if year is not None:
            changes.extend((by_id[form_id], e) for e in touching(year, shas))
    _note_same_time(results, changes)
    order = sorted(missing, key=lambda p: END_MONTH[p])
    return CollectReport(results, not_submitted, tahun, run_id, latest,
                         {p: missing[p] for p in order}, statuses, changes,
                         kertas=issued_paper(ws, tahun, forms))


def _note_same_time(results: list[FileResult], changes: list) -> None:
    """Two files saved at the same moment that disagree on a value: each of this run's
    files says so (a note of the report, not stored with the file: it depends on which
    other files were collected). The officer settles it with a decision."""
    by_sha = {r.sha256: r for r in results}
    for _, e in changes:
        if e.kind != WAKTU_SAMA or e.old is None or e.new is None:
            continue
        for mine, other in ((e.new, e.old), (e.old, e.new)):
            r = by_sha.get(mine.sha256)
            if r is not None and not r.duplicate_of:
                r.problems.append(Problem("waktu_simpan_sama", {
                    "other": other.name, "waktu": when(mine.saved_at),
                    "value": show(mine.value), "other_value": show(other.value),
                    "period": e.period, "indikator": e.indicator}, file=r.name))
                r.status = Status.of(r.problems)


def ledger_report(ws: Workspace, tahun: int | None = None) -> CollectReport:
    """Every file in the ledger as one collect report, with the year as it stands (the
    portal's "collect report, made fresh"; nothing is read or recorded)."""
    from .record import result_from_ledger
    from .sources import Source, display_name

    years = ws.issued.years()
    if tahun is None and years:
        tahun = years[-1]
    names = ws.files.first_names()
    forms = {f.form_id: f for f in ws.issued.forms()}
    results = []
    for row in ws.files.all():
        name = display_name(names.get(row.sha256, row.sha256[:12]))
        res = result_from_ledger(row, Source(name, name))
        issued = forms.get(res.form_id)
        if issued:
            res.nama, res.kode_iki = issued.nama, issued.kode_iki
        results.append(res)
    return _year_report(ws, tahun, "ledger", results)

"""Generate one locked, print-ready IKI workbook per (pegawai, IKI), plus a distribution
list, recording every issued form in the workspace ledger.

The main process owns the ledger: it names each form (form id, file path: :mod:`.planning`)
and looks up what was issued before. Everything per form — layout, content hash, revision
decision, signed manifest, the workbook itself (:mod:`.workbook`) and its ledger row —
runs in a process pool, so the work spreads over all cores.
"""

from __future__ import annotations

import gc
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from ..core.atomic import DeferredCommits
from ..core.collector import collector_paused
from ..core.model import Form, Master
from ..core.processes import worker_context
from ..core.texts import get_texts
from ..core.matching import match_indicators
from ..workspace import (
    IssuedFormRow,
    IssuedRevisions,
    NewRevision,
    Workspace,
    ledger_json,
)
from . import layout as L
from . import reissue
from .distribution import DistributionList
from .formcopy import FORM_COPY_KEY, pack_form
from .manifest import (
    build_manifest,
    content_hash,
    form_to_dict,
    reading_view,
    sign_text,
)
from .planning import plan_paths, safe_name, write_zips
from .workbook import write_form

__all__ = ["GenerateResult", "PlannedForm", "generate_forms", "issued_row", "plan_paths",
           "safe_name"]

# forms recorded in the ledger per transaction, while the workers write the next ones
# (recording 10,000 at the end kept the main process busy ~7 s after the last form)
RECORD_EVERY = 500


@dataclass
class FormJob:
    """Everything a worker needs to build, sign and write one form."""

    path: str
    rel_path: str
    form: Form
    form_id: str
    previous: IssuedRevisions | None  # the revisions issued of this form id, if any
    key: bytes
    key_id: str
    password: str
    templates_dir: str | None
    filled: dict | None = None  # issue 11: closed periods filled in (reissue.filled_for)
    active: tuple | None = None  # the periods it counts in (Mulai / Selesai); None: all


@dataclass
class FormResult:
    """What a worker sends back: small, already serialised for the ledger."""

    path: str
    form_id: str
    revision: int
    status: str  # baru | revisi | kembali (an earlier revision's content again) | sama
    content_hash: str
    manifest_text: str  # the signed manifest (the ledger row's, the same text)
    ledger_row: NewRevision | None  # None once handed to the ledger (~47 kB of text a form)
    reissue: dict | None = None  # a re-issue: what the form says is filled, late, to fill


_inherited: list[FormJob] = []  # a forked worker's: every job of the run (_inherit)


def _inherit(jobs: list[FormJob]) -> None:
    """A forked worker's start: the run's jobs are in its memory already (a fork copies
    the parent's), so batches name them by index instead of each job being pickled in
    the main process and unpickled here (~0.2 ms a form of both processes' time)."""
    _inherited[:] = jobs


def build_batch(jobs: list[FormJob] | range) -> list[FormResult]:
    """Build and write a batch of forms (in a worker process; ``jobs`` a range of
    indices into the inherited jobs, see :func:`_inherit`). Each file's sync to disk
    and rename run on a thread while the next form is built; the batch returns once
    every file is in place under its final name."""
    if isinstance(jobs, range):
        jobs = [_inherited[i] for i in jobs]
    with DeferredCommits() as commits, collector_paused(settle=False):
        results = []
        for job in jobs:
            results.append(build_and_write(job, commits))
            gc.collect(0)  # once a form, not while it is built: it leaves no cycle
        return results


def build_and_write(job: FormJob, commits: DeferredCommits | None = None) -> FormResult:
    """Lay out, hash, sign and write one form (runs in a worker process; ``commits``:
    its file is put in place by that thread, see :func:`build_batch`)."""
    texts = get_texts(job.templates_dir)
    form = job.form
    lay = L.build_layout(form, texts)
    locked = lay.locked_values()
    locked_text = ledger_json(locked)  # hashed here, stored in the ledger as it is
    digest = content_hash(locked_text)
    prev = job.previous
    if prev is None:
        revision, status = 1, "baru"
    elif prev.content_hash == digest:
        revision, status = prev.revision, "sama"
    elif digest in prev.revisions:  # back to what an earlier revision said: reuse it
        revision, status = prev.revisions[digest], "kembali"
    else:
        revision, status = max(prev.last, prev.revision) + 1, "revisi"
    body = build_manifest(form, lay, form_id=job.form_id, revision=revision,
                          key_id=job.key_id, locked_hash=digest)
    form_text = ledger_json(form_to_dict(form))
    body[FORM_COPY_KEY] = pack_form(form_text)  # issue 11: recovery from the file itself
    # after the content hash is taken: which realisasi cells are open (issues 11, 23)
    lay.inactive = reissue.close_inactive(lay, job.active)
    if job.filled is not None:
        late = reissue.apply(lay, job.filled)
        body[reissue.MANIFEST_KEY] = reissue.manifest_part(job.filled, lay, late)
        lay.reissue = reissue.describe(lay, job.filled, late, texts, job.active)
    manifest, manifest_text = sign_text(body, job.key)
    write_form(job.path, form, lay, manifest_text, job.password, texts, job.form_id, revision,
               commits)
    row = issued_row(form, job.form_id, revision, manifest, locked, job.rel_path, form_text)
    # Serialised here, in the worker: the main process only inserts the text (the form's
    # is the canonical text already made for the manifest).
    row = replace(row, targets=ledger_json(row.targets), locked_cells=locked_text,
                  reading=ledger_json(reading_view(manifest)), manifest=manifest_text)
    return FormResult(job.path, job.form_id, revision, status, digest, manifest_text, row,
                      getattr(lay, "reissue", None))


@dataclass
class PlannedForm:
    form: Form
    form_id: str
    revision: int
    status: str  # baru | revisi | kembali | sama
    path: Path
    manifest_text: str = field(repr=False)
    templates_dir: str | None = None
    previous: int | None = None  # the revision that was current before (revisi, kembali)
    matching: object = None  # matching.Matching of the indikator against it
    reissue: dict | None = None  # a re-issue: periods filled, late, to fill (labels)
    _layout: L.FormLayout | None = field(default=None, repr=False)
    _manifest: dict | None = field(default=None, repr=False)

    @property
    def manifest(self) -> dict:
        """The signed manifest written into the file."""
        if self._manifest is None:
            self._manifest = json.loads(self.manifest_text)
        return self._manifest

    @property
    def layout(self) -> L.FormLayout:
        """The form's layout, rebuilt on demand (workers do not send it back)."""
        if self._layout is None:
            self._layout = L.build_layout(self.form, get_texts(self.templates_dir))
        return self._layout


@dataclass
class GenerateResult:
    forms: list[PlannedForm] = field(default_factory=list)
    out_dir: Path | None = None
    distribution: Path | None = None
    zips: list[Path] = field(default_factory=list)
    password_file: Path | None = None
    seconds: float = 0.0
    withdrawn: list[IssuedFormRow] = field(default_factory=list)  # issue 11: withdrawn now
    back: list[str] = field(default_factory=list)  # form ids issued again after withdrawal

    def count(self, status: str) -> int:
        return sum(1 for f in self.forms if f.status == status)


# --------------------------------------------------------------------------- orchestration

def generate_forms(master: Master, out_dir: str | Path, workspace: Workspace, *,
                   jobs: int | None = None, templates_dir: str | None = None,
                   make_zip: bool = False,
                   progress: Callable[[int, int], None] | None = None,
                   keep: set[tuple[str, str]] = frozenset(),
                   closed_upto: str | None = None,
                   shut_upto: str | None = None) -> GenerateResult:
    """Write every form of ``master`` (its valid assignments) under ``out_dir``, record
    them and the master's contacts in the workspace. Forms of the year no longer in the
    master are withdrawn, except the (NIP, Kode IKI) in ``keep`` (rows skipped as
    invalid). ``closed_upto``: re-issue with what was counted s.d. that period filled in
    and locked; ``shut_upto``: every cell s.d. that period locked, even without a value
    (see :mod:`.reissue`)."""
    from .generate_year import record_year, withdrawn_ids

    started = time.perf_counter()
    texts = get_texts(templates_dir)
    out_dir = Path(out_dir)
    forms = master.forms()
    password, password_file = workspace.sheet_password(master.settings.sandi)
    ids = [workspace.form_id(f.settings.tahun, f.pegawai.nip, f.iki.kode) for f in forms]
    issued = workspace.issued.revisions_of(ids)
    paths = plan_paths(forms, out_dir, texts.t("form.tanpa_perangkat_daerah"))
    key, key_id = workspace.key, workspace.key_id
    scheme = master.settings.periode
    form_jobs = [FormJob(str(path), path.relative_to(out_dir).as_posix(), form, form_id,
                         issued.get(form_id), key, key_id, password, templates_dir,
                         active=_active_of(a, scheme))
                 for form, form_id, path, a in zip(forms, ids, paths, master.assignments)]
    if closed_upto or shut_upto:  # issues 11, 23: re-issue with what was counted
        reissue.fill_jobs(workspace, form_jobs, closed_upto or shut_upto, shut_upto)
    jobs = max(1, jobs or os.cpu_count() or 1)
    serial = jobs == 1 or len(form_jobs) < 16
    size = 16 if serial else max(1, min(16, len(form_jobs) // (jobs * 8)))
    context = None if serial else worker_context()
    forked = context is not None and context.get_start_method() == "fork"
    batches = [range(i, min(i + size, len(form_jobs))) if forked else form_jobs[i:i + size]
               for i in range(0, len(form_jobs), size)]
    gone_before = withdrawn_ids(workspace)
    stamp, unrecorded, planned = None, [], []
    kertas = forms[0].settings.kertas if forms else "A4"
    with ExitStack() as stack:
        if serial:
            done = map(build_batch, batches)
        else:  # every worker started (forked on Linux) before the list's thread: a fork
            # while another thread holds a lock (an import's) leaves the child waiting
            # for it for ever; a caller that already runs threads gets spawned workers
            pool = stack.enter_context(ProcessPoolExecutor(
                max_workers=jobs, mp_context=context, initializer=_inherit if forked else None,
                initargs=(form_jobs,) if forked else ()))
            done = pool.map(build_batch, batches)  # submits every batch: starts them all
        listing = stack.enter_context(
            DistributionList(out_dir, texts, master.settings.tahun, kertas))
        for batch_results in done:  # recorded as they come, while the workers go on
            for r in batch_results:  # the rows' texts are not kept to the end
                unrecorded.append(r.ledger_row)
                r.ledger_row = None
                planned.append(_planned(form_jobs[len(planned)], r, templates_dir,
                                        gone_before))
                listing.add(planned[-1])
            if len(unrecorded) >= RECORD_EVERY:
                stamp = workspace.issued.record(unrecorded, stamp)
                unrecorded = []
            if progress:
                progress(len(planned), len(form_jobs))
        workspace.issued.record(unrecorded, stamp)
        year = record_year(workspace, master, ids, set(keep), gone_before)
        workspace.mail.record_contacts(master)
        workspace.settings.record({"hanya_terverifikasi":  # issue 26: read by the recap
                                   "ya" if master.settings.hanya_terverifikasi else "tidak"})
        _match_revised(workspace, planned, form_jobs)
        result = GenerateResult(planned, out_dir, password_file=password_file,
                                withdrawn=year.withdrawn, back=year.back)
        result.distribution = listing.finish(year.withdrawn)
    if make_zip:
        result.zips = write_zips([p.path for p in planned], out_dir)
    result.seconds = time.perf_counter() - started
    return result


def _planned(job: FormJob, r: FormResult, templates_dir: str | None,
             withdrawn_before: set[str]) -> PlannedForm:
    """A form as written; issued again after a withdrawal (issue 11): ``aktif_lagi``."""
    status = "aktif_lagi" if r.form_id in withdrawn_before else r.status
    return PlannedForm(job.form, r.form_id, r.revision, status, Path(r.path),
                       r.manifest_text, templates_dir, reissue=r.reissue)


def _active_of(assignment, scheme) -> tuple | None:
    """The periods a form counts in, when its Mulai or Selesai limits them."""
    if not (assignment.mulai or assignment.selesai):
        return None
    return tuple(assignment.active_periods(scheme))


def _match_revised(workspace: Workspace, planned: list[PlannedForm],
                   jobs: list[FormJob]) -> None:
    """For each revised form: which indikator of the revision current before match the
    new one (their realisasi carry over), which are new and which were removed."""
    for p, job in zip(planned, jobs):
        if p.status not in ("revisi", "kembali") or job.previous is None:
            continue
        before = workspace.issued.form(p.form_id, job.previous.revision)
        if before is None:
            continue
        p.previous = job.previous.revision
        p.matching = match_indicators(before.form_json["iki"]["indicators"],
                                      [_indicator_dict(i) for i in p.form.iki.indicators])


def _indicator_dict(ind) -> dict:
    return {"no": ind.no, "sasaran": ind.sasaran, "indikator": ind.indikator}


def issued_row(form: Form, form_id: str, revision: int, manifest: dict, locked: dict,
               rel_path: str, form_json: dict | str | None = None) -> NewRevision:
    """The ledger row of one issued revision (its reading view not yet made);
    ``form_json``: the form's :func:`form_to_dict`, or its canonical text, when the
    caller made it already."""
    f = form
    return NewRevision(
        form_id, revision, f.pegawai.nip, f.iki.kode, f.settings.tahun, f.pegawai.nama,
        f.pegawai.jabatan, f.pegawai.perangkat_daerah, f.pegawai.unit_kerja, f.atasan.nip,
        f.atasan.nama, manifest["content_hash"],
        targets={i["id"]: {k: i[k] for k in ("target", "polaritas", "agregasi",
                                              "period_targets")}
                 for i in manifest["indicators"]},
        form_json=form_to_dict(f) if form_json is None else form_json,
        locked_cells=locked, manifest=manifest, reading=None, file_path=rel_path)

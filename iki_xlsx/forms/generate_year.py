"""What ``generate`` does about the whole year (issue 11), kept apart from the layout and
the workbook writing of :mod:`iki_xlsx.forms.generate`:

* the active periods of every form (the master's Mulai / Selesai), logged in the ledger;
* withdrawal: a (NIP, Kode IKI) of the year that is no longer in the master gets an
  issue_log row without revision (``ditarik``): out of every recap, its data kept; a
  form that comes back later is issued again (``aktif_lagi``);
* ``generate --dry-run``: what would be new, revised (with the indikator matching),
  unchanged, back, withdrawn — recording and writing nothing.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from ..core.model import Master
from ..core.texts import get_texts
from ..core.matching import match_indicators
from ..workspace import IssuedFormRow, Workspace
from . import layout as L
from .manifest import content_hash


@dataclass
class YearChanges:
    withdrawn: list[IssuedFormRow] = field(default_factory=list)  # forms withdrawn now
    back: list[str] = field(default_factory=list)  # form ids issued again after withdrawal


def active_map(master: Master, ids: list[str]) -> dict[str, tuple[str, str, list]]:
    """form id → (mulai, selesai, active periods), in the order of ``master.forms()``."""
    scheme = master.settings.periode
    return {fid: (a.mulai, a.selesai, a.active_periods(scheme))
            for fid, a in zip(ids, master.assignments)}


def to_withdraw(ws: Workspace, tahun: int, ids: list[str],
                keep: set[tuple[str, str]]) -> list[IssuedFormRow]:
    """The forms of ``tahun`` issued and not withdrawn whose form id is not in ``ids``
    (the master's) and whose (NIP, Kode IKI) is not in ``keep`` (rows of the master that
    were skipped as invalid: still there, not withdrawn)."""
    wanted = set(ids)
    return [f for f in ws.issued.forms(tahun)
            if f.form_id not in wanted and (f.nip, f.kode_iki) not in keep]


def record_year(ws: Workspace, master: Master, ids: list[str], keep: set[tuple[str, str]],
                withdrawn_before: set[str]) -> YearChanges:
    """After the forms are recorded: log active periods and withdraw what left the
    master. ``withdrawn_before``: form ids that were withdrawn before this run."""
    gone = to_withdraw(ws, master.settings.tahun, ids, keep)
    ws.issued.record_year(active_map(master, ids), [f.form_id for f in gone])
    return YearChanges(gone, [fid for fid in ids if fid in withdrawn_before])


def withdrawn_ids(ws: Workspace) -> set[str]:
    return {fid for fid, rev in ws.issued.current_revisions().items() if rev is None}


# --------------------------------------------------------------------------- dry run

@dataclass
class DryRunForm:
    nip: str
    nama: str
    kode_iki: str
    status: str  # baru | revisi | kembali | sama | aktif_lagi
    revision: int | None  # the revision it would get (None: new workspace)
    previous: int | None = None
    matching: object = None  # matching.Matching for revisi / kembali


@dataclass
class DryRun:
    forms: list[DryRunForm]
    withdrawn: list[IssuedFormRow]

    def count(self, status: str) -> int:
        return sum(1 for f in self.forms if f.status == status)


def _hash_of(args) -> str:
    form, templates_dir = args
    return content_hash(L.build_layout(form, get_texts(templates_dir)).locked_values())


def dry_run(master: Master, ws: Workspace, *, keep: set[tuple[str, str]] = frozenset(),
            templates_dir: str | None = None, jobs: int | None = None) -> DryRun:
    """What ``generate`` would do with ``master``: nothing is written, recorded or
    created (not even the key or the ledger of a new workspace)."""
    forms = master.forms()
    fresh = not ws.has_key() or not ws.ledger.exists()
    if fresh:
        return DryRun([DryRunForm(f.pegawai.nip, f.pegawai.nama, f.iki.kode, "baru", 1)
                       for f in forms], [])
    ids = [ws.form_id(f.settings.tahun, f.pegawai.nip, f.iki.kode) for f in forms]
    issued = ws.issued.revisions_of(ids)
    gone_before = withdrawn_ids(ws)
    work = [(f, templates_dir) for f in forms]
    jobs = max(1, jobs or os.cpu_count() or 1)
    if jobs == 1 or len(work) < 16:
        hashes = [_hash_of(w) for w in work]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            hashes = list(pool.map(_hash_of, work, chunksize=16))
    out = []
    for form, fid, digest in zip(forms, ids, hashes):
        prev = issued.get(fid)
        p = form.pegawai
        if prev is None:
            out.append(DryRunForm(p.nip, p.nama, form.iki.kode, "baru", 1))
            continue
        if prev.content_hash == digest:
            rev, status = prev.revision, "sama"
        elif digest in prev.revisions:
            rev, status = prev.revisions[digest], "kembali"
        else:
            rev, status = max(prev.last, prev.revision) + 1, "revisi"
        item = DryRunForm(p.nip, p.nama, form.iki.kode, status, rev, prev.revision)
        if status in ("revisi", "kembali"):
            before = ws.issued.form(fid, prev.revision)
            if before is not None:
                item.matching = match_indicators(
                    before.form_json["iki"]["indicators"],
                    [{"no": i.no, "sasaran": i.sasaran, "indikator": i.indikator}
                     for i in form.iki.indicators])
        if fid in gone_before:
            item.status = "aktif_lagi"
        out.append(item)
    return DryRun(out, to_withdraw(ws, master.settings.tahun, ids, set(keep)))

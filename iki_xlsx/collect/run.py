"""One collect run: every source read (:mod:`.pool`), judged (:mod:`.judge`) and recorded
(:mod:`.record`), then the report of the run."""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from ..ledger import Workspace
from ..problems import Status
from .judge import Judge
from .pool import fewer_collections, read_expanding
from .record import Recorder, judged, mark_superseded
from .result import FileResult
from .sources import estimate_sources, iter_sources

@dataclass
class CollectReport:
    results: list[FileResult]
    not_submitted: list[dict]  # issued forms (latest revision) without a submission
    tahun: int | None
    run_id: str

    def count(self, status: Status | str) -> int:
        return sum(1 for r in self.results if r.status == status and not r.duplicate_of)

    @property
    def exit_code(self) -> int:
        """0 when every file was accepted without problems, else 1."""
        return 0 if all(r.status == Status.OK and r.recorded for r in self.results) else 1


def collect(inputs: list[Path], ws: Workspace, *, tahun: int | None = None,
            jobs: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> CollectReport:
    """Collect every file under ``inputs`` into the ledger of ``ws`` and report."""
    years = ws.years()
    if tahun is None and years:
        tahun = years[-1]
    key, key_id = (ws.key, ws.key_id) if ws.has_key() else (None, None)
    judge = Judge(ws, tahun)
    run_id = uuid.uuid4().hex
    results: list[FileResult] = []
    seen_this_run: dict[str, tuple[str, str, str]] = {}  # sha → (source, member, name)
    jobs = max(1, jobs or os.cpu_count() or 1)
    total = estimate_sources(inputs) if progress else 0
    done = 0
    recorder = Recorder(ws, run_id)
    known_shas = ws.known_shas()  # one query instead of one per new file
    gc_threshold = fewer_collections()
    try:
        for src, raw in read_expanding(iter_sources(inputs), key, key_id, jobs):
            if raw.sha256 in recorder.shas:
                recorder.flush()  # the same content again: judged from the ledger
            res = judged(ws, judge, src, raw, seen_this_run, known_shas)
            if res.recorded:
                recorder.add(res, src)
            results.append(res)
            seen_this_run.setdefault(raw.sha256, (src.source, src.member, src.name))
            done += 1
            if progress:
                total = max(total, done)
                progress(done, total)
    except BaseException:
        with suppress(Exception):  # keep what was judged before an interrupt
            recorder.flush()
        raise
    finally:
        gc.set_threshold(*gc_threshold)
    recorder.flush()
    forms = ws.issued_forms(tahun, full=False)
    current = ws.current_submissions(tahun, full=False, forms=forms)
    mark_superseded(ws, results, current, seen_this_run)
    missing = [f for f in forms if f["form_id"] not in current]
    return CollectReport(results, missing, tahun, run_id)


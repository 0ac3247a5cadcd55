"""Making the review workbooks of a period (issue 26): the plan from the ledger
(:mod:`.review`), then per atasan — in worker processes, as ``generate`` does, while the
main process reads the next books' year — the layout (:mod:`.reviewbook`), the content
hash, the revision (the same content keeps its number), the signed manifest
(:mod:`.reviewmanifest`), the file and its ledger row; the main process records them.
"""

from __future__ import annotations

import os
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..core.canonical import canonical_text
from ..core.texts import get_texts
from ..workspace import NewReview, ReviewRevisions, Workspace
from .manifest import content_hash, sign, to_text
from .planning import NAME_LIMIT, first_free, safe_name
from .review import ReviewBlock, ReviewBook, ReviewPlan, fill_books, plan_reviews
from .reviewbook import BlockLayout, block_layout, sheet_names, write_review
from .reviewmanifest import build_review_manifest

RECORD_EVERY = 64  # review workbooks recorded in the ledger per transaction


@dataclass
class ReviewJob:
    """Everything a worker needs to lay out, sign and write one review workbook."""

    path: str
    rel_path: str
    book: ReviewBook
    review_id: str
    previous: ReviewRevisions | None
    key: bytes
    key_id: str
    password: str
    templates_dir: str | None


@dataclass
class ReviewResult:
    path: str
    review_id: str
    revision: int
    status: str  # baru | berubah | sama
    ledger_row: NewReview


def write_book(job: ReviewJob) -> ReviewResult:
    """Lay out, hash, sign and write one review workbook (runs in a worker process)."""
    texts = get_texts(job.templates_dir)
    book = job.book
    names = sheet_names(book.blocks)
    layouts = [block_layout(book, block, name, texts)
               for block, name in zip(book.blocks, names)]
    locked = canonical_text({lay.sheet: lay.locked_values() for lay in layouts})
    digest = content_hash(locked)
    prev = job.previous
    if prev is None:
        revision, status = 1, "baru"
    elif digest in prev.revisions:
        revision, status = prev.revisions[digest], "sama"
    else:
        revision, status = prev.last + 1, "berubah"
    blocks = [_manifest_block(block, lay) for block, lay in zip(book.blocks, layouts)]
    manifest = sign(build_review_manifest(
        review_id=job.review_id, revision=revision, key_id=job.key_id, tahun=book.tahun,
        period=book.period, atasan=book.atasan, blocks=blocks, content_hash=digest), job.key)
    text = to_text(manifest)
    write_review(job.path, book, layouts, text, job.password, texts)
    row = NewReview(job.review_id, revision, book.tahun, book.period,
                    str(book.atasan.get("nip") or ""), str(book.atasan.get("nama") or ""),
                    digest, locked, text, job.rel_path)
    return ReviewResult(job.path, job.review_id, revision, status, row)


def _manifest_block(block: ReviewBlock, lay: BlockLayout) -> dict:
    return {"form_id": block.form_id, "revision": block.revision,
            "nip": str(block.pegawai.get("nip") or ""),
            "nama": str(block.pegawai.get("nama") or ""), "sheet": lay.sheet,
            "note": lay.note, "identity": lay.identity, "period_cell": lay.period_cell,
            "rows": [{"id": row.id, "cells": refs, "shown": row.realisasi,
                      "base": row.base, "source": row.source, "polaritas": row.polaritas,
                      "satuan": row.satuan, "target": row.target_value,
                      "target_text": row.target_text, "indikator": row.indikator}
                     for row, refs in zip(block.rows, lay.rows)]}




@dataclass
class ReviewRun:
    plan: ReviewPlan
    out_dir: Path
    results: list[ReviewResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def bawahan(self) -> int:
        return sum(len(b.bawahan) for b in self.plan.books)


def generate_reviews(ws: Workspace, period_text: str, out_dir: str | Path | None, *,
                     tahun: int | None = None, atasan: str | None = None,
                     jobs: int | None = None, templates_dir: str | None = None,
                     progress: Callable[[int, int], None] | None = None) -> ReviewRun:
    """Write one review workbook per atasan for ``period_text`` under ``out_dir``
    (default ``output/verifikasi-<period>``: ``<NIP>_<Nama>.xlsx``) and record them.
    ValueError (Indonesian) for an unknown period, a workspace without forms, or an
    ``atasan`` NIP with no bawahan then.

    The plan (who is in which workbook, the file names) is made first and cheaply; then
    the main process reads the year book by book (:func:`fill_books`) while ``jobs``
    worker processes lay out and write the books already read — a bounded number in
    flight, so memory does not grow with the number of atasan."""
    started = time.perf_counter()
    texts = get_texts(templates_dir)
    nip = "".join(ch for ch in atasan if ch.isdigit()) if atasan else None
    plan = plan_reviews(ws, texts, period_text, tahun=tahun, atasan=nip)
    if nip and not plan.books:
        raise ValueError(texts.t("verifikasi.galat.atasan", nip=atasan,
                                 periode=texts.t(f"form.periode.{plan.period}")))
    out_dir = Path(out_dir) if out_dir else Path("output") / f"verifikasi-{plan.period}"
    password, _ = ws.sheet_password()
    ids = [ws.review_id(plan.tahun, plan.period, b.key) for b in plan.books]
    known = ws.reviews.revisions_of(ids)
    key, key_id = ws.key, ws.key_id
    todo = (ReviewJob(str(out_dir / rel), rel, book, rid, known.get(rid), key, key_id,
                      password, templates_dir)
            for book, rid, rel in zip(fill_books(ws, plan, texts), ids,
                                      review_paths(plan.books)))
    run = ReviewRun(plan, out_dir)
    unrecorded: list[NewReview] = []

    def done(result: ReviewResult | None) -> None:
        """Keep a written book's result; record them in the ledger some at a time (one
        transaction for all would hold every manifest twice more in memory)."""
        if result is not None:
            run.results.append(result)
            unrecorded.append(result.ledger_row)
            if progress:
                progress(len(run.results), len(plan.books))
        if unrecorded and (result is None or len(unrecorded) >= RECORD_EVERY):
            ws.reviews.record(unrecorded)
            unrecorded.clear()

    jobs = max(1, jobs or os.cpu_count() or 1)
    if jobs == 1 or len(plan.books) < 8:
        for job in todo:
            done(write_book(job))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            waiting: deque = deque()
            for job in todo:
                waiting.append(pool.submit(write_book, job))
                while len(waiting) > 4 * jobs or (waiting and waiting[0].done()):
                    done(waiting.popleft().result())
            while waiting:
                done(waiting.popleft().result())
    done(None)
    run.seconds = time.perf_counter() - started
    return run


def review_paths(books: list[ReviewBook]) -> list[str]:
    """``<NIP>_<Nama>.xlsx`` per atasan (the name alone without a NIP; an atasan with
    several workbooks, as Plt. too, adds the jabatan), relative to the output folder;
    names that would clash on Windows get ``(2)``."""
    used: set[str] = set()
    out = []
    workbooks = Counter(b.atasan_key for b in books)
    for book in books:
        nip = str(book.atasan.get("nip") or "")
        stem = f"{nip}_{book.atasan.get('nama') or ''}" if nip \
            else str(book.atasan.get("nama") or "_")
        if workbooks[book.atasan_key] > 1:
            stem += f"_{book.atasan.get('jabatan') or ''}"
        stem = safe_name(stem, NAME_LIMIT)
        out.append(first_free(f"{stem}.xlsx", lambda n: f"{stem} ({n}).xlsx", used))
    return out

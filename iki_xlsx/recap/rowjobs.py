"""Per Indikator's rows made in contiguous slices of forms, each slice deflated into a file
of its own (a :class:`~.rowzip.Piece`): in worker processes while this one writes the
other sheets (a large recap, several cores), or here (a small recap, ``jobs=1``, or where
no worker can be started). Each slice knows its first row (the indikator before it);
what travels to a worker is plain data (:func:`~.indicator_rows.form_items`, packed by
marshal), but for the first slice of a forked worker, which makes its items from the
forms it inherited: no core waits while this process packs them. The slices go out
before any sheet is written: a worker measures its texts and says its sources
(:class:`~.indicator_rows.Measured`) while the cells' styles are not known yet
(xlsxwriter numbers a format when it is first used: after Ringkasan and Per Pegawai),
then waits for them (an Event and a shared array given at its start). The
indikator sets repeat across slices (the forms of one IKI are spread over the sheet): the
first slice's worker leaves the lines it measured of them in a file beside its slice, and
the other slices' workers take them from there (:func:`make_slice`'s ``share``) instead
of measuring every set again.

Windows-safe: the workers are started by the platform's default method (spawn on
Windows and macOS), or spawned when this process has threads (the portal: a fork would
copy its locks in whatever state they are); nothing relies on a fork. The slices' files
sit beside the workbook being written and are always removed (:meth:`RowJobs.close`).
"""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import os
import pickle
import zlib
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from itertools import islice
from pathlib import Path

from ..core.processes import worker_context
from ..core.texts import Texts
from .indicator_rows import Measured, RowPlan, form_items, rows
from .inline import InlineRows
from .rowzip import Piece, deflater

PARALLEL_ROWS = 50_000  # fewer rows: made here (a worker's start costs about a second)
SLICES_PER_JOB = 1  # a slice per worker: each slice escapes every indikator text it meets again
START_METHOD: str | None = None  # None: the platform's default, spawn with threads
STYLES_WAIT = 900.0  # seconds a worker waits for the cells' styles (seconds, normally)
SHARED_WAIT = 120.0  # seconds a worker waits for the first slice's sets (seconds, normally)

_texts: dict[str | None, Texts] = {}  # a worker's texts, by templates folder
_forked: dict[str, list] = {}  # the forms a forked worker inherits, by their slices' base
_styles: dict = {}  # a worker's: "ready" (Event) and "values" (shared Array), "shared"
# (Event: the first slice's sets measured), see _given


def _given(ready, values, shared) -> None:
    """A worker's start: it makes no reference cycles and ends with the workbook (the
    collector off), and learns the cells' styles through ``values`` once ``ready``."""
    gc.disable()
    _styles.update(ready=ready, values=values, shared=shared)


def make_slice(plan: RowPlan, items: list | None, first: int, path: str,
               texts: Texts | None = None, share: tuple[str, bool] | None = None) -> Piece:
    """Rows of ``items`` numbered from ``first + 1``, deflated into ``path`` (a worker's
    task, or this process's); ``items`` None: :func:`packed` in ``path`` (the rows then
    replace them), or (base, lo, hi): those of the forms ``lo:hi`` this forked worker
    inherited (``_forked[base]``); ``texts``: None to load the plan's templates. A plan
    without styles (a worker started before they were known) waits for them after
    measuring.
    ``share`` (a worker's): (a file, True) to leave the indikator sets' lines measured
    here in it (the first slice), (that file, False) to take them from it."""
    try:
        if items is None:
            with open(path, "rb") as fh:
                items = unpacked(fh.read())
        elif type(items) is tuple:  # read twice (measured, then written): made once here
            base, lo, hi = items
            items = list(LazyItems(_forked[base][lo:hi], plan.periods))
        if texts is None:
            texts = _texts.get(plan.templates) or _texts.setdefault(
                plan.templates, Texts(plan.templates))
        if share is None:
            measured = Measured(plan, texts, items)
        elif share[1]:
            measured = Measured(plan, texts, items)
            _publish(measured.own, share[0])
        else:
            measured = Measured(plan, texts, items, _shared(share[0]))
    finally:  # said also when the first slice failed: the others then measure their own
        if share is not None and share[1]:
            _styles["shared"].set()
    if not plan.styles:
        plan = _with_styles(plan)
    out = InlineRows(list(plan.styles), plan.number_styles)
    z = deflater()
    crc = size = csize = 0
    with open(path, "wb") as fh:
        made = rows(plan, measured, items, first, out)
        while True:
            chunk = list(islice(made, 2000))
            data = "".join(chunk).encode("utf-8")
            crc, size = zlib.crc32(data, crc), size + len(data)
            packed = z.compress(data) if len(chunk) == 2000 else \
                z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)
            csize += len(packed)
            fh.write(packed)
            if len(chunk) < 2000:
                return Piece(path, csize, crc, size)


def _publish(own: dict, path: str) -> None:
    """The indikator sets' lines in ``path`` for the other slices' workers, whole or not
    at all (written aside, then renamed)."""
    with open(path + ".part", "wb") as fh:
        fh.write(packed(list(own.items())))
    os.replace(path + ".part", path)


def _shared(path: str) -> dict:
    """The first slice's indikator sets and their lines; none when that slice failed or
    did not say them in time (this worker then measures every set itself)."""
    if not _styles["shared"].wait(SHARED_WAIT):
        return {}
    try:
        with open(path, "rb") as fh:
            return dict(unpacked(fh.read()))
    except FileNotFoundError:
        return {}


def _with_styles(plan: RowPlan) -> RowPlan:
    ready = _styles["ready"].wait(STYLES_WAIT)
    values = list(_styles["values"])
    if not ready or values[0] < 0:  # the workbook failed before its styles were known,
        # or the process writing it is gone (killed): a worker never waits for ever
        raise RuntimeError("the recap workbook was abandoned")
    n = len(plan.widths)
    return replace(plan, styles=tuple(values[:n]), number_styles=tuple(values[n:]))


CHUNK_FORMS = 500  # forms whose items are made (and packed) at once: a slice's are not held


class LazyItems:
    """The items of ``forms`` (:func:`~.indicator_rows.form_items`) made a chunk of forms at
    a time each time they are read: measuring and writing read them once each, so this
    process never holds a slice's items (for 10,000 forms of a year's ledger, ~190 MB)."""

    def __init__(self, forms: list, periods: tuple[str, ...]):
        self.forms, self.periods = forms, periods

    def chunks(self):
        """The items, a list per chunk of forms (a worker's file holds one per chunk)."""
        for k in range(0, len(self.forms), CHUNK_FORMS):
            yield form_items(self.forms[k:k + CHUNK_FORMS], self.periods)

    def __iter__(self):
        for chunk in self.chunks():
            yield from chunk


_PICKLED = pickle.dumps(None, 5)[:1]  # a pickle's first byte (marshal's never is)


def packed(items: list) -> bytes:
    """``items`` as bytes for a worker, made here and left in its slice's file (none
    kept in this process while the worker runs): by marshal, several times faster than
    pickling them in the pool's thread (plain tuples of texts and numbers); by pickle if
    a value is something else. Framed by its length: a slice's file holds one per chunk
    of forms."""
    try:
        data = marshal.dumps(items)
    except ValueError:  # a value marshal does not know
        data = pickle.dumps(items, 5)
    return len(data).to_bytes(8, "little") + data


def unpacked(data: bytes) -> list:
    """Every chunk's items of a slice's file, in order."""
    out: list = []
    at = 0
    while at < len(data):
        size = int.from_bytes(data[at:at + 8], "little")
        chunk = data[at + 8:at + 8 + size]
        out.extend(pickle.loads(chunk) if chunk[:1] == _PICKLED else marshal.loads(chunk))
        at += 8 + size
    return out


class RowJobs:
    """The slices of one sheet's rows: handed to workers by :meth:`start` as soon as the
    columns are known (a worker measures meanwhile), their cells' styles given by
    :meth:`styled` once xlsxwriter has registered them, their pieces in order from
    :meth:`pieces`, their files removed by :meth:`close` (also on error)."""

    def __init__(self, plan: RowPlan, forms: list, texts: Texts, base: Path,
                 jobs: int | None = None):
        self.plan, self.forms, self.texts, self.base = plan, forms, texts, base
        self.paths: list[str] = []  # the slices' files, and the shared sets' (see start)
        self.jobs = _workers(jobs, sum(len(f.indicators) for f in forms), texts)
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list = []
        self.slices: list[tuple[int, int, int]] = []  # (first form, end form, first row)
        self.ready = self.values = None

    def start(self, first: int) -> RowJobs:
        """Cut the forms into slices (rows numbered from ``first + 1``) and hand them to
        the workers, when there are any."""
        n = self.jobs * SLICES_PER_JOB if self.jobs > 1 else 1
        self.slices = _cut(self.forms, n, first)
        self.paths = [str(self.base.with_name(f"{self.base.name}.{k}"))
                      for k in range(len(self.slices))]
        if self.jobs > 1:
            shared = str(self.base.with_name(f"{self.base.name}.sets"))
            self.paths += [shared, shared + ".part"]  # removed with the slices' files
            context = worker_context(START_METHOD)
            inherit = context.get_start_method() == "fork"
            if inherit:  # removed by close
                _forked[str(self.base)] = self.forms
            self.ready = context.Event()
            self.values = context.Array("i", len(self.plan.widths) + 3, lock=False)
            self.pool = ProcessPoolExecutor(self.jobs, mp_context=context,
                                            initializer=_given,
                                            initargs=(self.ready, self.values,
                                                      context.Event()))  # the sets said
            for k, ((lo, hi, row), path) in enumerate(zip(self.slices, self.paths)):
                items = None
                if k == 0 and inherit:  # its worker starts at once; the others' items
                    items = (str(self.base), lo, hi)  # are packed here meanwhile
                else:
                    with open(path, "wb") as fh:  # not kept here while the worker runs
                        fh.writelines(packed(chunk) for chunk in LazyItems(
                            self.forms[lo:hi], self.plan.periods).chunks())
                self.futures.append(self.pool.submit(make_slice, self.plan, items, row, path,
                                                     None, (shared, k == 0)))
        return self

    def styled(self, styles: tuple[int, ...], number_styles: tuple[int, int, int]) -> None:
        """The cells' styles (xf indices), now that xlsxwriter has registered them."""
        self.plan = replace(self.plan, styles=styles, number_styles=number_styles)
        if self.ready is not None:
            self.values[:] = [*styles, *number_styles]
            self.ready.set()

    def pieces(self) -> list[Piece]:
        """Every slice's piece, in order: a worker's when it made it; made here when
        there are no workers or they could not run (a worker's own error is raised)."""
        out = []
        for k, ((lo, hi, row), path) in enumerate(zip(self.slices, self.paths)):
            if self.futures:
                try:
                    out.append(self.futures[k].result())
                    continue
                except BrokenProcessPool:  # a worker could not start, or died: made here
                    pass
            out.append(make_slice(self.plan, LazyItems(self.forms[lo:hi], self.plan.periods),
                                  row, path, self.texts))
        return out

    def close(self) -> None:
        if self.pool is not None:
            if not self.ready.is_set():  # failed before the styles: workers end
                self.values[0] = -1
                self.ready.set()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        _forked.pop(str(self.base), None)
        for path in self.paths:
            Path(path).unlink(missing_ok=True)


def _workers(jobs: int | None, rows_count: int, texts: Texts) -> int:
    """How many worker processes: none (1) for a small sheet, for texts a worker could
    not load the same (not a plain :class:`Texts`), or in a daemonic process (it may
    not start any); else ``jobs``, by default one per core."""
    jobs = jobs or os.cpu_count() or 1
    if jobs < 2 or rows_count < PARALLEL_ROWS or type(texts) is not Texts \
            or multiprocessing.current_process().daemon:
        return 1
    return jobs


def _cut(forms: list, n: int, first: int) -> list[tuple[int, int, int]]:
    """``forms`` cut into at most ``n`` contiguous slices of about as many rows each:
    (first form, end form, the row before the slice's first)."""
    total = sum(len(f.indicators) for f in forms)
    out, lo, done, row = [], 0, 0, first
    for i, f in enumerate(forms):
        done += len(f.indicators)
        if done * n >= total * (len(out) + 1) or i == len(forms) - 1:
            out.append((lo, i + 1, row))
            row = first + done
            lo = i + 1
    return out or [(0, 0, first)]

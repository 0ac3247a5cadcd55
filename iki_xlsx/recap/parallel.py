"""A recap's forms built on several cores: the forms split into slices, a worker process
building each but the last, which this process builds — the same
:class:`~iki_xlsx.recap.figures.FormSlice` code, on the workspace opened read-only; the
forms come back in the recap's order.

The forms of one Kode IKI go to one slice: forms sharing an IKI share its parsed
definition, which every process needing it would parse again (split into runs of the
issue order, each of two processes parsed all 2,496 IKIs of 10,000 forms, ~1.4 s each).

The talk with a worker, over a pipe (each message a tag byte and a pickle):

1. the worker reads its slice's IKIs and sends its :class:`SlicePlan` (``P``);
2. the recap decides its period from every slice's plan and sends its end month;
3. the worker sends its forms as it builds them (``F``, :mod:`.transfer`), then the
   files their values use (``D``) — or what went wrong (``E``: the exception, raised
   here as it would have been raised in this process).

A thread here reads the forms' messages as they come (a worker never waits for this
process); they are unpacked between the chunks of this process's own slice. A worker that dies raises
:class:`RecapWorkerError` (never a partial recap). Small recaps stay in this process
(starting a worker costs ~0.3–0.5 s): fewer than :data:`PARALLEL_FROM` forms, or
``jobs=1``. Workers are started the platform's default way (spawned on Windows and
macOS, forked on Linux), spawned when this process runs other threads (the portal):
nothing here relies on a fork.
"""

from __future__ import annotations

import os
import pickle
import queue
import threading
import traceback
from typing import NoReturn

from ..core.collector import collector_paused
from ..core.processes import worker_context
from ..core.texts import Texts
from ..workspace import FileGlance, IssuedFormRow, Workspace
from .data import RecapForm
from .figures import FormSlice, SlicePlan
from .transfer import Packer, Unpacker

__all__ = ["PARALLEL_FROM", "RecapParts", "RecapWorkerError", "build_part", "helpers_for"]

PARALLEL_FROM = 2000  # forms: a smaller recap is built in this process alone
OWN_SHARE = 1.0  # this process's slice against a worker's (it unpacks, a worker packs)
START_METHOD: str | None = None  # "spawn" | "fork" | … (None: the rule above)


class RecapWorkerError(RuntimeError):
    """A worker process building part of the recap died (its message is Indonesian)."""


def helpers_for(forms: int, jobs: int | None) -> int:
    """How many worker processes a recap of ``forms`` forms uses (``jobs``: processes in
    all, this one included; None: one per core)."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    return 0 if jobs == 1 or forms < PARALLEL_FROM else jobs - 1


def _split(heads: list[IssuedFormRow], helpers: int) -> list[list[int]]:
    """The positions of the forms of each slice, the forms of one Kode IKI together (in
    the order first met), this process's slice last, :data:`OWN_SHARE` of a worker's."""
    by_code: dict[str, list[int]] = {}
    for i, head in enumerate(heads):
        by_code.setdefault(head.kode_iki, []).append(i)
    weights = [1.0] * helpers + [OWN_SHARE]
    slices: list[list[int]] = [[] for _ in weights]
    taken, acc, k = 0, weights[0], 0
    for positions in by_code.values():
        while k < len(weights) - 1 and taken >= len(heads) * acc / sum(weights):
            k += 1
            acc += weights[k]
        slices[k].extend(positions)
        taken += len(positions)
    return [sorted(s) for s in slices]


def build_part(conn, path: str, tahun: int, heads: list[IssuedFormRow],
               files: list[FileGlance], only_verified: bool) -> None:
    """A worker process: build one slice of the recap's forms (see the module)."""
    try:
        with collector_paused(settle=False):  # it makes no cycles; the process ends
            part = FormSlice(Workspace(path, read_only=True), tahun, heads, files)
            conn.send_bytes(b"P" + pickle.dumps(part.plan()))
            end = conn.recv()
            if end is None:
                return
            packer = Packer()
            for forms in part.build(end, only_verified):
                conn.send_bytes(b"F" + packer.pack(forms))
            conn.send_bytes(b"D" + pickle.dumps(part.used))
    except BaseException as exc:  # noqa: BLE001 — sent to the recap, raised there
        _send_error(conn, exc)
    finally:
        conn.close()


def _send_error(conn, exc: BaseException) -> None:
    remote = "".join(traceback.format_exception(exc))
    try:
        message = pickle.dumps((exc, remote))
    except Exception:  # noqa: BLE001 — an exception that does not pickle
        message = pickle.dumps((RuntimeError(f"{type(exc).__name__}: {exc}"), remote))
    try:
        conn.send_bytes(b"E" + message)
    except OSError:  # the recap is gone
        pass


class _Worker:
    def __init__(self, ctx, ws: Workspace, tahun: int, heads: list, files: list,
                 only_verified: bool, positions: list[int]):
        self.positions = positions
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=build_part, daemon=True, args=(
            child, str(ws.path), tahun, heads, files, only_verified))
        self.process.start()
        child.close()

    def receive(self, texts: Texts) -> bytes:
        """The next message (tag and pickle); see :meth:`fail`."""
        try:
            message = self.conn.recv_bytes()
        except (EOFError, OSError):
            message = b""
        if message[:1] in (b"", b"E"):
            self.fail(message, texts)
        return message

    def fail(self, message: bytes, texts: Texts) -> NoReturn:
        """Raise the exception the worker sent (``E``) as it was raised there, or
        :class:`RecapWorkerError` when the pipe ended without it (the worker died)."""
        if message[:1] == b"E":
            exc, remote = pickle.loads(message[1:])
            if hasattr(exc, "add_note"):  # Python 3.11+; 3.10 raises it without
                exc.add_note(f"(raised in a recap worker process)\n{remote}")
            raise exc
        self.process.join()
        raise RecapWorkerError(texts.t("rekap.galat.proses_berhenti",
                                       kode=self.process.exitcode))

    def start_reading(self) -> None:
        """A thread keeping its messages as they come (the worker never waits for this
        process); :meth:`take` unpacks them."""
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.unpacker = Unpacker()
        self.places = iter(self.positions)
        self.used: set[str] | None = None
        threading.Thread(target=self._read_all, daemon=True).start()

    def _read_all(self) -> None:
        """Until the last message (or an error); b"" for the end of the pipe."""
        while True:
            try:
                message = self.conn.recv_bytes()
            except (EOFError, OSError):
                self.inbox.put(b"")
                return
            self.inbox.put(message)
            if message[:1] in (b"D", b"E"):
                return

    def take(self, forms: list, texts: Texts, wait: bool) -> bool:
        """Its forms come so far (``wait``: all of them) unpacked into their places in
        ``forms``; True when all came (then :attr:`used` holds the files they use)."""
        while self.used is None:
            try:
                message = self.inbox.get(block=wait)
            except queue.Empty:
                return False
            if message[:1] == b"F":
                for form, at in zip(self.unpacker.unpack(message[1:]), self.places):
                    forms[at] = form  # the forms first: zip takes no place beyond the last
            elif message[:1] == b"D":
                self.used = pickle.loads(message[1:])
            else:
                self.fail(message, texts)
        return True


class RecapParts:
    """The recap's forms in slices: :attr:`mine` built here, the others by workers
    (none for a small recap). Use as a context manager: leaving it ends the workers."""

    def __init__(self, ws: Workspace, tahun: int, heads: list[IssuedFormRow],
                 files: list[FileGlance], only_verified: bool, jobs: int | None,
                 texts: Texts):
        self.texts, self.only_verified, self.count = texts, only_verified, len(heads)
        self.workers: list[_Worker] = []
        helpers = helpers_for(len(heads), jobs)
        if not helpers:
            self.mine = FormSlice(ws, tahun, heads, files)
            return
        slices = _split(heads, helpers)
        ctx = worker_context(START_METHOD)
        for positions in slices[:-1]:
            part = [heads[i] for i in positions]
            self.workers.append(_Worker(ctx, ws, tahun, part, _files_of(part, files),
                                        only_verified, positions))
        part = [heads[i] for i in slices[-1]]
        self.mine = FormSlice(ws, tahun, part, _files_of(part, files), slices[-1])

    def __enter__(self) -> RecapParts:
        return self

    def __exit__(self, *exc) -> None:
        for worker in self.workers:
            if exc[0] is not None and worker.process.is_alive():
                worker.process.terminate()
            worker.process.join()
            worker.conn.close()

    def plans(self) -> list[SlicePlan]:
        """Every slice's plan."""
        plans = [self.mine.plan()]
        for worker in self.workers:
            plans.append(pickle.loads(worker.receive(self.texts)[1:]))
        return plans

    def build(self, end: int) -> tuple[list[RecapForm], set[str]]:
        """Every form s.d. the month ``end``, in the recap's order, and the files whose
        values they use. The workers' forms are unpacked between this process's own."""
        if not self.workers:
            return [f for chunk in self.mine.build(end, self.only_verified)
                    for f in chunk], self.mine.used
        for worker in self.workers:
            worker.conn.send(end)
            worker.start_reading()
        forms: list = [None] * self.count
        places = iter(self.mine.positions)
        for chunk in self.mine.build(end, self.only_verified):
            for form, at in zip(chunk, places):
                forms[at] = form
            for worker in self.workers:
                worker.take(forms, self.texts, wait=False)
        used = set(self.mine.used)
        for worker in self.workers:
            worker.take(forms, self.texts, wait=True)
            used |= worker.used
        return forms, used


def _files_of(heads: list[IssuedFormRow], files: list[FileGlance]) -> list[FileGlance]:
    ids = {h.form_id for h in heads}
    return [f for f in files if f.form_id in ids]

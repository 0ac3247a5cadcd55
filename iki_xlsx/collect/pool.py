"""Reading many sources: in this process, or in a pool of worker processes with a bounded
window of work in flight (memory does not grow with the inbox), or — for a caller that
runs long and reads a few files at a time from many threads (the portal) — in a standing
:class:`Readers` pool, so the threads wait without holding the interpreter and reading
uses another core. A file that crashes its reader (a native library's bug) is re-read
alone in a process of its own and reported, instead of taking collect down.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from concurrent.futures.process import BrokenProcessPool
from itertools import chain, islice

from ..core.collector import fewer_collections
from ..core.problems import Problem
from ..workspace import FileStore
from .reading import RawReading, read_bytes, read_path, sha256_of
from .sources import COLLECT_LIMITS, Limits, RunCap, Source, archive_sources


def read_source(args: tuple) -> RawReading:
    """Read one source (in a worker process, or in this one): ``(source, key, key_id)``,
    and a fourth item, the workspace's :class:`FileStore`, to keep the bytes read there
    (content-addressed: the workers write in parallel; only whether the bytes are kept
    travels back, in ``RawReading.kept``). A store for ``forms_only`` keeps the bytes of
    forms signed with this workspace's key only."""
    src, key, key_id = args[:3]
    store: FileStore | None = args[3] if len(args) > 3 else None
    if src.problem is not None:  # could not even be listed or opened
        raw = RawReading(sha256_of(f"{src.source}\0{src.member}".encode()), 0)
        raw.problems.append(src.problem)
        return raw
    try:
        if src.path is not None:
            raw = read_path(src.path, key, key_id)
        else:
            raw = read_bytes(src.data or b"", key, key_id)
        if store is not None and raw.data is not None and \
                (not store.forms_only or (raw.signature_ok and raw.key_match)):
            raw.kept = store.keep(raw.sha256, raw.kind, raw.data)
        raw.data = None
        return raw
    except OSError as exc:  # vanished or locked since it was listed
        raw = RawReading(sha256_of(f"{src.source}\0{src.member}".encode()), 0)
        raw.problems.append(Problem("berkas_tidak_terbaca",
                                        {"reason": exc.strerror or str(exc)}))
        return raw


def _read_chunk(chunk: list[tuple[Source, bytes | None, str | None]]) -> list[RawReading]:
    return [read_source(args) for args in chunk]


def _worker_init(parent: int) -> None:
    """Workers end themselves when collect is gone (killed, even with SIGKILL): a pool
    worker would otherwise wait for work forever. They read files only: the young
    generation is collected less often (see :func:`collect`)."""
    fewer_collections()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _new_pool(jobs: int, spawn: bool = False) -> ProcessPoolExecutor:
    """Reader processes; ``spawn``: started afresh rather than forked (for a caller that
    has threads, whose locks a fork would copy in whatever state they are)."""
    return ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init,
                               initargs=(os.getpid(),),
                               mp_context=get_context("spawn") if spawn else None)


def _read_alone(args, spawn: bool = False) -> RawReading:
    """Read one source in a process of its own: a file that crashes its reader (a bug in
    a native library) is reported instead of taking collect down."""
    pool = _new_pool(1, spawn)
    try:
        return pool.submit(read_source, args).result()
    except BrokenProcessPool:
        src = args[0]
        raw = RawReading(sha256_of(f"{src.source}\0{src.member}".encode()), 0)
        raw.problems.append(Problem("berkas_rusak", {"reason": "pembaca berhenti"}))
        return raw
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class Readers:
    """A standing pool of reader processes, started on first use and kept until
    :meth:`close` (a server's life): each :meth:`read` waits for its file in the calling
    thread, which holds no lock meanwhile. Processes are spawned, not forked (the caller
    has threads); a pool a crashing file broke is replaced, the file read alone."""

    def __init__(self, workers: int = 1):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self) -> ProcessPoolExecutor:
        """The pool, its processes started (a server starts them before its first
        request, so that no upload waits for a process to start)."""
        with self._lock:
            if self._pool is None:
                self._pool = _new_pool(self.workers, spawn=True)
                for ready in [self._pool.submit(os.getpid) for _ in range(self.workers)]:
                    ready.result()  # up and waiting: the first file waits for no start
            return self._pool

    def read(self, args: tuple) -> RawReading:
        pool = self.start()
        try:
            return pool.submit(read_source, args).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            return _read_alone(args, spawn=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def read_expanding(sources: Iterable[Source], key: bytes | None, key_id: str | None,
                   jobs: int, store=None, limits: Limits = COLLECT_LIMITS,
                   readers: Readers | None = None) -> Iterator[tuple[Source, RawReading]]:
    """:func:`read_all`, with the members of a zip archive given as a file read in its
    place (the reader tells an archive from a workbook by the central directory it parses
    anyway, so a file is opened as a zip once), within ``limits``; ``readers``: a standing
    pool to read in (see :class:`Readers`)."""
    cap = RunCap(limits)
    for src, raw in read_all(cap.take(sources), key, key_id, jobs, store, readers):
        if raw.kind == "archive" and src.path is not None:
            cap.give_back()
            yield from read_all(cap.take(archive_sources(src, limits)), key, key_id, jobs,
                                store, readers)
        else:
            yield src, raw


def read_all(sources: Iterable[Source], key: bytes | None, key_id: str | None,
             jobs: int, store=None, readers: Readers | None = None
             ) -> Iterator[tuple[Source, RawReading]]:
    """(source, reading) in the order of ``sources``. With several jobs, a bounded
    window of chunks is in flight: memory does not grow with the number of files."""
    if readers is not None:
        for src in sources:
            yield src, readers.read((src, key, key_id, store))
        return
    it = iter(sources)
    head = list(islice(it, 16))
    if jobs == 1 or len(head) < 16:
        for src in chain(head, it):
            yield src, read_source((src, key, key_id, store))
        return
    size = 8
    pool = _new_pool(jobs)
    pending: deque = deque()
    stream = chain(head, it)

    def refill() -> None:
        while len(pending) < jobs * 3:
            chunk = list(islice(stream, size))
            if not chunk:
                return
            pending.append((chunk, pool.submit(_read_chunk, [(s, key, key_id, store)
                                                              for s in chunk])))

    try:
        refill()
        while pending:
            chunk, future = pending.popleft()
            try:
                raws = future.result()
            except BrokenProcessPool:
                pool.shutdown(wait=True, cancel_futures=True)
                raws = [_read_alone((s, key, key_id, store)) for s in chunk]
                pool = _new_pool(jobs)
                pending = deque((c, pool.submit(_read_chunk, [(s, key, key_id, store) for s in c]))
                                for c, _ in pending)
            yield from zip(chunk, raws)
            refill()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------- run

"""Atomic output: write to a temporary file beside the target, then rename over it, so a
crash or an error never leaves a truncated workbook under the final name.

A process writing many files (generate's workers) can hand the last step — the ``fsync``
that waits on the disk, then the rename — to :class:`DeferredCommits`, one background
thread, and build the next file meanwhile."""

from __future__ import annotations

import fnmatch
import glob
import os
import re
import secrets
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

STALE_SECONDS = 3600  # a temporary file this old was left by a killed writer


@contextmanager
def atomic_path(path: str | Path,
                commits: DeferredCommits | None = None) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; on success it is flushed to disk and
    replaces ``path`` (by ``commits``' thread when given: then it is in place once
    ``commits`` has waited). Temporary files a killed writer left behind (older than an
    hour, so never a concurrent writer's) are swept on the next write of the same name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path)
    while True:
        tmp = path.parent / f".{path.stem[:40]}.{secrets.token_hex(4)}.tmp{path.suffix}"
        try:
            # 0o666 minus the umask, like any file the user saves (mkstemp would make
            # every form and recap readable by its owner only).
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            break
        except FileExistsError:
            continue
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if commits is None:
        _commit(tmp, path)
    else:
        commits.submit(tmp, path)


class DeferredCommits:
    """Finishes atomic writes on one background thread: each temporary file is synced to
    disk, then renamed to its final name, in the order given. ``fsync`` waits on the disk
    (~4 ms a form here) with the GIL released, so the writer's next file is built
    meanwhile. Used as a context manager: leaving it waits until every file is in place
    (or removed, if its sync or rename failed) and raises the first failure."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._pending: list[Future] = []

    def submit(self, tmp: Path, path: Path) -> None:
        self._pending.append(self._thread.submit(_commit, tmp, path))

    def __enter__(self) -> DeferredCommits:
        return self

    def __exit__(self, *exc) -> None:
        self._thread.shutdown(wait=True)
        failures = [f.exception() for f in self._pending if f.exception() is not None]
        if failures and exc[0] is None:
            raise failures[0]


def _commit(tmp: Path, path: Path) -> None:
    """Data on disk, then the final name; the temporary file removed on failure."""
    try:
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


_TEMP_NAME = re.compile(r"\..*\.[0-9a-f]{8}\.tmp")  # what atomic_path names a temporary
_temps_seen: dict[Path, tuple[float, list[str]]] = {}  # folder → (when listed, temp names)


def _sweep(path: Path) -> None:
    """Remove the stale temporary files of ``path``'s name. The folder is listed once an
    hour per process, not once a file: generate writes hundreds of forms into each
    folder, and listing it for each one grew with the square of their number."""
    now = time.time()
    folder = path.parent
    seen = _temps_seen.get(folder)
    if seen is None or now - seen[0] > STALE_SECONDS:
        try:
            names = [e.name for e in os.scandir(folder) if _TEMP_NAME.match(e.name)]
        except OSError:
            names = []
        seen = _temps_seen[folder] = (now, names)
    pattern = f".{glob.escape(path.stem[:40])}.*.tmp{glob.escape(path.suffix)}*"
    for name in [n for n in seen[1] if fnmatch.fnmatchcase(n, pattern)]:
        old = folder / name
        try:
            if now - old.stat().st_mtime > STALE_SECONDS:
                old.unlink()
                seen[1].remove(name)
        except OSError:
            pass


def _fsync(path: Path) -> None:
    """Data on disk before the rename: a power cut never leaves an empty file under the
    final name (the rename alone already covers a killed process)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


"""Atomic output: write to a temporary file beside the target, then rename over it, so a
crash or an error never leaves a truncated workbook under the final name."""

from __future__ import annotations

import glob
import os
import secrets
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

STALE_SECONDS = 3600  # a temporary file this old was left by a killed writer


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; on success it is flushed to disk and
    replaces ``path``. Temporary files a killed writer left behind (older than an hour,
    so never a concurrent writer's) are swept on the next write of the same name."""
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
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _sweep(path: Path) -> None:
    now = time.time()
    for old in path.parent.glob(f".{glob.escape(path.stem[:40])}.*.tmp{path.suffix}*"):
        try:
            if now - old.stat().st_mtime > STALE_SECONDS:
                old.unlink()
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


"""The bytes of every collected file, by content: ``berkas/ab/<sha256>.<kind>``, written
atomically and never overwritten, readable by the workspace's owner only. What rejudge reads again, backup copies and recovery
trusts.

Nothing is remembered between two writes — not even which folders exist: a folder
removed under a running process (a workspace restored or rebuilt at the same path, a
portal running for weeks) is made again by the next write, and a write that fails says
so (the caller records the problem ``berkas_tidak_tersimpan`` on that file).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from .private import create_private, private_dir

STORE_DIR = "berkas"


@dataclass(frozen=True)
class FileStore:
    """The store under ``root``. It holds nothing but its folder, so it travels to the
    read workers (which keep the bytes they read: nothing travels back)."""

    root: Path
    forms_only: bool = False  # keep only forms signed with this workspace's key (uploads)

    def path_of(self, sha256: str, kind: str = "") -> Path:
        """Where the bytes of a file are kept: ``ab/<sha256>.<kind>`` (no suffix for a
        file that is not a workbook)."""
        suffix = f".{kind}" if kind in ("xlsx", "ods") else ""
        return self.root / sha256[:2] / f"{sha256}{suffix}"

    def kept(self, sha256: str, kind: str = "") -> Path | None:
        """The kept copy of a file, or None when its bytes are not in the store."""
        path = self.path_of(sha256, kind)
        return path if path.is_file() else None

    def keep(self, sha256: str, kind: str, data: bytes) -> bool:
        """Keep a file's bytes (a temporary file renamed into place). Bytes that do not
        hash to ``sha256`` are not kept. True when the bytes are (or already were) in
        the store; False when they could not be written (a folder that cannot be made,
        a read-only or full disk)."""
        target = self.path_of(sha256, kind)
        if target.is_file():
            return True
        if hashlib.sha256(data).hexdigest() != sha256:
            return False
        tmp = target.parent / f".{sha256[:16]}.{secrets.token_hex(4)}.tmp"
        try:
            try:
                fd = create_private(tmp)
            except FileNotFoundError:  # its folder is not there (yet, or any more)
                private_dir(target.parent, self.root.parent)
                fd = create_private(tmp)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except OSError:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
            return False
        return True

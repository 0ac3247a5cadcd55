"""A workspace is its owner's only: names, NIPs and values are in the ledger and in every
stored file. On Linux and macOS its folders are 0700 and its files (the ledger and its
WAL, the stored files, keys, passwords, backups, the portal's log) 0600 from the moment
they exist; a workspace made by an earlier version (0755 / 0644) is tightened the first
time this version opens its ledger. On Windows a mode means little (the README says
where a workspace should live there): these functions do nothing but make folders.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
POSIX = os.name == "posix"


def private_dir(path: Path, top: Path | None = None) -> Path:
    """Make ``path`` (0700), and every missing folder between ``top`` (the workspace,
    made 0700 too when missing) and it; an existing folder of the workspace is
    tightened. Folders above ``top`` are the user's and are left as they are."""
    path = Path(path)
    chain = [path]
    if top is not None and path != top and Path(top) in path.parents:
        chain = [Path(top), *reversed([p for p in path.parents if Path(top) in p.parents]),
                 path]
    if chain[0].parent != chain[0]:
        chain[0].parent.mkdir(parents=True, exist_ok=True)
    for folder in chain:
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            tighten(folder, DIR_MODE)
    return path


def create_private(path: Path) -> int:
    """Open a new file ``path`` for writing, readable by its owner only from the moment
    it exists (an existing name raises FileExistsError); its descriptor."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                   FILE_MODE)


def tighten(path: Path, mode: int = FILE_MODE) -> None:
    """Take away what ``mode`` does not allow (group and others), where POSIX applies."""
    if not POSIX:
        return
    try:
        now = stat.S_IMODE(os.stat(path).st_mode)
        if now & ~mode:
            os.chmod(path, now & mode)
    except OSError:
        pass


# What a workspace holds (workspace/folder.py, keys.py, store.py; the portal's folder):
# only these are tightened, so that a workspace pointed at a folder holding other things
# never changes those.
WORKSPACE_FILES = ("ledger*", "jurnal*", "*.key", "sandi-*.txt", "portal-*.txt", "portal-*.key")
WORKSPACE_TREES = ("berkas", "portal")


def tighten_workspace(root: Path) -> None:
    """The workspace ``root`` 0700, its own files 0600, and every folder and file of its
    stored files and of the portal likewise: a workspace made before its modes were
    private."""
    root = Path(root)
    if not POSIX or not root.is_dir():
        return
    tighten(root, DIR_MODE)
    for pattern in WORKSPACE_FILES:
        for path in root.glob(pattern):
            if path.is_file():
                tighten(path, FILE_MODE)
    for name in WORKSPACE_TREES:
        tree = root / name
        if not tree.is_dir() or tree.is_symlink():
            continue
        tighten(tree, DIR_MODE)
        for folder, dirs, files in os.walk(tree):
            for entry in dirs:
                tighten(Path(folder) / entry, DIR_MODE)
            for entry in files:
                tighten(Path(folder) / entry, FILE_MODE)


def is_private(path: Path) -> bool:
    """True when group and others have no access to ``path`` (always, off POSIX)."""
    if not POSIX:
        return True
    try:
        return not stat.S_IMODE(os.stat(path).st_mode) & 0o077
    except OSError:
        return True

"""Backup and restore of a whole workspace (issue 11): one zip holding the ledger (a
consistent copy made with SQLite's online backup, so other commands may run meanwhile),
its journal up to that copy (issue 23: what a later recovery replays), the key, the
sheet password and every stored returned file, with an index of their sha256 signed
with the workspace key.

Restoring goes only into an empty workspace folder (or one holding nothing but the
same key, as after a lost ledger); a truncated, foreign or altered archive is refused
with a message and nothing is written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..core.atomic import atomic_path
from ..core.canonical import canonical
from ..core.texts import Texts, get_texts
from ..workspace import (
    DB_FILE,
    JOURNAL_FILE,
    KEY_FILE,
    PASSWORD_FILE,
    STORE_DIR,
    Workspace,
    check_ledger_file,
    copy_journal,
    now_iso,
    private_dir,
    tighten,
    tighten_workspace,
)

INDEX = "iki-cadangan.json"
FORMAT = "iki-xlsx-cadangan"
_MEMBER = re.compile(rf"({re.escape(DB_FILE)}|{re.escape(KEY_FILE)}|{re.escape(PASSWORD_FILE)}"
                     rf"|{re.escape(JOURNAL_FILE)}"
                     rf"|{STORE_DIR}/[0-9a-f]{{2}}/[0-9a-f]{{64}}(\.xlsx|\.ods)?)")


class BackupError(ValueError):
    """A backup or restore refused: the message is for the officer (Indonesian)."""


@dataclass
class BackupResult:
    path: Path
    files: int  # stored returned files included
    size: int


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _mac(key: bytes, body: dict) -> str:
    return hmac.new(key, b"iki-xlsx backup|" + canonical(body), hashlib.sha256).hexdigest()


def backup(ws: Workspace, target: str | Path, texts: Texts | None = None) -> BackupResult:
    """Write the whole workspace into the zip ``target`` (atomically)."""
    t = (texts or get_texts()).t
    if not ws.has_key():
        raise BackupError(t("cadangan.galat.tanpa_ruang_kerja", path=ws.path.resolve()))
    if not ws.ledger.exists():  # a key alone: nothing worth an archive
        raise BackupError(t("cadangan.galat.tanpa_ledger", path=ws.path.resolve()))
    target = Path(target)
    key = ws.key
    with tempfile.TemporaryDirectory(prefix="iki-cadangan-") as tmpdir:
        ledger = Path(tmpdir) / DB_FILE
        ws.ledger.backup(ledger)  # first: every file it names is already stored
        members: list[tuple[str, Path]] = [(KEY_FILE, ws.key_path), (DB_FILE, ledger)]
        journal = Path(tmpdir) / JOURNAL_FILE  # its lines up to the ledger copied (issue 23)
        if copy_journal(ws.ledger.journal.path, ledger, journal):
            members.append((JOURNAL_FILE, journal))
        password = ws.path / PASSWORD_FILE
        if password.is_file():
            members.append((PASSWORD_FILE, password))
        store = ws.store.root
        stored = sorted(p for p in store.glob("*/*") if p.is_file()
                        and _MEMBER.fullmatch(p.relative_to(ws.path).as_posix())) \
            if store.is_dir() else []
        members += [(p.relative_to(ws.path).as_posix(), p) for p in stored]
        body = {"format": FORMAT, "version": 1, "key_id": ws.key_id, "created": now_iso(),
                "files": {name: _sha(path) for name, path in members}}
        index = {**body, "hmac": _mac(key, body)}
        with atomic_path(target) as tmp:
            tighten(tmp)  # the whole workspace, key included: its owner's only
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(INDEX, json.dumps(index, ensure_ascii=False, indent=1))
                for name, path in members:  # all deflated: a stored xlsx's own zip
                    zf.write(path, name)  # records would make a cut archive look whole
    return BackupResult(target, len(stored), target.stat().st_size)


@dataclass
class RestoreResult:
    path: Path
    files: int
    key_id: str


def restore(archive: str | Path, workspace: str | Path,
            texts: Texts | None = None) -> RestoreResult:
    """Restore the backup ``archive`` into the workspace folder ``workspace``, which must
    be empty (or hold only the same key). Everything is checked before anything is
    written: a refused archive leaves the folder as it was."""
    t = (texts or get_texts()).t
    archive, dest = Path(archive), Path(workspace)
    name = archive.name
    if not archive.is_file():
        raise BackupError(t("cadangan.galat.tidak_ada", berkas=archive))
    with open(archive, "rb") as fh:
        if fh.read(4) != b"PK\x03\x04":  # not a zip at all
            raise BackupError(t("cadangan.galat.bukan_cadangan", berkas=name))
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise BackupError(t("cadangan.galat.rusak", berkas=name)) from None
    with zf, tempfile.TemporaryDirectory(prefix="iki-pulih-", dir=_temp_parent(dest)) as tmp:
        try:
            index = json.loads(zf.read(INDEX))
        except KeyError:
            raise BackupError(t("cadangan.galat.bukan_cadangan", berkas=name)) from None
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            raise BackupError(t("cadangan.galat.rusak", berkas=name)) from None
        if not isinstance(index, dict) or index.get("format") != FORMAT or \
                not isinstance(index.get("files"), dict):
            raise BackupError(t("cadangan.galat.bukan_cadangan", berkas=name))
        files: dict = index["files"]
        if KEY_FILE not in files or DB_FILE not in files or \
                not all(isinstance(k, str) and _MEMBER.fullmatch(k) for k in files) or \
                set(zf.namelist()) != {INDEX, *files}:
            raise BackupError(t("cadangan.galat.diubah", berkas=name, bagian="isi arsip"))
        out = Path(tmp)
        for member, digest in files.items():
            path = out / member
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(member) as src, open(path, "wb") as fh:
                    shutil.copyfileobj(src, fh, 1 << 20)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
                raise BackupError(t("cadangan.galat.rusak", berkas=name)) from None
            if _sha(path) != digest:
                raise BackupError(t("cadangan.galat.diubah", berkas=name, bagian=member))
        key_text = (out / KEY_FILE).read_text(encoding="ascii", errors="replace").strip()
        try:
            key = bytes.fromhex(key_text)
        except ValueError:
            key = b""
        body = {k: v for k, v in index.items() if k != "hmac"}
        if len(key) != 32 or not hmac.compare_digest(str(index.get("hmac", "")),
                                                     _mac(key, body)):
            raise BackupError(t("cadangan.galat.diubah", berkas=name, bagian=INDEX))
        probe = Workspace(out)
        if probe.key_id != index.get("key_id"):
            raise BackupError(t("cadangan.galat.diubah", berkas=name, bagian=KEY_FILE))
        problem = check_ledger_file(out / DB_FILE)
        if problem:
            raise BackupError(t("cadangan.galat.ledger_rusak", berkas=name, alasan=problem))
        _check_destination(dest, key, t)
        private_dir(dest)
        tighten_workspace(out)  # key, ledger and files 0600 before they take their place
        for member in sorted(files, key=lambda m: m == DB_FILE):  # the ledger last
            src, to = out / member, dest / member
            if to.exists():  # only the same key (checked): keep it
                continue
            private_dir(to.parent, dest)
            os.replace(src, to)
        return RestoreResult(dest, sum(1 for m in files if m.startswith(STORE_DIR + "/")),
                             index["key_id"])


def _temp_parent(dest: Path) -> str | None:
    """A temporary folder beside the destination (same file system: os.replace moves)."""
    parent = dest.resolve().parent
    return str(parent) if parent.is_dir() else None


def _check_destination(dest: Path, key: bytes, t) -> None:
    if not dest.exists():
        return
    if not dest.is_dir():
        raise BackupError(t("cadangan.galat.tujuan_berisi", path=dest.resolve()))
    entries = [p for p in dest.iterdir()]
    others = [p for p in entries if p.name != KEY_FILE]
    if (dest / KEY_FILE).is_file():
        have = (dest / KEY_FILE).read_text(encoding="ascii", errors="replace").strip()
        if have != key.hex():
            raise BackupError(t("cadangan.galat.kunci_lain", path=dest.resolve()))
    if others:
        raise BackupError(t("cadangan.galat.tujuan_berisi", path=dest.resolve()))

"""The workspace's secrets: the key that signs every manifest (and names every form), the
random sheet password, and the private create-once file both are written with (the
portal's session key too).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from .private import create_private, private_dir

KEY_FILE = "kunci-rahasia.key"
PASSWORD_FILE = "sandi-proteksi.txt"
_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def load_key(path: Path) -> bytes:
    """The HMAC key at ``path``: 32 random bytes, created on first use, readable by the
    owner only. Two processes creating it at once end with one key (the first one
    published)."""
    text = create_once(path, secrets.token_bytes(32).hex().encode(),
                       valid=lambda t: len(t) == 64 and _is_hex(t))
    return bytes.fromhex(text)


def key_id_of(key: bytes) -> str:
    """Public fingerprint of a key, written into manifests: tells forms of another
    workspace apart without revealing the key."""
    return hashlib.sha256(b"iki-xlsx key id|" + key).hexdigest()[:16]


def form_id_of(key: bytes, tahun: int, nip: str, kode_iki: str) -> str:
    """Stable id of the form (tahun, NIP, Kode IKI) under ``key``."""
    digest = hmac.new(key, f"form|{tahun}|{nip}|{kode_iki}".encode(),
                      hashlib.sha256).hexdigest()
    return f"{tahun}-{digest[:12].upper()}"


def review_id_of(key: bytes, tahun: int, period: str, atasan: str) -> str:
    """A review workbook's id: an atasan (NIP, or ``nama:`` and the name of one without)
    and a period of a year, unguessable without the key (``2025-V-TW2-…``)."""
    digest = hmac.new(key, f"review|{tahun}|{period}|{atasan}".encode(),
                      hashlib.sha256).hexdigest()
    return f"{tahun}-V-{period}-{digest[:10].upper()}"


def random_password(path: Path) -> str:
    """The random sheet password kept at ``path``, created on first use."""
    return create_once(path, "".join(secrets.choice(_PASSWORD_ALPHABET)
                                     for _ in range(12)).encode(),
                       valid=lambda t: len(t) >= 1)


def create_once(path: Path, data: bytes, valid, wait: float = 10.0) -> str:
    """The text of ``path``, creating it with ``data`` (mode 0600) when it does not exist.

    The content is written to a private temporary file and published with a hard link,
    which fails when the name exists: of two processes creating it at once, one wins and
    both use the winner's content; nobody ever reads a half-written file. (Where links
    are not supported, an exclusive create is used, and a reader that finds the file
    still incomplete waits for it.)"""
    private_dir(path.parent)
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        _write_private(tmp, data)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:  # no hard links here (some network or FAT file systems)
            try:
                _write_private(path, data)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    deadline = time.monotonic() + wait
    while True:
        text = path.read_text(encoding="ascii", errors="replace").strip()
        if valid(text):
            return text
        if time.monotonic() > deadline:
            raise ValueError(f"{path}: isi tidak valid (berkas rusak?)")
        time.sleep(0.05)


def _write_private(path: Path, data: bytes) -> None:
    """Create ``path`` readable and writable by its owner only (0600 where POSIX applies)."""
    fd = create_private(path)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True

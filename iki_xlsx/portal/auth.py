"""The officer's password (a slow salted scrypt hash in the workspace, mode 0600), what
names it for the sessions kept in the ledger, the secret that signs session cookies,
CSRF tokens and the rate limits of login and upload.

Nothing here knows about HTTP: :mod:`.app` wires it into the web application.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from ..workspace import Workspace, create_once

PASSWORD_FILE = "portal-sandi.txt"  # scrypt$n$r$p$salt$hash, mode 0600
SESSION_KEY_FILE = "portal-sesi.key"  # signs the session cookie, mode 0600
MIN_PASSWORD = 10

# scrypt cost: 2^15 × 8 × 128 B = 32 MB and ~0.1 s per check on a laptop (OWASP's
# minimum is N=2^17 with r=8 p=1 *or* an equivalent; 2^15 with p=3 is listed too).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 3
_MAXMEM = 64 * 1024 * 1024


class PasswordError(ValueError):
    """A password that cannot be used (the message says why, in Indonesian)."""


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=_MAXMEM, dklen=32)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(stored: str, password: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.strip().split("$")
        if kind != "scrypt":
            return False
        got = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(got, bytes.fromhex(digest))


def _write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``, the file readable by its owner only (0600) from
    the moment it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def set_password(workspace: Path, password: str, texts) -> Path:
    """Store the officer's password as a scrypt hash in the workspace; every session
    opened with the previous one ends."""
    if len(password) < MIN_PASSWORD:
        raise PasswordError(texts.t("portal.sandi.terlalu_pendek", n=MIN_PASSWORD))
    if password.strip() != password or not password.isprintable():
        raise PasswordError(texts.t("portal.sandi.tidak_wajar"))
    path = Path(workspace) / PASSWORD_FILE
    _write_private(path, hash_password(password))
    ws = Workspace(workspace)
    try:
        if ws.ledger.exists():
            ws.sessions.end_all("sandi_diganti")
    finally:
        ws.close()
    return path


def password_tag(workspace: Path) -> str:
    """Names the officer's current password (a digest of its stored hash; "" when none
    is set): a session opened with another password is over."""
    try:
        stored = (Path(workspace) / PASSWORD_FILE).read_bytes()
    except OSError:
        return ""
    return hashlib.sha256(b"iki-xlsx session|" + stored.strip()).hexdigest()[:32]


def has_password(workspace: Path) -> bool:
    return (Path(workspace) / PASSWORD_FILE).is_file()


def check_password(workspace: Path, password: str) -> bool:
    """True when ``password`` is the officer's (False when none was set)."""
    try:
        stored = (Path(workspace) / PASSWORD_FILE).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return False
    return verify_password(stored, password)


def session_secret(workspace: Path) -> bytes:
    """The key that signs session cookies: 32 random bytes created once (mode 0600).
    Deleting the file logs everyone out."""
    text = create_once(Path(workspace) / SESSION_KEY_FILE,
                        secrets.token_bytes(32).hex().encode(),
                        valid=lambda t: len(t) == 64)
    return bytes.fromhex(text)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


class RateLimit:
    """At most ``count`` events per ``seconds`` per key (a client address), in memory:
    a sliding window, thread-safe. Forgets idle keys so memory stays bounded."""

    def __init__(self, count: int, seconds: float, max_keys: int = 10_000):
        self.count, self.seconds, self.max_keys = count, seconds, max_keys
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.max_keys:
                    self._forget(now)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.count:
                return False
            hits.append(now)
            return True

    def _forget(self, now: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.seconds]:
            del self._hits[key]
        if len(self._hits) >= self.max_keys:  # a flood of addresses: start again
            self._hits.clear()


class ByteBudget:
    """At most ``per_key`` bytes per client address and ``total`` bytes from everyone per
    ``seconds`` (an hour), in memory: a sliding window, thread-safe. An upload is charged
    what it sent, and afterwards what keeping it cost beyond that (a small zip of many
    forms); forgets idle addresses so memory stays bounded."""

    def __init__(self, per_key: int, total: int, seconds: float = 3600.0,
                 max_keys: int = 10_000):
        self.per_key, self.total, self.seconds, self.max_keys = per_key, total, seconds, max_keys
        self._keys: dict[str, deque] = {}
        self._all: deque = deque()
        self._sums: dict[str, int] = {}
        self._sum = 0
        self._lock = threading.Lock()

    def allow(self, key: str, n: int, now: float | None = None) -> str:
        """"" when ``n`` more bytes from ``key`` fit (they are then charged), else which
        budget is spent: ``alamat`` (this address) or ``total``."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._expire(now)
            if self._sums.get(key, 0) + n > self.per_key:
                return "alamat"
            if self._sum + n > self.total:
                return "total"
            self._add(key, n, now)
            return ""

    def spent(self, key: str, n: int, now: float | None = None) -> str:
        """Which budget ``n`` more bytes from ``key`` would overrun ("" none), without
        charging them."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._expire(now)
            if self._sums.get(key, 0) + n > self.per_key:
                return "alamat"
            return "total" if self._sum + n > self.total else ""

    def charge(self, key: str, n: int, now: float | None = None) -> None:
        """Charge ``n`` bytes already spent (what keeping an upload cost)."""
        if n > 0:
            with self._lock:
                self._add(key, n, time.monotonic() if now is None else now)

    def _add(self, key: str, n: int, now: float) -> None:
        if key not in self._keys and len(self._keys) >= self.max_keys:
            self._keys.clear()  # a flood of addresses: the total still holds
            self._sums.clear()
        self._keys.setdefault(key, deque()).append((now, n))
        self._sums[key] = self._sums.get(key, 0) + n
        self._all.append((now, n))
        self._sum += n

    def _expire(self, now: float) -> None:
        cutoff = now - self.seconds
        while self._all and self._all[0][0] <= cutoff:
            self._sum -= self._all.popleft()[1]
        for key in list(self._keys):
            hits = self._keys[key]
            while hits and hits[0][0] <= cutoff:
                self._sums[key] -= hits.popleft()[1]
            if not hits:
                del self._keys[key], self._sums[key]

"""The workspace: the secret key that signs every manifest, the sheet password, and the
SQLite ledger of every issued form (and, later, every submission).

Default location: ``./iki-workspace`` (or ``IKI_XLSX_WORKSPACE``), deliberately outside
``output/``: the folder whose contents are e-mailed must never contain the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ENV_VAR = "IKI_XLSX_WORKSPACE"
DEFAULT_DIR = "iki-workspace"
KEY_FILE = "kunci-rahasia.key"
PASSWORD_FILE = "sandi-proteksi.txt"
DB_FILE = "ledger.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS forms (
    form_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    nip TEXT NOT NULL,
    kode_iki TEXT NOT NULL,
    tahun INTEGER NOT NULL,
    nama TEXT NOT NULL,
    jabatan TEXT NOT NULL,
    perangkat_daerah TEXT NOT NULL,
    unit_kerja TEXT NOT NULL,
    atasan_nip TEXT NOT NULL,
    atasan_nama TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    targets TEXT NOT NULL,        -- JSON: indicator id → target, polarity, aggregation
    form_json TEXT NOT NULL,      -- JSON: the whole Form (see iki_xlsx.formjson)
    locked_cells TEXT NOT NULL,   -- JSON: address → locked content, as issued
    manifest TEXT NOT NULL,       -- JSON: the signed manifest written into the file
    reading TEXT,                 -- JSON: what judging a returned file needs of the manifest
    file_path TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    last_written_at TEXT NOT NULL,
    PRIMARY KEY (form_id, revision)
);
CREATE INDEX IF NOT EXISTS forms_nip ON forms (nip, tahun);

-- Every distinct file ever collected, by content (sha256), with what was read from it.
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    kind TEXT NOT NULL,            -- xlsx | ods | other
    first_seen TEXT NOT NULL,
    form_id TEXT,                  -- NULL when the file could not be identified
    revision INTEGER,
    nip TEXT,
    tahun INTEGER,
    status TEXT NOT NULL,          -- diterima | diterima_catatan | ditolak
    problems TEXT NOT NULL,        -- JSON list of problems (code, params, sheet, cell, ...)
    realisasi TEXT,                -- JSON {indicator id: {"realisasi": {period: v}, "keterangan": s}}
    filled INTEGER NOT NULL DEFAULT 0,       -- realisasi cells filled
    last_period INTEGER NOT NULL DEFAULT -1, -- index of the last period with a realisasi
    modified_at TEXT               -- the file's own "last modified" (docProps / zip entry)
);
CREATE INDEX IF NOT EXISTS files_form ON files (form_id, status);

-- Every time a file was seen: where (path, zip member) and in which run.
CREATE TABLE IF NOT EXISTS sightings (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL REFERENCES files (sha256),
    source TEXT NOT NULL,
    member TEXT NOT NULL DEFAULT '',
    seen_at TEXT NOT NULL,
    run_id TEXT NOT NULL,
    UNIQUE (sha256, source, member)
);
"""

ACCEPTED = ("diterima", "diterima_catatan")


def default_workspace() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class IssuedForm:
    form_id: str
    revision: int
    content_hash: str


class Workspace:
    """A folder holding the key, the random sheet password and the ledger."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_workspace()
        self._key: bytes | None = None
        self._db: sqlite3.Connection | None = None

    # -- secrets
    @property
    def key_path(self) -> Path:
        return self.path / KEY_FILE

    def has_key(self) -> bool:
        return self.key_path.is_file()

    @property
    def key(self) -> bytes:
        """The HMAC key: 32 random bytes, created on first use, readable by the owner only.
        Two processes creating it at once end with one key (the first one published)."""
        if self._key is None:
            text = _create_once(self.key_path, secrets.token_bytes(32).hex().encode(),
                                valid=lambda t: len(t) == 64 and _is_hex(t))
            self._key = bytes.fromhex(text)
        return self._key

    @property
    def key_id(self) -> str:
        """Public fingerprint of the key, written into manifests: tells forms of another
        workspace apart without revealing the key."""
        return hashlib.sha256(b"iki-xlsx key id|" + self.key).hexdigest()[:16]

    def sheet_password(self, configured: str = "") -> tuple[str, Path | None]:
        """The configured password, else this workspace's random one (and its file)."""
        if configured:
            return configured, None
        path = self.path / PASSWORD_FILE
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        text = _create_once(path, "".join(secrets.choice(alphabet) for _ in range(12)).encode(),
                            valid=lambda t: len(t) >= 1)
        return text, path

    def form_id(self, tahun: int, nip: str, kode_iki: str) -> str:
        """Stable id of the form (tahun, NIP, Kode IKI) in this workspace."""
        import hmac

        digest = hmac.new(self.key, f"form|{tahun}|{nip}|{kode_iki}".encode(),
                          hashlib.sha256).hexdigest()
        return f"{tahun}-{digest[:12].upper()}"

    # -- ledger
    @property
    def db(self) -> sqlite3.Connection:
        """The ledger connection: WAL (readers never wait for a writer), a busy timeout,
        and the schema created in one immediate transaction (two processes opening a new
        workspace at once both succeed)."""
        if self._db is None:
            self.path.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path / DB_FILE, timeout=BUSY_TIMEOUT,
                                 isolation_level=None)
            try:
                db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
                mode = _retry_locked(lambda: db.execute("PRAGMA journal_mode=WAL").fetchone())
                db.execute("PRAGMA synchronous=NORMAL")  # WAL: consistent after a crash
                db.execute("PRAGMA foreign_keys=ON")
                if not _has_schema(db):
                    _retry_locked(lambda: db.execute("BEGIN IMMEDIATE"))
                    try:
                        for statement in _SCHEMA.split(";"):
                            if statement.strip():
                                db.execute(statement)
                        db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                                   (str(SCHEMA_VERSION),))
                    except BaseException:
                        db.execute("ROLLBACK")
                        raise
                    _retry_locked(lambda: db.execute("COMMIT"))
                _add_columns(db)
            except BaseException:
                db.close()
                raise
            self.journal_mode = mode[0] if mode else ""
            self._db = db
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction. Another process writing (a second collect, a generate)
        makes this one wait — up to :data:`LOCK_WAIT` seconds in all — never fail."""
        db = self.db
        _retry_locked(lambda: db.execute("BEGIN IMMEDIATE"))
        try:
            yield db
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        _retry_locked(lambda: db.execute("COMMIT"))

    def latest_issued(self, form_ids: list[str]) -> dict[str, IssuedForm]:
        out: dict[str, IssuedForm] = {}
        for chunk in _chunks(form_ids, 500):
            marks = ",".join("?" * len(chunk))
            for form_id, rev, content_hash in self.db.execute(
                f"SELECT form_id, MAX(revision), content_hash FROM forms "
                f"WHERE form_id IN ({marks}) GROUP BY form_id", chunk):
                out[form_id] = IssuedForm(form_id, rev, content_hash)
        return out

    def record_issued(self, rows: list[dict]) -> None:
        """Insert new revisions, refresh path/time of unchanged ones: one transaction."""
        stamp = now_iso()
        with self.transaction() as db:
            for row in rows:
                db.execute(
                    "INSERT INTO forms (form_id, revision, nip, kode_iki, tahun, nama, jabatan,"
                    " perangkat_daerah, unit_kerja, atasan_nip, atasan_nama, content_hash,"
                    " targets, form_json, locked_cells, manifest, reading, file_path,"
                    " issued_at, last_written_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT (form_id, revision) DO UPDATE SET"
                    " file_path = excluded.file_path, last_written_at = excluded.last_written_at,"
                    " reading = COALESCE(forms.reading, excluded.reading)",
                    (row["form_id"], row["revision"], row["nip"], row["kode_iki"], row["tahun"],
                     row["nama"], row["jabatan"], row["perangkat_daerah"], row["unit_kerja"],
                     row["atasan_nip"], row["atasan_nama"], row["content_hash"],
                     _json(row["targets"]), _json(row["form"]), _json(row["locked_cells"]),
                     _json(row["manifest"]),
                     _json(row["reading"]) if row.get("reading") is not None else None,
                     row["file_path"], stamp,
                     stamp))

    def latest_revision(self, form_id: str) -> int | None:
        row = self.db.execute("SELECT MAX(revision) FROM forms WHERE form_id = ?",
                              (form_id,)).fetchone()
        return row[0] if row else None

    def issued(self, form_id: str, revision: int | None = None) -> dict | None:
        """One issued form (the latest revision unless given), with its JSON decoded."""
        sql = "SELECT * FROM forms WHERE form_id = ?"
        args: tuple = (form_id,)
        if revision is not None:
            sql += " AND revision = ?"
            args += (revision,)
        cur = self.db.execute(sql + " ORDER BY revision DESC LIMIT 1", args)
        row = cur.fetchone()
        return _decode(cur, row) if row is not None else None

    def issued_for_reading(self, form_id: str, revision: int) -> dict | None:
        """What a reader compares a returned file with: the issued form's identity, its
        locked cells and its reading view (:func:`iki_xlsx.manifest.reading_view`; None
        for forms issued by an earlier version) — not the manifest nor the form JSON."""
        cur = self.db.execute(
            "SELECT form_id, revision, nip, kode_iki, tahun, nama, locked_cells, reading"
            " FROM forms WHERE form_id = ? AND revision = ?", (form_id, revision))
        row = cur.fetchone()
        return _decode(cur, row) if row is not None else None

    def issued_manifest_text(self, form_id: str, revision: int) -> str | None:
        """The manifest of an issued form as written into its file (JSON text)."""
        row = self.db.execute("SELECT manifest FROM forms WHERE form_id = ? AND revision = ?",
                              (form_id, revision)).fetchone()
        return row[0] if row else None

    def latest_revisions(self) -> dict[str, int]:
        """form id → its latest revision, for every issued form."""
        return dict(self.db.execute("SELECT form_id, MAX(revision) FROM forms GROUP BY form_id"))

    # -- submissions
    def known_shas(self, limit: int = 200_000) -> set[str] | None:
        """The sha256 of every file in the ledger, or None when there are more than
        ``limit`` (a set that large is not worth its memory)."""
        (count,) = self.db.execute("SELECT COUNT(*) FROM files").fetchone()
        if count > limit:
            return None
        return {r[0] for r in self.db.execute("SELECT sha256 FROM files")}

    def known_file(self, sha256: str) -> dict | None:
        cur = self.db.execute("SELECT * FROM files WHERE sha256 = ?", (sha256,))
        row = cur.fetchone()
        return _decode(cur, row) if row else None

    def record_file(self, entry: dict, source: str, member: str, run_id: str) -> bool:
        """Record one file and where it was seen, in one transaction. Returns True when
        the content is new (a file seen before under any name only gains a sighting)."""
        return self.record_files([(entry, source, member)], run_id)[0]

    def record_files(self, items: list[tuple], run_id: str) -> list[bool]:
        """Record several files (entry, source, member[, origin]) in one transaction: all
        or none. For each, True when its content is new to the ledger. ``origin``: the
        sighting's provenance as JSON text (mail: message id, date, sender), or ""."""
        stamp = now_iso()
        out = []
        with self.transaction() as db:
            for entry, source, member, *rest in items:
                out.append(db.execute(
                    "INSERT OR IGNORE INTO files (sha256, size, kind, first_seen, form_id,"
                    " revision, nip, tahun, status, problems, realisasi, filled, last_period,"
                    " modified_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (entry["sha256"], entry["size"], entry["kind"], stamp, entry.get("form_id"),
                     entry.get("revision"), entry.get("nip"), entry.get("tahun"),
                     entry["status"], _read_json(entry.get("problems") or []),
                     _read_json(entry["realisasi"]) if entry.get("realisasi") is not None
                     else None,
                     entry.get("filled", 0), entry.get("last_period", -1),
                     entry.get("modified_at"))).rowcount == 1)
                db.execute("INSERT OR IGNORE INTO sightings (sha256, source, member, seen_at,"
                           " run_id, origin) VALUES (?,?,?,?,?,?)",
                           (entry["sha256"], source, member, stamp, run_id,
                            (rest[0] if rest else "") or None))
        return out

    def sightings(self, sha256: str) -> list[dict]:
        cur = self.db.execute("SELECT * FROM sightings WHERE sha256 = ? ORDER BY id", (sha256,))
        return [_decode(cur, r) for r in cur.fetchall()]

    def issued_forms(self, tahun: int | None = None, *, full: bool = True) -> list[dict]:
        """The latest revision of every issued form (of ``tahun``), in issue order;
        ``full=False`` leaves out the large JSON columns (form, cells, manifest)."""
        cols = "f.*" if full else ", ".join(f"f.{c}" for c in _LIGHT_COLUMNS)
        sql = (f"SELECT {cols} FROM forms f JOIN (SELECT form_id, MAX(revision) AS rev"
               " FROM forms GROUP BY form_id) m ON f.form_id = m.form_id AND f.revision = m.rev")
        args: tuple = ()
        if tahun is not None:
            sql += " WHERE f.tahun = ?"
            args = (tahun,)
        cur = self.db.execute(sql + " ORDER BY f.rowid", args)
        return [_decode(cur, r) for r in cur.fetchall()]

    def years(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT tahun FROM forms ORDER BY tahun")]

    def accepted_files(self, form_ids: list[str] | None = None, *,
                       full: bool = True) -> list[dict]:
        """Accepted files; ``full=False`` leaves out what was read (problems, values)."""
        cols = "*" if full else ", ".join(_FILE_RANK_COLUMNS)
        sql = f"SELECT {cols} FROM files WHERE status IN (?, ?)"
        args: tuple = ACCEPTED
        cur = self.db.execute(sql + " ORDER BY first_seen, sha256", args)
        rows = [_decode(cur, r) for r in cur.fetchall()]
        if form_ids is not None:
            wanted = set(form_ids)
            rows = [r for r in rows if r["form_id"] in wanted]
        return rows

    def current_submissions(self, tahun: int | None = None, *, full: bool = True,
                            forms: list[dict] | None = None) -> dict[str, dict]:
        """For each issued form (latest revision), the accepted file the recap uses.

        Rule: only files of the form's latest revision count; among them the newest *by
        content* wins — the one whose last filled period is latest, then the one with
        more realisasi cells filled, then the later of the files' own modified times
        (saved by Excel or LibreOffice), and last the larger sha256 — every step depends
        on the files alone, never on the order or time they were collected, so a rerun
        after a crash, or collecting in any order, picks the same file. Older
        submissions stay in the ledger. ``full=False``: the files' identity and rank
        only (not what was read from them). ``forms``: :meth:`issued_forms` of ``tahun``
        when the caller has them.
        """
        if forms is None:
            forms = self.issued_forms(tahun, full=False)
        forms = {f["form_id"]: f for f in forms}
        best: dict[str, dict] = {}
        for row in self.accepted_files(list(forms), full=full):
            if row["revision"] != forms[row["form_id"]]["revision"]:
                continue
            cur = best.get(row["form_id"])
            if cur is None or submission_rank(row) > submission_rank(cur):
                best[row["form_id"]] = row
        return best

    def forms_of_nip(self, nip: str, tahun: int | None = None) -> list[dict]:
        """The latest revision of every form issued to ``nip`` (light columns)."""
        forms = self.issued_forms(tahun, full=False)
        return [f for f in forms if f["nip"] == nip]

    def all_files(self) -> list[dict]:
        cur = self.db.execute("SELECT * FROM files ORDER BY first_seen, sha256")
        return [_decode(cur, r) for r in cur.fetchall()]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def submission_rank(row: dict) -> tuple:
    """Sort key of :meth:`Workspace.current_submissions`: larger is newer."""
    return (row["last_period"], row["filled"], row.get("modified_at") or "", row["sha256"])


_LIGHT_COLUMNS = ("form_id", "revision", "nip", "kode_iki", "tahun", "nama", "jabatan",
                  "perangkat_daerah", "unit_kerja", "atasan_nip", "atasan_nama", "content_hash",
                  "file_path", "issued_at", "last_written_at")
_FILE_RANK_COLUMNS = ("sha256", "size", "kind", "first_seen", "form_id", "revision", "nip",
                      "tahun", "status", "filled", "last_period", "modified_at")
_JSON_COLUMNS = ("targets", "form_json", "locked_cells", "manifest", "reading", "problems",
                 "realisasi")


def _decode(cur, row) -> dict:
    out = dict(zip([d[0] for d in cur.description], row))
    for k in _JSON_COLUMNS:
        if k in out and isinstance(out[k], str):
            out[k] = json.loads(out[k])
    return out


def _json(value) -> str:
    """Canonical JSON for a column; text already serialised (by a worker) passes as is."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


ledger_json = _json
# What was read from a file (problems, realisasi) is stored as built — in manifest and
# period order — without sorting: a third faster, for thousands of files per collect.
_read_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                              check_circular=False).encode


def _chunks(items: list, n: int):
    for i in range(0, len(items), n):
        yield items[i:i + n]


BUSY_TIMEOUT = 30.0  # seconds SQLite itself waits for a lock, per statement
LOCK_WAIT = 600.0  # seconds a write waits in all before giving up (then: a clear error)


def _retry_locked(action, wait: float | None = None):
    """Run ``action``; while SQLite says the database is locked or busy (a long write by
    another process outlasting the busy timeout), try again until :data:`LOCK_WAIT`."""
    deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
    pause = 0.05
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


# columns newer than some ledgers (sightings.origin, issue 14: mail provenance as JSON)
_ADDED_COLUMNS = (("forms", "reading", "TEXT"), ("sightings", "origin", "TEXT"))


def _add_columns(db: sqlite3.Connection) -> None:
    """Bring a ledger made by an earlier version up to date (columns are only added; a
    NULL in them means "not known for this row", and readers fall back)."""
    for table, column, kind in _ADDED_COLUMNS:
        have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        if column in have:
            continue
        try:
            _retry_locked(lambda: db.execute(
                f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc).lower():  # another process added it
                raise


def _has_schema(db: sqlite3.Connection) -> bool:
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {"meta", "forms", "files", "sightings"} <= names


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def _create_once(path: Path, data: bytes, valid, wait: float = 10.0) -> str:
    """The text of ``path``, creating it with ``data`` (mode 0600) when it does not exist.

    The content is written to a private temporary file and published with a hard link,
    which fails when the name exists: of two processes creating it at once, one wins and
    both use the winner's content; nobody ever reads a half-written file. (Where links
    are not supported, an exclusive create is used, and a reader that finds the file
    still incomplete waits for it.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
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
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())

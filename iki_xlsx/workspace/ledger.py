"""The workspace: the secret key that signs every manifest, the sheet password, and the
SQLite ledger of every issued form (and, later, every submission).

Default location: ``./iki-workspace`` (or ``IKI_XLSX_WORKSPACE``), deliberately outside
``output/``: the folder whose contents are e-mailed must never contain the key.

Longer than 400 lines because it is the only module that speaks SQL: every query of
the workspace lives here, by design.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..core.canonical import canonical_text
from ..core.problems import ACCEPTED
from ..core.timeline import FileInput, normal_time

ENV_VAR = "IKI_XLSX_WORKSPACE"
DEFAULT_DIR = "iki-workspace"
KEY_FILE = "kunci-rahasia.key"
PASSWORD_FILE = "sandi-proteksi.txt"
DB_FILE = "ledger.sqlite3"
SCHEMA_VERSION = 2
STORE_DIR = "berkas"  # the bytes of every collected file, by sha256

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
    form_json TEXT NOT NULL,      -- JSON: the whole Form (iki_xlsx.forms.manifest.form_to_dict)
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
    modified_at TEXT,              -- the file's own "last modified" (docProps / meta.xml)
    saved_at TEXT,                 -- when the pegawai saved it (UTC): modified_at, else the
                                   -- newest zip entry, else the file's time on disk
    saved_from TEXT,               -- dokumen | zip | berkas: where saved_at came from
    filled_mask TEXT               -- JSON {period: bits of the indikator filled}: statuses
                                   -- per period without decoding what was read
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
    origin TEXT,                   -- JSON: a mail attachment's message id, date, sender
    UNIQUE (sha256, source, member)
);

-- Which revision of each form is current: one row each time it changes (a new form, a
-- revision, a return to an earlier revision's content), the last row per form counts.
-- Nothing is updated or deleted.
CREATE TABLE IF NOT EXISTS issue_log (
    id INTEGER PRIMARY KEY,
    form_id TEXT NOT NULL,
    revision INTEGER,              -- NULL: the form was withdrawn
    status TEXT NOT NULL,          -- baru | revisi | kembali | migrasi | ditarik | aktif_lagi
                                   -- | pulih (rebuilt from the form files)
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS issue_log_form ON issue_log (form_id, id);

-- The officer's decisions, each with its reason, added, never changed.
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,            -- kecualikan | sertakan (a file) | tetapkan | kosongkan |
                                   -- lepas (one value: set, make blank, back to the files)
    form_id TEXT,
    sha256 TEXT,
    revision INTEGER,              -- of the form, when the decision names an indikator
    indicator TEXT,                -- indikator id in that revision
    period TEXT,
    value TEXT,                    -- JSON, for tetapkan
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_form ON decisions (form_id);

-- E-mail: each pegawai's contact (from the master), the master's SMTP rows, and the send
-- log (one row per form, revision and kind of message: re-running sends what was not sent).
CREATE TABLE IF NOT EXISTS mail_contacts (
    nip TEXT PRIMARY KEY,
    email TEXT NOT NULL DEFAULT '',
    no_hp TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mail_settings (
    key TEXT PRIMARY KEY,          -- smtp_host | smtp_port | smtp_user | email_pengirim
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mail_sends (
    form_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    kind TEXT NOT NULL,            -- formulir | pengingat-<periode>-<tanggal> | atasan-…
    recipient TEXT NOT NULL,
    status TEXT NOT NULL,          -- terkirim | gagal
    error TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    at TEXT NOT NULL,
    PRIMARY KEY (form_id, revision, kind)
);

-- A verdict replaced by judging a stored file again (collect --rejudge): the old one.
CREATE TABLE IF NOT EXISTS rejudged (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    at TEXT NOT NULL,
    old TEXT NOT NULL              -- JSON: the files row as it was
);

-- When each form is active (the master's Mulai / Selesai), one row each time it changes;
-- the last row per form counts. periods: JSON list of the active period codes.
CREATE TABLE IF NOT EXISTS active_periods (
    id INTEGER PRIMARY KEY,
    form_id TEXT NOT NULL,
    mulai TEXT NOT NULL DEFAULT '',
    selesai TEXT NOT NULL DEFAULT '',
    periods TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS active_periods_form ON active_periods (form_id, id);
"""



def default_workspace() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


def now_iso(timespec: str = "seconds") -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec=timespec)


@dataclass(frozen=True)
class IssuedForm:
    """A form as generate meets it again: its current revision and every content issued."""

    form_id: str
    revision: int  # the current revision
    content_hash: str  # of the current revision
    revisions: dict = field(default_factory=dict)  # content hash → revision, all issued
    last: int = 0  # the highest revision number issued


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
            text = create_once(self.key_path, secrets.token_bytes(32).hex().encode(),
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
        text = create_once(path, "".join(secrets.choice(alphabet) for _ in range(12)).encode(),
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
                _migrate(db, self.path / DB_FILE)
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
        """For each form id already issued: its current revision (see :data:`_CURRENT`)
        and every revision's content hash — a content issued before is reused, never
        given a new number."""
        out: dict[str, IssuedForm] = {}
        current = self.current_revisions()
        for chunk in _chunks(form_ids, 500):
            marks = ",".join("?" * len(chunk))
            hashes: dict[str, dict[str, int]] = {}
            for form_id, rev, content_hash in self.db.execute(
                    f"SELECT form_id, revision, content_hash FROM forms"
                    f" WHERE form_id IN ({marks}) ORDER BY revision", chunk):
                hashes.setdefault(form_id, {})[content_hash] = rev
            for form_id, known in hashes.items():
                by_rev = {rev: h for h, rev in known.items()}
                rev = current.get(form_id) or max(by_rev)
                out[form_id] = IssuedForm(form_id, rev, by_rev.get(rev, ""), known,
                                          max(by_rev))
        return out

    def record_issued(self, rows: list[dict]) -> None:
        """Insert new revisions, refresh path/time of unchanged ones, and log every form
        whose current revision changes: one transaction."""
        stamp = now_iso()
        with self.transaction() as db:
            current = dict(db.execute(_CURRENT))
            highest = dict(db.execute("SELECT form_id, MAX(revision) FROM forms"
                                      " GROUP BY form_id"))
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
                form_id, rev = row["form_id"], row["revision"]
                if form_id in current and current[form_id] == rev:
                    continue
                status = "baru" if form_id not in highest else \
                    "aktif_lagi" if form_id in current and current[form_id] is None else \
                    "revisi" if rev > (highest[form_id] or 0) else "kembali"
                db.execute("INSERT INTO issue_log (form_id, revision, status, at)"
                           " VALUES (?,?,?,?)", (form_id, rev, status, stamp))
                current[form_id] = rev
                highest[form_id] = max(rev, highest.get(form_id) or 0)

    def current_revisions(self) -> dict[str, int | None]:
        """form id → its current revision (None: withdrawn), for every form issued."""
        return dict(self.db.execute(_CURRENT))

    def current_revision(self, form_id: str) -> int | None:
        row = self.db.execute(
            "SELECT revision FROM issue_log WHERE form_id = ? ORDER BY id DESC LIMIT 1",
            (form_id,)).fetchone()
        return row[0] if row else None

    def known_form(self, form_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM forms WHERE form_id = ? LIMIT 1",
                               (form_id,)).fetchone() is not None

    def issue_history(self, form_id: str) -> list[dict]:
        cur = self.db.execute("SELECT * FROM issue_log WHERE form_id = ? ORDER BY id",
                              (form_id,))
        return [_decode(cur, r) for r in cur.fetchall()]

    def revision_indicators(self, tahun: int | None,
                            form_ids: list[str] | None = None) -> list[tuple[str, int, list]]:
        """(form id, revision, its indicators as stored in the form JSON) of every
        revision issued (for ``tahun``, of ``form_ids``): what matches an indikator across
        revisions."""
        where, args = _where(tahun, form_ids)
        try:
            rows = self.db.execute(
                "SELECT form_id, revision, json_extract(form_json, '$.iki.indicators')"
                f" FROM forms{where}", args).fetchall()
            return [(f, r, json.loads(t)) for f, r, t in rows]
        except sqlite3.OperationalError:  # an SQLite built without JSON functions
            return [(f, r, json.loads(t)["iki"]["indicators"]) for f, r, t in self.db.execute(
                f"SELECT form_id, revision, form_json FROM forms{where}", args)]

    def form_shapes(self, forms: list[dict]) -> dict[str, tuple[list[str], int]]:
        """form id → (its periods, its number of indikator) in the revision of each row
        of ``forms`` (rows of :meth:`issued_forms`): SQLite reads the two out of the
        stored reading view; a form of an older version from its manifest."""
        wanted = {f["form_id"]: f["revision"] for f in forms}
        out: dict[str, tuple[list[str], int]] = {}
        try:
            rows = self.db.execute(
                "SELECT form_id, revision, json_extract(reading, '$[0]'),"
                " json_array_length(reading, '$[2]') FROM forms"
                " WHERE reading IS NOT NULL").fetchall()
        except sqlite3.OperationalError:  # an SQLite built without JSON functions
            rows = [(f, r, json.dumps(v[0]), len(v[2])) for f, r, v in (
                (f, r, json.loads(t)) for f, r, t in self.db.execute(
                    "SELECT form_id, revision, reading FROM forms WHERE reading IS NOT NULL"))]
        for form_id, rev, periods, count in rows:
            if wanted.get(form_id) == rev:
                out[form_id] = (json.loads(periods), count)
        for form_id, rev in wanted.items():
            if form_id not in out:
                m = json.loads(self.issued_manifest_text(form_id, rev) or "{}")
                out[form_id] = (list(m.get("periods", [])), len(m.get("indicators", [])))
        return out

    def year_files(self, form_ids: list[str],
                   names: dict[str, str] | None = None) -> dict[str, list]:
        """form id → its accepted files as :class:`iki_xlsx.core.timeline.FileInput` (what
        each gave, when it was saved and collected, where it was first seen: ``names``,
        :meth:`first_names` when the caller has it)."""
        names = self.first_names() if names is None else names
        out: dict[str, list] = {}
        for chunk in _chunks(list(form_ids), 500):
            cur = self.db.execute(
                "SELECT sha256, form_id, revision, saved_at, first_seen, realisasi FROM files"
                f" WHERE status IN (?, ?) AND form_id IN ({','.join('?' * len(chunk))})",
                (*ACCEPTED, *chunk))
            for sha, form_id, rev, saved, seen, real in cur:
                if rev is not None:
                    out.setdefault(form_id, []).append(FileInput(
                        sha, rev, saved or "", seen or "", names.get(sha, sha[:12]),
                        json.loads(real) if real else {}))
        return out

    def year_masks(self) -> dict[str, list[tuple[int, dict | None]]]:
        """form id → (revision, {period: bits of the indikator filled} or None when not
        recorded) of each accepted file: the statuses per period, without reading what
        the files gave."""
        out: dict[str, list] = {}
        for form_id, rev, mask in self.db.execute(
                "SELECT form_id, revision, filled_mask FROM files"
                " WHERE status IN (?, ?) AND form_id IS NOT NULL", ACCEPTED):
            out.setdefault(form_id, []).append((rev, json.loads(mask) if mask else None))
        return out

    def first_names(self) -> dict[str, str]:
        """sha256 → where the file was first seen (path, or "archive › member")."""
        out = {}
        for sha, source, member in self.db.execute(
                "SELECT sha256, source, member FROM sightings WHERE id IN"
                " (SELECT MIN(id) FROM sightings GROUP BY sha256)"):
            out[sha] = f"{source} › {member}" if member else source
        return out

    # -- the bytes of every collected file
    def stored_path(self, sha256: str, kind: str = "") -> Path:
        """Where the bytes of a collected file are kept: ``berkas/ab/<sha256>.<kind>``."""
        return stored_file(self.path / STORE_DIR, sha256, kind)

    def stored_files(self) -> list[dict]:
        """Every recorded file with the path of its kept bytes (None when not kept)."""
        out = []
        for row in self.all_files():
            path = self.stored_path(row["sha256"], row["kind"])
            row["stored"] = path if path.exists() else None
            out.append(row)
        return out

    def replace_verdict(self, entry: dict) -> None:
        """A stored file judged again: its old row goes to ``rejudged``, the new verdict
        takes its place (what was seen, where and when stays)."""
        with self.transaction() as db:
            cur = db.execute("SELECT * FROM files WHERE sha256 = ?", (entry["sha256"],))
            row = cur.fetchone()
            if row is None:
                return
            old = dict(zip([d[0] for d in cur.description], row))
            db.execute("INSERT INTO rejudged (sha256, at, old) VALUES (?,?,?)",
                       (entry["sha256"], now_iso(), _json(old)))
            db.execute(
                "UPDATE files SET kind = ?, form_id = ?, revision = ?, nip = ?, tahun = ?,"
                " status = ?, problems = ?, realisasi = ?, filled = ?, last_period = ?,"
                " modified_at = ?, saved_at = COALESCE(?, saved_at),"
                " saved_from = COALESCE(?, saved_from), filled_mask = ? WHERE sha256 = ?",
                (entry["kind"], entry.get("form_id"), entry.get("revision"), entry.get("nip"),
                 entry.get("tahun"), entry["status"], _read_json(entry.get("problems") or []),
                 _read_json(entry["realisasi"]) if entry.get("realisasi") is not None
                 else None, entry.get("filled", 0), entry.get("last_period", -1),
                 entry.get("modified_at"), entry.get("saved_at"), entry.get("saved_from"),
                 _read_json(entry["filled_mask"]) if entry.get("filled_mask") is not None
                 else None, entry["sha256"]))

    # -- e-mail
    def save_contacts(self, contacts: dict[str, tuple[str, str]],
                      settings: dict[str, str]) -> None:
        """The master's contacts (NIP → (e-mail, no HP); a blank clears: the master is the
        truth) and its SMTP rows, replacing what was recorded."""
        stamp = now_iso()
        with self.transaction() as db:
            for nip, (email, hp) in contacts.items():
                db.execute("INSERT INTO mail_contacts (nip, email, no_hp, updated_at)"
                           " VALUES (?,?,?,?) ON CONFLICT (nip) DO UPDATE SET"
                           " email = excluded.email, no_hp = excluded.no_hp,"
                           " updated_at = excluded.updated_at", (nip, email, hp, stamp))
            db.execute("DELETE FROM mail_settings")
            for key, value in settings.items():
                db.execute("INSERT INTO mail_settings VALUES (?, ?)", (key, value))

    def contacts(self) -> dict[str, tuple[str, str]]:
        return {nip: (email, hp) for nip, email, hp in
                self.db.execute("SELECT nip, email, no_hp FROM mail_contacts")}

    def mail_settings(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM mail_settings"))

    def sent_keys(self, status: str) -> set[tuple[str, int, str]]:
        return {(f, r, k) for f, r, k in self.db.execute(
            "SELECT form_id, revision, kind FROM mail_sends WHERE status = ?", (status,))}

    def log_send(self, key: tuple[str, int, str], recipient: str, status: str,
                 message_id: str, error: str = "") -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO mail_sends (form_id, revision, kind, recipient, status,"
                       " error, message_id, attempts, at) VALUES (?,?,?,?,?,?,?,1,?)"
                       " ON CONFLICT (form_id, revision, kind) DO UPDATE SET"
                       " recipient = excluded.recipient, status = excluded.status,"
                       " error = excluded.error, attempts = mail_sends.attempts + 1,"
                       " at = excluded.at",
                       (*key, recipient, status, error[:500], message_id, now_iso()))

    def send_log(self) -> list[dict]:
        cur = self.db.execute("SELECT * FROM mail_sends ORDER BY at, form_id")
        return [_decode(cur, r) for r in cur.fetchall()]

    def issued_for_mail(self, tahun: int) -> list[dict]:
        """The current revision of every issued form of ``tahun``, with what a message
        needs of its settings (period scheme, agency) and of its atasan."""
        cur = self.db.execute(
            "SELECT f.form_id, f.revision, f.nip, f.kode_iki, f.tahun, f.nama, f.jabatan,"
            " f.perangkat_daerah, f.unit_kerja, f.atasan_nip, f.atasan_nama, f.file_path,"
            " json_extract(f.form_json, '$.settings.periode') AS periode,"
            " json_extract(f.form_json, '$.settings.instansi') AS instansi,"
            " json_extract(f.form_json, '$.atasan.jabatan') AS atasan_jabatan"
            f" FROM forms f JOIN ({_CURRENT}) m ON f.form_id = m.form_id"
            " AND f.revision = m.revision WHERE f.tahun = ? ORDER BY f.rowid", (tahun,))
        return [_decode(cur, r) for r in cur.fetchall()]

    # -- decisions
    def add_decision(self, kind: str, reason: str, *, form_id: str | None = None,
                     sha256: str | None = None, revision: int | None = None,
                     indicator: str | None = None, period: str | None = None,
                     value: object = None) -> int:
        """Record one decision of the officer (never changed afterwards); its id."""
        with self.transaction() as db:
            return db.execute(
                "INSERT INTO decisions (at, kind, form_id, sha256, revision, indicator, period,"
                " value, reason) VALUES (?,?,?,?,?,?,?,?,?)",
                (now_iso(), kind, form_id, sha256, revision, indicator, period,
                 None if value is None else _json(value), reason)).lastrowid

    def decisions_for(self, form_ids: list[str] | None = None) -> dict[str, list[dict]]:
        """form id → its decisions (and its files'), in the order they were taken."""
        wanted = None if form_ids is None else set(form_ids)
        out: dict[str, list[dict]] = {}
        cur = self.db.execute("SELECT id, at, kind, reason, sha256, revision, indicator,"
                              " period, value, form_id FROM decisions ORDER BY id")
        for row in cur:
            d = dict(zip(("id", "at", "kind", "reason", "sha256", "revision", "indicator",
                          "period", "value"), row[:9]))
            d["value"] = json.loads(d["value"]) if d["value"] is not None else None
            if row[9] and (wanted is None or row[9] in wanted):
                out.setdefault(row[9], []).append(d)
        return out

    def issued(self, form_id: str, revision: int | None = None) -> dict | None:
        """One issued form (the current revision unless given), with its JSON decoded."""
        sql = "SELECT * FROM forms WHERE form_id = ?"
        args: tuple = (form_id,)
        if revision is None:
            revision = self.current_revision(form_id)
        if revision is not None:
            sql += " AND revision = ?"
            args += (revision,)
        cur = self.db.execute(sql + " ORDER BY revision DESC LIMIT 1", args)
        row = cur.fetchone()
        return _decode(cur, row) if row is not None else None

    def issued_for_reading(self, form_id: str, revision: int) -> dict | None:
        """What a reader compares a returned file with: the issued form's identity, its
        locked cells and its reading view (:func:`iki_xlsx.forms.manifest.reading_view`; None
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
        stamp = now_iso("microseconds")  # orders files collected in one second
        out = []
        with self.transaction() as db:
            for entry, source, member, *rest in items:
                out.append(db.execute(
                    "INSERT OR IGNORE INTO files (sha256, size, kind, first_seen, form_id,"
                    " revision, nip, tahun, status, problems, realisasi, filled, last_period,"
                    " modified_at, saved_at, saved_from, filled_mask)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (entry["sha256"], entry["size"], entry["kind"], stamp, entry.get("form_id"),
                     entry.get("revision"), entry.get("nip"), entry.get("tahun"),
                     entry["status"], _read_json(entry.get("problems") or []),
                     _read_json(entry["realisasi"]) if entry.get("realisasi") is not None
                     else None,
                     entry.get("filled", 0), entry.get("last_period", -1),
                     entry.get("modified_at"), entry.get("saved_at"),
                     entry.get("saved_from"),
                     _read_json(entry["filled_mask"]) if entry.get("filled_mask") is not None
                     else None)).rowcount == 1)
                db.execute("INSERT OR IGNORE INTO sightings (sha256, source, member, seen_at,"
                           " run_id, origin) VALUES (?,?,?,?,?,?)",
                           (entry["sha256"], source, member, stamp, run_id,
                            (rest[0] if rest else "") or None))
        return out

    def sightings(self, sha256: str) -> list[dict]:
        cur = self.db.execute("SELECT * FROM sightings WHERE sha256 = ? ORDER BY id", (sha256,))
        return [_decode(cur, r) for r in cur.fetchall()]

    def issued_forms(self, tahun: int | None = None, *, full: bool = True) -> list[dict]:
        """The current revision of every issued form (of ``tahun``) that is not withdrawn,
        in issue order; ``full=False`` leaves out the large JSON columns (form, cells,
        manifest)."""
        cols = "f.*" if full else ", ".join(f"f.{c}" for c in _LIGHT_COLUMNS)
        sql = (f"SELECT {cols} FROM forms f JOIN ({_CURRENT}) m"
               " ON f.form_id = m.form_id AND f.revision = m.revision")
        args: tuple = ()
        if tahun is not None:
            sql += " WHERE f.tahun = ?"
            args = (tahun,)
        cur = self.db.execute(sql + " ORDER BY f.rowid", args)
        return [_decode(cur, r) for r in cur.fetchall()]

    def years(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT tahun FROM forms ORDER BY tahun")]

    def form_definitions(self, tahun: int) -> Iterator[tuple]:
        """(form id, revision, IKI, settings) of every issued form of ``tahun``: SQLite
        cuts the two parts out of the stored form JSON (as JSON text), so the rest of it
        (pegawai, atasan) is never parsed; without SQLite's JSON functions they come
        decoded."""
        try:
            return iter(self.db.execute(
                "SELECT form_id, revision, json_extract(form_json, '$.iki'),"
                " json_extract(form_json, '$.settings') FROM forms WHERE tahun = ?",
                (tahun,)).fetchall())
        except sqlite3.OperationalError:  # an SQLite built without JSON functions
            return ((form_id, revision, json.loads(text)["iki"], json.loads(text)["settings"])
                    for form_id, revision, text in self.db.execute(
                        "SELECT form_id, revision, form_json FROM forms WHERE tahun = ?",
                        (tahun,)))

    def forms_of_nip(self, nip: str, tahun: int | None = None) -> list[dict]:
        """The latest revision of every form issued to ``nip`` (light columns)."""
        forms = self.issued_forms(tahun, full=False)
        return [f for f in forms if f["nip"] == nip]

    def all_files(self, *, light: bool = False) -> list[dict]:
        """Every collected file; ``light``: without what was read from it (realisasi)."""
        cols = "*" if not light else ", ".join(
            r[1] for r in self.db.execute("PRAGMA table_info(files)") if r[1] != "realisasi")
        cur = self.db.execute(f"SELECT {cols} FROM files ORDER BY first_seen, sha256")
        return [_decode(cur, r) for r in cur.fetchall()]

    # -- the whole year (issue 11): active periods, withdrawal, recovery, backup
    def exists(self) -> bool:
        """True when this folder already holds a workspace (its key or its ledger);
        asking never creates anything."""
        return self.key_path.is_file() or (self.path / DB_FILE).is_file()

    def ledger_lost(self) -> bool:
        """The key exists but the ledger is missing or holds no issued form: forms were
        probably issued and the ledger lost. Never creates the ledger."""
        if not self.has_key():
            return False
        if not (self.path / DB_FILE).is_file():
            return True
        (count,) = self.db.execute("SELECT COUNT(*) FROM forms").fetchone()
        return count == 0

    def record_year_changes(self, active: dict[str, tuple[str, str, list]],
                            withdraw: list[str]) -> None:
        """The active periods of each form (form id → (mulai, selesai, periods)), logged
        when they change, and the forms withdrawn (an issue_log row without revision):
        one transaction."""
        stamp = now_iso()
        with self.transaction() as db:
            have = {f: (m, s) for f, m, s in db.execute(
                "SELECT a.form_id, a.mulai, a.selesai FROM active_periods a JOIN (SELECT"
                " form_id, MAX(id) AS id FROM active_periods GROUP BY form_id) last"
                " ON a.id = last.id")}
            for form_id, (mulai, selesai, periods) in active.items():
                if have.get(form_id, ("", "")) == (mulai, selesai):
                    continue
                db.execute("INSERT INTO active_periods (form_id, mulai, selesai, periods, at)"
                           " VALUES (?,?,?,?,?)", (form_id, mulai, selesai,
                                                   json.dumps(list(periods)), stamp))
            for form_id in withdraw:
                db.execute("INSERT INTO issue_log (form_id, revision, status, at)"
                           " VALUES (?, NULL, 'ditarik', ?)", (form_id, stamp))

    def active_periods(self, form_ids: list[str] | None = None) -> dict[str, dict]:
        """form id → {"mulai", "selesai", "periods"} of forms with a Mulai or Selesai
        (a form without either is active all year and is not listed)."""
        wanted = None if form_ids is None else set(form_ids)
        out = {}
        for form_id, mulai, selesai, periods in self.db.execute(
                "SELECT a.form_id, a.mulai, a.selesai, a.periods FROM active_periods a JOIN"
                " (SELECT form_id, MAX(id) AS id FROM active_periods GROUP BY form_id) last"
                " ON a.id = last.id"):
            if (mulai or selesai) and (wanted is None or form_id in wanted):
                out[form_id] = {"mulai": mulai, "selesai": selesai,
                                "periods": json.loads(periods)}
        return out

    def withdrawn_forms(self, tahun: int | None = None) -> list[dict]:
        """Every withdrawn form (of ``tahun``): the light columns of its last revision,
        when it was withdrawn (``ditarik_at``) and its accepted files (``berkas``)."""
        cols = ", ".join(f"f.{c}" for c in _LIGHT_COLUMNS)
        sql = (f"SELECT {cols}, l.at AS ditarik_at, (SELECT COUNT(*) FROM files x WHERE"
               " x.form_id = f.form_id AND x.status IN (?, ?)) AS berkas FROM issue_log l"
               " JOIN (SELECT form_id, MAX(id) AS id FROM issue_log GROUP BY form_id) last"
               " ON l.id = last.id JOIN forms f ON f.form_id = l.form_id AND f.revision ="
               " (SELECT MAX(revision) FROM forms g WHERE g.form_id = l.form_id)"
               " WHERE l.revision IS NULL")
        args: tuple = tuple(ACCEPTED)
        if tahun is not None:
            sql += " AND f.tahun = ?"
            args += (tahun,)
        cur = self.db.execute(sql + " ORDER BY f.rowid", args)
        return [_decode(cur, r) for r in cur.fetchall()]

    def backup_ledger(self, target: Path) -> None:
        """A consistent copy of the ledger at ``target`` (SQLite's online backup: other
        processes may read and write meanwhile)."""
        copy = sqlite3.connect(target)
        try:
            _retry_locked(lambda: self.db.backup(copy))
        finally:
            copy.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


_CURRENT = ("SELECT l.form_id, l.revision FROM issue_log l JOIN (SELECT form_id, MAX(id) AS id"
            " FROM issue_log GROUP BY form_id) last ON l.id = last.id")


_LIGHT_COLUMNS = ("form_id", "revision", "nip", "kode_iki", "tahun", "nama", "jabatan",
                  "perangkat_daerah", "unit_kerja", "atasan_nip", "atasan_nama", "content_hash",
                  "file_path", "issued_at", "last_written_at")
_JSON_COLUMNS = ("targets", "form_json", "locked_cells", "manifest", "reading", "problems",
                 "filled_mask",
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
    return canonical_text(value)


ledger_json = _json
# What was read from a file (problems, realisasi) is stored as built — in manifest and
# period order — without sorting: sorting buys nothing here (no hash is taken of it).
_read_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                              check_circular=False).encode


_MADE_DIRS: set[Path] = set()  # store folders known to exist (in this process)


def stored_file(store: Path, sha256: str, kind: str = "") -> Path:
    """The kept copy of a collected file in the workspace's store: ``ab/<sha256>.<kind>``."""
    suffix = f".{kind}" if kind in ("xlsx", "ods") else ""
    return Path(store) / sha256[:2] / f"{sha256}{suffix}"


def keep_bytes(store: Path, sha256: str, kind: str, data: bytes) -> bool:
    """Keep a collected file's bytes under ``store/ab/<sha256>.<kind>`` (content-addressed,
    written atomically: a temporary file renamed into place; never overwritten). Bytes
    that do not hash to ``sha256`` are not kept. Called by the read workers, so it needs
    no open ledger. True when the bytes are (or already were) kept."""
    target = stored_file(store, sha256, kind)
    folder = target.parent
    if folder in _MADE_DIRS and target.exists():
        return True
    if hashlib.sha256(data).hexdigest() != sha256:
        return False
    if folder not in _MADE_DIRS:
        folder.mkdir(parents=True, exist_ok=True)
        _MADE_DIRS.add(folder)
    elif target.exists():
        return True
    tmp = folder / f".{sha256[:16]}.{secrets.token_hex(4)}.tmp"
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return True


def _where(tahun: int | None, form_ids: list[str] | None) -> tuple[str, tuple]:
    clauses, args = [], []
    if tahun is not None:
        clauses.append("tahun = ?")
        args.append(tahun)
    if form_ids is not None and len(form_ids) <= 500:
        clauses.append(f"form_id IN ({','.join('?' * len(form_ids))})")
        args.extend(form_ids)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(args)


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


# columns newer than some ledgers (sightings.origin: where a mail attachment came from)
_ADDED_COLUMNS = (("forms", "reading", "TEXT"), ("files", "saved_at", "TEXT"),
                  ("files", "saved_from", "TEXT"), ("sightings", "origin", "TEXT"),
                  ("files", "filled_mask", "TEXT"))


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring a ledger made by an earlier version up to date, in place. Columns and tables
    are only added (a NULL means "not known for this row", and readers fall back). A
    ledger of an older schema is first copied beside itself (SQLite's online backup)."""
    version = _schema_version(db)
    if version >= SCHEMA_VERSION and _columns_present(db) and _tables_present(db):
        return
    if version < SCHEMA_VERSION:
        backup = path.with_name(f"{path.stem}-v{version}-{time.strftime('%Y%m%d-%H%M%S')}"
                                f".sqlite3.bak")
        if not backup.exists():
            copy = sqlite3.connect(backup)
            try:
                db.backup(copy)
            finally:
                copy.close()
    _retry_locked(lambda: db.execute("BEGIN IMMEDIATE"))
    try:
        if _schema_version(db) < SCHEMA_VERSION:  # not done by another process meanwhile
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            _add_columns(db)
            stamp = now_iso()
            # every form issued so far: its latest revision is current
            db.execute("INSERT INTO issue_log (form_id, revision, status, at)"
                       " SELECT form_id, MAX(revision), 'migrasi', ? FROM forms"
                       " WHERE form_id NOT IN (SELECT form_id FROM issue_log)"
                       " GROUP BY form_id", (stamp,))
            for sha, modified in db.execute("SELECT sha256, modified_at FROM files WHERE"
                                            " saved_at IS NULL").fetchall():
                saved = normal_time(modified)
                if saved:
                    db.execute("UPDATE files SET saved_at = ?, saved_from = 'dokumen'"
                               " WHERE sha256 = ?", (saved, sha))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                       (str(SCHEMA_VERSION),))
        else:
            for statement in _SCHEMA.split(";"):  # tables newer than this ledger
                if statement.strip():
                    db.execute(statement)
            _add_columns(db)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    _retry_locked(lambda: db.execute("COMMIT"))


def _schema_version(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        return int(row[0]) if row else 1
    except ValueError:
        return 1


def _tables_present(db: sqlite3.Connection) -> bool:
    wanted = set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", _SCHEMA))
    have = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return wanted <= have


def _columns_present(db: sqlite3.Connection) -> bool:
    for table, column, _ in _ADDED_COLUMNS:
        if column not in {r[1] for r in db.execute(f"PRAGMA table_info({table})")}:
            return False
    return True


def _add_columns(db: sqlite3.Connection) -> None:
    for table, column, kind in _ADDED_COLUMNS:
        have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        if column in have:
            continue
        try:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
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


def create_once(path: Path, data: bytes, valid, wait: float = 10.0) -> str:
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


def check_ledger_file(path: Path) -> str:
    """"" when ``path`` is a sound ledger (SQLite's integrity check passes and it has the
    ledger's tables), else what is wrong (for a restore to refuse it)."""
    try:
        db = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        (result,) = db.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            return str(result)
        if not _has_schema(db):
            return "bukan ledger iki-xlsx"
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        db.close()
    return ""

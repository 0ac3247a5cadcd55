"""The ledger's tables, and how a ledger made by an earlier version is brought up to
date: tables and columns are only ever added (a NULL means "not known for this row",
and readers fall back), never changed or dropped. :func:`create_tables` and
:func:`upgrade` run inside a transaction the caller holds (:mod:`.ledger`).

Columns are read by name, never by place; but where a column sits costs time. SQLite
stores a row's columns in order, a row longer than a page goes on in a chain of
overflow pages, and reading a column walks the chain up to it. A form's row is ~50 kB
of JSON, so ``forms`` keeps its small columns first and the JSON after them, the
column each returned file needs (``reading``, then ``locked_cells``) first, the largest
ones last. A ledger made before that order (schema < 5) has the table rebuilt once, the
same columns and values in the new order (:func:`small_columns_first`), then compacted.

Longer than 400 lines because most of it is the schema's text, every column explained
where it is declared; the upgrades beside it are what each version added.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path

from ..core.clock import claim_has_zone, mail_arrival, normal_time, trusted_time
from .private import create_private

SCHEMA_VERSION = 5  # 3: files.arrived_at / trusted_at (the trusted clock, issue 21);
# 4: form_values, each form's values as its files give them, kept (issue 25);
# 5: the forms table's small columns before its JSON (rebuilt once: issue 25)

SCHEMA = """
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
    file_path TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    last_written_at TEXT NOT NULL,
    -- the JSON last (see the module): each returned file's first, the largest last
    reading TEXT,                 -- JSON: what judging a returned file needs of the manifest
    locked_cells TEXT NOT NULL,   -- JSON: address → locked content, as issued
    targets TEXT NOT NULL,        -- JSON: indicator id → target, polarity, aggregation
    form_json TEXT NOT NULL,      -- JSON: the whole Form (iki_xlsx.forms.manifest.form_to_dict)
    manifest TEXT NOT NULL,       -- JSON: the signed manifest written into the file
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
    filled_mask TEXT,              -- JSON {period: bits of the indikator filled}: statuses
                                   -- per period without decoding what was read
    arrived_at TEXT,               -- when it first reached us (UTC): upload received, the
                                   -- message as our mail server dated it, the first run
    trusted_at TEXT                -- the saved time that counts: saved_at no later than
                                   -- arrived_at nor before its form was issued
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

-- The portal officer's sessions (the browser holds a random token, only its sha256 is
-- here): ended at logout, at a password change, by the officer, or past a time-out.
CREATE TABLE IF NOT EXISTS portal_sessions (
    id TEXT PRIMARY KEY,           -- sha256 of the token
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '',
    password_tag TEXT NOT NULL,    -- names the password it was opened with
    ended_at TEXT,
    ended_why TEXT                 -- keluar | sandi_diganti | diakhiri | diam | lama | sandi
);

-- Issue 26: the review workbooks issued to each atasan (pejabat penilai) for a period,
-- one row per content (a revision), and what each row showed (in the manifest).
CREATE TABLE IF NOT EXISTS reviews (
    review_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    tahun INTEGER NOT NULL,
    period TEXT NOT NULL,
    atasan_nip TEXT NOT NULL,      -- '' for an atasan without a NIP (the Bupati)
    atasan_nama TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    locked_cells TEXT NOT NULL,    -- JSON: sheet → address → locked content, as issued
    manifest TEXT NOT NULL,        -- JSON: the signed manifest written into the file
    file_path TEXT NOT NULL,       -- relative to the folder it was written in
    issued_at TEXT NOT NULL,
    PRIMARY KEY (review_id, revision)
);

-- Issue 26: the atasan's decisions from returned review workbooks, one row per form ×
-- indikator × period (or the overall note about a bawahan: kind catatan, no indikator).
-- Added with the file that carried them (in its transaction), never changed.
CREATE TABLE IF NOT EXISTS verifications (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,          -- the returned review workbook (files.sha256)
    review_id TEXT NOT NULL,
    form_id TEXT NOT NULL,
    revision INTEGER NOT NULL,     -- of the form, the row was of
    indicator TEXT,                -- its id in that revision (NULL: the overall note)
    period TEXT NOT NULL,
    kind TEXT NOT NULL,            -- setuju | kembalikan | koreksi | catatan
    value TEXT,                    -- JSON: what it makes count (setuju: the value shown,
                                   -- koreksi: the atasan's)
    shown TEXT,                    -- JSON: the value the row showed (counted then)
    base TEXT,                     -- JSON: the pegawai's own value under it then
    source TEXT NOT NULL DEFAULT '',  -- the file (sha256) the shown value came from
    note TEXT NOT NULL DEFAULT '', -- umpan balik
    atasan_nip TEXT NOT NULL,
    saved_at TEXT,                 -- when the atasan saved the workbook (as the file's)
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verifications_form ON verifications (form_id);
CREATE INDEX IF NOT EXISTS verifications_file ON verifications (sha256);

-- Issue 25: each form's values as its files give them (before the officer's and the
-- atasan's decisions), kept: a new file is met with them, a recap reads them instead of
-- every file. Derived (iki_xlsx.workspace.kept): used only while its files are still the
-- first of the form's files, else made again from them: never the truth, not journaled.
CREATE TABLE IF NOT EXISTS form_values (
    form_id TEXT PRIMARY KEY,
    revision INTEGER NOT NULL,     -- the current revision its indikator are of
    rejudged INTEGER NOT NULL,     -- MAX(rejudged.id) when it was made: a later rejudge
                                   -- of one of the form's files voids it
    state TEXT NOT NULL,           -- JSON (iki_xlsx.core.kept)
    at TEXT NOT NULL
);

-- Settings of the master that commands read at run time (generate records them: the
-- master is the truth), e.g. hanya_terverifikasi (issue 26).
CREATE TABLE IF NOT EXISTS master_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


# columns newer than some ledgers (sightings.origin: where a mail attachment came from)
_ADDED_COLUMNS = (("forms", "reading", "TEXT"), ("files", "saved_at", "TEXT"),
                  ("files", "saved_from", "TEXT"), ("sightings", "origin", "TEXT"),
                  ("files", "filled_mask", "TEXT"), ("files", "arrived_at", "TEXT"),
                  ("files", "trusted_at", "TEXT"))


def has_schema(db: sqlite3.Connection) -> bool:
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {"meta", "forms", "files", "sightings"} <= names


def create_tables(db: sqlite3.Connection) -> None:
    """Every table and index of a new ledger, and its schema version."""
    _create_missing(db)
    db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
               (str(SCHEMA_VERSION),))


def needs_upgrade(db: sqlite3.Connection) -> bool:
    return schema_version(db) < SCHEMA_VERSION or not _columns_present(db) \
        or not _tables_present(db)


def backup_before_upgrade(db: sqlite3.Connection, path: Path) -> None:
    """A ledger of an older schema is first copied beside itself (SQLite's online
    backup), once."""
    version = schema_version(db)
    if version >= SCHEMA_VERSION:
        return
    backup = path.with_name(f"{path.stem}-v{version}-{time.strftime('%Y%m%d-%H%M%S')}"
                            f".sqlite3.bak")
    if not backup.exists():
        try:
            os.close(create_private(backup))  # a copy of the ledger: its owner's only
        except FileExistsError:  # another process is making it
            return
        copy = sqlite3.connect(backup)
        try:
            db.backup(copy)
        finally:
            copy.close()


def upgrade(db: sqlite3.Connection, stamp: str) -> bool:
    """Bring the ledger up to date, in place (inside the caller's transaction; what
    another process did meanwhile is not done again). True when a table was rebuilt:
    the caller compacts the ledger (:func:`compact`) once the transaction is committed."""
    _create_missing(db)  # tables and columns newer than this ledger
    _add_columns(db)
    version = schema_version(db)
    if version >= SCHEMA_VERSION:
        return False
    if version < 2:
        _upgrade_to_2(db, stamp)
    _store_trusted_times(db)
    rebuilt = small_columns_first(db) if version < 5 else False
    db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
               (str(SCHEMA_VERSION),))
    return rebuilt


_FORMS_TABLE = re.search(r"CREATE TABLE IF NOT EXISTS forms \(.*?\n\);", SCHEMA, re.DOTALL)[0]
_FORMS_INDEX = re.search(r"CREATE INDEX IF NOT EXISTS forms_nip [^;]*;", SCHEMA)[0]


def small_columns_first(db: sqlite3.Connection) -> bool:
    """The ``forms`` table rebuilt with its columns in :data:`SCHEMA`'s order (the same
    names, values, rowids and index), when they are in another; True when it was. ~13 s
    for 10,000 forms (490 MB), once."""
    have = [r[1] for r in db.execute("PRAGMA table_info(forms)")]
    db.execute("DROP TABLE IF EXISTS forms_new")  # never committed: a rebuild is one
    db.execute(_FORMS_TABLE.replace(" forms (", " forms_new (", 1))  # transaction
    wanted = [r[1] for r in db.execute("PRAGMA table_info(forms_new)")]
    if have == wanted or set(have) != set(wanted):  # in order, or columns of a newer
        db.execute("DROP TABLE forms_new")  # version this one does not know: left as is
        return False
    cols = ", ".join(wanted)
    db.execute(f"INSERT INTO forms_new (rowid, {cols}) SELECT rowid, {cols} FROM forms"
               " ORDER BY rowid")
    db.execute("DROP TABLE forms")
    db.execute("ALTER TABLE forms_new RENAME TO forms")
    db.execute(_FORMS_INDEX)
    return True


def compact(db: sqlite3.Connection) -> None:
    """Give back the pages a rebuilt table left free (``VACUUM``: the ledger, and every
    backup copy of it, would otherwise stay twice its size until new rows fill them):
    outside any transaction; skipped at once, without waiting, while another process
    writes to the ledger (its free pages are then reused by the rows written next)."""
    (wait,) = db.execute("PRAGMA busy_timeout").fetchone()
    db.execute("PRAGMA busy_timeout=0")
    try:
        db.execute("VACUUM")
    except sqlite3.OperationalError:  # busy or locked: another process is writing
        pass
    finally:
        db.execute(f"PRAGMA busy_timeout={int(wait)}")


def _upgrade_to_2(db: sqlite3.Connection, stamp: str) -> None:
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


def _store_trusted_times(db: sqlite3.Connection) -> None:
    """Every file recorded before the trusted clock: when it first reached us (its first
    collect run, or the earliest date of a message it came in) and the saved time that
    counts. (The notes on the files come with ``collect --rejudge``.)"""
    mail: dict[str, list[str]] = {}
    for sha, origin in db.execute("SELECT sha256, origin FROM sightings"
                                  " WHERE origin IS NOT NULL").fetchall():
        at = mail_arrival(origin)
        if at:
            mail.setdefault(sha, []).append(at)
    issued = {(f, r): at for f, r, at in db.execute(
        "SELECT form_id, revision, issued_at FROM forms")}
    for sha, saved, modified, source, seen, form_id, revision, tahun in db.execute(
            "SELECT sha256, saved_at, modified_at, saved_from, first_seen, form_id,"
            " revision, tahun FROM files WHERE trusted_at IS NULL").fetchall():
        arrived = min([t for t in (normal_time(seen), *mail.get(sha, ())) if t],
                      default="")
        trusted, _ = trusted_time(saved or "", arrived,
                                  normal_time(issued.get((form_id, revision))), tahun,
                                  claim_has_zone(source, modified))
        db.execute("UPDATE files SET arrived_at = ?, trusted_at = ? WHERE sha256 = ?",
                   (arrived, trusted, sha))


def schema_version(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        return int(row[0]) if row else 1
    except ValueError:
        return 1


def _create_missing(db: sqlite3.Connection) -> None:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


def _tables_present(db: sqlite3.Connection) -> bool:
    wanted = set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA))
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

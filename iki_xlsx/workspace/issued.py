"""Issued forms: every revision written (who it is for, its locked content, targets and
signed manifest), the issue log that says which revision of each form is current (or
that the form was withdrawn), and when each form is active (the master's Mulai /
Selesai). Rows are added, never changed (a rewritten file only refreshes its path and
time)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import fields

from ..core.problems import ACCEPTED
from .journal import active_line, log_line, revision_line
from .ledger import Ledger, chunks, from_json, ledger_json, now_iso
from .rows import (
    ActivePeriods,
    FormDefinition,
    FormShape,
    IssuedFormFull,
    IssuedFormRow,
    IssuedForReading,
    IssuedRevisions,
    IssueLogEntry,
    MailForm,
    NewRevision,
    RevisionIndicators,
    WithdrawnForm,
)

# form id → its current revision: the last issue_log row of each form
_CURRENT = ("SELECT l.form_id, l.revision FROM issue_log l JOIN (SELECT form_id, MAX(id) AS id"
            " FROM issue_log GROUP BY form_id) last ON l.id = last.id")
_LIGHT = tuple(f.name for f in fields(IssuedFormRow))
_FULL = _LIGHT + ("targets", "form_json", "locked_cells", "manifest", "reading")


def _cols(names: tuple[str, ...], prefix: str = "f.") -> str:
    return ", ".join(prefix + c for c in names)


def _full(row) -> IssuedFormFull:
    light = len(_LIGHT)
    return IssuedFormFull(*row[:light], *(from_json(v) for v in row[light:]))


class IssuedForms:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    # -- recording
    def record(self, revisions: list[NewRevision], stamp: str | None = None) -> str:
        """Insert new revisions, refresh path/time of unchanged ones, and log every form
        whose current revision changes: one transaction. Returns the time recorded
        (``stamp``, else now): a run that records its forms in several calls, as they
        are written, passes the first call's to the others."""
        stamp = stamp or now_iso()
        with self.ledger.transaction() as db:
            current = dict(db.execute(_CURRENT))
            highest = dict(db.execute("SELECT form_id, MAX(revision) FROM forms"
                                      " GROUP BY form_id"))
            have = set(db.execute("SELECT form_id, revision FROM forms"))
            for r in revisions:
                if (r.form_id, r.revision) not in have:  # the journal: a new revision
                    self.ledger.note(revision_line(r.form_id, r.revision, stamp, r.file_path))
                db.execute(
                    "INSERT INTO forms (form_id, revision, nip, kode_iki, tahun, nama, jabatan,"
                    " perangkat_daerah, unit_kerja, atasan_nip, atasan_nama, content_hash,"
                    " targets, form_json, locked_cells, manifest, reading, file_path,"
                    " issued_at, last_written_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT (form_id, revision) DO UPDATE SET"
                    " file_path = excluded.file_path, last_written_at = excluded.last_written_at,"
                    " reading = COALESCE(forms.reading, excluded.reading)",
                    (r.form_id, r.revision, r.nip, r.kode_iki, r.tahun, r.nama, r.jabatan,
                     r.perangkat_daerah, r.unit_kerja, r.atasan_nip, r.atasan_nama,
                     r.content_hash, ledger_json(r.targets), ledger_json(r.form_json),
                     ledger_json(r.locked_cells), ledger_json(r.manifest),
                     ledger_json(r.reading) if r.reading is not None else None,
                     r.file_path, stamp, stamp))
                if current.get(r.form_id, -1) == r.revision:
                    continue
                status = "baru" if r.form_id not in highest else \
                    "aktif_lagi" if r.form_id in current and current[r.form_id] is None else \
                    "revisi" if r.revision > (highest[r.form_id] or 0) else "kembali"
                db.execute("INSERT INTO issue_log (form_id, revision, status, at)"
                           " VALUES (?,?,?,?)", (r.form_id, r.revision, status, stamp))
                self.ledger.note(log_line(r.form_id, r.revision, status, stamp))
                current[r.form_id] = r.revision
                highest[r.form_id] = max(r.revision, highest.get(r.form_id) or 0)
        return stamp

    def record_year(self, active: dict[str, tuple[str, str, list]],
                    withdraw: list[str]) -> None:
        """The active periods of each form (form id → (mulai, selesai, periods)), logged
        when they change, and the forms withdrawn (an issue_log row without revision):
        one transaction."""
        stamp = now_iso()
        with self.ledger.transaction() as db:
            have = {f: (a.mulai, a.selesai) for f, a in self._active(db).items()}
            for form_id, (mulai, selesai, periods) in active.items():
                if have.get(form_id, ("", "")) == (mulai, selesai):
                    continue
                db.execute("INSERT INTO active_periods (form_id, mulai, selesai, periods, at)"
                           " VALUES (?,?,?,?,?)", (form_id, mulai, selesai,
                                                   json.dumps(list(periods)), stamp))
                self.ledger.note(active_line(form_id, mulai, selesai, periods, stamp))
            for form_id in withdraw:
                db.execute("INSERT INTO issue_log (form_id, revision, status, at)"
                           " VALUES (?, NULL, 'ditarik', ?)", (form_id, stamp))
                self.ledger.note(log_line(form_id, None, "ditarik", stamp))

    # -- which revision counts
    def revisions_of(self, form_ids: list[str]) -> dict[str, IssuedRevisions]:
        """For each form id already issued: its current revision and every revision's
        content hash — a content issued before is reused, never given a new number."""
        out: dict[str, IssuedRevisions] = {}
        current = self.current_revisions()
        for chunk in chunks(form_ids):
            hashes: dict[str, dict[str, int]] = {}
            for form_id, rev, content_hash in self.ledger.db.execute(
                    "SELECT form_id, revision, content_hash FROM forms"
                    f" WHERE form_id IN ({','.join('?' * len(chunk))}) ORDER BY revision",
                    chunk):
                hashes.setdefault(form_id, {})[content_hash] = rev
            for form_id, known in hashes.items():
                by_rev = {rev: h for h, rev in known.items()}
                rev = current.get(form_id) or max(by_rev)
                out[form_id] = IssuedRevisions(form_id, rev, by_rev.get(rev, ""), known,
                                               max(by_rev))
        return out

    def current_revisions(self) -> dict[str, int | None]:
        """form id → its current revision (None: withdrawn), for every form issued."""
        return dict(self.ledger.db.execute(_CURRENT))

    def current_revision(self, form_id: str) -> int | None:
        row = self.ledger.db.execute(
            "SELECT revision FROM issue_log WHERE form_id = ? ORDER BY id DESC LIMIT 1",
            (form_id,)).fetchone()
        return row[0] if row else None

    def history(self, form_id: str) -> list[IssueLogEntry]:
        """Every change of the form's current revision, in order."""
        return [IssueLogEntry(*r) for r in self.ledger.db.execute(
            "SELECT id, form_id, revision, status, at FROM issue_log WHERE form_id = ?"
            " ORDER BY id", (form_id,))]

    def is_known(self, form_id: str) -> bool:
        return self.ledger.db.execute("SELECT 1 FROM forms WHERE form_id = ? LIMIT 1",
                                      (form_id,)).fetchone() is not None

    def is_empty(self) -> bool:
        return self.ledger.db.execute("SELECT 1 FROM forms LIMIT 1").fetchone() is None

    def years(self) -> list[int]:
        return [r[0] for r in self.ledger.db.execute(
            "SELECT DISTINCT tahun FROM forms ORDER BY tahun")]

    # -- the forms
    def forms(self, tahun: int | None = None, *, full: bool = False) -> list[IssuedFormRow]:
        """The current revision of every issued form (of ``tahun``) that is not withdrawn,
        in issue order; ``full``: with everything issued (:class:`IssuedFormFull`)."""
        sql = (f"SELECT {_cols(_FULL if full else _LIGHT)} FROM forms f JOIN ({_CURRENT}) m"
               " ON f.form_id = m.form_id AND f.revision = m.revision")
        args: tuple = ()
        if tahun is not None:
            sql += " WHERE f.tahun = ?"
            args = (tahun,)
        rows = self.ledger.db.execute(sql + " ORDER BY f.rowid", args)
        return [_full(r) for r in rows] if full else [IssuedFormRow(*r) for r in rows]

    def of_nip(self, nip: str, tahun: int | None = None) -> list[IssuedFormRow]:
        """The current revision of every form issued to ``nip`` (of ``tahun``) that is not
        withdrawn, in issue order — :meth:`forms` of one pegawai, by the NIP's index (a
        file naming another pegawai asks it: the whole table read for each such file was
        ~0.4 s at 10,000 forms)."""
        sql = (f"SELECT {_cols(_LIGHT)} FROM forms f WHERE f.nip = ?"
               " AND f.revision = (SELECT l.revision FROM issue_log l"
               " WHERE l.form_id = f.form_id ORDER BY l.id DESC LIMIT 1)")
        args: tuple = (nip,)
        if tahun is not None:
            sql += " AND f.tahun = ?"
            args += (tahun,)
        return [IssuedFormRow(*r) for r in self.ledger.db.execute(sql + " ORDER BY f.rowid",
                                                                   args)]

    def form(self, form_id: str, revision: int | None = None) -> IssuedFormFull | None:
        """One issued form (the current revision unless given), with everything issued."""
        sql = f"SELECT {_cols(_FULL, '')} FROM forms WHERE form_id = ?"
        args: tuple = (form_id,)
        if revision is None:
            revision = self.current_revision(form_id)
        if revision is not None:
            sql += " AND revision = ?"
            args += (revision,)
        row = self.ledger.db.execute(sql + " ORDER BY revision DESC LIMIT 1", args).fetchone()
        return _full(row) if row is not None else None

    def for_reading(self, form_id: str, revision: int, *,
                    reading_text: bool = False) -> IssuedForReading | None:
        """What a reader compares a returned file with — not the manifest nor the form
        JSON (see :class:`IssuedForReading`); ``reading_text``: its reading view as the
        JSON text stored (forms alike share it: the caller decodes each text once)."""
        row = self.ledger.db.execute(
            "SELECT form_id, revision, nip, kode_iki, tahun, nama, locked_cells, reading,"
            " issued_at FROM forms WHERE form_id = ? AND revision = ?",
            (form_id, revision)).fetchone()
        if row is None:
            return None
        return IssuedForReading(*row[:6], json.loads(row[6]),
                                row[7] if reading_text else from_json(row[7]), row[8])

    def manifest_text(self, form_id: str, revision: int) -> str | None:
        """The manifest of an issued form as written into its file (JSON text)."""
        row = self.ledger.db.execute(
            "SELECT manifest FROM forms WHERE form_id = ? AND revision = ?",
            (form_id, revision)).fetchone()
        return row[0] if row else None

    def for_mail(self, tahun: int) -> list[MailForm]:
        """The current revision of every issued form of ``tahun``, with what a message
        needs of its settings (period scheme, agency) and of its atasan."""
        return [MailForm(*r) for r in self.ledger.db.execute(
            f"SELECT {_cols(_LIGHT)}, json_extract(f.form_json, '$.settings.periode'),"
            " json_extract(f.form_json, '$.settings.instansi'),"
            " json_extract(f.form_json, '$.atasan.jabatan')"
            f" FROM forms f JOIN ({_CURRENT}) m ON f.form_id = m.form_id"
            " AND f.revision = m.revision WHERE f.tahun = ? ORDER BY f.rowid", (tahun,))]

    def withdrawn(self, tahun: int | None = None) -> list[WithdrawnForm]:
        """Every withdrawn form (of ``tahun``): its last revision, when it was withdrawn
        and how many accepted files it has."""
        sql = (f"SELECT {_cols(_LIGHT)}, l.at, (SELECT COUNT(*) FROM files x WHERE"
               " x.form_id = f.form_id AND x.status IN (?, ?)) FROM issue_log l"
               " JOIN (SELECT form_id, MAX(id) AS id FROM issue_log GROUP BY form_id) last"
               " ON l.id = last.id JOIN forms f ON f.form_id = l.form_id AND f.revision ="
               " (SELECT MAX(revision) FROM forms g WHERE g.form_id = l.form_id)"
               " WHERE l.revision IS NULL")
        args: tuple = tuple(ACCEPTED)
        if tahun is not None:
            sql += " AND f.tahun = ?"
            args += (tahun,)
        return [WithdrawnForm(*r) for r in self.ledger.db.execute(sql + " ORDER BY f.rowid",
                                                                  args)]

    # -- what the year needs of them
    def shapes(self, forms: list[IssuedFormRow]) -> dict[str, FormShape]:
        """form id → its periods and number of indikator in the revision of each of
        ``forms``: SQLite reads the two out of the stored reading view; a form of an
        older version from its manifest."""
        wanted = {f.form_id: f.revision for f in forms}
        out: dict[str, FormShape] = {}
        db = self.ledger.db
        try:
            rows = db.execute(
                "SELECT form_id, revision, json_extract(reading, '$[0]'),"
                " json_array_length(reading, '$[2]') FROM forms"
                " WHERE reading IS NOT NULL").fetchall()
        except sqlite3.OperationalError:  # an SQLite built without JSON functions
            rows = [(f, r, json.dumps(v[0]), len(v[2])) for f, r, v in (
                (f, r, json.loads(t)) for f, r, t in db.execute(
                    "SELECT form_id, revision, reading FROM forms WHERE reading IS NOT NULL"))]
        for form_id, rev, periods, count in rows:
            if wanted.get(form_id) == rev:
                out[form_id] = FormShape(json.loads(periods), count)
        missing = [form_id for form_id in wanted if form_id not in out]
        for chunk in chunks(missing):
            out.update(self._manifest_shapes({f: wanted[f] for f in chunk}))
        return out

    def _manifest_shapes(self, wanted: dict[str, int]) -> dict[str, FormShape]:
        """:meth:`shapes` of forms never read yet, from their manifests: SQLite reads the
        periods and counts the indikator in one statement; a manifest it cannot read so
        (no JSON functions, other shapes) decoded here."""
        rows: list = []
        try:
            rows = self.ledger.db.execute(
                "SELECT form_id, revision, json_type(manifest, '$.periods'),"
                " json_extract(manifest, '$.periods'), json_type(manifest, '$.indicators'),"
                " json_array_length(manifest, '$.indicators') FROM forms"
                f" WHERE form_id IN ({','.join('?' * len(wanted))})", list(wanted)).fetchall()
        except sqlite3.OperationalError:  # no JSON functions, or a manifest not JSON
            pass
        out: dict[str, FormShape] = {}
        for form_id, rev, kind, periods, listed, count in rows:
            if wanted[form_id] == rev and kind in (None, "array") and listed in (None,
                                                                                 "array"):
                out[form_id] = FormShape(json.loads(periods) if kind else [], count or 0)
        for form_id, rev in wanted.items():
            if form_id not in out:
                m = json.loads(self.manifest_text(form_id, rev) or "{}")
                out[form_id] = FormShape(list(m.get("periods", [])),
                                         len(m.get("indicators", [])))
        return out

    def indicators(self, tahun: int | None,
                   form_ids: list[str] | None = None) -> list[RevisionIndicators]:
        """The indikator of every revision issued (for ``tahun``, of ``form_ids``), as
        stored in the form JSON: what matches an indikator across revisions."""
        where, args = _where(tahun, form_ids)
        db = self.ledger.db
        try:
            rows = db.execute(
                "SELECT form_id, revision, json_extract(form_json, '$.iki.indicators')"
                f" FROM forms{where}", args).fetchall()
            return [RevisionIndicators(f, r, json.loads(t)) for f, r, t in rows]
        except sqlite3.OperationalError:  # an SQLite built without JSON functions
            return [RevisionIndicators(f, r, json.loads(t)["iki"]["indicators"])
                    for f, r, t in db.execute(
                        f"SELECT form_id, revision, form_json FROM forms{where}", args)]

    def definitions(self, tahun: int, form_ids: list[str] | None = None
                    ) -> Iterator[FormDefinition]:
        """The IKI and settings of every revision issued for ``tahun`` (of ``form_ids``
        only, when given: a recap's slice of forms): SQLite cuts the two out of the stored
        form JSON (as JSON text), so the rest of it (pegawai, atasan) is never parsed;
        without SQLite's JSON functions they come decoded. One row at a time: 10,000
        forms' IKI texts at once are ~240 MB a recap would hold at its peak."""
        for where, args in _definition_filters(tahun, form_ids):
            yield from self._definitions(where, args)

    def _definitions(self, where: str, args: tuple) -> Iterator[FormDefinition]:
        db = self.ledger.db
        try:
            rows = db.execute(
                "SELECT form_id, revision, json_extract(form_json, '$.iki'),"
                f" json_extract(form_json, '$.settings') FROM forms WHERE {where}", args)
        except sqlite3.OperationalError:  # an SQLite built without JSON functions
            for form_id, revision, text in db.execute(
                    f"SELECT form_id, revision, form_json FROM forms WHERE {where}", args):
                form = json.loads(text)
                yield FormDefinition(form_id, revision, form["iki"], form["settings"])
            return
        for row in rows:
            yield FormDefinition(*row)

    def active_periods(self, form_ids: list[str] | None = None) -> dict[str, ActivePeriods]:
        """form id → when it is active, of forms with a Mulai or Selesai (a form without
        either is active all year and is not listed)."""
        wanted = None if form_ids is None else set(form_ids)
        return {f: a for f, a in self._active(self.ledger.db).items()
                if (a.mulai or a.selesai) and (wanted is None or f in wanted)}

    @staticmethod
    def _active(db: sqlite3.Connection) -> dict[str, ActivePeriods]:
        """form id → its last active_periods row."""
        return {form_id: ActivePeriods(mulai, selesai, tuple(json.loads(periods)))
                for form_id, mulai, selesai, periods in db.execute(
                    "SELECT a.form_id, a.mulai, a.selesai, a.periods FROM active_periods a"
                    " JOIN (SELECT form_id, MAX(id) AS id FROM active_periods GROUP BY"
                    " form_id) last ON a.id = last.id")}


def _definition_filters(tahun: int, form_ids: list[str] | None
                        ) -> Iterator[tuple[str, tuple]]:
    """The WHERE clauses (and their arguments) that select the revisions of ``tahun``
    (of ``form_ids`` only, when given, 500 at a time)."""
    if form_ids is None:
        yield "tahun = ?", (tahun,)
        return
    for chunk in chunks(form_ids):
        yield (f"tahun = ? AND form_id IN ({','.join('?' * len(chunk))})",
               (tahun, *chunk))


def _where(tahun: int | None, form_ids: list[str] | None) -> tuple[str, tuple]:
    clauses, args = [], []
    if tahun is not None:
        clauses.append("tahun = ?")
        args.append(tahun)
    if form_ids is not None and len(form_ids) <= 500:
        clauses.append(f"form_id IN ({','.join('?' * len(form_ids))})")
        args.extend(form_ids)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(args)

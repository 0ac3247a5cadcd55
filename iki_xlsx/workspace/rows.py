"""What the ledger hands out and takes in: frozen rows with named fields, their JSON
columns decoded once, by the query that reads them.

The officer's decisions come back as :class:`iki_xlsx.core.timeline.Decision` and a
form's accepted files, for the year, as :class:`iki_xlsx.core.timeline.FileInput`: the
types the timeline works with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

# --------------------------------------------------------------------------- issued forms


@dataclass(frozen=True, slots=True)
class IssuedFormRow:
    """One revision of an issued form: whom it is for and where its file was written,
    without the large JSON columns (see :class:`IssuedFormFull`)."""

    form_id: str
    revision: int
    nip: str
    kode_iki: str
    tahun: int
    nama: str
    jabatan: str
    perangkat_daerah: str
    unit_kerja: str
    atasan_nip: str
    atasan_nama: str
    content_hash: str
    file_path: str  # relative to the forms folder it was written in
    issued_at: str
    last_written_at: str


@dataclass(frozen=True, slots=True)
class IssuedFormFull(IssuedFormRow):
    """One revision of an issued form with everything issued, decoded."""

    targets: dict  # indikator id → target, polarity, aggregation, period targets
    form_json: dict  # the whole Form (iki_xlsx.forms.manifest.form_to_dict)
    locked_cells: dict  # address → locked content, as issued
    manifest: dict  # the signed manifest written into the file
    reading: list | None  # what judging a returned file needs (None: an older version)


@dataclass(frozen=True, slots=True)
class WithdrawnForm(IssuedFormRow):
    """A withdrawn form: its last revision, when it was withdrawn, and how many accepted
    files it has."""

    ditarik_at: str
    berkas: int


@dataclass(frozen=True, slots=True)
class MailForm(IssuedFormRow):
    """The current revision of a form, with what a message about it needs of its
    settings and of its atasan."""

    periode: str | None  # the period scheme (triwulan, semester, …)
    instansi: str | None
    atasan_jabatan: str | None


@dataclass(frozen=True, slots=True)
class IssuedForReading:
    """What a reader compares a returned file with: the issued form's identity, its
    locked cells and its reading view (None for forms issued by an earlier version)."""

    form_id: str
    revision: int
    nip: str
    kode_iki: str
    tahun: int
    nama: str
    locked_cells: dict
    reading: list | str | None  # str: the JSON text, when asked for (``reading_text``)
    issued_at: str = ""  # when this revision was issued


@dataclass(frozen=True, slots=True)
class IssuedRevisions:
    """A form as generate meets it again: its current revision and every content issued."""

    form_id: str
    revision: int  # the current revision
    content_hash: str  # of the current revision
    revisions: dict = field(default_factory=dict)  # content hash → revision, all issued
    last: int = 0  # the highest revision number issued


@dataclass(frozen=True, slots=True)
class NewRevision:
    """A revision as generate (or recovery) hands it to the ledger. The JSON columns are
    values, or JSON text already serialised (by the worker that wrote the form)."""

    form_id: str
    revision: int
    nip: str
    kode_iki: str
    tahun: int
    nama: str
    jabatan: str
    perangkat_daerah: str
    unit_kerja: str
    atasan_nip: str
    atasan_nama: str
    content_hash: str
    targets: dict | str
    form_json: dict | str
    locked_cells: dict | str
    manifest: dict | str
    reading: list | str | None
    file_path: str


@dataclass(frozen=True, slots=True)
class IssueLogEntry:
    """One change of a form's current revision (None: withdrawn)."""

    id: int
    form_id: str
    revision: int | None
    status: str  # baru | revisi | kembali | migrasi | ditarik | aktif_lagi | pulih
    at: str


@dataclass(frozen=True, slots=True)
class ActivePeriods:
    """When a form is active (the master's Mulai / Selesai) and its active periods."""

    mulai: str
    selesai: str
    periods: tuple[str, ...]


class FormShape(NamedTuple):
    """A form's periods and its number of indikator, in one revision."""

    periods: list[str]
    count: int


class RevisionIndicators(NamedTuple):
    """The indikator of one revision, as stored in its form JSON."""

    form_id: str
    revision: int
    indicators: list[dict]


class FormDefinition(NamedTuple):
    """A revision's IKI and settings: JSON text (cut out by SQLite), or decoded values
    where SQLite has no JSON functions."""

    form_id: str
    revision: int
    iki: str | dict
    settings: str | dict


# --------------------------------------------------------------------------- collected files


@dataclass(frozen=True, slots=True)
class FileEntry:
    """What collect records about one content (a file, by its sha256)."""

    sha256: str
    size: int
    kind: str  # xlsx | ods | other
    status: str  # diterima | diterima_catatan | ditolak
    problems: list[dict] = field(default_factory=list)  # Problem.to_dict() of each
    form_id: str | None = None  # None: the file could not be identified
    revision: int | None = None
    nip: str | None = None
    tahun: int | None = None
    realisasi: dict | None = None  # {indikator id: {"realisasi": {period: v}, ...}}
    filled: int = 0  # realisasi cells filled
    last_period: int = -1  # index of the last period with a realisasi
    modified_at: str | None = None  # the file's own "last modified"
    saved_at: str | None = None  # when the pegawai saved it (UTC)
    saved_from: str | None = None  # dokumen | zip | berkas: where saved_at came from
    filled_mask: dict | None = None  # {period: bits of the indikator filled}
    arrived_at: str | None = None  # when it first reached us (UTC; None: not known)
    trusted_at: str | None = None  # the saved time that counts (core.timeline.trusted_time)

    def has_problem(self, code: str) -> bool:
        return any(p.get("code") == code for p in self.problems)


@dataclass(frozen=True, slots=True)
class CollectedFile(FileEntry):
    """A collected file as the ledger holds it: its entry and when it was first seen.
    Read ``light``, ``realisasi`` is None whatever the file gave."""

    first_seen: str = ""


@dataclass(frozen=True, slots=True)
class Sighting:
    """One place and run a file was seen in."""

    id: int
    sha256: str
    source: str  # the path (or mail source) it was found at
    member: str  # its name inside an archive, or ""
    seen_at: str
    run_id: str
    origin: dict | None  # a mail attachment's message id, date, sender

    @property
    def where(self) -> str:
        """The path, or "archive › member"."""
        return f"{self.source} › {self.member}" if self.member else self.source


class FileGlance(NamedTuple):
    """What a recap needs of every file of a form without its verdict's details: the
    fields of :class:`CollectedFile` of the same names (a year of 40,000 files read as
    whole rows held ~65 MB)."""

    form_id: str
    status: str
    revision: int | None
    last_period: int
    first_seen: str


class FileMask(NamedTuple):
    """An accepted file's revision and the bits of the indikator it filled per period
    (None when not recorded)."""

    revision: int
    mask: dict | None


# --------------------------------------------------------------------------- e-mail


@dataclass(frozen=True, slots=True)
class SendLogEntry:
    """One message sent (or tried) about a form revision."""

    form_id: str
    revision: int
    kind: str  # formulir | pengingat-<periode>-<tanggal> | atasan-…
    recipient: str
    status: str  # terkirim | gagal
    error: str
    message_id: str
    attempts: int
    at: str


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True, slots=True)
class NewReview:
    """A review workbook as ``verifikasi`` hands it to the ledger (issue 26). The JSON
    columns are values, or JSON text already serialised (by the worker that wrote it)."""

    review_id: str
    revision: int
    tahun: int
    period: str
    atasan_nip: str
    atasan_nama: str
    content_hash: str
    locked_cells: dict | str  # sheet → address → locked content
    manifest: dict | str
    file_path: str


@dataclass(frozen=True, slots=True)
class IssuedReview:
    """An issued review workbook, as judging a returned one needs it."""

    review_id: str
    revision: int
    tahun: int
    period: str
    atasan_nip: str
    atasan_nama: str
    locked_cells: dict  # sheet → address → locked content
    manifest: dict
    file_path: str
    issued_at: str


@dataclass(frozen=True, slots=True)
class ReviewRevisions:
    """A review workbook as ``verifikasi`` meets it again: every content issued."""

    review_id: str
    revisions: dict = field(default_factory=dict)  # content hash → revision
    last: int = 0


@dataclass(frozen=True, slots=True)
class VerificationRow:
    """One decision of a returned review workbook, as collect hands it to the ledger
    (recorded with its file, in the same transaction, only when the file is new)."""

    review_id: str
    form_id: str
    revision: int  # of the form
    indicator: str | None  # None: the overall note about the bawahan
    period: str
    kind: str  # setuju | kembalikan | koreksi | catatan
    value: object
    shown: object
    base: object
    source: str
    note: str
    atasan_nip: str


class FormPeople(NamedTuple):
    """Who a form is for and who assesses it, as issued (form JSON: pegawai, atasan)."""

    form_id: str
    pegawai: dict
    atasan: dict

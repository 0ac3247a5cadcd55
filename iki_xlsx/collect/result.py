"""What collect says about one file: :class:`FileResult` (its verdict, problems and what
was read), as shown in the reports and stored in the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.problems import Problem, Status
from ..workspace import FileEntry


@dataclass
class FileResult:
    name: str
    source: str
    member: str
    sha256: str
    size: int
    status: Status
    problems: list[Problem] = field(default_factory=list)
    form_id: str | None = None
    revision: int | None = None
    nip: str | None = None
    nama: str = ""
    kode_iki: str = ""
    tahun: int | None = None
    realisasi: dict | None = None
    filled: int = 0
    last_period: int = -1
    modified_at: str | None = None
    saved_at: str = ""  # when the pegawai saved it (normalised UTC; "" unknown)
    saved_from: str = ""  # dokumen | zip | berkas (the file's time on disk)
    filled_mask: dict | None = None  # period → bits of the indikator filled (bit k: k-th)
    arrived_at: str = ""  # when it first reached us (normalised UTC)
    trusted_at: str = ""  # the saved time that counts (core.timeline.trusted_time)
    kind: str = "other"
    duplicate_of: str | None = None  # same content seen before (under this name)
    new: bool = True
    recorded: bool = True  # False: an internal error; not recorded, a rerun retries it
    mail: dict | None = None  # the message it came in (report only; stored with the sighting)
    verifications: list | None = None  # a review workbook's decisions (VerificationRow)

    def entry(self) -> FileEntry:
        """What the ledger records of this file."""
        return FileEntry(self.sha256, self.size, self.kind, str(self.status),
                         [p.to_dict() for p in self.problems], self.form_id, self.revision,
                         self.nip, self.tahun, self.realisasi, self.filled, self.last_period,
                         self.modified_at, self.saved_at or None, self.saved_from or None,
                         self.filled_mask, self.arrived_at or None, self.trusted_at or None)

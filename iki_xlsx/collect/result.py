"""What collect says about one file: :class:`FileResult` (its verdict, problems and what
was read), as shown in the reports and stored in the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.problems import Problem, Status


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
    kind: str = "other"
    duplicate_of: str | None = None  # same content seen before (under this name)
    new: bool = True
    recorded: bool = True  # False: an internal error; not recorded, a rerun retries it
    mail: dict | None = None  # the message it came in (report only; stored with the sighting)

    def entry(self) -> dict:
        """The ledger row of this file."""
        return {"sha256": self.sha256, "size": self.size, "kind": self.kind,
                "form_id": self.form_id, "revision": self.revision, "nip": self.nip,
                "tahun": self.tahun, "status": self.status,
                "problems": [p.to_dict() for p in self.problems],
                "realisasi": self.realisasi, "filled": self.filled,
                "last_period": self.last_period, "modified_at": self.modified_at,
                "saved_at": self.saved_at or None, "saved_from": self.saved_from or None,
                "filled_mask": self.filled_mask}

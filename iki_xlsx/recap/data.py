"""The recap's data: :class:`Recap` and its rows (:class:`RecapForm`, its
:class:`RecapIndicator`, :class:`UnitSummary`, :class:`FileIssue`) — plain attributes, built
by :mod:`iki_xlsx.recap.build`, written by :mod:`iki_xlsx.recap.xlsx` and
:mod:`iki_xlsx.recap.html`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..core.model import MidYear, PeriodScheme
from ..core.predikat import PredikatScale
from ..core.timeline import BELUM, KOSONG, SUBMITTED, TIDAK_AKTIF

__all__ = [
    "INDICATOR_STATUSES",
    "NOT_COUNTED",
    "NOT_SUBMITTED",
    "UNVERIFIED",
    "FileIssue",
    "Recap",
    "RecapForm",
    "RecapIndicator",
    "UnitSummary",
]

NOT_SUBMITTED = BELUM  # RecapForm.status of a form that has not submitted the period
NOT_COUNTED = (BELUM, KOSONG)  # period statuses that are not a submission
UNVERIFIED = "belum_verifikasi"  # an indikator whose values wait for the atasan (issue 26)
INDICATOR_STATUSES = ("terisi", "kosong", NOT_SUBMITTED, "galat", UNVERIFIED)

@dataclass(slots=True)
class RecapIndicator:
    id: str
    no: str  # filled down from the sasaran above when the form leaves it empty
    sasaran: str
    indikator: str
    satuan: str
    target: str
    polaritas: str
    agregasi: str
    values: dict  # period code → realisasi (periods up to the form's upto)
    total: float | str | None  # the aggregate s.d. upto
    capaian: float | None  # against the target s.d. upto (per-period or pro-rated)
    status: str  # terisi | kosong | belum | galat
    keterangan: str | None
    sources: dict = field(default_factory=dict)  # period → (file name, saved at) or a decision
    progress: float | None = None  # the aggregate against the yearly target (issue 22)
    verification: dict = field(default_factory=dict)  # period → terverifikasi | … (issue 26)


@dataclass(slots=True)
class RecapForm:
    form_id: str
    revision: int
    nip: str
    nama: str
    jabatan: str
    kode_iki: str
    perangkat_daerah: str
    unit_kerja: str
    atasan_nip: str
    atasan_nama: str
    scheme: PeriodScheme
    upto: str | None  # this form's period s.d. which capaian counts (None: none yet)
    cap: float
    scale: PredikatScale
    status: str  # of the recap period: lengkap | sebagian | kosong | belum
    indicators: list[RecapIndicator]
    capaian: float | None  # mean of the indicators' capaian that are not None
    predikat: str | None
    sha256: str | None = None  # the submission used
    submitted_at: datetime | None = None  # when the submission used was first collected
    last_sent: datetime | None = None  # the latest file of this form, whatever its status
    rejected: int = 0  # rejected files of this form
    old_revision: int | None = None  # an accepted file of an older revision, if any
    period_status: dict = field(default_factory=dict)  # period → lengkap|sebagian|kosong|belum
    events: list = field(default_factory=list)  # timeline events (sheet Riwayat)
    excluded: int = 0  # files the officer set aside
    active: bool = True  # counts in the recap period (Mulai / Selesai of the master)
    active_periods: tuple | None = None  # periods it counts in (None: all year)
    midyear: MidYear = MidYear.PROPORSIONAL  # its master's Target Tengah Tahun
    verification: dict = field(default_factory=dict)  # period → terverifikasi |
    # dikembalikan | menunggu | "" (nothing to verify): the atasan's (issue 26)
    unverified: int = 0  # values s.d. the recap period not verified (not counted when
    # only verified values count)

    @property
    def submitted(self) -> bool:
        return self.status in SUBMITTED

    @property
    def filled(self) -> int:
        return sum(1 for i in self.indicators if i.status == "terisi")

    @property
    def total(self) -> int:
        return len(self.indicators)


@dataclass(slots=True)
class UnitSummary:
    """Counts of one unit kerja (or perangkat daerah: unit_kerja None, or everything).

    Two ways to split the same forms, each adding up (issue 22): ``forms`` = ``submitted``
    + ``missing`` (of the recap period), and ``forms`` = the ``predikat`` counts +
    ``unrated``. A form that has not submitted the recap period but has earlier values
    has a capaian s.d. the period (from those values) and is counted in its band too."""

    perangkat_daerah: str | None
    unit_kerja: str | None
    people: int = 0  # distinct NIPs
    forms: int = 0
    submitted: int = 0  # forms that submitted the recap period
    missing: int = 0  # forms that did not
    average: float | None = None  # mean of the forms' capaian
    predikat: dict[str, int] = field(default_factory=dict)  # forms per predikat
    unrated: int = 0  # no capaian s.d. the period (no value yet)

    @property
    def submitted_share(self) -> float | None:
        return self.submitted / self.forms if self.forms else None


@dataclass(slots=True)
class FileIssue:
    """A collected file that was rejected or has problems (sheet Masalah)."""

    sha256: str
    names: list[str]  # where it was seen: path, or "zip › member"
    form_id: str | None
    nip: str | None
    nama: str | None
    status: str  # diterima | diterima_catatan | ditolak
    used: bool  # it is the submission the recap uses
    problems: list[dict]
    first_seen: datetime | None


@dataclass
class Recap:
    tahun: int
    upto: str  # period code as resolved (TW2, S1, TAHUNAN)
    upto_auto: bool  # True when chosen as the latest period with any realisasi
    periods: list[str]  # realisasi columns: every period s.d. upto, of every scheme present
    forms: list[RecapForm]
    units: list[UnitSummary]
    agencies: list[UnitSummary]
    total: UnitSummary
    predikat_labels: list[str]  # in scale order (every scale used)
    caps: list[float]
    scales: list[PredikatScale]
    files: list[FileIssue]
    generated_at: datetime
    kertas: str = "A4"  # paper of most forms (A4 | F4)
    provisional: bool = False  # before the year's end: the figures are sementara
    closed: list = field(default_factory=list)  # issue 11: ended and withdrawn forms
    file_labels: dict = field(default_factory=dict)  # sha256 → a decided file, named
    only_verified: bool = False  # issue 26: only values the atasan verified count
    only_verified_setting: bool = False  # … because the master says so

    @property
    def not_submitted(self) -> list[RecapForm]:
        return [f for f in self.forms if not f.submitted and f.active]

    def missing(self, period: str) -> list[RecapForm]:
        """Forms that have not submitted ``period`` (belum or kosong)."""
        return [f for f in self.forms
                if period in f.period_status
                and f.period_status[period] not in (*SUBMITTED, TIDAK_AKTIF)]

    @property
    def submitted(self) -> list[RecapForm]:
        return [f for f in self.forms if f.submitted]

    @property
    def first_period(self) -> str:
        return self.periods[0] if self.periods else self.upto

"""Domain model: settings, people, IKI definitions, indicators, and the value rules
(NIP, pangkat/golongan, Indonesian numbers, targets) that every stage shares.

Nothing here does I/O. Readers (master workbook, YAML, text import) build these objects;
writers (forms, master) consume them.

Longer than 400 lines because the value rules (NIP, pangkat, numbers, targets) are
shared by every stage and kept with the objects they validate.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum


class Polarity(str, Enum):
    MAKSIMAL = "maksimal"
    MINIMAL = "minimal"
    RENTANG = "rentang"
    YA_TIDAK = "ya/tidak"


class Aggregation(str, Enum):
    JUMLAH = "jumlah"
    RATA_RATA = "rata-rata"
    TERAKHIR = "terakhir"


class PeriodScheme(str, Enum):
    TRIWULAN = "triwulan"
    SEMESTER = "semester"
    TAHUNAN = "tahunan"

    @property
    def periods(self) -> tuple[str, ...]:
        """Stable period codes, in order. Display labels come from templates."""
        return _PERIODS[self]


class MidYear(str, Enum):
    """What capaian s.d. a period compares a ``jumlah`` indikator with when the master
    gives it only a yearly target (setting *Target Tengah Tahun*)."""

    PROPORSIONAL = "proporsional"  # the yearly target × n/4 s.d. TW n (× k/2, semester k)
    TAHUNAN = "tahunan"  # the yearly target itself (kumulatif terhadap target tahunan)


_PERIODS = {
    PeriodScheme.TRIWULAN: ("TW1", "TW2", "TW3", "TW4"),
    PeriodScheme.SEMESTER: ("S1", "S2"),
    PeriodScheme.TAHUNAN: ("TAHUNAN",),
}

# Accepted spellings of enum values in master data (lower-cased, spaces collapsed).
_POLARITY_ALIASES = {
    "maksimal": Polarity.MAKSIMAL, "maximal": Polarity.MAKSIMAL, "max": Polarity.MAKSIMAL,
    "maks": Polarity.MAKSIMAL, "semakin tinggi semakin baik": Polarity.MAKSIMAL,
    "positif": Polarity.MAKSIMAL,
    "minimal": Polarity.MINIMAL, "min": Polarity.MINIMAL, "minimum": Polarity.MINIMAL,
    "semakin rendah semakin baik": Polarity.MINIMAL, "negatif": Polarity.MINIMAL,
    "rentang": Polarity.RENTANG, "range": Polarity.RENTANG, "stabil": Polarity.RENTANG,
    "ya/tidak": Polarity.YA_TIDAK, "ya / tidak": Polarity.YA_TIDAK, "ya-tidak": Polarity.YA_TIDAK,
    "ya tidak": Polarity.YA_TIDAK, "tercapai/tidak": Polarity.YA_TIDAK,
}
_AGGREGATION_ALIASES = {
    "jumlah": Aggregation.JUMLAH, "sum": Aggregation.JUMLAH, "total": Aggregation.JUMLAH,
    "kumulatif": Aggregation.JUMLAH,
    "rata-rata": Aggregation.RATA_RATA, "rata rata": Aggregation.RATA_RATA,
    "ratarata": Aggregation.RATA_RATA, "rerata": Aggregation.RATA_RATA,
    "average": Aggregation.RATA_RATA,
    "terakhir": Aggregation.TERAKHIR, "nilai terakhir": Aggregation.TERAKHIR,
    "last": Aggregation.TERAKHIR,
}
_SCHEME_ALIASES = {
    "triwulan": PeriodScheme.TRIWULAN, "triwulanan": PeriodScheme.TRIWULAN,
    "tw": PeriodScheme.TRIWULAN, "kuartal": PeriodScheme.TRIWULAN,
    "semester": PeriodScheme.SEMESTER, "semesteran": PeriodScheme.SEMESTER,
    "tahunan": PeriodScheme.TAHUNAN, "tahun": PeriodScheme.TAHUNAN,
}

_MIDYEAR_ALIASES = {
    "proporsional": MidYear.PROPORSIONAL, "proporsi": MidYear.PROPORSIONAL,
    "pro rata": MidYear.PROPORSIONAL, "prorata": MidYear.PROPORSIONAL,
    "tahunan": MidYear.TAHUNAN, "target tahunan": MidYear.TAHUNAN,
    "kumulatif": MidYear.TAHUNAN, "kumulatif terhadap target tahunan": MidYear.TAHUNAN,
}


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).strip().lower())


def parse_polarity(text: str) -> Polarity | None:
    return _POLARITY_ALIASES.get(_key(text))


def parse_aggregation(text: str) -> Aggregation | None:
    return _AGGREGATION_ALIASES.get(_key(text))


def parse_scheme(text: str) -> PeriodScheme | None:
    return _SCHEME_ALIASES.get(_key(text))


def parse_midyear(text: str) -> MidYear | None:
    return _MIDYEAR_ALIASES.get(_key(text))


# --------------------------------------------------------------------------- numbers

_SPACES = re.compile(r"[\s\u00a0\u202f\u2007]+")
_NUMERIC = re.compile(r"^[+-]?(\d+([.,]\d+)*)?([.,]\d+)?$")


def parse_number(text: object) -> float | None:
    """Parse a number as Indonesians type it; None when it is not one.

    ``85,5`` → 85.5 · ``1.234,5`` → 1234.5 · ``1.234`` → 1234 · ``1.500.000`` → 1500000 ·
    ``85%`` → 85 (percent points) · ``Rp 1.500.000`` → 1500000 · ``85.5`` → 85.5 (one dot
    followed by other than three digits can only be a decimal point).
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return float(text) if text == text and abs(text) != float("inf") else None
    s = unicodedata.normalize("NFKC", str(text))
    s = _SPACES.sub("", s)
    if s[:2].lower() == "rp":
        s = s[2:].lstrip(".")
    s = s.rstrip("%")
    s = s.replace("\u2212", "-")
    if not s or not _NUMERIC.match(s) or not any(c.isdigit() for c in s):
        return None
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("+-")
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        thou = "." if dec == "," else ","
        if s.count(dec) > 1:
            return None
        int_part, frac = s.split(dec)
        if not _grouped(int_part, thou):
            return None
        s = int_part.replace(thou, "") + "." + frac
    elif commas:
        if commas > 1:
            if not _grouped(s, ","):
                return None
            s = s.replace(",", "")
        else:
            s = s.replace(",", ".")
    elif dots:
        if dots > 1 or (len(s.split(".")[1]) == 3 and s.split(".")[0] not in ("", "0")):
            if not _grouped(s, "."):
                return None
            s = s.replace(".", "")
    try:
        value = sign * float(s)
    except ValueError:
        return None
    return value if abs(value) != float("inf") else None


def _grouped(s: str, sep: str) -> bool:
    parts = s.split(sep)
    return bool(parts[0]) and len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def whole(value: object) -> object:
    """A whole float as an int (``85.0`` → ``85``), anything else as it is: how a value
    read from a cell is shown and compared (spreadsheets store every number as a float)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return int(value)
    return value


def format_number(value: float) -> str:
    """Indonesian display: 1234.5 → ``1.234,5``; integers without decimals; at most two
    decimals, rounded half up as spreadsheets show them (81,125 → ``81,13``)."""
    if value == int(value):
        text = f"{int(value):,}".replace(",", ".")
    else:
        cents = Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        text = f"{cents:,.2f}".rstrip("0").rstrip(".")
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


# --------------------------------------------------------------------------- targets

@dataclass(frozen=True)
class Target:
    """An indicator's target: what is printed, and the numbers capaian uses.

    ``value`` is the number compared with realisasi (for ``BB (70)`` the 70); a range has
    ``low``/``high``; a ya/tidak target has neither.
    """

    text: str
    value: float | None = None
    low: float | None = None
    high: float | None = None


_RANGE = re.compile(r"^\s*(?P<lo>[\d.,]+)\s*%?\s*(?:-|–|—|s\.?d\.?|s/d|sampai|hingga)\s*"
                    r"(?P<hi>[\d.,]+)\s*%?\s*(?P<unit>.*)$", re.I)
_BRACKET = re.compile(r"\((?P<num>[\d.,]+)\s*%?\)")
_LEADING = re.compile(r"^\s*(?:[<>≤≥]=?\s*)?(?P<num>[+-]?[\d.,]+)\s*(?P<unit>.*)$")


def parse_target(raw: object, polarity: Polarity) -> Target | None:
    """Parse a master-data target for the given polarity; None when it cannot be used."""
    if raw is None:
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = parse_number(raw)
        if value is None:
            return None
        if polarity is Polarity.RENTANG:
            return None
        return Target(format_number(value), value=value)
    text = re.sub(r"\s+", " ", str(raw)).strip()
    if not text:
        return None
    if polarity is Polarity.YA_TIDAK:
        return Target(text)
    if polarity is Polarity.RENTANG:
        m = _RANGE.match(text)
        if not m:
            return None
        lo, hi = parse_number(m["lo"]), parse_number(m["hi"])
        if lo is None or hi is None or lo > hi or lo < 0:
            return None
        return Target(text, low=lo, high=hi)
    m = _BRACKET.search(text)
    if m:
        value = parse_number(m["num"])
    else:
        m = _LEADING.match(text)
        value = parse_number(m["num"]) if m else None
    if value is None or value < 0:
        return None
    return Target(text, value=value)


# --------------------------------------------------------------------------- NIP

def normalize_nip(raw: object) -> str:
    """Digits of a NIP as typed (``NIP. 19660107 200612 1 003``, dots, spaces)."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a NIP typed into a number cell; precision beyond 15 digits is lost
    s = unicodedata.normalize("NFKC", str(raw)).strip()
    s = re.sub(r"^nip\.?\s*:?", "", s, flags=re.I)
    return re.sub(r"[\s.\-_]", "", s)


def nip_problems(nip: str) -> list[str]:
    """Problem codes for a normalised NIP: ``nip_kosong``, ``nip_bukan_angka``,
    ``nip_panjang``, ``nip_tanggal_lahir``. Digits 9–14 are not checked (PPPK)."""
    if not nip:
        return ["nip_kosong"]
    if not nip.isdigit():
        return ["nip_bukan_angka"]
    if len(nip) != 18:
        return ["nip_panjang"]
    try:
        born = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return ["nip_tanggal_lahir"]
    if not 1940 <= born.year <= date.today().year - 15:
        return ["nip_tanggal_lahir"]
    return []


def format_nip(nip: str) -> str:
    """``197607271998031014`` → ``19760727 199803 1 014`` (other input unchanged)."""
    if len(nip) == 18 and nip.isdigit():
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    return nip


# --------------------------------------------------------------------------- pangkat

PANGKAT = {
    "I/a": "Juru Muda", "I/b": "Juru Muda Tingkat I", "I/c": "Juru", "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda", "II/b": "Pengatur Muda Tingkat I", "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda", "III/b": "Penata Muda Tingkat I", "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina", "IV/b": "Pembina Tingkat I", "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya", "IV/e": "Pembina Utama",
}
_PANGKAT_KEY = {re.sub(r"\s", "", v.lower()): k for k, v in PANGKAT.items()}
PPPK_GOLONGAN = tuple(
    "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII".split())

_GOL = re.compile(r"\b(IV|III|II|I)\s*/\s*([a-e])\b", re.I)


def normalize_golongan(raw: object) -> str | None:
    """``iv/b``, ``IV / B``, ``(IV/b)`` → ``IV/b``; PPPK ``IX`` → ``IX``; None if unknown."""
    s = str(raw or "").strip().strip("()").strip()
    m = _GOL.search(s)
    if m:
        gol = f"{m[1].upper()}/{m[2].lower()}"
        return gol if gol in PANGKAT else None
    if s.upper() in PPPK_GOLONGAN:
        return s.upper()
    return None


def normalize_pangkat(raw: object) -> tuple[str | None, str | None]:
    """Split a pangkat text as typed into (pangkat, golongan), both normalised where known.

    ``Pembina Tk.I / IV/b`` → (``Pembina Tingkat I``, ``IV/b``); ``Penata`` → (``Penata``,
    ``III/c``); an unknown pangkat name is returned as typed with golongan None.
    """
    s = re.sub(r"\s+", " ", str(raw or "")).strip()
    if not s:
        return None, None
    gol = None
    m = _GOL.search(s)
    if m:
        gol = normalize_golongan(m[0])
        s = (s[: m.start()] + s[m.end():])
    s = re.sub(r"[()/,]", " ", s)
    s = re.sub(r"\btk\.?\s*", "Tingkat ", s, flags=re.I)
    s = re.sub(r"\s+", " ", s).strip()
    key = re.sub(r"\s", "", s.lower())
    if key in _PANGKAT_KEY:
        known = _PANGKAT_KEY[key]
        return PANGKAT[known], gol or known
    if not s:
        return (PANGKAT.get(gol) if gol else None), gol
    return s, gol


def pangkat_golongan_text(pangkat: str, golongan: str) -> str:
    """``Pembina Tingkat I (IV/b)``; PPPK golongan alone; whichever part exists."""
    if pangkat and golongan:
        return f"{pangkat} ({golongan})"
    return pangkat or golongan or ""


# --------------------------------------------------------------------------- entities

@dataclass(frozen=True)
class Person:
    nip: str
    nama: str
    pangkat: str = ""
    golongan: str = ""
    jabatan: str = ""
    unit_kerja: str = ""
    perangkat_daerah: str = ""

    @property
    def nip_text(self) -> str:
        return format_nip(self.nip)

    @property
    def pangkat_text(self) -> str:
        return pangkat_golongan_text(self.pangkat, self.golongan)


@dataclass(frozen=True)
class Indicator:
    no: str
    sasaran: str
    indikator: str
    penjelasan: str
    sumber_data: str
    satuan: str
    target: Target
    polaritas: Polarity
    agregasi: Aggregation
    # Optional target per period ("s.d." targets, cumulative), keyed by period code.
    period_targets: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class IKIDefinition:
    kode: str
    perangkat_daerah: str
    jabatan: str
    tugas: str
    fungsi: tuple[str, ...]
    label_sasaran: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Settings:
    tahun: int
    periode: PeriodScheme = PeriodScheme.TRIWULAN
    tempat: str = ""
    tanggal: date | None = None
    kertas: str = "A4"
    batas_capaian: float = 120.0
    skala_predikat: str = "lima"
    sandi: str = ""
    instansi: str = ""  # agency heading on the title, e.g. "BADAN KEPEGAWAIAN ..."
    pemerintah_daerah: str = ""  # region heading, e.g. "KABUPATEN KUTAI KARTANEGARA"
    target_tengah_tahun: MidYear = MidYear.PROPORSIONAL  # a jumlah's target s.d. TW n
    hanya_terverifikasi: bool = False  # issue 26: the recap counts only verified values


@dataclass(frozen=True)
class Assignment:
    """One row of the Pegawai sheet: a pegawai holding one IKI, and who assesses them."""

    pegawai: Person
    kode_iki: str
    atasan_nip: str = ""
    atasan: Person | None = None  # explicit atasan (not in the sheet, e.g. a Bupati)
    row: int = 0  # source row, for messages
    mulai: str = ""  # first active period code ("" from the year's start)
    selesai: str = ""  # last active period code ("" to the year's end)

    def active_periods(self, scheme: "PeriodScheme") -> list[str]:
        """The periods of ``scheme`` in which this form counts."""
        periods = list(PeriodScheme(scheme).periods)
        first = periods.index(self.mulai) if self.mulai in periods else 0
        last = periods.index(self.selesai) if self.selesai in periods else len(periods) - 1
        return periods[first:last + 1]


@dataclass(frozen=True)
class Form:
    """Everything one generated workbook shows: the unit of generate, collect and recap."""

    pegawai: Person
    atasan: Person
    iki: IKIDefinition
    settings: Settings

    @property
    def key(self) -> tuple[str, str]:
        return (self.pegawai.nip, self.iki.kode)


@dataclass(frozen=True)
class Contact:
    """How to reach a pegawai (optional Email / No HP columns): kept apart from
    :class:`Person`, so that a changed address never changes a form or its revision."""

    email: str = ""  # checked syntax, as typed (lower-cased domain)
    no_hp: str = ""  # Indonesian mobile number normalised to 62…, digits only


@dataclass
class Master:
    settings: Settings
    assignments: list[Assignment]
    iki: dict[str, IKIDefinition]
    people: dict[str, Person] = field(default_factory=dict)  # every NIP in the sheet
    contacts: dict[str, Contact] = field(default_factory=dict)  # NIP → e-mail / HP
    mail_settings: dict[str, str] = field(default_factory=dict)  # Pengaturan: SMTP, sender

    def forms(self, assignments: list[Assignment] | None = None) -> list[Form]:
        """Resolve atasan and IKI for each assignment (validated beforehand)."""
        people: dict[str, Person] = dict(self.people)
        for a in self.assignments:
            people.setdefault(a.pegawai.nip, a.pegawai)
        forms = []
        for a in assignments if assignments is not None else self.assignments:
            atasan = a.atasan or people.get(a.atasan_nip) or Person(nip=a.atasan_nip, nama="")
            if a.atasan and a.atasan_nip and a.atasan.nip != a.atasan_nip:
                atasan = replace(a.atasan, nip=a.atasan_nip)
            forms.append(Form(a.pegawai, atasan, self.iki[a.kode_iki], self.settings))
        return forms

"""The signature block under an IKI table: place and date, and the people who sign.

Extraction prints the two columns one after the other (superior on the left first, or a
Bupati, then the pegawai), each as: jabatan line(s), name, pangkat (golongan), ``NIP. …``,
any part possibly missing, with role captions (``Mengetahui``, ``Atasan Langsung``,
``Pihak Kedua``, ``Dibuat Oleh``) and the ``<tempat>, <tanggal>`` line in between. A block
printed side by side with tabs is read column by column.

A line is a name when a pangkat or NIP line follows it, or when it looks like one
(academic degrees, ``Dr.``/``H.`` prefixes); other lines are jabatan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from ...core.model import PANGKAT
from ...core.texts import BULAN
from .cleanup import squash

_MONTHS = {b.lower(): i for i, b in enumerate(BULAN, start=1)}
_MONTHS.update({"pebruari": 2, "nopember": 11, "agustu": 8, "okt": 10, "sept": 9})
_DATE = re.compile(
    r"^(?:(?P<tempat>[A-Za-z][A-Za-z .'\-]{1,40}?)\s*,\s*)?"
    r"(?:(?P<d>\d{1,2})\s*(?P<m>[A-Za-z]{3,9})\.?\s+(?P<y>(?:19|20)\d{2})|"
    r"(?P<m2>[A-Za-z]{3,9})\s+(?P<y2>(?:19|20)\d{2})|"
    r"(?P<d3>\d{1,2})[-/.](?P<m3>\d{1,2})[-/.](?P<y3>(?:19|20)\d{2}))\s*$")
_NIP = re.compile(r"^\s*N\.?\s?I\.?\s?P\.?\s*(?:PPPK)?\s*[:.]?\s*(?P<nip>[\d\s.\-]*)\s*$", re.I)
_GOL = re.compile(r"\b(?:IV|III|II|I)\s*[/-]\s*[a-eA-E]\b|\((?:IV|III|II|I)[^)]{0,4}\)")
_PANGKAT_WORDS = ("PEMBINA", "PENATA", "PENGATUR", "JURU")
_ROLE = re.compile(
    r"^(?:(?P<role>mengetahui|menyetujui|atasan\s+langsung|pejabat\s+penilai(?:\s+kinerja)?|"
    r"pihak\s+kedua|pegawai\s+yang\s+dinilai|pihak\s+pertama|dibuat\s+oleh|yang\s+membuat|"
    r"yang\s+menerima|yang\s+menyerahkan)\b[\s,:/]*)+", re.I)
_ROLE_SIDE = {"mengetahui": "atasan", "menyetujui": "atasan", "atasan": "atasan",
              "pejabat": "atasan", "pihak kedua": "atasan", "yang menyerahkan": "atasan",
              "pegawai": "pegawai", "pihak pertama": "pegawai", "dibuat": "pegawai",
              "yang membuat": "pegawai", "yang menerima": "pegawai"}
_HONORIFIC = re.compile(r"^(?:Prof|Dr|Drs|Dra|Ir|H|Hj|Hajjah)\.?\s", re.I)
_DEGREE_PART = r"(?:[A-Z][A-Za-z]{0,4}\.?\s?){1,4}"  # "S.Sos", "S. STP.", "A.Md.Ak", "SE"
_DEGREE = re.compile(r",\s*" + _DEGREE_PART + r"(?:,\s*" + _DEGREE_PART + r")*\.?\s*$")
_JABATAN_WORDS = re.compile(
    r"\b(?:kepala|kabid|kasubbag|kasubag|kasubbid|kasi|sekretaris|bupati|wakil|walikota|"
    r"wali\s+kota|gubernur|camat|lurah|analis|analisis|analisa|pengolah|pengelola|penyusun|"
    r"pengadministrasi|pelaksana|verifikator|penelaah|pranata|pejabat|pj|plt|plh|bidang|"
    r"bagian|badan|dinas|direktur|inspektur|asisten|staf|perencana|arsiparis|bendahara|ahli|"
    r"pengawas|penyuluh|pustakawan|auditor|operator|teknisi|guru|dokter|perawat|bidan|"
    r"terampil|mahir|penyelia|pengurus|"
    r"koordinator|ketua|sub|seksi|kantor|kabupaten|kota|provinsi|kepegawaian|umum|bkpsdm|"
    r"bkd|sdm|aparatur|kinerja|keuangan)\b", re.I)


@dataclass
class SignedPerson:
    """A person as printed in the signature block (raw texts, line numbers kept)."""

    jabatan_lines: list[str] = field(default_factory=list)
    nama: str = ""
    pangkat: str = ""
    nip: str | None = None  # digits and separators as printed; None when no NIP line
    role: str = ""  # "atasan", "pegawai" or "" from a caption
    line: int = 0  # first line
    nip_line: int | None = None
    after_date: bool = False  # printed below the "<tempat>, <tanggal>" line (right column)

    @property
    def jabatan(self) -> str:
        return squash(" ".join(self.jabatan_lines)).strip(" ,:")

    def empty(self) -> bool:
        return not (self.nama or self.nip is not None or self.pangkat)


@dataclass
class Signature:
    tempat: str = ""
    tanggal: date | None = None
    tahun: int | None = None
    date_line: int | None = None
    persons: list[SignedPerson] = field(default_factory=list)


def parse_date_line(text: str) -> tuple[str, date | None, int] | None:
    """``Tenggarong, 21 Januari 2025`` → (tempat, date, year); month-only dates give None."""
    m = _DATE.match(squash(text).rstrip(" ."))
    if not m:
        return None
    tempat = squash(m["tempat"] or "")
    if m["d3"]:
        try:
            return tempat, date(int(m["y3"]), int(m["m3"]), int(m["d3"])), int(m["y3"])
        except ValueError:
            return None
    month = _month(m["m"] or m["m2"])
    if month is None:
        return None
    year = int(m["y"] or m["y2"])
    if not m["d"]:
        return tempat, None, year
    try:
        return tempat, date(year, month, int(m["d"])), year
    except ValueError:
        return tempat, None, year


def _month(name: str) -> int | None:
    name = name.lower()
    for full, number in _MONTHS.items():
        if len(name) >= 3 and full.startswith(name[:3]) and (
                name == full or SequenceMatcher(None, name, full).ratio() >= 0.75):
            return number
    return None


def is_pangkat(text: str) -> bool:
    """A pangkat/golongan line: ``Pembina Tingkat I (IV/b)``, ``Penata Tk. I - III/d``,
    ``Pengatur``, ``PENATA (III/c)``."""
    if _GOL.search(text):
        return len(text.split()) <= 8
    words = re.findall(r"[A-Za-z]+", text.upper())
    if not words or len(words) > 5:
        return False
    first = words[0]
    if not any(first == w or (first[:1] == w[0] and abs(len(first) - len(w)) <= 2 and
                              SequenceMatcher(None, first, w).ratio() >= 0.8)
               for w in _PANGKAT_WORDS):
        return False
    rest = " ".join(words[1:])
    known = {" ".join(v.upper().split()[1:]) for v in PANGKAT.values()}
    return rest in known or bool(re.fullmatch(r"(?:MUDA|UTAMA|MADYA|TK|TINGKAT|I|\s)*", rest))


def is_name_like(text: str) -> bool:
    """Degrees after a comma (``, S.Sos``, ``, SE., M.Si``) or a ``Dr.``/``H.`` prefix."""
    text = text.strip()
    if _HONORIFIC.match(text) and not _JABATAN_WORDS.search(text):
        return True
    m = _DEGREE.search(text)
    return bool(m) and not _JABATAN_WORDS.search(text[: m.start()])


def is_jabatan_like(text: str) -> bool:
    return bool(_JABATAN_WORDS.search(text))


def parse_signature(lines: list[tuple[int, str]], jabatan: str = "") -> Signature:
    """Read the block from its non-empty lines (line number, text); ``jabatan`` (the
    document's JABATAN) helps to cut a side-by-side block whose columns were flattened."""
    sig = Signature()
    lines = split_side_by_side(lines, jabatan)
    for column in _columns(lines):
        _read_column(column, sig)
    sig.persons = [p for p in sig.persons if not p.empty()]
    return sig


_TWO_NIPS = re.compile(r"^(N\.?\s?I\.?\s?P\b.*?)\s+(N\.?\s?I\.?\s?P\b.*)$", re.I)
_DATE_IN = re.compile(r"[A-Z][A-Za-z.'-]+(?:\s[A-Z][A-Za-z.'-]+){0,3},\s*\d{1,2}\s+[A-Za-z]{3,9}\.?"
                      r"\s+(?:19|20)\d{2}")
_ROLE_ANY = re.compile(r"\b(?:mengetahui|menyetujui|atasan\s+langsung|pejabat\s+penilai|"
                       r"pihak\s+(?:kedua|pertama)|pegawai\s+yang\s+dinilai|dibuat\s+oleh|"
                       r"yang\s+membuat)\b", re.I)


def split_side_by_side(lines: list[tuple[int, str]], jabatan: str = ""
                       ) -> list[tuple[int, str]]:
    """A two-column block whose columns a text extraction ran together on each line
    (``NIP. 1970… NIP. 1988…``) → tab-separated lines; other blocks as they are. Lines
    that cannot be cut (no shape tells where the right column starts) stay on the left."""
    if any("\t" in t or "<br>" in t for _, t in lines) or not any(
            _TWO_NIPS.match(squash(t)) for _, t in lines):
        return lines
    out = []
    for n, text in lines:
        cut = _cut(squash(text), jabatan)
        out.append((n, f"{cut[0]}\t{cut[1]}" if cut else text))
    return out


def _cut(text: str, jabatan: str) -> tuple[str, str] | None:
    m = _TWO_NIPS.match(text)
    if m:
        return m[1], m[2]
    gol = list(_GOL.finditer(text))
    if len(gol) == 2:
        return text[:gol[0].end()].strip(), text[gol[0].end():].strip()
    d = _DATE_IN.search(text)
    if d and (d.start() > 0 or d.end() < len(text)):
        return (text[:d.start()].strip(" ,"), d[0]) if d.start() > 0 else (d[0], text[d.end():])
    roles = list(_ROLE_ANY.finditer(text))
    if roles and roles[-1].start() > 0:
        return text[:roles[-1].start()].strip(" ,"), text[roles[-1].start():]
    if jabatan and len(text) > len(jabatan) + 2:
        if text.casefold().endswith(jabatan.casefold()):
            return text[:-len(jabatan)].strip(), text[-len(jabatan):]
        if text.casefold().startswith(jabatan.casefold()):
            return text[:len(jabatan)], text[len(jabatan):].strip()
    words = text.split(" ")
    for i in range(1, len(words)):
        left, right = " ".join(words[:i]), " ".join(words[i:])
        first = words[i].rstrip(".,")
        if (_DEGREE.search(left) and is_name_like(right) and len(first) >= 2
                and (first.isupper() and len(first) >= 3 or _HONORIFIC.match(right))):
            return left, right
    return None


def _columns(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Side-by-side blocks (tabs or wide gaps on several lines) are read column by column."""
    split = [(n, [c.strip() for c in re.split(r"\t|\s{4,}", t.strip())]) for n, t in lines]
    wide = sum(len([c for c in cells if c]) >= 2 for _, cells in split)
    if wide < 2 and not any("<br>" in t for _, t in lines):
        return [lines]
    width = max(len(cells) for _, cells in split)
    columns = []
    for i in range(width):  # a Word table cell holds several lines joined with <br>
        column = [(n, part.strip()) for n, cells in split if i < len(cells)
                  for part in cells[i].split("<br>") if part.strip()]
        if column:
            columns.append(column)
    return columns


def _read_column(lines: list[tuple[int, str]], sig: Signature) -> None:
    kinds = [_classify(t) for _, t in lines]
    person = SignedPerson()
    dated = False

    def close() -> SignedPerson:
        nonlocal person
        _adopt_name(person)
        if not person.empty() or person.jabatan_lines:
            sig.persons.append(person)
        person = SignedPerson(after_date=dated)
        return person

    for i, ((n, text), kind) in enumerate(zip(lines, kinds)):
        if kind == "date":
            parsed = parse_date_line(text)
            if sig.date_line is None and parsed:
                sig.tempat, sig.tanggal, sig.tahun = parsed
                sig.date_line = n
            if person.nama:
                close()
            dated = True
            if not person.jabatan_lines and not person.role:
                person.after_date = True
            continue
        if kind == "role":
            if person.nama or person.nip is not None:
                close()
            m = _ROLE.match(text)
            word = re.sub(r"\s+", " ", m["role"].lower())
            person.role = next(v for k, v in _ROLE_SIDE.items() if word.startswith(k))
            person.line = person.line or n
            rest = text[m.end():].strip()
            if rest:
                person.jabatan_lines.append(rest)
            continue
        person.line = person.line or n
        if kind == "nip":
            _adopt_name(person)
            person.nip = _NIP.match(text)["nip"].strip()
            person.nip_line = n
            close()
        elif kind == "pangkat":
            _adopt_name(person)
            person.pangkat = text.strip(" ,")
        else:
            if person.nama:
                close()
                person.line = n
            following = kinds[i + 1] if i + 1 < len(kinds) else None
            named = is_name_like(text)
            if named or (following in ("pangkat", "nip") and not is_jabatan_like(text)):
                person.nama = text.strip(" ,")
            else:
                person.jabatan_lines.append(text)
    _adopt_name(person)
    close()


def _adopt_name(person: SignedPerson) -> None:
    """A person without a name whose last 'jabatan' line is not jabatan-like: that's it."""
    if not person.nama and person.jabatan_lines and not is_jabatan_like(person.jabatan_lines[-1]):
        person.nama = person.jabatan_lines.pop().strip(" ,")


def _classify(text: str) -> str:
    if _NIP.match(text):
        return "nip"
    if parse_date_line(text):
        return "date"
    if _ROLE.match(text):
        return "role"
    if is_pangkat(text):
        return "pangkat"
    return "other"

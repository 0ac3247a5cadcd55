"""People in the signature blocks: which one is the pegawai, normalised NIP and pangkat,
and the cross-document checks (one name with several NIPs, one NIP for several names).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

from ...core.model import PANGKAT, Person, nip_problems, normalize_nip, normalize_pangkat
from .issues import Issue
from .signature import SignedPerson

_ABBREVIATIONS = (
    (r"\bkasubbag\b|\bkasubag\b|\bkasub\s*bag\b", "kepala sub bagian"),
    (r"\bkasubbid\b", "kepala sub bidang"), (r"\bkabid\b", "kepala bidang"),
    (r"\bkabag\b", "kepala bagian"), (r"\bkasi\b", "kepala seksi"),
    (r"\bsdm\b", "sumber daya manusia"), (r"\bkab\b", "kabupaten"),
    (r"\b(?:pj|plt|plh)\b", ""),
)


def _jabatan_key(text: str) -> str:
    key = re.sub(r"[^a-z ]+", " ", text.lower())
    for pattern, repl in _ABBREVIATIONS:
        key = re.sub(pattern, repl, key)
    return " ".join(key.split())


def jabatan_similarity(a: str, b: str) -> float:
    a, b = _jabatan_key(a), _jabatan_key(b)
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b).ratio()


def choose(persons: list[SignedPerson], jabatan: str
           ) -> tuple[SignedPerson | None, SignedPerson | None]:
    """(pegawai, atasan) among the signers.

    A caption decides when present (``Pihak Pertama``/``Dibuat oleh`` → pegawai,
    ``Atasan Langsung``/``Mengetahui`` → atasan). Otherwise, when the ``<tempat>,
    <tanggal>`` line stands between the signers, the pegawai is below it (the right-hand
    column); among the remaining candidates it is the one printed last, unless another's
    jabatan matches the document's JABATAN clearly better. The atasan is the nearest
    other signer before it.
    """
    if not persons:
        return None, None
    if len(persons) == 1:
        return (None, persons[0]) if persons[0].role == "atasan" else (persons[0], None)
    marked = [p for p in persons if p.role == "pegawai"]
    if marked:
        pegawai = marked[-1]
    else:
        candidates = [p for p in persons if p.role != "atasan"] or persons
        dated = [p for p in candidates if p.after_date]
        if dated and len(dated) < len(persons):
            candidates = dated
        pegawai = candidates[-1]
        scores = [jabatan_similarity(p.jabatan, jabatan) for p in candidates]
        best = max(range(len(candidates)), key=scores.__getitem__)
        if scores[best] >= 0.6 and scores[-1] < 0.4:
            pegawai = candidates[best]
    others = [p for p in persons if p is not pegawai]
    atasan = next((p for p in others if p.role == "atasan"), None)
    if atasan is None:
        before = [p for p in others if persons.index(p) < persons.index(pegawai)]
        atasan = before[-1] if before else others[0]
    return pegawai, atasan


def pangkat_of(raw: str) -> tuple[str, str, str | None]:
    """(pangkat, golongan, issue kind or None) from a printed pangkat line."""
    text = re.sub(r"\b(?:tk|tingkat)\s*\.?\s*(?:1|i)\b", "Tingkat I", raw, flags=re.I)
    text = re.sub(r"\b(IV|III|II|I)\s*[-–]\s*([a-eA-E])\b", r"\1/\2", text)  # III-a
    text = re.sub(r"[-–]", " ", text)
    pangkat, golongan = normalize_pangkat(text)
    if not pangkat and not golongan:
        return "", "", None
    known = set(PANGKAT.values())
    if golongan in PANGKAT:
        canonical = PANGKAT[golongan]
        if pangkat == canonical:
            return pangkat, golongan, None
        if pangkat in known:
            return pangkat, golongan, "pangkat_golongan_beda"
        return canonical, golongan, "pangkat_tidak_dikenal"
    if pangkat in known:
        return pangkat, golongan or "", None
    return squash_text(raw), golongan or "", "pangkat_tidak_dikenal"


def squash_text(text: str) -> str:
    return " ".join(str(text).split()).strip(" ,")


def person_of(signed: SignedPerson | None, jabatan: str, perangkat_daerah: str,
              unit_kerja: str = "") -> tuple[Person, list[Issue]]:
    """A model Person for a signer (or a blank one), with the issues of its cells."""
    issues: list[Issue] = []
    if signed is None:
        return Person(nip="", nama="", jabatan=jabatan, unit_kerja=unit_kerja,
                      perangkat_daerah=perangkat_daerah), issues
    pangkat, golongan, problem = pangkat_of(signed.pangkat) if signed.pangkat else ("", "", None)
    if problem:
        issues.append(Issue(problem, signed.line, {"value": signed.pangkat, "nama": signed.nama,
                                                   "pangkat": pangkat, "golongan": golongan}))
    nip = normalize_nip(signed.nip or "")
    return Person(nip=nip, nama=signed.nama, pangkat=pangkat, golongan=golongan,
                  jabatan=jabatan or signed.jabatan, unit_kerja=unit_kerja,
                  perangkat_daerah=perangkat_daerah), issues


def nip_issues(signed: SignedPerson | None, nip: str, role: str, nama: str,
               line: int | None) -> list[Issue]:
    """Missing, wrong-length or impossible NIP of a signer (``role`` pegawai/atasan)."""
    where = signed.nip_line if signed and signed.nip_line else (signed.line if signed else line)
    params = {"peran": role, "nama": nama, "nip": nip}
    out = []
    for code in nip_problems(nip):
        if code == "nip_kosong":
            out.append(Issue("nip_kosong", where, params))
        elif code in ("nip_panjang", "nip_bukan_angka"):
            out.append(Issue("nip_panjang", where, {**params, "digits": len(nip)}))
        else:
            out.append(Issue("nip_tanggal_lahir", where, params))
    return out


# --------------------------------------------------------------------------- across documents

@dataclass
class Sighting:
    """One printed (name, NIP) pair, where it is, and which document it belongs to."""

    nama: str
    nip: str
    line: int | None
    doc: int  # index of the document (the importer's own numbering)
    role: str


def name_key(nama: str) -> str:
    """Name without degrees, honorifics and punctuation: ``H. SUHARTONO, S.Sos`` → ``SUHARTONO``."""
    name = nama.split(",")[0]
    name = re.sub(r"^(?:(?:Prof|Dr|Drs|Dra|Ir|H|Hj)\.?\s+)+", "", name.strip(), flags=re.I)
    name = re.sub(r"\b(?:S|M|A)\.\s?[A-Za-z.]+$", "", name)
    return " ".join(re.sub(r"[^A-Za-z ]+", " ", name).upper().split())


def _similar(a: str, b: str, threshold: float) -> bool:
    sm = SequenceMatcher(None, a, b)
    return (sm.real_quick_ratio() >= threshold and sm.quick_ratio() >= threshold
            and sm.ratio() >= threshold)


def _same_person(a: str, b: str) -> bool:
    """Loose match for names printed with one NIP: spelling variants of one person
    (``SUPRIADI``/``SUPRIYADI``, ``RUDI HARTATIK``/``RUDI HARTINI``)."""
    if _similar(a, b, 0.6):
        return True
    return bool({w for w in a.split() if len(w) >= 4} & {w for w in b.split() if len(w) >= 4})


def _list(values: list[str], limit: int = 3) -> str:
    return ", ".join(values[:limit]) + (" …" if len(values) > limit else "")


def consistency(sightings: list[Sighting]) -> list[tuple[Sighting, Issue]]:
    """Issues for a name printed with different NIPs (every occurrence that differs from
    the most frequent NIP), and a NIP printed for clearly different names."""
    out: list[tuple[Sighting, Issue]] = []
    seen = [s for s in sightings if s.nip and name_key(s.nama)]
    keys = sorted({name_key(s.nama) for s in seen})
    parent = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if _similar(a, b, 0.85):
                parent[find(b)] = find(a)
    clusters: dict[str, list[Sighting]] = defaultdict(list)
    for s in seen:
        clusters[find(name_key(s.nama))].append(s)
    for group in clusters.values():
        counts = Counter(s.nip for s in group)
        if len(counts) < 2:
            continue
        ranked = [nip for nip, _ in counts.most_common()]
        tie = counts[ranked[0]] == counts[ranked[1]]
        for s in group:
            if tie or s.nip != ranked[0]:
                others = [n for n in ranked if n != s.nip]
                out.append((s, Issue("nip_berbeda", s.line, {
                    "nama": s.nama, "nip": s.nip, "lain": _list(others), "peran": s.role})))
    by_nip: dict[str, list[Sighting]] = defaultdict(list)
    for s in seen:
        by_nip[s.nip].append(s)
    for nip, group in by_nip.items():
        names = sorted({name_key(s.nama) for s in group})
        if len(names) < 2:
            continue
        apart = [n for n in names if not any(_same_person(n, m) for m in names if m != n)]
        if not apart:
            continue
        for s in group:
            other = sorted({o.nama for o in group if not _same_person(name_key(o.nama),
                                                                     name_key(s.nama))})
            if other:
                out.append((s, Issue("nip_dipakai_nama_lain", s.line, {
                    "nama": s.nama, "nip": nip, "lain": _list(other), "peran": s.role})))
    return out

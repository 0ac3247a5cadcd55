"""Guess an indicator's satuan, polaritas, agregasi (and sometimes its target) from its text.

Pure functions over Indonesian indicator wording, shared by the document importer (which
marks every guessed value as inferred for the officer to confirm) and the master reader
(which fills blank Polaritas/Agregasi cells). Each guess carries the ``rule`` that decided
it, a stable code that notes and tests can refer to.

The rules, first match wins:

* a target range (``80–90 %``) → ``rentang``;
* a percentage (``Persentase …``, ``…100%…``, a ``%`` target) → ``%``, ``terakhir``;
* a deadline or compliance (``Tingkat ketepatan waktu …``, ``Kepatuhan …``) → ``ya/tidak``;
* an index, score or value (``Indeks …``, ``Nilai …``, ``Skor …``) → ``rata-rata``;
* a count (``Jumlah dokumen …``, ``Laporan …``, a target with a unit) → ``jumlah``;
* otherwise what the penjelasan says (``Jumlah …``, ``A / B × 100%``), else a default.

Polarity is ``minimal`` when the indicator counts something bad (findings, complaints,
violations, delays) rather than handling it (``Tindak lanjut temuan …`` stays maksimal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.model import Aggregation, Polarity

__all__ = ["Inference", "TargetGuess", "infer_indicator", "infer_target", "unit_of"]


@dataclass(frozen=True)
class Inference:
    satuan: str
    polaritas: Polarity
    agregasi: Aggregation
    rule: str  # stable code of the deciding rule (see the module docstring)


@dataclass(frozen=True)
class TargetGuess:
    text: str  # as it would be typed in the master, e.g. "20 JP", "100 %"
    rule: str


# Unit nouns (regex → satuan). Multi-word units first; the earliest match in the text wins.
_UNITS: tuple[tuple[str, str], ...] = (
    (r"jam\s+pelajaran|jam\s+pelatihan|jp", "JP"),
    (r"perangkat\s+daerah|opd|skpd", "perangkat daerah"),
    (r"dokumen|dokumentasi|rancangan|draf|draft|kajian|naskah", "dokumen"),
    (r"laporan|lapor", "laporan"),
    (r"kegiatan|rapat|pertemuan|sosialisasi|bimtek|pelatihan|diklat|workshop|forum", "kegiatan"),
    (r"data|database", "data"),
    (r"surat|sk|keputusan|disposisi", "surat"),
    (r"berkas|usulan|usul|permohonan|pengajuan", "berkas"),
    (r"sertifikat|piagam", "sertifikat"),
    (r"sop", "SOP"),
    (r"proposal", "proposal"),
    (r"inovasi", "inovasi"),
    (r"eviden|bukti", "eviden"),
    (r"orang|asn|pns|cpns|pppk|pegawai|peserta|aparatur|responden|pejabat", "orang"),
    (r"kali", "kali"),
    (r"paket", "paket"),
    (r"program", "program"),
    (r"aplikasi|sistem\s+informasi", "aplikasi"),
    (r"kasus|perkara", "kasus"),
    (r"temuan", "temuan"),
    (r"pengaduan|aduan|keluhan", "pengaduan"),
    (r"rekomendasi", "rekomendasi"),
    (r"arsip", "arsip"),
    (r"kartu", "kartu"),
    (r"media|publikasi|konten|terbitan|penerbitan", "publikasi"),
    (r"hari", "hari"),
    (r"bulan", "bulan"),
)
_UNIT_RE = re.compile(r"\b(?:" + "|".join(f"({p})" for p, _ in _UNITS) + r")\b")

_PERCENT_WORD = re.compile(r"^(?:tingkat\s+)?(?:persentase|presentase|prosentase|persen)\b")
_PERCENT_SIGN = re.compile(r"\d\s*%|\bpersen\b")
_DEADLINE = re.compile(r"^(?:tingkat\s+)?(?:ketepatan\s+waktu|kepatuhan)\b")
_INDEX = re.compile(r"^(?:tingkat\s+|rata-?\s?rata\s+)?(?P<kind>indeks|indek|index|nilai|skor|"
                    r"predikat|kepuasan)\b")
_INDEX_UNITS = {"indeks": "indeks", "indek": "indeks", "index": "indeks", "nilai": "nilai",
                "skor": "skor", "predikat": "predikat", "kepuasan": "indeks"}
_COUNT = re.compile(r"\b(?:jumlah|banyaknya|total)\b")
_MEAN = re.compile(r"\brata-?\s?rata\b")
_RATE = re.compile(r"^(?:tingkat\s+)?(?:serapan|realisasi|capaian|persentase)\b")
_NEGATIVE = re.compile(r"\b(?:temuan|pengaduan|aduan|keluhan|komplain|pelanggaran|"
                       r"keterlambatan|terlambat|tunggakan|kesalahan|kerugian)\b")
_HANDLED = re.compile(r"\b(?:tindak\s*lanjut\w*|ditindaklanjuti|ditangani|penanganan|tertangani|"
                      r"selesai|diselesaikan|terselesaikan|penyelesaian|menyelesaikan|"
                      r"terselesainya|diproses|pembinaan|laporan|data|rekapitulasi|"
                      r"verifikasi|bantuan|pencegahan)\b")
_FRACTION = re.compile(r"(?P<num>.+?)\s*(?:/|\bdibagi\b|\bdi\s+bagi\b)\s*(?P<den>.+?)"
                       r"(?:\s*(?:[x×*]|\bdikali\b|\bdi\s+kali\b)\s*100|$)")
_RANGE = re.compile(r"^\s*[\d.,]+\s*%?\s*(?:-|–|—|s\.?d\.?|s/d|sampai|hingga)\s*[\d.,]+")
_YES_NO_TARGET = re.compile(r"^\s*(?:ya|tidak|tepat\s+waktu|tercapai|ada|sesuai)\b", re.I)
_LEAD = re.compile(r"^[\s\-–•*·]*(?:\d{1,2}[.)]?\s+(?=\D))?")


def _clean(text: str, numbered: bool = True, lower: bool = True) -> str:
    """Spaces collapsed, lower-cased; ``numbered`` drops a leading list number (``1. …``)."""
    text = str(text or "")
    text = _LEAD.sub("", text) if numbered else text.lstrip(" -–•*·")
    text = re.sub(r"\s+", " ", text).strip()
    return text.lower() if lower else text


def unit_of(text: str) -> str:
    """The first unit noun in ``text`` as a satuan (``Jumlah laporan …`` → ``laporan``)."""
    m = _UNIT_RE.search(_clean(text))
    if not m:
        return ""
    return _UNITS[m.lastindex - 1][1]


def _polarity(text: str) -> Polarity:
    if _NEGATIVE.search(text) and not _HANDLED.search(text):
        return Polarity.MINIMAL
    return Polarity.MAKSIMAL


def _target_unit(target: str) -> str:
    """Unit written after a target number: ``4 dokumen`` → ``dokumen``, ``20 JP`` → ``JP``."""
    m = re.match(r"^\s*[<>≤≥]?=?\s*[\d.,]+\s*(?P<unit>.*)$", target)
    if not m:
        return ""
    unit = m["unit"].strip().strip("()").strip()
    if not unit:
        return ""
    if unit.startswith("%") or unit.lower().startswith("persen"):
        return "%"
    return unit_of(unit) or unit.split(" ")[0].lower()


def infer_indicator(indikator: str, penjelasan: str = "", target_text: str = "") -> Inference:
    """Satuan, polaritas and agregasi guessed from an indicator's wording (see module doc)."""
    ind = _clean(indikator)
    pen = _clean(penjelasan, numbered=False)
    target = str(target_text or "").strip()
    polarity = _polarity(ind)
    if target and _RANGE.match(target):
        unit = "%" if "%" in target else _target_unit(target)
        return Inference(unit, Polarity.RENTANG, Aggregation.TERAKHIR, "rentang")
    if _PERCENT_WORD.match(ind) or _PERCENT_SIGN.search(ind) or _target_unit(target) == "%":
        return Inference("%", polarity, Aggregation.TERAKHIR, "persen")
    if _DEADLINE.match(ind) or (target and _YES_NO_TARGET.match(target)):
        return Inference("ya/tidak", Polarity.YA_TIDAK, Aggregation.TERAKHIR, "ya_tidak")
    m = _INDEX.match(ind)
    if m:
        return Inference(_INDEX_UNITS[m["kind"]], polarity, Aggregation.RATA_RATA, "indeks")
    if _RATE.match(ind):
        return Inference("%", polarity, Aggregation.TERAKHIR, "persen")
    mean = Aggregation.RATA_RATA if _MEAN.search(ind) else Aggregation.JUMLAH
    unit = _target_unit(target) if target else ""
    if unit:
        return Inference(unit, polarity, mean, "satuan_target")
    count = _COUNT.search(ind)
    if count:
        unit = unit_of(ind[count.end():]) or unit_of(ind) or unit_of(pen)
        return Inference(unit, polarity, mean, "jumlah")
    unit = unit_of(ind)
    if unit and _UNIT_RE.match(ind):  # the indicator starts with its unit: "Laporan …"
        return Inference(unit, polarity, mean, "jumlah")
    return _from_penjelasan(pen, ind, polarity)


def _from_penjelasan(pen: str, ind: str, polarity: Polarity) -> Inference:
    if pen:
        if _PERCENT_WORD.match(pen):
            return Inference("%", polarity, Aggregation.TERAKHIR, "penjelasan_persen")
        m = _FRACTION.match(pen)
        if m and "target" not in m["den"] and re.search(r"(?:[x×*]|dikali|di kali)\s*100", pen):
            return Inference("%", polarity, Aggregation.TERAKHIR, "penjelasan_persen")
        count = _COUNT.search(pen)
        if count:
            unit = unit_of(pen[count.end():]) or unit_of(ind)
            return Inference(unit, polarity, Aggregation.JUMLAH, "penjelasan_jumlah")
    unit = unit_of(ind)
    if unit:
        return Inference(unit, polarity, Aggregation.JUMLAH, "jumlah")
    return Inference("", polarity, Aggregation.TERAKHIR, "bawaan")


# --------------------------------------------------------------------------- targets

_NUM = r"(?P<num>\d+(?:[.,]\d+)?)"
_MONTHS = r"(?:januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|" \
          r"nopember|november|desember)"
_TARGET_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("target_tertulis", re.compile(r"\btarget(?:\s+tahunan)?\s*:?\s*" + _NUM
                                   + r"\s*(?P<unit>%|[a-z]+(?:\s+pelajaran)?)\b"
                                   + r"(?!\s*" + _MONTHS + ")", re.I)),
    ("sebanyak", re.compile(r"\b(?:sebanyak|sejumlah)\s+" + _NUM + r"\s*(?P<unit>%|[a-z]+)\b",
                            re.I)),
    ("minimal", re.compile(r"\b(?:minimal|paling\s+sedikit|sekurang-kurangnya)\s+" + _NUM +
                           r"\s*(?P<unit>%|jam\s+pelajaran|jam\s+pelatihan|[a-z]+)\b", re.I)),
)
# Only in the indicator itself: "… SKP 100% paling lambat …", "Keterpenuhan 20 JP"; a
# formula's "× 100%" is no target.
_INDICATOR_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("persen", re.compile(r"(?<![x×*]\s)(?<![x×*])(?<!kali\s)" + _NUM + r"\s*(?P<unit>%)", re.I)),
    ("jp", re.compile(r"\b" + _NUM + r"\s*(?P<unit>jp|jam\s+pelajaran)\b", re.I)),
)
_ONLY_TARGET = re.compile(r"^" + _NUM + r"\s+(?P<unit>[a-z]+(?:\s+[a-z]+)?)$", re.I)


def infer_target(indikator: str, penjelasan: str = "") -> TargetGuess | None:
    """A target stated inside the indicator or penjelasan text, if any.

    ``… Target Tahunan : 1 Laporan`` → ``1 laporan`` · ``… sebanyak 48 kegiatan`` ·
    ``… minimal 20 JP …`` → ``20 JP`` · ``… SKP 100% paling lambat …`` → ``100 %`` · a
    penjelasan that is only ``48 Kegiatan GEMA`` → ``48 kegiatan``. Dates (``31 Maret``)
    and years are not targets.
    """
    pen = _clean(penjelasan, numbered=False, lower=False)
    m = _ONLY_TARGET.match(pen)
    if m and not re.match(_MONTHS, m["unit"], re.I):
        return TargetGuess(_format(m["num"], m["unit"]), "penjelasan_target")
    ind = _clean(indikator, lower=False)
    for text, patterns in ((ind, _TARGET_PATTERNS + _INDICATOR_PATTERNS),
                           (pen, _TARGET_PATTERNS)):
        for rule, pattern in patterns:
            m = pattern.search(text)
            if m:
                return TargetGuess(_format(m["num"], m["unit"]), rule)
    return None


def _format(num: str, unit: str) -> str:
    unit = unit.strip()
    if unit == "%":
        return f"{num} %"
    if re.fullmatch(r"jp|jam\s+pelajaran|jam\s+pelatihan", unit, re.I):
        return f"{num} JP"
    return f"{num} {unit}"

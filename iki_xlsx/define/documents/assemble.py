"""From parsed documents to a :class:`~iki_xlsx.core.model.Master`: indicators with inferred
satuan/polaritas/agregasi (and targets stated in the text), one Kode IKI per distinct
IKI content, one Pegawai row per document, settings, and the review list.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from difflib import SequenceMatcher
from weakref import WeakKeyDictionary

from ...core.model import (
    Assignment,
    IKIDefinition,
    Indicator,
    Master,
    PeriodScheme,
    Person,
    Settings,
    Target,
    normalize_nip,
    parse_target,
)
from ...core.texts import Texts, get_texts
from ..infer import infer_indicator, infer_target
from .issues import Issue, review_row
from .people import Sighting, choose, consistency, nip_issues, pangkat_of, person_of
from .table import TableRow
from .text import ParsedDocument

_IKI_LEVEL = {"tanpa_jabatan", "tanpa_perangkat_daerah", "tanpa_tabel", "kolom_tidak_pasti",
              "baris_digabung", "baris_terpotong", "baris_ganda", "baris_tanpa_indikator",
              "nomor_kosong", "sasaran_kosong", "kolom_tidak_dikenal", "tabel_tanpa_judul",
              "target_kosong", "target_diduga", "target_tidak_terbaca",
              "perangkat_daerah_disamakan", "baris_tidak_dikenali"}


@dataclass
class Built:
    """One document turned into model objects (before Kode IKI are given)."""

    doc: ParsedDocument
    definition: IKIDefinition
    pegawai: Person
    atasan: Person | None
    signed: tuple = (None, None)  # the SignedPerson of pegawai and atasan
    notes: dict[int, str] = field(default_factory=dict)
    inferred: set[tuple[int, str]] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)
    kode: str = ""


def build_document(doc: ParsedDocument, texts: Texts) -> Built:
    f = doc.fields
    issues = list(doc.issues)
    jabatan, pd, unit = f.text("jabatan"), f.text("perangkat_daerah"), f.text("unit_kerja")
    if not jabatan and not any(i.kind == "tanpa_jabatan" for i in issues):
        issues.append(Issue("tanpa_jabatan", doc.line))
    if not pd:
        issues.append(Issue("tanpa_perangkat_daerah", doc.line, {"jabatan": jabatan}))
    tugas_items = f.items("tugas")
    tugas = (tugas_items[0] if len(tugas_items) == 1 else
             "\n".join(f"{chr(97 + i)}. {t}" if i < 26 else t for i, t in enumerate(tugas_items)))
    built = [_indicator(row, texts) for row in doc.rows]
    indicators = tuple(b[0] for b in built)
    notes = {i: b[2] for i, b in enumerate(built)}
    inferred = {(i, name) for i, b in enumerate(built) for name in b[1]}
    issues += _target_issues(doc, indicators, [b[1] for b in built])
    if not doc.rows:
        issues.append(Issue("tanpa_tabel", doc.line, {"jabatan": jabatan}))
    definition = IKIDefinition(kode="", perangkat_daerah=pd, jabatan=jabatan, tugas=tugas,
                               fungsi=tuple(f.items("fungsi")), label_sasaran=doc.label_sasaran,
                               indicators=indicators)
    signed = choose(doc.signature.persons, jabatan)
    pegawai, atasan, person_issues = _people(doc, signed, jabatan, pd, unit)
    return Built(doc, definition, pegawai, atasan, signed, notes, inferred,
                 issues + person_issues)


def _indicator(row: TableRow, texts: Texts) -> tuple[Indicator, list[str], str]:
    """An Indicator from a table row: (indicator, names of inferred fields, note)."""
    static = _static_texts(texts)
    target_text, guessed, target_rule = row.target, [], ""
    if not target_text:
        guess = infer_target(row.indikator, row.penjelasan)
        if guess:
            target_text, target_rule = guess.text, guess.rule
            guessed.append("target")
    inf = infer_indicator(row.indikator, row.penjelasan, target_text)
    satuan = row.satuan
    if not satuan and inf.satuan:
        satuan = inf.satuan
        guessed.append("satuan")
    guessed += ["polaritas", "agregasi"]
    target = Target(text="")
    if target_text:
        target = parse_target(target_text, inf.polaritas) or Target(text=target_text)
    indicator = Indicator(
        no=row.no, sasaran=row.sasaran, indikator=row.indikator, penjelasan=row.penjelasan,
        sumber_data=row.sumber_data, satuan=satuan, target=target,
        polaritas=inf.polaritas, agregasi=inf.agregasi)
    note = texts.t("impor.catatan.diduga", baris=row.line,
                   kolom=", ".join(static(f"impor.kolom.{n}") for n in guessed),
                   aturan=static(f"impor.aturan.{inf.rule}"),
                   target=target_text if target_rule else "",
                   aturan_target=static(f"impor.aturan_target.{target_rule}")
                   if target_rule else "")
    return indicator, guessed, note


def _target_issues(doc: ParsedDocument, indicators: tuple[Indicator, ...],
                   guessed: list[list[str]]) -> list[Issue]:
    """Targets missing (one item per document), guessed from the text, or unusable."""
    issues = []
    rows = doc.rows
    missing = [r for r, ind in zip(rows, indicators) if not ind.target.text]
    if missing:
        issues.append(Issue("target_kosong", missing[0].line, {
            "jumlah": len(missing), "total": len(rows), "nomor": _numbers(missing)}))
    inferred = [(r, ind) for r, ind, g in zip(rows, indicators, guessed) if "target" in g]
    if inferred:
        issues.append(Issue("target_diduga", inferred[0][0].line, {
            "jumlah": len(inferred),
            "daftar": "; ".join(f"No {r.no}: {ind.target.text}" for r, ind in inferred)}))
    for row, ind in zip(rows, indicators):
        t = ind.target
        if row.target and t.value is None and t.low is None and ind.polaritas.value != "ya/tidak":
            issues.append(Issue("target_tidak_terbaca", row.line, {"value": row.target,
                                                                   "no": row.no}))
    return issues


_POLITICAL = re.compile(r"\b(?:bupati|walikota|wali\s+kota|gubernur|wakil)\b", re.I)


def _people(doc: ParsedDocument, signed: tuple, jabatan: str, pd: str, unit: str
            ) -> tuple[Person, Person | None, list[Issue]]:
    """Pegawai and atasan of a document, with the issues of their cells."""
    sig, f = doc.signature, doc.fields
    signed_pegawai, signed_atasan = signed
    issues: list[Issue] = []
    if not sig.persons:
        issues.append(Issue("tanpa_tanda_tangan", doc.line, {"jabatan": jabatan}))
    pegawai, more = person_of(signed_pegawai, jabatan, pd, unit)
    issues += more
    if f.text("nama") and not pegawai.nama:  # an identity block in the header
        pegawai = replace(pegawai, nama=f.text("nama"))
    if f.text("nip") and not pegawai.nip:
        pegawai = replace(pegawai, nip=normalize_nip(f.text("nip")))
    if f.text("pangkat") and not (pegawai.pangkat or pegawai.golongan):
        pangkat, golongan, _ = pangkat_of(f.text("pangkat"))
        pegawai = replace(pegawai, pangkat=pangkat, golongan=golongan)
    line = signed_pegawai.line if signed_pegawai else doc.line
    if sig.persons or f.text("nama") or f.text("nip"):  # else "tanpa_tanda_tangan" says it
        if not pegawai.nama:
            issues.append(Issue("nama_kosong", line, {"jabatan": jabatan}))
        issues += nip_issues(signed_pegawai, pegawai.nip, "pegawai", pegawai.nama, line)
    atasan = None
    if signed_atasan is not None:
        atasan, more = person_of(signed_atasan, signed_atasan.jabatan, pd)
        issues += more
        if atasan.nip or not _POLITICAL.search(atasan.jabatan):  # a Bupati has no NIP
            issues += nip_issues(signed_atasan, atasan.nip, "atasan", atasan.nama, line)
    elif sig.persons:
        issues.append(Issue("atasan_tidak_ditemukan", line, {"nama": pegawai.nama}))
    return pegawai, atasan, issues


def _static_texts(texts: Texts):
    """``texts.t`` for keys without parameters, rendered once per Texts."""
    cache = _STATIC.setdefault(texts, {})

    def t(key: str) -> str:
        if key not in cache:
            cache[key] = texts.t(key)
        return cache[key]

    return t


_STATIC: WeakKeyDictionary = WeakKeyDictionary()


def _numbers(rows) -> str:
    nos = list(dict.fromkeys(r.no for r in rows))
    return ", ".join(nos[:12]) + (" …" if len(nos) > 12 else "")


# --------------------------------------------------------------------------- the whole import

_ABBREVIATIONS = ((r"\bkab\b\.?", "kabupaten"), (r"\bprov\b\.?", "provinsi"),
                  (r"\bkec\b\.?", "kecamatan"), (r"\bkel\b\.?", "kelurahan"),
                  (r"\bpemkab\b\.?", "pemerintah kabupaten"), (r"&", " dan "),
                  (r"\bsdm\b", "sumber daya manusia"))


def name_key(name: str) -> str:
    """A perangkat daerah's name compared without case, punctuation or abbreviations."""
    key = name.casefold()
    for pattern, full in _ABBREVIATIONS:
        key = re.sub(pattern, full, key)
    return " ".join(re.findall(r"\w+", key))


def same_agency(a: str, b: str) -> bool:
    """Two spellings of one perangkat daerah: equal once normalised (the region named by
    one of them only ignored), or a typo apart (but ``SMP Negeri 1`` and ``SMP Negeri 2``
    are two schools)."""
    ka, kb = name_key(a), name_key(b)
    region = re.compile(r"\s+(?:pemerintah\s+)?(?:kabupaten|kota|provinsi)\s+\w.*$")
    if bool(region.search(ka)) != bool(region.search(kb)):  # "… Kabupaten Kutai Kartanegara"
        ka, kb = region.sub("", ka), region.sub("", kb)
    if ka == kb:
        return True
    if re.findall(r"\d+|\b[ivx]+\b", ka) != re.findall(r"\d+|\b[ivx]+\b", kb):
        return False
    return SequenceMatcher(None, ka, kb).ratio() >= 0.9


def unify_perangkat_daerah(built: list[Built]) -> None:
    """Spellings of one perangkat daerah across documents (case, ``Kab.``/``Kabupaten``,
    a typo) → the most frequent spelling; every change is reported for the officer."""
    counts = Counter(b.definition.perangkat_daerah for b in built if b.definition.perangkat_daerah)
    ranked = [name for name, _ in counts.most_common()]
    canon: dict[str, str] = {}
    for name in ranked:
        canon[name] = next((better for better in ranked[:ranked.index(name)]
                            if canon.get(better) == better and same_agency(better, name)), name)
    for b in built:
        old = b.definition.perangkat_daerah
        new = canon.get(old, old)
        if new != old:
            b.definition = replace(b.definition, perangkat_daerah=new)
            b.pegawai = replace(b.pegawai, perangkat_daerah=new)
            b.issues.append(Issue("perangkat_daerah_disamakan", b.doc.fields.line_of.get(
                "perangkat_daerah", b.doc.line), {"lama": old, "baru": new}))


def content_key(d: IKIDefinition) -> tuple:
    def k(text: str) -> str:
        return re.sub(r"\s+", " ", str(text)).strip().casefold()

    return (k(d.perangkat_daerah), k(d.jabatan), k(d.tugas), tuple(k(x) for x in d.fungsi),
            tuple((k(i.no), k(i.sasaran), k(i.indikator), k(i.penjelasan), k(i.sumber_data),
                   k(i.satuan), k(i.target.text)) for i in d.indicators))


def assign_codes(built: list[Built]) -> dict[str, IKIDefinition]:
    """``IKI-001`` … in document order; identical content shares the first code."""
    codes: dict[tuple, str] = {}
    iki: dict[str, IKIDefinition] = {}
    width = max(3, len(str(len(built))))
    for b in built:
        key = content_key(b.definition)
        if key not in codes:
            codes[key] = f"IKI-{len(codes) + 1:0{width}d}"
            iki[codes[key]] = replace(b.definition, kode=codes[key])
        b.kode = codes[key]
    return iki


def cross_checks(built: list[Built]) -> None:
    """NIP consistency across documents and pegawai listed twice for one IKI."""
    sightings: list[Sighting] = []
    for i, b in enumerate(built):
        signed_peg, signed_ats = b.signed
        for person, signed, role in ((b.pegawai, signed_peg, "pegawai"),
                                     (b.atasan, signed_ats, "atasan")):
            if person is not None and person.nip:
                line = signed.nip_line if signed else None
                sightings.append(Sighting(person.nama, person.nip, line, i, role))
    for s, issue in consistency(sightings):
        built[s.doc].issues.append(issue)
    seen: dict[tuple[str, str], Built] = {}
    for b in built:
        key = (b.pegawai.nip, b.kode)
        if b.pegawai.nip and key in seen:
            b.issues.append(Issue("pegawai_ganda", b.doc.line, {
                "nip": b.pegawai.nip, "kode": b.kode, "first_line": seen[key].doc.line,
                "first_file": seen[key].doc.file}))
        seen.setdefault(key, b)


def settings_of(built: list[Built], tahun: int | None) -> tuple[Settings, bool]:
    """Settings from the documents; the flag is False when no year was found."""
    years = Counter(b.doc.tahun for b in built if b.doc.tahun)
    sig_years = Counter(b.doc.signature.tahun for b in built if b.doc.signature.tahun)
    found = tahun or (years.most_common(1)[0][0] if years else None) or (
        sig_years.most_common(1)[0][0] if sig_years else None)
    first = next((b.doc.signature for b in built if b.doc.signature.tanggal), None)
    tempat = first.tempat if first else next(
        (b.doc.signature.tempat for b in built if b.doc.signature.tempat), "")
    heading = next((b.doc.heading for b in built if b.doc.heading), [])
    instansi, daerah = _heading(heading)
    if not instansi:
        pds = Counter(b.definition.perangkat_daerah for b in built if b.definition.perangkat_daerah)
        instansi = pds.most_common(1)[0][0] if pds else ""
    settings = Settings(tahun=found or date.today().year, periode=PeriodScheme.TRIWULAN,
                        tempat=tempat, tanggal=first.tanggal if first else None,
                        instansi=instansi, pemerintah_daerah=daerah)
    return settings, bool(found)


def _heading(lines: list[str]) -> tuple[str, str]:
    """Agency heading under the title → (instansi, pemerintah daerah)."""
    instansi, daerah = [], []
    for line in lines[:6]:
        if not re.search(r"[A-Za-z]", line) or len(line.split()) > 10:
            continue
        if re.match(r"(?:PEMERINTAH|KABUPATEN|KOTA|PROVINSI)\b", line, re.I):
            daerah.append(line)
        elif not daerah:
            instansi.append(line)
    return " ".join(instansi), " ".join(daerah)


def assemble(docs: list[ParsedDocument], file_issues: list[tuple[str, Issue]],
             tahun: int | None, texts: Texts | None = None):
    """Build the master, review rows, notes and inferred cells (see ``import_documents``)."""
    texts = texts or get_texts()
    built = [build_document(d, texts) for d in docs]
    unify_perangkat_daerah(built)
    iki = assign_codes(built)
    cross_checks(built)
    settings, year_found = settings_of(built, tahun)
    assignments, notes, inferred, review = [], {}, set(), []
    first_of: set[str] = set()
    for b in built:
        atasan_nip = b.atasan.nip if b.atasan else ""
        assignments.append(Assignment(b.pegawai, b.kode, atasan_nip, b.atasan, b.doc.line))
        first = b.kode not in first_of
        first_of.add(b.kode)
        if first:
            notes.update({(b.kode, i): n for i, n in b.notes.items()})
            inferred.update((b.kode, i, name) for i, name in b.inferred)
        for issue in b.issues:
            if first or issue.kind not in _IKI_LEVEL:
                review.append(review_row(issue, b.doc.file, b.kode, texts))
    for file, issue in file_issues:
        review.append(review_row(issue, file, "", texts))
    if not year_found and built:
        review.append(review_row(Issue("tahun_tidak_ditemukan", None,
                                       {"tahun": settings.tahun}), built[0].doc.file, "", texts))
    review.sort(key=lambda r: (r["file"], r["line"] is None, r["line"] or 0))
    master = Master(settings, assignments, iki)
    return master, review, notes, inferred

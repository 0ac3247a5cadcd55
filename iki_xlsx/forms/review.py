"""What each atasan's review workbook shows (issue 26): for one period, every bawahan
whose form counts in it, grouped by the pejabat penilai named on their form — one
workbook per atasan and capacity: a Plt. atasan signs the workbook of the bawahan whose
form names them as Plt., apart from those of their own position — and per indikator the target
for the period, the realisasi as counted now with the file and saved time it came from,
the capaian s.d. the period, the pegawai's keterangan and where its verification
stands. Read from the ledger through the timeline; :mod:`.reviewbook` writes it.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from ..core.active import last_active
from ..core.canonical import canonical
from ..core.capaian import capaian_upto, effective_target, parse_period
from ..core.model import Form, PeriodScheme, Polarity
from ..core.show import short_name, value_source
from ..core.texts import Texts
from ..core.timeline import FormYear, load_years
from ..workspace import Workspace
from .manifest import form_from_dict

SLICE = 250  # forms whose year is resolved at once (what their files gave is decoded)


@dataclass(slots=True)
class ReviewRow:
    """One indikator of a bawahan, as the review row shows it."""

    id: str  # the indikator's id in the form's current revision
    no: str
    indikator: str
    satuan: str
    target: str  # the target for the period, as printed
    target_value: float | None  # what a Koreksi is checked against
    target_text: str  # the yearly target as the master wrote it ("BB (70)")
    polaritas: str
    realisasi: object  # counted now (None: blank)
    base: object  # the pegawai's own value under it (None: blank)
    source: str  # the sha256 of the file the shown value came from ("" none)
    source_text: str  # where it came from, as a person reads it
    capaian: float | None  # s.d. the period
    keterangan: str
    status: str  # its verification: terverifikasi | dikembalikan | … | menunggu | ""
    feedback: str  # the atasan's latest umpan balik about it


@dataclass(slots=True)
class ReviewBlock:
    """One bawahan's form in a review workbook."""

    form_id: str
    revision: int
    pegawai: dict  # as issued: nip, nama, pangkat, golongan, jabatan, unit_kerja, …
    kode_iki: str
    period_status: str  # lengkap | sebagian | kosong | belum
    filled: int
    rows: list[ReviewRow]
    note: str = ""  # the atasan's last overall note for the period


@dataclass
class ReviewBook:
    """One atasan's review workbook for one period."""

    atasan_key: str  # the NIP, or "nama:<name>" for an atasan without one
    atasan: dict  # as issued on the first bawahan's form
    tahun: int
    period: str
    scheme: PeriodScheme
    settings: dict  # of the first bawahan's form: kertas, tempat, instansi, …
    blocks: list[ReviewBlock] = field(default_factory=list)  # filled by fill_books
    key: str = ""  # the atasan and their jabatan (a Plt. capacity is a workbook apart)
    bawahan: list[tuple] = field(default_factory=list)  # (issued head, pegawai) in form order


@dataclass
class ReviewPlan:
    tahun: int
    period: str
    books: list[ReviewBook]
    without_atasan: list[dict]  # bawahan whose form names no atasan (pegawai as issued)
    other_scheme: int = 0  # forms of another period scheme (no such period)
    definitions: dict[str, Form] = field(default_factory=dict, repr=False)  # form id → IKI


def atasan_key(atasan: dict) -> str:
    """How an atasan is told apart: the NIP; an atasan without one (the Bupati) by name."""
    nip = str(atasan.get("nip") or "").strip()
    if nip:
        return nip
    name = " ".join(unicodedata.normalize("NFKC", str(atasan.get("nama") or ""))
                    .casefold().split())
    return f"nama:{name}" if name else ""


def book_key(atasan: dict) -> str:
    """One workbook per atasan and jabatan: the same person as Plt. elsewhere signs a
    workbook apart."""
    jabatan = " ".join(str(atasan.get("jabatan") or "").casefold().split())
    return f"{atasan_key(atasan)}|{jabatan}"


def plan_reviews(ws: Workspace, texts: Texts, period_text: str, *, tahun: int | None = None,
                 atasan: str | None = None) -> ReviewPlan:
    """Every review workbook of ``period_text`` (``TW2``, ``TW II``, ``S1`` …): one per
    atasan (``atasan``: only this NIP's), each with the bawahan it lists (their issued
    rows, in form order) but not yet their rows — :func:`fill_books` reads those, book by
    book, so that writing can start before the whole year is read. Who counts in the
    period comes from the forms' Mulai/Selesai alone, so the plan is cheap. ValueError
    (Indonesian) for a period the year's forms do not have, or a workspace without forms."""
    if tahun is None:
        years = ws.issued.years()
        if not years:
            raise ValueError(texts.t("verifikasi.galat.tanpa_formulir"))
        tahun = years[-1]
    heads = ws.issued.forms(tahun)
    if not heads:
        raise ValueError(texts.t("verifikasi.galat.tanpa_formulir"))
    definitions = form_definitions(ws, tahun, {h.form_id: h.revision for h in heads})
    schemes = [definitions[h.form_id].settings.periode for h in heads]
    period = next((p for s in dict.fromkeys(schemes)
                   for p in [parse_period(period_text, s)] if p), None)
    if period is None:
        choices = ", ".join(dict.fromkeys(p for s in schemes for p in s.periods))
        raise ValueError(texts.t("verifikasi.galat.periode", periode=period_text,
                                 pilihan=choices))
    people = ws.reviews.people([h.form_id for h in heads])
    plan = ReviewPlan(tahun, period, [], [], definitions=definitions)
    books: dict[str, ReviewBook] = {}
    wanted = [h for h in heads if period in definitions[h.form_id].settings.periode.periods]
    plan.other_scheme = len(heads) - len(wanted)
    active = ws.issued.active_periods([h.form_id for h in wanted])
    for head in wanted:
        if head.form_id in active and period not in active[head.form_id].periods:
            continue
        who = people.get(head.form_id)
        boss = who.atasan if who else {}
        key = atasan_key(boss)
        if not key:
            plan.without_atasan.append(who.pegawai if who else {"nip": head.nip,
                                                               "nama": head.nama})
            continue
        if atasan is not None and key != atasan:
            continue
        book = books.get(book_key(boss))
        if book is None:
            form = definitions[head.form_id]
            settings = {k: getattr(form.settings, k) for k in (
                "kertas", "tempat", "instansi", "pemerintah_daerah", "batas_capaian")}
            book = books[book_key(boss)] = ReviewBook(
                key, boss, tahun, period, form.settings.periode, settings,
                key=book_key(boss))
        book.bawahan.append((head, who.pegawai if who else {}))
    plan.books = sorted(books.values(), key=lambda b: (str(b.atasan.get("nama", "")),
                                                       b.atasan_key))
    return plan


def fill_books(ws: Workspace, plan: ReviewPlan, texts: Texts) -> Iterator[ReviewBook]:
    """The books of ``plan`` in its order, each with a :class:`ReviewBlock` per bawahan:
    their year read from the ledger about :data:`SLICE` forms at a time (whole books;
    a book's blocks are its own copy, the plan's books stay light)."""
    shapes = ws.issued.shapes([h for b in plan.books for h, _ in b.bawahan])
    names = ws.files.first_names()
    for chunk in _slices(plan.books):
        years = load_years(ws, plan.tahun, [h for b in chunk for h, _ in b.bawahan],
                           shapes, names)
        for book in chunk:
            blocks = [review_block(head, pegawai, plan.definitions[head.form_id],
                                   years[head.form_id], plan.period, texts)
                      for head, pegawai in book.bawahan]
            yield replace(book, blocks=blocks, bawahan=[])


def _slices(books: list[ReviewBook]) -> Iterator[list[ReviewBook]]:
    """Consecutive books of about :data:`SLICE` bawahan together (a larger book alone)."""
    chunk: list[ReviewBook] = []
    size = 0
    for book in books:
        if chunk and size + len(book.bawahan) > SLICE:
            yield chunk
            chunk, size = [], 0
        chunk.append(book)
        size += len(book.bawahan)
    if chunk:
        yield chunk


def review_block(head, pegawai: dict, form: Form, year: FormYear, period: str,
                 texts: Texts) -> ReviewBlock:
    """One bawahan's rows: each indikator as counted now (see :class:`ReviewRow`)."""
    scheme = form.settings.periode
    cap = form.settings.batas_capaian
    upto = scheme.periods[: scheme.periods.index(period) + 1]
    active = year.active
    counted = period if active is None else last_active(list(active), period,
                                                        scheme.periods)
    ids = [f"{i + 1:02d}" for i in range(len(form.iki.indicators))]
    rows = []
    for ind_id, ind in zip(ids, form.iki.indicators):
        shown = year.values.get((ind_id, period))
        own = year.own.get((ind_id, period))
        values = {p: year.value(ind_id, p) for p in upto if active is None or p in active}
        try:
            cap_value = capaian_upto({p: v for p, v in values.items() if v is not None},
                                     counted, ind, scheme, cap, target_period=counted) \
                if counted else None
        except ValueError:
            cap_value = None
        try:
            target = effective_target(ind, period, scheme)
        except ValueError:
            target = ind.target
        check = year.checks.get((ind_id, period))
        note = year.keterangan.get(ind_id)
        t = ind.target
        rows.append(ReviewRow(
            ind_id, str(ind.no or ""), ind.indikator, ind.satuan, target.text,
            t.value if t.value is not None else t.high, t.text,
            Polarity(ind.polaritas).value, None if shown is None else shown.value,
            None if own is None else own.value, (shown.sha256 or "") if shown else "",
            value_source(replace(shown, name=short_name(shown.name)) if shown else None,
                         texts), cap_value if cap_value is None or math.isfinite(
                cap_value) else None, str(note.value) if note else "",
            year.verification(ind_id, period), check[1].note if check else ""))
    overall = year.notes.get(period)
    return ReviewBlock(head.form_id, head.revision, pegawai, head.kode_iki,
                       year.status(period, ids),
                       sum(1 for r in rows if r.realisasi is not None), rows,
                       overall.note if overall else "")


def form_definitions(ws: Workspace, tahun: int, wanted: dict[str, int]) -> dict[str, Form]:
    """form id → a Form holding the IKI and settings of its current revision (people
    come from elsewhere). Forms with the same IKI and settings share one object."""
    shared: dict[bytes, Form] = {}
    out: dict[str, Form] = {}
    nobody = {"nip": "", "nama": ""}
    for form_id, revision, iki, settings in ws.issued.definitions(tahun, list(wanted)):
        if wanted.get(form_id) != revision:
            continue
        key = hashlib.sha256(f"{iki}\x00{settings}".encode() if isinstance(iki, str)
                             else canonical([iki, settings])).digest()
        form = shared.get(key)
        if form is None:
            if isinstance(iki, str):
                iki, settings = json.loads(iki), json.loads(settings)
            form = shared[key] = form_from_dict({"pegawai": nobody, "atasan": nobody,
                                                 "iki": iki, "settings": settings})
        out[form_id] = form
    return out

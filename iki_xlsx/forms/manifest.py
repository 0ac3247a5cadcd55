"""The signed manifest inside every generated workbook — built and signed for the writer,
parsed, shape-checked and verified for the reader, in this one module — and the
Form ⇄ JSON mapping the ledger stores.

The manifest names the form (id, revision, NIP, tahun, period scheme), each indicator's
target, polarity, aggregation and cell addresses, a SHA-256 of all locked content, and an
HMAC-SHA256 over all of that with the workspace key. Readers trust the manifest only
after :func:`verify`, and then trust the ledger's copy over anything in the file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import fields
from datetime import date
from itertools import chain
from typing import NamedTuple

from ..core.canonical import canonical, canonical_text
from ..core.model import (
    Aggregation,
    Form,
    IKIDefinition,
    Indicator,
    MidYear,
    PeriodScheme,
    Person,
    Polarity,
    Settings,
    Target,
)
from ..core.problems import Problem
from . import layout as L
from .layout import FormLayout

SCHEMA_VERSION = 1
GENERATOR = "iki-xlsx"


def content_hash(locked: dict[str, object] | str) -> str:
    """The sha256 of the locked content's canonical JSON (``locked`` may be that text,
    when the caller keeps it too)."""
    data = locked.encode("utf-8") if isinstance(locked, str) else canonical(locked)
    return hashlib.sha256(data).hexdigest()


def indicator_entries(form: Form, layout: FormLayout) -> list[dict]:
    out = []
    for ind, cells in zip(form.iki.indicators, layout.indicators):
        t = ind.target
        out.append({
            "id": cells.id, "no": ind.no, "row": cells.row + 1,
            "target": {"text": t.text, "value": t.value, "low": t.low, "high": t.high},
            "polaritas": ind.polaritas.value, "agregasi": ind.agregasi.value,
            "satuan": ind.satuan, "period_targets": dict(ind.period_targets),
            "cells": {"realisasi": cells.realisasi, "capaian": cells.capaian,
                      "keterangan": cells.keterangan},
        })
    return out


def build_manifest(form: Form, layout: FormLayout, *, form_id: str, revision: int,
                   key_id: str, locked_hash: str) -> dict:
    return {
        "schema": SCHEMA_VERSION, "generator": GENERATOR, "form_id": form_id,
        "revision": revision, "key_id": key_id, "nip": form.pegawai.nip,
        "nama": form.pegawai.nama, "kode_iki": form.iki.kode, "tahun": form.settings.tahun,
        "periode": form.settings.periode.value, "periods": list(layout.periods),
        "sheet": L.SHEET_FORM, "batas_capaian": form.settings.batas_capaian,
        "target_tengah_tahun": MidYear(form.settings.target_tengah_tahun).value,
        "indicators": indicator_entries(form, layout), "content_hash": locked_hash,
        "formula_cells": sorted(layout.formula_cells()),
    }


def sign(manifest: dict, key: bytes) -> dict:
    body = {k: v for k, v in manifest.items() if k != "hmac"}
    return {**body, "hmac": hmac.new(key, canonical(body), hashlib.sha256).hexdigest()}


def sign_text(manifest: dict, key: bytes) -> tuple[dict, str]:
    """:func:`sign` and :func:`to_text` of what it gives, each top-level value made
    canonical JSON once for both: the signed bytes are the body's canonical text, and
    the manifest's text is the same text with ``"hmac"`` in its sorted place (a dict's
    canonical text is its items' texts, sorted by key, joined)."""
    body = {k: v for k, v in manifest.items() if k != "hmac"}
    if not all(type(k) is str for k in body):  # json sorts other keys as text
        signed = sign(body, key)
        return signed, to_text(signed)
    items = {k: f"{canonical_text(k)}:{canonical_text(v)}" for k, v in body.items()}
    mac = hmac.new(key, ("{" + ",".join(items[k] for k in sorted(items)) + "}")
                   .encode("utf-8"), hashlib.sha256).hexdigest()
    items["hmac"] = f"{canonical_text('hmac')}:{canonical_text(mac)}"
    return {**body, "hmac": mac}, "{" + ",".join(items[k] for k in sorted(items)) + "}"


def verify(manifest: dict, key: bytes) -> bool:
    mac = manifest.get("hmac")
    if not isinstance(mac, str):
        return False
    body = {k: v for k, v in manifest.items() if k != "hmac"}
    expected = hmac.new(key, canonical(body), hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, expected)


def verify_text(text: str, manifest: dict, key: bytes) -> bool:
    """:func:`verify` for a manifest parsed from ``text``, without serialising it again
    when the text is the one :func:`to_text` wrote (see :func:`_signed_text`); any other
    text (rewritten by another JSON writer) takes :func:`verify`."""
    signed = _signed_text(text, key)
    if signed is not None and signed == manifest.get("hmac"):
        return True
    return verify(manifest, key)


def verified_head(text: str, key: bytes) -> dict | None:
    """The manifest's top-level fields (all but its indicators) from its text, when the
    text is one we signed (:func:`_signed_text`), without decoding the indicators, which
    a collect takes from the ledger's copy of the issued form. None for any other text
    (the caller then decodes and verifies the whole)."""
    mac = _signed_text(text, key)
    if mac is None:
        return None
    # A signed text is our canonical JSON: keys sorted, "key_id" right after the
    # indicators, neither key anywhere else.
    start = text.find('"indicators":[')
    stop = text.find('],"key_id":', start)
    if start < 0 or stop < 0:
        return None
    try:
        head = json.loads(text[:start] + text[stop + 2:])
    except ValueError:
        return None
    if not isinstance(head, dict) or head.get("hmac") != mac:
        return None  # the member was not the top-level one
    return head


def _signed_text(text: str, key: bytes) -> str | None:
    """The HMAC a manifest text carries, when it holds over the rest of the text.

    The text :func:`to_text` writes is the canonical JSON of the signed body with the
    ``"hmac":"…"`` member inserted at its sorted place, so the body's bytes are the text
    without that member. When the text holds that member exactly once, the HMAC of the
    rest proves the rest is a body we signed (which has no ``hmac`` anywhere); the member
    then can only be the top-level key — which the caller confirms against what it
    decoded. None otherwise."""
    at = text.find('"hmac":"')
    if at <= 0 or text.count('"hmac":') != 1:
        return None
    mac, end = text[at + 8: at + 72], at + 73
    if len(mac) != 64 or not _HEX.issuperset(mac) or text[end - 1: end] != '"':
        return None
    if text[end: end + 1] == ",":
        body = text[:at] + text[end + 1:]
    elif text[at - 1] == ",":
        body = text[:at - 1] + text[end:]
    else:
        return None
    expected = hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()
    return mac if hmac.compare_digest(mac, expected) else None


_HEX = frozenset("0123456789abcdef")


class IndicatorView(NamedTuple):
    """One indicator as judging a returned file needs it."""

    id: str
    no: str
    row: int  # 1-based sheet row
    polaritas: str
    target: float | None  # the target value (the upper bound of a range)
    realisasi: list[str]  # input cell per period, in period order
    keterangan: str  # its keterangan cell
    satuan: str = ""  # SATUAN, to read "20 JP" (views stored before it have none)
    target_text: str = ""  # the target as printed, to read a letter like "BB" of "BB (70)"


class ReadingView(NamedTuple):
    """What judging a returned file needs of its issued manifest."""

    periods: tuple[str, ...]
    formula_cells: tuple[str, ...]
    indicators: tuple[IndicatorView, ...]
    inputs: frozenset[str]  # every realisasi and keterangan cell


def reading_view(manifest: dict) -> list:
    """:class:`ReadingView` of a manifest as compact JSON-able lists. The ledger keeps
    it beside each issued form, so judging a file decodes a small list instead of the
    whole manifest."""
    periods = list(manifest["periods"])
    out = []
    for i in manifest["indicators"]:
        t = i["target"]
        target = t.get("value") if t.get("value") is not None else t.get("high")
        out.append([i["id"], i.get("no", ""), i["row"], i["polaritas"], target,
                    [i["cells"]["realisasi"][p] for p in periods], i["cells"]["keterangan"],
                    i.get("satuan") or "", t.get("text") or ""])
    return [periods, list(manifest.get("formula_cells", [])), out]


def load_view(data: list) -> ReadingView:
    """The :class:`ReadingView` of :func:`reading_view`'s lists (as the ledger keeps)."""
    periods, formulas, indicators = data
    inputs = {entry[6] for entry in indicators}
    inputs.update(chain.from_iterable(entry[5] for entry in indicators))
    return ReadingView(tuple(periods), tuple(formulas),
                       tuple(IndicatorView(*entry) for entry in indicators),
                       frozenset(inputs))


def to_text(manifest: dict) -> str:
    return canonical_text(manifest)


# --------------------------------------------------------------------------- Form JSON

def form_to_dict(form: Form) -> dict:
    """JSON-ready dict of a Form (the password is never stored beside the forms).

    Built field by field: ``dataclasses.asdict`` deep-copies every indicator, a cost
    paid once per form generated."""
    s = form.settings
    settings = {f.name: getattr(s, f.name) for f in fields(s) if f.name != "sandi"}
    settings["periode"] = s.periode.value
    settings["tanggal"] = s.tanggal.isoformat() if s.tanggal else None
    settings["target_tengah_tahun"] = MidYear(s.target_tengah_tahun).value
    iki = form.iki
    return {
        "pegawai": _person(form.pegawai), "atasan": _person(form.atasan),
        "settings": settings,
        "iki": {"kode": iki.kode, "perangkat_daerah": iki.perangkat_daerah,
                "jabatan": iki.jabatan, "tugas": iki.tugas, "fungsi": list(iki.fungsi),
                "label_sasaran": iki.label_sasaran,
                "indicators": [_indicator(i) for i in iki.indicators]},
    }


def _person(p: Person) -> dict:
    return {"nip": p.nip, "nama": p.nama, "pangkat": p.pangkat, "golongan": p.golongan,
            "jabatan": p.jabatan, "unit_kerja": p.unit_kerja,
            "perangkat_daerah": p.perangkat_daerah}


def _indicator(i: Indicator) -> dict:
    t = i.target
    return {"no": i.no, "sasaran": i.sasaran, "indikator": i.indikator,
            "penjelasan": i.penjelasan, "sumber_data": i.sumber_data, "satuan": i.satuan,
            "target": {"text": t.text, "value": t.value, "low": t.low, "high": t.high},
            "polaritas": Polarity(i.polaritas).value, "agregasi": Aggregation(i.agregasi).value,
            "period_targets": dict(i.period_targets)}


def form_from_dict(data: dict) -> Form:
    s = dict(data["settings"])
    s["periode"] = PeriodScheme(s["periode"])
    s["target_tengah_tahun"] = MidYear(s.get("target_tengah_tahun") or MidYear.PROPORSIONAL)
    s["tanggal"] = date.fromisoformat(s["tanggal"]) if s.get("tanggal") else None
    iki = dict(data["iki"])
    iki["fungsi"] = tuple(iki["fungsi"])
    iki["indicators"] = tuple(
        Indicator(**{**ind, "target": Target(**ind["target"]),
                     "polaritas": Polarity(ind["polaritas"]),
                     "agregasi": Aggregation(ind["agregasi"])})
        for ind in iki["indicators"])
    return Form(Person(**data["pegawai"]), Person(**data["atasan"]), IKIDefinition(**iki),
                Settings(**s))


# --------------------------------------------------------------------------- reading a manifest

def parse_manifest_text(text: str) -> tuple[dict | None, Problem | None]:
    got = parse_manifest(text)
    return got.manifest, got.problem


class ManifestReading(NamedTuple):
    manifest: dict | None  # the whole manifest, or its head (no indicators) when verified
    problem: Problem | None
    inputs: set[str] | None  # the input cells it names (None: indicators not decoded)
    formulas: set[str]  # the formula cells it names
    verified: bool  # its HMAC was checked with the workspace key, and holds


def parse_manifest(text: str, key: bytes | None = None,
                   key_id: str | None = None) -> ManifestReading:
    """The manifest from its JSON text, or the problem with it, and the cells it names.
    With the workspace ``key``, a manifest whose text is the one we wrote and signed has
    only its head decoded (the ledger has the rest); any other is decoded whole, its
    shape checked field by field before anything reads it, then verified."""
    if key is not None and key_id is not None:
        head = verified_head(text, key)
        if head is not None and head.get("key_id") == key_id:
            return ManifestReading(head, None, None, set(head.get("formula_cells", ())), True)
    try:
        manifest = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError, TypeError):
        return ManifestReading(None, Problem("manifest_rusak"), set(), set(), False)
    reason, (inputs, formulas) = _manifest_shape(manifest)
    if reason:
        return ManifestReading(None, Problem("manifest_rusak", {"reason": reason}),
                               set(), set(), False)
    verified = key is not None and key_id is not None \
        and manifest.get("key_id") == key_id and verify_text(text, manifest, key)
    return ManifestReading(manifest, None, inputs, formulas, verified)


def _no_constant(name: str):
    raise ValueError(name)  # NaN, Infinity are not JSON


def _manifest_shape(m: object) -> tuple[str, tuple[set[str], set[str]]]:
    """('' or what is wrong, (input cells, formula cells)): the shape every reader relies
    on, checked before the signature so that nothing downstream meets a surprise type;
    and on the way the cells the manifest names."""
    none: tuple[set[str], set[str]] = (set(), set())
    if not isinstance(m, dict):
        return "bukan objek", none
    for key in ("form_id", "nip", "key_id", "hmac", "kode_iki"):
        if not isinstance(m.get(key), str) or len(m[key]) > 200:
            return key, none
    for key in ("revision", "tahun"):
        if type(m.get(key)) is not int or not 0 < m[key] < 100_000:
            return key, none
    if not isinstance(m.get("nama", ""), str) or not isinstance(m.get("sheet", L.SHEET_FORM), str):
        return "nama", none
    periods = m.get("periods")
    if not (isinstance(periods, list) and periods and len(periods) <= 12
            and all(isinstance(p, str) for p in periods)):
        return "periods", none
    formulas = m.get("formula_cells", [])
    if not isinstance(formulas, list):
        return "formula_cells", none
    inds = m.get("indicators")
    if not (isinstance(inds, list) and 0 < len(inds) <= 1000):
        return "indicators", none
    wanted = set(periods)
    inputs: list = []
    for ind in inds:
        if not isinstance(ind, dict) or not isinstance(ind.get("id"), str):
            return "indicators", none
        cells = ind.get("cells")
        if not isinstance(cells, dict):
            return "cells", none
        real = cells.get("realisasi")
        if not isinstance(real, dict) or real.keys() != wanted:
            return "cells", none
        inputs.extend(real.values())
        inputs.append(cells.get("keterangan"))
        target = ind.get("target")
        if not isinstance(target, dict):
            return "target", none
        for k in ("value", "low", "high"):
            v = target.get(k)
            if v is not None and not (type(v) in (int, float) and abs(v) < 1e15):
                return "target", none
        if not isinstance(ind.get("polaritas"), str) or type(ind.get("row")) is not int:
            return "polaritas", none
    refs = inputs + formulas
    if not all(type(r) is str for r in refs) or not _REF_LINES.fullmatch("\n".join(refs)):
        return "cells", none
    return "", (set(inputs), set(formulas))


_REF_LINES = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}(?:\n[A-Z]{1,3}[1-9][0-9]{0,6})*")



"""The signed manifest inside every generated workbook, and the Form ⇄ JSON mapping the
ledger stores.

The manifest names the form (id, revision, NIP, tahun, period scheme), each indicator's
target, polarity, aggregation and cell addresses, a SHA-256 of all locked content, and an
HMAC-SHA256 over all of that with the workspace key. Readers trust the manifest only
after :func:`verify`, and then trust the ledger's copy over anything in the file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import fields
from datetime import date
from itertools import chain
from typing import NamedTuple

from .layout import FormLayout
from .model import (
    Aggregation, Form, IKIDefinition, Indicator, PeriodScheme, Person, Polarity, Settings,
    Target,
)

SCHEMA_VERSION = 1
GENERATOR = "iki-xlsx"


def canonical(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def content_hash(locked: dict[str, object]) -> str:
    return hashlib.sha256(canonical(locked)).hexdigest()


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
        "sheet": "IKI", "batas_capaian": form.settings.batas_capaian,
        "indicators": indicator_entries(form, layout), "content_hash": locked_hash,
        "formula_cells": sorted(layout.formula_cells()),
    }


def sign(manifest: dict, key: bytes) -> dict:
    body = {k: v for k, v in manifest.items() if k != "hmac"}
    return {**body, "hmac": hmac.new(key, canonical(body), hashlib.sha256).hexdigest()}


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
    whole manifest (a tenth of the time)."""
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
    return canonical(manifest).decode("utf-8")


# --------------------------------------------------------------------------- Form JSON

def form_to_dict(form: Form) -> dict:
    """JSON-ready dict of a Form (the password is never stored beside the forms).

    Built field by field: ``dataclasses.asdict`` deep-copies every indicator and cost
    2.5 ms per form, a sixth of generating it."""
    s = form.settings
    settings = {f.name: getattr(s, f.name) for f in fields(s) if f.name != "sandi"}
    settings["periode"] = s.periode.value
    settings["tanggal"] = s.tanggal.isoformat() if s.tanggal else None
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

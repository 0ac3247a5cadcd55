"""The signed manifest of a review workbook (issue 26): which atasan and period it is for,
each bawahan's block (form, revision, sheet, the note cell, the atasan's identity cells)
and each row's input cells with the value the row showed and the pegawai's own value
under it. Built and signed here for the writer; recognised, shape-checked and verified
here for the reader — as :mod:`.manifest` does for the forms, whose signing it shares.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

from ..core.problems import Problem
from .manifest import GENERATOR, verify

KIND = "verifikasi"  # the manifest's "kind"; a form's manifest has none
SCHEMA_VERSION = 1
_MARK = f'"kind":"{KIND}"'  # how the canonical text of a review manifest reads
_REF = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
_PERIOD = re.compile(r"(?:TW[1-4]|S[12]|TAHUNAN)")


def build_review_manifest(*, review_id: str, revision: int, key_id: str, tahun: int,
                          period: str, atasan: dict, blocks: list[dict],
                          content_hash: str) -> dict:
    """The manifest's body (sign it with :func:`iki_xlsx.forms.manifest.sign`)."""
    return {"schema": SCHEMA_VERSION, "generator": GENERATOR, "kind": KIND,
            "review_id": review_id, "revision": revision, "key_id": key_id, "tahun": tahun,
            "period": period, "atasan": {"nip": atasan.get("nip", ""),
                                         "nama": atasan.get("nama", ""),
                                         "jabatan": atasan.get("jabatan", "")},
            "content_hash": content_hash, "blocks": blocks}


def is_review_text(text: str) -> bool:
    """A manifest text that may be a review workbook's (then :func:`parse_review`
    decides): a form's manifest never has a top-level ``kind``, and a quote inside a
    text value is escaped, so the mark cannot appear in one."""
    return _MARK in text


class ReviewManifest(NamedTuple):
    manifest: dict | None
    problem: Problem | None
    verified: bool  # its HMAC was checked with the workspace key, and holds


def parse_review(text: str, key: bytes | None, key_id: str | None) -> ReviewManifest | None:
    """The review manifest from its text, shape-checked before anything reads it, then
    verified; None when the text is not a review manifest after all (a form's)."""
    try:
        manifest = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError, TypeError):
        return ReviewManifest(None, Problem("manifest_rusak"), False)
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
        return None
    reason = review_shape(manifest)
    if reason:
        return ReviewManifest(None, Problem("manifest_rusak", {"reason": reason}), False)
    verified = key is not None and key_id is not None \
        and manifest.get("key_id") == key_id and verify(manifest, key)
    return ReviewManifest(manifest, None, verified)


def _no_constant(name: str):
    raise ValueError(name)  # NaN, Infinity are not JSON


def review_shape(m: dict) -> str:
    """"" or what is wrong with the shape every reader relies on."""
    for key in ("review_id", "key_id", "hmac", "period"):
        if not isinstance(m.get(key), str) or len(m[key]) > 200:
            return key
    if not _PERIOD.fullmatch(m["period"]):
        return "period"
    for key in ("revision", "tahun"):
        if type(m.get(key)) is not int or not 0 < m[key] < 100_000:
            return key
    atasan = m.get("atasan")
    if not isinstance(atasan, dict) or not all(isinstance(atasan.get(k), str)
                                               for k in ("nip", "nama")):
        return "atasan"
    blocks = m.get("blocks")
    if not isinstance(blocks, list) or not 0 < len(blocks) <= 2000:
        return "blocks"
    for block in blocks:
        reason = _block_shape(block)
        if reason:
            return reason
    return ""


def _block_shape(b: object) -> str:
    if not isinstance(b, dict):
        return "blocks"
    for key in ("form_id", "sheet", "note", "nama", "nip"):
        if not isinstance(b.get(key), str) or len(b[key]) > 200:
            return key
    if not b["form_id"] or not b["sheet"] or not _REF.fullmatch(b["note"]):
        return "note"
    if type(b.get("revision")) is not int:
        return "revision"
    identity = b.get("identity")
    if not isinstance(identity, dict) or not all(
            isinstance(v, str) and _REF.fullmatch(v) for v in identity.values()):
        return "identity"
    rows = b.get("rows")
    if not isinstance(rows, list) or not 0 < len(rows) <= 1000:
        return "rows"
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            return "rows"
        cells = row.get("cells")
        if not (isinstance(cells, list) and len(cells) == 3
                and all(isinstance(c, str) and _REF.fullmatch(c) for c in cells)):
            return "cells"
        for key in ("shown", "base"):
            v = row.get(key)
            if v is not None and not isinstance(v, (str, int, float)):
                return key
    return ""


def input_cells(block: dict) -> set[str]:
    """Every input cell of one block: the three of each row and the note."""
    out = {block["note"]}
    for row in block["rows"]:
        out.update(row["cells"])
    return out

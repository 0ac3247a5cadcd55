"""Recovery of a lost ledger (issue 11): the key is there, the ledger is gone or empty.

Every generated form carries its signed manifest (since issue 11 with the whole form
as issued, compressed: ``form_z``) and its locked content. :func:`recover` rebuilds the issued
forms in the ledger from those files — each verified with the workspace key and its
locked content checked against the manifest's content hash; anything that does not
verify is refused and listed — then collects again the stored returned files
(``berkas/``) and any folders of returned files given. The officer's decisions, the
Mulai / Selesai of each form and the withdrawals are not in the files: running
``generate`` again with the master restores the last two.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..core.texts import Texts, get_texts
from ..forms import (
    FORM_COPY_KEY,
    content_hash,
    drop_note,
    form_from_dict,
    reading_view,
    unpack_form,
    verify_text,
)
from ..workspace import STORE_DIR, NewRevision, Workspace


class RecoveryError(ValueError):
    """Recovery refused: the message is for the officer (Indonesian)."""


@dataclass
class RecoveryResult:
    forms: int = 0  # forms rebuilt in the ledger
    revisions: int = 0  # revisions rebuilt (a form may have several)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    skipped: int = 0  # files that are not forms (distribution list, other files)
    collect: object = None  # the CollectReport of the returned files


def _files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and (p.suffix.lower() == ".xlsx" or folder.name == STORE_DIR))


def issued_row(path: Path, key: bytes, key_id: str,
               rel: str) -> tuple[NewRevision | None, str]:
    """The ledger row of the issued form ``path`` is a copy of, or (None, why not):
    ``""`` when the file is not a form at all."""
    from ..collect import read_path
    from ..forms import issued_row

    raw = read_path(path, key, key_id)
    if raw.fatal or not raw.manifest_text:
        return None, ""
    try:
        manifest = json.loads(raw.manifest_text)
    except ValueError:
        return None, "manifest_rusak"
    if not isinstance(manifest, dict) or manifest.get("key_id") != key_id:
        return None, "ruang_kerja_lain"
    if not verify_text(raw.manifest_text, manifest, key):
        return None, "tanda_tangan_salah"
    data = unpack_form(manifest.get(FORM_COPY_KEY))
    if data is None:
        return None, "versi_lama"
    view = reading_view(manifest)
    inputs = {c for entry in view[2] for c in (*entry[5], entry[6])}
    raw.split(inputs)
    drop_note(raw.locked, manifest)  # a re-issued form's note is not issued content
    locked = raw.locked or {}
    if content_hash(locked) != manifest.get("content_hash"):
        return None, "isi_terkunci_berubah"
    form = form_from_dict(data)
    row = issued_row(form, manifest["form_id"], manifest["revision"], manifest, locked, rel)
    return replace(row, reading=view, manifest=raw.manifest_text), ""


def recover(ws: Workspace, forms_dirs: list[Path], returned: list[Path] = (),
            texts: Texts | None = None, jobs: int | None = None) -> RecoveryResult:
    """Rebuild the ledger of ``ws`` from the generated forms under ``forms_dirs`` (their
    revision becomes current) and the returned files (``returned`` and the workspace's
    stored files), then collect the returned files again."""
    t = (texts or get_texts()).t
    if not ws.has_key():
        raise RecoveryError(t("pulih.galat.tanpa_kunci", path=ws.path.resolve()))
    if not ws.ledger_lost():
        raise RecoveryError(t("pulih.galat.ledger_berisi", path=ws.path.resolve()))
    key, key_id = ws.key, ws.key_id
    result = RecoveryResult()
    rows: dict[tuple[str, int], NewRevision] = {}
    current: dict[str, int] = {}
    store = ws.store.root
    sources = [(d, True) for d in forms_dirs] + [(d, False) for d in returned]
    if store.is_dir():
        sources.append((store, False))
    for folder, is_forms in sources:
        for path in _files(folder):
            rel = path.relative_to(folder).as_posix() if folder.is_dir() else path.name
            row, why = issued_row(path, key, key_id, rel)
            if row is None:
                if why:
                    result.refused.append((str(path), t(f"pulih.alasan.{why}")))
                else:
                    result.skipped += 1
                continue
            k = (row.form_id, row.revision)
            if is_forms or k not in rows:
                rows[k] = row
            if is_forms:
                current[row.form_id] = max(current.get(row.form_id, 0), row.revision)
    ordered = sorted(rows.values(), key=lambda r: (r.revision, r.form_id))
    if ordered:
        ws.issued.record(ordered)
        latest = {}
        for r in ordered:
            latest[r.form_id] = r.revision
        again = [rows[(fid, rev)] for fid, rev in current.items() if latest[fid] != rev]
        if again:
            ws.issued.record(again)
    result.forms = len({fid for fid, _ in rows})
    result.revisions = len(rows)
    inputs = [p for p in (*returned, store) if p.exists()]
    if ordered and inputs:
        from ..collect import collect

        result.collect = collect(list(inputs), ws, jobs=jobs)
    return result

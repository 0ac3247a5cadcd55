"""Recovery of a lost ledger (issues 11, 23): the key is there, the ledger is gone or
empty.

Every generated form carries its signed manifest (with the whole form as issued,
compressed: ``form_z``) and its locked content. :func:`recover` first finds every issued
revision in the form files — the forms folders given, the stored returned files
(``berkas/``) and the folders of returned files given — each verified with the
workspace key and its locked content checked against the manifest's content hash;
anything that does not verify is refused and listed.

Then, when the workspace's journal is there (:mod:`iki_xlsx.workspace.journal`), the
ledger is rebuilt as it was by replaying it in order: revisions with the times they were
issued and became current, Mulai / Selesai, withdrawals and decisions, and each file
judged again at the point it first arrived — against the revision, the active periods
and the withdrawals of that moment — then given back its first arrival time, the places
it was seen (file names as sent) and, when the content does not say, its saved time. A
file whose bytes are nowhere gets back its journalled verdict. Files the journal does
not know are collected last.

Without a journal (a workspace of an earlier version, or only the key copied) the
revisions found become current, the files are collected again as they come, and the
forms keep the order of the distribution list when there is one; ``generate`` with the
same master then restores Mulai / Selesai and withdrawals.

Longer than 400 lines? No: the ledger writes are :mod:`iki_xlsx.workspace.rebuild`'s.
"""

from __future__ import annotations

import hashlib
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
from ..workspace import STORE_DIR, NewRevision, Workspace, read_journal


class RecoveryError(ValueError):
    """Recovery refused: the message is for the officer (Indonesian)."""


@dataclass
class RecoveryResult:
    forms: int = 0  # forms rebuilt in the ledger
    revisions: int = 0  # revisions rebuilt (a form may have several)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    skipped: int = 0  # files that are not forms (distribution list, other files)
    collect: object = None  # the CollectReport of the files the journal did not know
    journal: bool = False  # rebuilt from the journal (else: from the files alone)
    replayed: int = 0  # files judged again at the point they first arrived
    lost: list[str] = field(default_factory=list)  # journalled files whose bytes are gone
    missing: list[tuple[str, int]] = field(default_factory=list)  # revisions in no file
    unread: int = 0  # journal lines that could not be read


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
    """Rebuild the ledger of ``ws`` from the generated forms under ``forms_dirs``, the
    returned files (``returned`` and the workspace's stored files) and, when it is there,
    the workspace's journal (see the module's docstring)."""
    t = (texts or get_texts()).t
    if not ws.has_key():
        raise RecoveryError(t("pulih.galat.tanpa_kunci", path=ws.path.resolve()))
    if not ws.ledger_lost():
        raise RecoveryError(t("pulih.galat.ledger_berisi", path=ws.path.resolve()))
    result = RecoveryResult()
    store = ws.store.root
    rows, current = _issued_rows(ws, forms_dirs, [*returned, store], result, t)
    result.forms = len({fid for fid, _ in rows})
    result.revisions = len(rows)
    journal = read_journal(ws.ledger.journal.path)
    result.unread = journal.bad
    if rows and journal.ledger and journal.lines:
        result.journal = True
        with ws.ledger.journal.pause():
            _replay(ws, journal, rows, _by_content(returned), jobs, result)
    elif rows:
        _record_found(ws, rows, current, _distribution_order(forms_dirs))
    if rows:
        inputs = _not_in_ledger(ws, [p for p in (*returned, store) if p.exists()])
        if inputs:
            from ..collect import collect

            result.collect = collect(inputs, ws, jobs=jobs)
    return result


def _issued_rows(ws: Workspace, forms_dirs: list[Path], others: list[Path],
                 result: RecoveryResult, t) -> tuple[dict, dict]:
    """Every issued revision found in the form files: {(form id, revision): row}, and
    form id → the highest revision in the forms folders (current, without a journal)."""
    key, key_id = ws.key, ws.key_id
    rows: dict[tuple[str, int], NewRevision] = {}
    current: dict[str, int] = {}
    sources = [(d, True) for d in forms_dirs] + [(d, False) for d in others if d.exists()]
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
    return rows, current


# --------------------------------------------------------------------------- the journal

def _replay(ws: Workspace, journal, rows: dict, given: dict[str, Path], jobs: int | None,
            result: RecoveryResult) -> None:
    """The journal, line by line: the year's events applied in order, each run of files
    judged where it stands (see the module's docstring)."""
    FILE, SEEN, DECISION = journal.FILE, journal.SEEN, journal.DECISION
    ws.rebuild.adopt(journal.ledger)
    seen: dict[str, list[dict]] = {}
    for line in journal.lines:
        if line["k"] == SEEN:
            seen.setdefault(line["sha256"], []).append(line)
    events: list[dict] = []
    files: list[dict] = []
    done: set[str] = set()
    for line in journal.lines:
        kind = line["k"]
        if kind == SEEN:
            continue
        if kind == FILE:
            if events:
                result.missing += ws.rebuild.events(events, rows)
                events = []
            if line["sha256"] not in done:
                done.add(line["sha256"])
                files.append(line)
            continue
        if files and kind != DECISION:  # the year changes: judge what came before
            _judge(ws, files, seen, given, jobs, result)
            files = []
        events.append(line)
    result.missing += ws.rebuild.events(events, rows)
    _judge(ws, files, seen, given, jobs, result)
    later = [s for sha in done for s in seen.get(sha, ())[1:]]
    if later:
        ws.rebuild.sightings(later)


def _judge(ws: Workspace, files: list[dict], seen: dict, given: dict[str, Path],
           jobs: int | None, result: RecoveryResult) -> None:
    """Judge again the files of one run of arrivals, then give each back its arrival."""
    from ..collect import collect
    from ..collect import display_name

    found = []
    for line in files:
        sha = line["sha256"]
        path = ws.store.kept(sha, line.get("kind") or "") or given.get(sha)
        first = seen.get(sha, [])[:1]
        if path is None:
            ws.rebuild.lost(line, first)
            result.lost.append(_where(first) or sha[:12])
        else:
            found.append((line, path, first))
    if not found:
        return
    collect([p for _, p, _ in found], ws, jobs=jobs, year=False, mail_files=False)
    for line, path, first in found:
        row = ws.files.get(line["sha256"])
        if row is None:  # not recorded (a reader failure of ours): collected last
            continue
        result.replayed += 1
        name = display_name(_where(first))
        problems = [{**p, "file": name} if p.get("file") else p
                    for p in row.problems or []] if name else None
        saved = (line["saved_at"], line["saved_from"]) if line.get("saved_at") and \
            (row.saved_from or "berkas") == "berkas" else None
        ws.rebuild.arrival(line, first, problems, saved)


def _where(seen: list[dict]) -> str:
    if not seen:
        return ""
    s = seen[0]
    return f"{s['source']} › {s['member']}" if s.get("member") else s["source"]


def _by_content(folders: list[Path]) -> dict[str, Path]:
    """sha256 → a file under ``folders`` with that content (bytes the store lacks)."""
    out: dict[str, Path] = {}
    for folder in folders:
        for path in ([folder] if folder.is_file() else
                     sorted(p for p in folder.rglob("*") if p.is_file())):
            try:
                out.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
            except OSError:
                continue
    return out


def _not_in_ledger(ws: Workspace, inputs: list[Path]) -> list[Path]:
    """The files under ``inputs`` whose content the ledger does not hold yet: collecting
    a known file again would only add a sighting of where recovery found it."""
    known = ws.files.known_shas() or set()
    out = []
    for item in inputs:
        paths = [item] if item.is_file() else sorted(p for p in item.rglob("*")
                                                     if p.is_file())
        for path in paths:
            name = path.name.split(".")[0]
            if item.name == STORE_DIR and name in known:
                continue
            try:
                if hashlib.sha256(path.read_bytes()).hexdigest() in known:
                    continue
            except OSError:
                pass
            out.append(path)
    return out


# --------------------------------------------------------------------------- no journal

def _record_found(ws: Workspace, rows: dict, current: dict[str, int],
                  order: dict[str, int]) -> None:
    """Without a journal: every revision found, the forms folders' own current; forms in
    the distribution list's order (the master's), then as found."""
    rank = {fid: order.get(fid, len(order)) for fid, _ in rows}
    ordered = sorted(rows.values(), key=lambda r: (rank[r.form_id], r.form_id, r.revision))
    ws.issued.record(ordered)
    latest = {}
    for r in ordered:
        latest[r.form_id] = r.revision
    again = [rows[(fid, rev)] for fid, rev in current.items() if latest[fid] != rev]
    if again:
        ws.issued.record(again)


def _distribution_order(forms_dirs: list[Path]) -> dict[str, int]:
    """form id → its row in the distribution lists of the forms folders (the master's
    order), when they are there."""
    import openpyxl

    from ..forms import DISTRIBUTION_FILE

    order: dict[str, int] = {}
    for folder in forms_dirs:
        path = Path(folder) / DISTRIBUTION_FILE
        if not path.is_file():
            continue
        try:
            wb = openpyxl.load_workbook(path, read_only=True)
            rows = list(wb.worksheets[0].iter_rows(values_only=True))
            wb.close()
        except Exception:  # not ours, or broken: the order is only a nicety
            continue
        for row in rows:
            for value in row:
                if isinstance(value, str) and value.count("-") == 1 and \
                        value.split("-")[0].isdigit() and len(value) == 17:
                    order.setdefault(value, len(order))
    return order

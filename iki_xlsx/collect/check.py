"""``check``: the verdict of collect on one file, recording nothing — with the workspace
(the full judgement) or without its key (file checks and values only) — and
:func:`verify_file` for a form checked on its own against its manifest."""

from __future__ import annotations

from pathlib import Path

from ..core.problems import Problem, Status
from ..forms import content_hash, load_view, reading_view, verify
from ..forms import layout as L
from ..workspace import Workspace
from .judge import Judge
from .pool import read_source
from .reading import RawReading, read_path
from .realisasi import read_values
from .result import FileResult
from .sources import Source, display_name, text_of_path


def check_file(path: Path, ws: Workspace | None, *, tahun: int | None = None) -> FileResult:
    """The checks of collect for one file, without recording anything. Without a
    workspace key the signature cannot be checked (the result says so)."""
    name = text_of_path(str(path))
    src = Source(display_name(name), name, path=path)
    if not path.is_file():
        raw = RawReading("", 0)
        raw.problems.append(Problem("berkas_tidak_ada"))
        return Judge(ws, tahun).judge(raw, src) if ws else _bare(raw, src)
    if ws is None or not ws.has_key():
        raw = read_source((src, None, None))
        return _bare(raw, src)
    raw = read_source((src, ws.key, ws.key_id))
    if tahun is None and ws.issued.years():
        tahun = ws.issued.years()[-1]
    return Judge(ws, tahun).judge(raw, src)


def _bare(raw: RawReading, src: Source) -> FileResult:
    """Without the key: file checks and values only, and a note that the signature and
    the issued content could not be checked."""
    res = FileResult(src.name, src.source, src.member, raw.sha256, raw.size, Status.OK,
                     kind=raw.kind)
    for fp in raw.problems:
        res.problems.append(Problem(fp.code, fp.params, file=src.name))
    if not raw.fatal and raw.review is not None:  # a review workbook (issue 26): its
        m = raw.manifest  # decisions are judged against the ledger only
        res.form_id, res.revision, res.tahun = m["review_id"], m["revision"], m["tahun"]
        res.nip, res.nama = m["atasan"]["nip"], m["atasan"]["nama"]
        res.problems.append(Problem("tanpa_kunci", file=src.name))
    elif not raw.fatal:
        m = raw.manifest
        res.form_id, res.revision, res.nip = m["form_id"], m["revision"], m["nip"]
        res.nama, res.tahun = str(m.get("nama", "")), m["tahun"]
        res.problems.append(Problem("tanpa_kunci", file=src.name))
        if raw.protected is False:
            res.problems.append(Problem("proteksi_dibuka", file=src.name))

        def add(code, cell="", indicator="", **params):
            res.problems.append(Problem(code, params, file=src.name, sheet=L.SHEET_FORM if cell else "",
                                        cell=cell, indicator=indicator))

        view = load_view(reading_view(m))
        read_values(raw, view, lambda: [f"No. {e.no} ({e.id})" for e in view.indicators],
                    res, add)
    res.status = Status.of(res.problems)
    return res


def verify_file(path: str | Path, key: bytes) -> list[str]:
    """Problem codes for a form file checked on its own (no ledger): the file-level
    problem, or ``tanda_tangan_salah``, ``isi_terkunci_berubah``; empty when intact."""
    raw = read_path(path, key, None)
    if raw.fatal:
        return [p.code for p in raw.problems]
    if not verify(raw.manifest, key):
        return ["tanda_tangan_salah"]
    if content_hash(raw.locked) != raw.manifest.get("content_hash"):
        return ["isi_terkunci_berubah"]
    return []

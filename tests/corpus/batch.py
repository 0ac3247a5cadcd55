"""A batch of returned files for the crash and concurrency tests, and the ledger's
content as two runs must agree on it (nothing that depends on when it was written)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from filling import fill, zip_of

from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace

from .build import typed

FILE_COLUMNS = ("sha256", "size", "kind", "form_id", "revision", "nip", "tahun", "status",
                "problems", "realisasi", "filled", "last_period", "modified_at")


def make_batch(root: Path, master) -> tuple[Workspace, Path]:
    """Issued forms and ~40 returned files: for every form several fills (each with a
    different number of cells, so that which one is current never depends on timing),
    duplicates, broken files, and a zip archive of some of them."""
    ws = Workspace(root / "ws")
    forms = generate_forms(master, root / "forms", ws, jobs=1).forms
    inbox = root / "masuk"
    inbox.mkdir()
    members = {}
    for f, p in enumerate(forms):
        m = p.manifest
        cells = [(i, j) for j in range(len(m["periods"])) for i in range(len(m["indicators"]))]
        for n in range(1, 7):
            values: dict[int, list] = {}
            for i, j in cells[:n]:
                yes_no = m["indicators"][i]["polaritas"] == "ya/tidak"
                values.setdefault(i, [None] * len(m["periods"]))[j] = \
                    "Ya" if yes_no else 10 + n + i
            path = fill(p.path, inbox / f"f{f}-n{n}.xlsx", typed(m, values))
            if n in (2, 5):
                members[f"kiriman/f{f}-n{n}.xlsx"] = path.read_bytes()
    (inbox / "salinan.xlsx").write_bytes((inbox / "f0-n3.xlsx").read_bytes())
    (inbox / "rusak.xlsx").write_bytes(b"PK\x03\x04 terpotong")
    (inbox / "teks.xlsx").write_text("bukan excel")
    (inbox / "arsip.zip").write_bytes(zip_of(members))
    return ws, inbox


def run_collect(ws: Path, inbox: Path | list[Path], report: Path,
                jobs: int) -> subprocess.Popen:
    """``iki-xlsx collect`` as an officer runs it, in its own process group."""
    inputs = inbox if isinstance(inbox, list) else [inbox]
    return subprocess.Popen(
        [sys.executable, "-m", "iki_xlsx.cli", "collect", *map(str, inputs), "-w", str(ws),
         "--report", str(report), "--json", "-j", str(jobs)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def snapshot(ws_path: Path) -> dict:
    """The ledger's content, without what depends on when it was written."""
    ws = Workspace(ws_path)
    try:
        files = sorted(tuple(str(getattr(row, c)) for c in FILE_COLUMNS) for row in ws.files.all())
        sightings = sorted({(r[0], r[1], r[2]) for r in ws.db.execute(
            "SELECT sha256, source, member FROM sightings")})
        return {"files": files, "sightings": sightings, "values": values_view(ws),
                "recap": recap_view(ws)}
    finally:
        ws.close()


def values_view(ws: Workspace) -> dict:
    """What counts for each form, cell by cell (the timeline's values)."""
    try:
        from iki_xlsx.core.timeline import load_years
    except ImportError:
        return {}
    years = load_years(ws, None, ws.issued.forms())
    return {form_id: sorted((k, repr(v.value)) for k, v in year.values.items())
            for form_id, year in years.items()}


def recap_view(ws: Workspace):
    try:
        from iki_xlsx.recap.build import build_recap
    except ImportError:  # the recap is optional here: the ledger comparison stands alone
        return None
    recap = build_recap(ws)
    forms = [(f.form_id, f.status, f.upto, f.capaian, f.predikat, f.rejected,
              [(i.id, sorted(i.values.items()), i.total, i.capaian, i.status, i.keterangan)
               for i in f.indicators]) for f in recap.forms]
    issues = sorted((i.sha256, tuple(sorted(i.names)), i.status, i.used) for i in recap.files)
    return recap.upto, forms, issues


def check_consistent(ws_path: Path) -> None:
    """What a kill may never leave behind: a damaged database, a file without the record
    of where it was seen (or the reverse), an accepted file without its values."""
    db = sqlite3.connect(ws_path / "ledger.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("SELECT COUNT(*) FROM files f WHERE NOT EXISTS (SELECT 1 FROM"
                          " sightings s WHERE s.sha256 = f.sha256)").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM files WHERE status IN ('diterima',"
                          " 'diterima_catatan') AND realisasi IS NULL").fetchone()[0] == 0
    finally:
        db.close()


def sightings(ws_path: Path) -> int:
    db = sqlite3.connect(f"file:{ws_path / 'ledger.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute("SELECT COUNT(*) FROM sightings").fetchone()[0]
    finally:
        db.close()


def wait_for_sightings(ws_path: Path, n: int, proc: subprocess.Popen) -> None:
    """Until ``n`` sightings are in the ledger (read while collect writes: WAL)."""
    deadline = time.monotonic() + 60
    while sightings(ws_path) < n and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.003)

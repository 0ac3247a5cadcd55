"""Concurrency with the portal: uploads through the portal while ``iki-xlsx collect``
runs on the same workspace (another process) and the officer downloads the recap and
a reader builds it, end with the ledger a sequential run gives — every upload recorded,
nothing lost, no "database is locked"."""

from __future__ import annotations

import re
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor

from corpus.batch import (
    check_consistent,
    make_batch,
    run_collect,
    snapshot,
    wait_for_sightings,
)
from corpus.build import typed
from filling import fill
from portalkit import PASSWORD, Client, portal

from iki_xlsx.collect import collect
from iki_xlsx.core.texts import get_texts
from iki_xlsx.portal.auth import set_password
from iki_xlsx.workspace import Workspace


def portal_files(ws: Workspace, root, inbox):
    """Files the pegawai upload: new fills of every form (each a different number of
    cells) and a few of the files the collect run also reads (the same content by two
    ways at once)."""
    out = root / "unggah"
    out.mkdir()
    forms = sorted(ws.issued.forms(), key=lambda f: f.form_id)
    paths = []
    for k, f in enumerate(forms):
        m = ws.issued.form(f.form_id, f.revision).manifest
        src = next((root / "forms").rglob(f"*{f.nip}*{f.kode_iki}*.xlsx"), None) \
            or next(p for p in (root / "forms").rglob("*.xlsx")
                    if f.nama.split(",")[0].split()[-1] in p.name)
        for n in (2, 4, 7):
            cells = [(i, j) for j in range(len(m["periods"]))
                     for i in range(len(m["indicators"]))][:n]
            values: dict[int, list] = {}
            for i, j in cells:
                yes = m["indicators"][i]["polaritas"] == "ya/tidak"
                values.setdefault(i, [None] * len(m["periods"]))[j] = \
                    "Tidak" if yes else 40 + n + i + k
            paths.append(fill(src, out / f"u{k}-{n}.xlsx", typed(m, values)))
    shared = sorted(inbox.glob("f*-n3.xlsx"))[:3]
    return paths + shared


def view(ws_path):
    """What must not depend on the order: every file's record, the values per cell and
    the recap's figures (sightings differ: each upload has its own receipt)."""
    snap = snapshot(ws_path)
    recap = snap["recap"]
    # a problem names the path the file was read from: the upload's own receipt there
    files = [tuple(re.sub(r"'file': '[^']*', ", "", col) for col in row)
             for row in snap["files"]]
    return sorted(files), snap["values"], (recap[0], recap[1]) if recap else None


def test_uploads_while_collect_and_recap_run(tmp_path, small_master):
    ws, inbox = make_batch(tmp_path, small_master)
    uploads = portal_files(ws, tmp_path, inbox)
    set_password(ws.path, PASSWORD, get_texts())
    ws.close()
    pristine = tmp_path / "ws-awal"
    shutil.copytree(ws.path, pristine)

    sequential = tmp_path / "ws-urut"
    shutil.copytree(pristine, sequential)
    proc = run_collect(sequential, inbox, tmp_path / "lap-urut.xlsx", 1)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode in (0, 1), err.decode()[-2000:]
    w = Workspace(sequential)
    collect(uploads, w, jobs=1)
    w.close()
    expected = view(sequential)

    together = tmp_path / "ws-bareng"
    shutil.copytree(pristine, together)
    errors: list[BaseException] = []
    stop = threading.Event()
    recaps: list[int] = []

    def officer(base: str) -> None:  # the officer downloads the recap again and again
        try:
            c = Client(base)
            assert c.login().status_code == 200
            while not stop.is_set():
                r = c.get("/petugas/unduh/rekap.xlsx")
                assert r.status_code == 200 and r.content[:2] == b"PK", r.status_code
                recaps.append(1)
        except BaseException as exc:
            errors.append(exc)

    def send(path, base):
        c = Client(base)
        r = c.upload(path)
        return r.status_code, r.text

    with portal(together, upload_limit=(10_000, 60.0)) as running:
        collector = run_collect(together, inbox, tmp_path / "lap-bareng.xlsx", 2)
        watcher = threading.Thread(target=officer, args=(running.url,))
        watcher.start()
        wait_for_sightings(together, 1, collector)  # collect is writing: upload now
        try:
            with ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(lambda p: send(p, running.url), uploads))
            _, err = collector.communicate(timeout=180)
        finally:
            stop.set()
            watcher.join(120)
    text = err.decode()
    assert collector.returncode in (0, 1), text[-2000:]
    assert "locked" not in text and "Traceback" not in text, text[-2000:]
    assert not errors, errors
    assert recaps
    for (code, page), path in zip(answers, uploads):
        assert code == 200, (path.name, page[-500:])
        assert "TT-" in page and "locked" not in page
    check_consistent(together)
    assert view(together) == expected

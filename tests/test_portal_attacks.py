"""The portal under the attacks of issue 21 (HTTP with ``requests``; other client
addresses are other loopback addresses): anonymous uploads no longer grow the workspace
without bound (what is not a form of this workspace keeps no bytes; byte budgets per
address and in all, with an Indonesian 429; an upload reads at most 20 files, archives
not inside archives), trickling connections from one address cannot take the server,
and whatever is too large or malformed gets the portal's own Indonesian page."""

from __future__ import annotations

import hashlib
import io
import os
import re
import socket
import time
import zipfile
from pathlib import Path

import pytest
from filling import zip_of
from portalkit import ANDI, KEPALA, Client, copy_world, filled, make_world, portal, text_of

from iki_xlsx.core.texts import get_texts
from iki_xlsx.portal.auth import ByteBudget
from iki_xlsx.portal.server import Guard
from iki_xlsx.workspace import Workspace

T = get_texts().t
CSP = "default-src 'none'"


@pytest.fixture(scope="module")
def world(tmp_path_factory, small_master):
    root = tmp_path_factory.mktemp("serangan")
    ws_path, forms = make_world(root, small_master)
    andi = filled(forms[ANDI], root / "andi.xlsx", {(0, "TW1"): 12})
    kepala = filled(forms[KEPALA], root / "kepala.xlsx", {(0, "TW1"): 80})
    return {"ws": ws_path, "forms": forms, "andi": andi, "kepala": kepala, "root": root}


@pytest.fixture
def ws_copy(world, tmp_path):
    return copy_world(world["ws"], tmp_path / "ws")


def stored(ws_path: Path) -> list[Path]:
    root = ws_path / "berkas"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def with_comment(data: bytes, comment: bytes) -> bytes:
    """The same workbook with another zip comment (the end record's last field)."""
    assert data[-22:-18] == b"PK\x05\x06" and data[-2:] == b"\0\0"
    return data[:-2] + len(comment).to_bytes(2, "little") + comment


# --------------------------------------------------------------------------- budgets

def test_uploads_that_are_not_forms_keep_no_bytes(world, ws_copy):
    """Ten random 1 MiB "photos": each ditolak with its hash, size and verdict in the
    ledger, none of their bytes in the workspace."""
    before = stored(ws_copy)
    photos = [os.urandom(1024 * 1024) for _ in range(10)]
    with portal(ws_copy) as running:
        c = Client(running.url)
        for k, data in enumerate(photos):
            c.get("/")
            r = c.post("/unggah", files=[("berkas", (f"foto-{k}.jpg", data))])
            assert r.status_code == 200 and T("cli.status.ditolak") in text_of(r.text)
    assert stored(ws_copy) == before
    ws = Workspace(ws_copy)
    for data in photos:
        row = ws.files.get(hashlib.sha256(data).hexdigest())
        assert (row.size, row.status) == (len(data), "ditolak")
        assert row.problems[0]["code"] == "bukan_spreadsheet"
        assert not any(p["code"] == "berkas_tidak_tersimpan" for p in row.problems)


def test_a_zip_of_a_thousand_copies_is_one_verdict_and_nothing_kept(world, ws_copy):
    """The attack of the issue: 1,000 copies of one form, differing only in their zip
    comment, in one zip. Refused as one upload before any member is read."""
    form = world["andi"].read_bytes()
    archive = zip_of({f"salinan-{k:04d}.xlsx": with_comment(form, str(k).encode())
                      for k in range(1000)})
    rows = len(Workspace(ws_copy).files.all())
    with portal(ws_copy) as running:
        c = Client(running.url)
        c.get("/")
        r = c.post("/unggah", files=[("berkas", ("kiriman.zip", archive))])
        page = text_of(r.text)
    assert r.status_code == 200 and page.count(T("cli.status.ditolak")) >= 1
    assert "1000 berkas" in page and "20 formulir" in page
    assert len(re.findall(r"TT-\d{8}-[0-9A-F]{10}", page)) >= 1
    ws = Workspace(ws_copy)
    assert len(ws.files.all()) == rows + 1  # one verdict: the archive's
    assert stored(ws_copy) == []
    assert ws.files.all()[-1].problems[0]["code"] == "unggahan_terlalu_banyak"


def test_an_upload_reads_twenty_files_and_no_archive_inside_an_archive(world, ws_copy):
    forms = world["forms"]
    fifteen = [filled(forms[ANDI], world["root"] / f"a{k}.xlsx", {(0, "TW1"): k})
               for k in range(30)]
    first = zip_of({p.name: p.read_bytes() for p in fifteen[:15]})
    second = zip_of({p.name: p.read_bytes() for p in fifteen[15:]})
    nested = zip_of({"dalam.zip": zip_of({"kepala.xlsx": world["kepala"].read_bytes()}),
                     "kepala.xlsx": world["kepala"].read_bytes()})
    with portal(ws_copy) as running:
        c = Client(running.url)
        c.get("/")
        r = c.post("/unggah", files=[("berkas", ("satu.zip", first)),
                                     ("berkas", ("dua.zip", second))])
        page = text_of(r.text)
        assert page.count("Andi Pratama") == 20
        assert T("masalah.unggahan_terlalu_banyak", n=0, max=20) in page
        c.get("/")
        page = text_of(c.post("/unggah", files=[("berkas", ("bersarang.zip", nested))]).text)
        assert T("masalah.arsip_terlalu_dalam") in page and "Rahmat Wijaya" in page
    ws = Workspace(ws_copy)
    got = {hashlib.sha256(p.read_bytes()).hexdigest() for p in fifteen}
    recorded = {r.sha256 for r in ws.files.all()} & got
    assert len(recorded) == 20


def test_byte_budgets_per_address_and_in_all_answer_429_in_indonesian(world, ws_copy):
    size = max(world[who].stat().st_size for who in ("andi", "kepala"))
    budget = (3 * size + 4000, 5 * size + 8000)  # three uploads per address, five in all
    with portal(ws_copy, upload_budget=budget) as running:
        here, there, third = (Client(running.url, source=a) for a in
                              ("127.0.0.1", "127.0.0.2", "127.0.0.3"))
        for _ in range(3):
            assert here.upload(world["andi"]).status_code == 200
        r = here.upload(world["andi"])
        assert r.status_code == 429 and r.headers["Retry-After"]
        assert T("portal.unggah.kuota_alamat", mb=0) in text_of(r.text)
        assert CSP in r.headers["Content-Security-Policy"]
        for _ in range(2):  # another address still may …
            assert there.upload(world["kepala"]).status_code == 200
        r = third.upload(world["kepala"])  # … until everyone's budget is spent
        assert r.status_code == 429 and T("portal.unggah.kuota_total", mb=0) in text_of(r.text)
    log = (ws_copy / "portal" / "log-portal.txt").read_text(encoding="utf-8")
    assert "127.0.0.1 unggah_kuota_alamat" in log and "127.0.0.3 unggah_kuota_total" in log


def test_byte_budget_window_and_what_keeping_cost():
    b = ByteBudget(100, 150, seconds=10)
    assert b.allow("a", 60, now=0) == "" and b.allow("a", 50, now=1) == "alamat"
    b.charge("a", 30, now=2)  # a small zip of many forms: what keeping it cost
    assert b.allow("a", 20, now=3) == "alamat"
    assert b.allow("b", 60, now=3) == "" and b.allow("c", 10, now=4) == "total"
    assert b.allow("a", 90, now=12.5) == ""  # the first hour's bytes left the window


# --------------------------------------------------------------------------- connections

def _address(url: str) -> tuple[str, int]:
    host, port = url.split("//", 1)[1].strip("/").rsplit(":", 1)
    return host, int(port)


def test_trickling_connections_from_one_address_cannot_take_the_server(world, ws_copy):
    """210 connections from one address, each sending a request a byte at a time: past
    20 the address is told (Indonesian, our headers) and hung up on; another client's
    page comes at once; a trickler's request that outlasts its time is closed."""
    guard = Guard(header_seconds=8, check_seconds=1)
    with portal(ws_copy, guard=guard) as running:
        host, port = _address(running.url)
        held, refused = [], 0
        for _ in range(210):
            s = socket.create_connection((host, port), timeout=10,
                                         source_address=("127.0.0.2", 0))
            s.sendall(b"GET / HTTP/1.1\r\nHo")
            held.append(s)
        for s in held[20:]:
            s.settimeout(10)
            answer = s.recv(4096)
            if answer.startswith(b"HTTP/1.1 429"):
                refused += 1
                assert CSP.encode() in answer
        assert refused == 190
        r = Client(running.url).get("/")
        assert r.status_code == 200 and T("portal.unggah.judul") in text_of(r.text)
        # the twenty let in: closed once their headers are late
        deadline = time.monotonic() + 60
        closed = 0
        for s in held[:20]:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                while s.recv(4096):
                    pass
                closed += 1  # the server hung up
            except ConnectionResetError:
                closed += 1
            except socket.timeout:
                pass
        assert closed == 20
        for s in held:
            s.close()


def test_too_large_and_malformed_requests_get_our_page(world, ws_copy):
    with portal(ws_copy) as running:
        c = Client(running.url)
        c.get("/")
        # over 100 MiB (the case: waitress's English text) and just over the
        # application's own bound: the server does not read either body
        for size in (101 * 1024 * 1024, 23 * 1024 * 1024):
            c.get("/")
            big = io.BytesIO(b"PK" + b"\0" * size)
            r = c.post("/unggah", files=[("berkas", ("besar.xlsx", big))])
            assert r.status_code == 413 and T("portal.galat.413") in text_of(r.text)
            assert CSP in r.headers["Content-Security-Policy"]
            assert r.headers["X-Frame-Options"] == "DENY"
        host, port = _address(running.url)
        for raw, code in ((b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
                          (b"GET / HTTP/1.1\r\nHost: x\r\nX-Besar: " + b"a" * 300_000
                           + b"\r\n\r\n", 431),
                          (b"POST /unggah HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n"
                           b"\r\n", 501)):
            with socket.create_connection((host, port), timeout=30) as s:
                s.sendall(raw)
                got = b""
                while b"</html>" not in got:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += chunk
            head, _, body = got.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.") and head.split()[1] == str(code).encode(), \
                head[:80]
            assert CSP.encode() in head and b'<html lang="id">' in body
            assert b"generated by" not in got and b"Bad Request\r\n" not in body
        assert Client(running.url).get("/").status_code == 200


# --------------------------------------------------------------------------- paths

def test_no_page_shows_a_path_of_the_server(world, ws_copy, tmp_path):
    """The exclusion confirmation showed ``…/portal/masuk/TT-….unggahan``: no page, the
    pegawai's nor the officer's, shows a path of the server."""
    junk = tmp_path / "foto.xlsx"
    junk.write_bytes(b"\xff\xd8\xff bukan formulir" * 50)
    inbox = zip_of({"andi.xlsx": world["andi"].read_bytes()})
    folder = tmp_path / "masuk-dari-folder"
    folder.mkdir()
    (folder / "kepala.xlsx").write_bytes(world["kepala"].read_bytes())
    from iki_xlsx.collect import collect

    collect([folder], Workspace(ws_copy), jobs=1)  # a file the officer collected
    with portal(ws_copy) as running:
        pegawai = Client(running.url)
        pages = [pegawai.get("/").text, pegawai.upload(world["andi"]).text,
                 pegawai.upload(junk).text]
        pegawai.get("/")
        pages.append(pegawai.post("/unggah", files=[("berkas", ("arsip.zip", inbox))]).text)
        officer = Client(running.url)
        pages.append(officer.login().text)
        for path, tindakan in ((world["andi"], "kecualikan"), (world["andi"], "sertakan"),
                               (world["kepala"], "kecualikan"), (junk, "kecualikan")):
            r = officer.post("/petugas/keputusan", {
                "berkas": hashlib.sha256(path.read_bytes()).hexdigest(),
                "tindakan": tindakan, "alasan": "uji"})
            pages.append(r.text)
        pages += [officer.get("/petugas?periode=TW1").text, officer.get("/tidak-ada").text]
    shown = " ".join(text_of(p) for p in pages)
    assert T("keputusan.dicatat_kecualikan", berkas="portal", nama="", alasan="")[:18] \
        in shown
    assert T("keputusan.berkas_ditolak", berkas="portal X")[:10] in shown
    for page in pages:
        for server in (str(ws_copy), str(tmp_path), "/tmp/", "masuk/TT-", ".unggahan",
                       str(folder)):
            assert server not in page, (server, text_of(page)[:400])

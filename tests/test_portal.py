"""The portal over plain HTTP (requests against waitress on 127.0.0.1): a pegawai's
upload judged and recorded exactly as collect does, the verdict and receipt; hostile
files; CSRF, login, rate limits, headers; nothing about another pegawai reachable."""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat

import openpyxl
import pytest
import requests
from filling import rewrite_member
from portalkit import (
    ANDI,
    KEPALA,
    PASSWORD,
    Client,
    copy_world,
    filled,
    make_world,
    portal,
    text_of,
)
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.collect import collect
from iki_xlsx.core.texts import get_texts
from iki_xlsx.portal.auth import PASSWORD_FILE, RateLimit, check_password
from iki_xlsx.workspace import Workspace

T = get_texts().t


@pytest.fixture(scope="module")
def world(tmp_path_factory, small_master):
    root = tmp_path_factory.mktemp("portal")
    ws_path, forms = make_world(root, small_master)
    files = root / "isi"
    files.mkdir()
    andi = filled(forms[ANDI], files / "andi.xlsx", {(0, "TW1"): 12, (1, "TW1"): "85,5"})
    kepala = filled(forms[KEPALA], files / "kepala.xlsx", {(0, "TW1"): 80})
    return {"root": root, "ws": ws_path, "forms": forms, "andi": andi, "kepala": kepala}


@pytest.fixture
def served(world, tmp_path):
    """A fresh copy of the workspace, served on a free port of 127.0.0.1."""
    ws = copy_world(world["ws"], tmp_path / "ws")
    with portal(ws) as running:
        yield ws, running, Client(running.url)


def test_upload_shows_whose_form_values_capaian_and_receipt_and_records_it(world, served,
                                                                          tmp_path):
    ws_path, _, client = served
    r = client.upload(world["andi"], names=["IKI Andi dari WA.xlsx"])
    assert r.status_code == 200
    page = text_of(r.text)
    assert "Andi Pratama, S.Kom" in page and "19900520 201503 1 003" in page
    assert T("cli.status.diterima") in page
    assert "85,5" in page and "12" in page
    assert "Capaian" in page and "s.d. TW I" in page
    receipt = re.search(r"TT-\d{8}-[0-9A-F]{10}", page).group(0)
    sha = hashlib.sha256(world["andi"].read_bytes()).hexdigest()
    assert " ".join(sha[i:i + 8] for i in range(0, 64, 8)) in page
    # recorded exactly as collect records the same file in another copy
    ws = Workspace(ws_path)
    row = ws.files.get(sha)
    assert row is not None and row.status == "diterima"
    assert ws.store.path_of(sha, row.kind).is_file()
    assert any(receipt in s.source for s in ws.files.sightings(sha))
    other = Workspace(copy_world(world["ws"], tmp_path / "ws-collect"))
    got = collect([world["andi"]], other, jobs=1).results[0]
    assert (got.status, got.realisasi, got.form_id) == (row.status, row.realisasi,
                                                        row.form_id)
    # the private inbox is empty again; the audit log has the receipt and the client
    assert list((ws_path / "portal" / "masuk").iterdir()) == []
    log = (ws_path / "portal" / "log-portal.txt").read_text(encoding="utf-8")
    assert re.search(rf"Z 127\.0\.0\.1 unggah {receipt} sha256={sha}", log)
    # the officer finds the file by the receipt the pegawai shows (iki-xlsx kecualikan …)
    from iki_xlsx.year.officer import find_file

    assert find_file(ws, f"{receipt}.unggahan").sha256 == sha


def test_the_verdict_names_the_cell_and_what_to_do(world, served, tmp_path):
    _, _, client = served
    bad = filled(world["forms"][ANDI], tmp_path / "salah.xlsx", {(0, "TW1"): "banyak"})
    page = text_of(client.upload(bad).text)
    ref = world["forms"][ANDI].manifest["indicators"][0]["cells"]["realisasi"]["TW1"]
    assert f"IKI!{ref}" in page
    assert "→" in page  # what to do
    assert str(tmp_path) not in page and "masuk" not in page.split("Tanda terima")[0]


def test_several_files_at_once_each_with_its_verdict(world, served):
    _, _, client = served
    page = text_of(client.upload(world["andi"], world["kepala"]).text)
    assert "Andi Pratama" in page and "Rahmat Wijaya" in page
    assert len(set(re.findall(r"TT-\d{8}-[0-9A-F]{10}", page))) == 2  # one receipt each


def test_hostile_files_get_an_indonesian_verdict_and_the_server_keeps_serving(world, served,
                                                                              tmp_path):
    ws_path, _, client = served
    entity = rewrite_member(world["andi"], tmp_path / "entitas.xlsx", "xl/workbook.xml",
                            b"<workbook", b'<!DOCTYPE w [<!ENTITY a "aaaa">]><workbook')
    junk = tmp_path / "foto.xlsx"
    junk.write_bytes(b"\xff\xd8\xff\xe0 bukan spreadsheet" * 100)
    cut = tmp_path / "terpotong.xlsx"
    cut.write_bytes(world["andi"].read_bytes()[:3000])
    for path, code in ((entity, "xml_entitas"), (junk, None), (cut, None)):
        r = client.upload(path)
        assert r.status_code == 200
        page = text_of(r.text)
        assert T("cli.status.ditolak") in page
        assert "Traceback" not in r.text
        if code:
            assert Workspace(ws_path).files.get(hashlib.sha256(path.read_bytes())
                                                 .hexdigest()).problems[0]["code"] == code
    big = io.BytesIO(b"PK" + b"\0" * (23 * 1024 * 1024))
    r = client.post("/unggah", files=[("berkas", ("besar.xlsx", big))])
    assert r.status_code == 413 and T("portal.galat.413") in text_of(r.text)
    assert T("cli.status.diterima") in text_of(client.upload(world["kepala"]).text)


def test_csrf_is_required_on_every_post(world, served):
    ws_path, _, client = served
    before = len(Workspace(ws_path).files.all())
    client.get("/")
    r = client.post("/unggah", files=[("berkas", ("a.xlsx", world["andi"].read_bytes()))],
                    csrf=False)
    assert r.status_code == 400 and T("portal.galat.csrf") in text_of(r.text)
    stranger = Client(client.base)
    stranger.get("/")
    r = client.post("/unggah", {"csrf": stranger.csrf},
                    files=[("berkas", ("a.xlsx", world["andi"].read_bytes()))], csrf=False)
    assert r.status_code == 400
    assert len(Workspace(ws_path).files.all()) == before
    client.login()
    client.get("/petugas")
    r = client.post("/petugas/keputusan", {"berkas": "0" * 64, "tindakan": "kecualikan",
                                            "alasan": "x"}, csrf=False)
    assert r.status_code == 400
    r = client.post("/petugas/masuk", {"sandi": PASSWORD}, csrf=False)
    assert r.status_code == 400


def test_officer_pages_need_the_login(world, served):
    ws_path, _, client = served
    for path in ("/petugas", "/petugas/unduh/rekap.xlsx", "/petugas/unduh/rekap.html",
                 "/petugas/unduh/laporan-pengumpulan.xlsx"):
        r = client.get(path, allow_redirects=False)
        assert r.status_code == 302 and r.headers["Location"].endswith("/petugas/masuk")
    client.get("/")
    sha = hashlib.sha256(b"x").hexdigest()
    r = client.post("/petugas/keputusan", {"berkas": sha, "alasan": "coba"},
                    allow_redirects=False)
    assert r.status_code == 302
    assert Workspace(ws_path).decisions.by_form() == {}
    r = client.login("salah-sekali-sandinya")
    assert r.status_code == 403 and T("portal.masuk.salah") in text_of(r.text)
    assert client.get("/petugas", allow_redirects=False).status_code == 302
    r = client.login()
    assert r.status_code == 200 and T("portal.petugas.per_unit") in text_of(r.text)
    client.post("/petugas/keluar")
    assert client.get("/petugas", allow_redirects=False).status_code == 302


def test_login_is_rate_limited_and_logged(world, tmp_path):
    ws = copy_world(world["ws"], tmp_path / "ws")
    with portal(ws, login_limit=(3, 60.0)) as running:
        client = Client(running.url)
        for _ in range(3):
            assert client.login("bukan-sandinya-123").status_code == 403
        r = client.login()  # the right one, too late
        assert r.status_code == 429 and T("portal.masuk.terlalu_sering") in text_of(r.text)
    log = (ws / "portal" / "log-portal.txt").read_text(encoding="utf-8")
    assert log.count("127.0.0.1 masuk_gagal") == 3 and "127.0.0.1 masuk_dibatasi" in log


def test_uploads_are_rate_limited(world, tmp_path):
    ws = copy_world(world["ws"], tmp_path / "ws")
    with portal(ws, upload_limit=(2, 60.0)) as running:
        client = Client(running.url)
        assert client.upload(world["andi"]).status_code == 200
        assert client.upload(world["andi"]).status_code == 200
        r = client.upload(world["kepala"])
        assert r.status_code == 429 and T("portal.unggah.terlalu_sering") in text_of(r.text)
        assert client.get("/").status_code == 200
    sha = hashlib.sha256(world["kepala"].read_bytes()).hexdigest()
    assert Workspace(ws).files.get(sha) is None


def test_rate_limit_window_slides():
    limit = RateLimit(2, 10.0)
    assert limit.allow("a", 0) and limit.allow("a", 1) and not limit.allow("a", 2)
    assert limit.allow("b", 2)  # per client
    assert limit.allow("a", 10.5)  # the first hit left the window


def test_security_headers_and_cookie(served):
    _, running, client = served
    for path in ("/", "/petugas/masuk", "/aset/portal.css", "/tidak-ada"):
        r = client.get(path)
        h = r.headers
        csp = h["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "DENY"
        assert h["Referrer-Policy"] == "no-referrer"
    r = requests.get(running.url, timeout=30)  # a first visit: the cookie is set
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert r.headers["Cache-Control"] == "no-store"
    page = r.text
    assert "<script>" not in page and " style=" not in page and "http" not in \
        re.sub(r'(href|src|action)="/[^"]*"', "", page).replace("http-equiv", "")


def test_behind_https_cookies_are_secure(world, tmp_path):
    from iki_xlsx.portal import create_app

    ws = copy_world(world["ws"], tmp_path / "ws")
    app = create_app(ws, secure=True)
    r = app.test_client().get("/", base_url="https://iki.example.go.id")
    assert "Secure" in r.headers["Set-Cookie"]
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_nothing_about_another_pegawai_is_reachable(world, served):
    ws_path, running, client = served
    Client(running.url).upload(world["kepala"])  # someone else sent theirs earlier
    others = ["Rahmat Wijaya", "Sri Lestari", "Nur Aini", "19700101"]
    pages = [client.get("/").text, client.upload(world["andi"]).text]
    for path in ("/petugas", "/petugas/unduh/rekap.xlsx", "/berkas", "/portal/log-portal.txt",
                 "/aset/../ledger.py", "/aset/..%2f..%2fledger.sqlite3",
                 "/aset/%2e%2e/%2e%2e/portal-sandi.txt", "/unggah", "/static/portal.css",
                 "/cari?nip=197001011995031001", "/petugas/unduh/..%2fledger.sqlite3"):
        r = client.get(path)
        assert r.status_code in (200, 404, 405) and "sqlite" not in r.text.lower()
        pages.append(r.text)
    for page in pages:
        for name in others:
            assert name not in page, name
    assert "Andi Pratama" in pages[1]


def test_officer_sees_status_change_decides_and_downloads(world, served):
    ws_path, _, client = served
    client.login()
    page = text_of(client.get("/petugas?periode=TW1").text)
    assert T("portal.petugas.ringkas", periode="TW I", lengkap=0, sebagian=0, belum=5,
             total=5) in page
    full = {(i, "TW1"): v for i, v in enumerate([80, 0, 100, 100])}
    kepala = filled(world["forms"][KEPALA], world["root"] / "kepala-lengkap.xlsx", full)
    Client(client.base).upload(kepala)
    andi = filled(world["forms"][ANDI], world["root"] / "andi-sebagian.xlsx",
                  {(0, "TW1"): 12})
    Client(client.base).upload(andi)
    page = text_of(client.get("/petugas?periode=TW1").text)
    assert T("portal.petugas.ringkas", periode="TW I", lengkap=1, sebagian=1, belum=3,
             total=5) in page
    assert "Andi Pratama" in page
    assert len(re.findall(r"portal TT-\d{8}-[0-9A-F]{10}", page)) >= 2  # by receipt
    # a decision needs a reason; with one it is recorded and logged
    sha = hashlib.sha256(andi.read_bytes()).hexdigest()
    r = client.post("/petugas/keputusan", {"berkas": sha, "tindakan": "kecualikan",
                                            "alasan": "  "})
    assert T("keputusan.alasan_wajib") in text_of(r.text)
    r = client.post("/petugas/keputusan", {"berkas": sha, "tindakan": "kecualikan",
                                            "alasan": "diisi rekan", "periode": "TW1"})
    page = text_of(r.text)
    assert "diisi rekan" in page and T("portal.petugas.dikecualikan") in page
    assert T("portal.petugas.ringkas", periode="TW I", lengkap=1, sebagian=0, belum=4,
             total=5) in page
    r = client.post("/petugas/keputusan", {"berkas": sha, "tindakan": "sertakan",
                                            "alasan": "keliru", "periode": "TW1"})
    assert T("portal.petugas.ringkas", periode="TW I", lengkap=1, sebagian=1, belum=3,
             total=5) in text_of(r.text)
    decisions = [d for ds in Workspace(ws_path).decisions.by_form().values() for d in ds]
    assert [(d.kind, d.sha256, d.reason) for d in decisions] == [
        ("kecualikan", sha, "diisi rekan"), ("sertakan", sha, "keliru")]
    log = (ws_path / "portal" / "log-portal.txt").read_text(encoding="utf-8")
    assert f"127.0.0.1 keputusan kecualikan sha256={sha}" in log
    # downloads, made fresh
    r = client.get("/petugas/unduh/rekap.xlsx?periode=TW1")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    assert "Per Pegawai" in wb.sheetnames
    cells = [str(c) for row in wb["Per Pegawai"].iter_rows(values_only=True) for c in row]
    assert any("Rahmat Wijaya" in c for c in cells)
    r = client.get("/petugas/unduh/laporan-pengumpulan.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    names = [str(c) for row in wb.worksheets[0].iter_rows(values_only=True) for c in row]
    assert sum("TT-" in n for n in names) >= 2
    r = client.get("/petugas/unduh/rekap.html")
    assert r.status_code == 200 and "Rahmat Wijaya" in r.text
    assert client.get("/petugas/unduh/ledger.sqlite3").status_code == 404


def test_password_is_a_private_scrypt_hash(tmp_path):
    from iki_xlsx.portal.auth import PasswordError, set_password

    path = set_password(tmp_path, "kata-sandi-panjang", get_texts())
    text = path.read_text()
    assert text.startswith("scrypt$") and "kata-sandi-panjang" not in text
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert check_password(tmp_path, "kata-sandi-panjang")
    assert not check_password(tmp_path, "kata-sandi-panjanG")
    with pytest.raises(PasswordError, match="terlalu pendek"):
        set_password(tmp_path, "pendek", get_texts())


def test_serve_set_password_from_the_environment(world, tmp_path, monkeypatch):
    ws = copy_world(world["ws"], tmp_path / "ws")
    (ws / PASSWORD_FILE).unlink()
    monkeypatch.setenv("IKI_XLSX_PORTAL_PASSWORD", "sandi-baru-yang-panjang")
    r = CliRunner().invoke(app, ["serve", "--set-password", "-w", str(ws)])
    assert r.exit_code == 0, r.output
    assert "scrypt" in r.output and check_password(ws, "sandi-baru-yang-panjang")
    monkeypatch.setenv("IKI_XLSX_PORTAL_PASSWORD", "pendek")
    r = CliRunner().invoke(app, ["serve", "--set-password", "-w", str(ws)])
    assert r.exit_code == 2 and "terlalu pendek" in r.output


def test_serve_help_is_indonesian_and_an_empty_workspace_is_refused(tmp_path):
    r = CliRunner().invoke(app, ["serve", "--help"])
    assert r.exit_code == 0 and "--set-password" in r.output and "127.0.0.1" in r.output
    assert max(len(line) for line in r.output.splitlines()) <= 80
    r = CliRunner().invoke(app, ["serve", "-w", str(tmp_path / "kosong"), "--no-browser"])
    assert r.exit_code == 2 and "generate" in r.output


def test_behind_the_proxy_the_client_address_and_https_come_from_its_headers(world,
                                                                             tmp_path):
    ws = copy_world(world["ws"], tmp_path / "ws")
    with portal(ws, proxy="127.0.0.1") as running:
        r = requests.get(running.url, timeout=30, headers={
            "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
        assert "Secure" in r.headers["Set-Cookie"]
        client = Client(running.url)
        client.http.headers.update({"X-Forwarded-For": "203.0.113.9",
                                    "X-Forwarded-Proto": "https"})
        # the cookie is Secure: over this plain-HTTP test connection it is not sent back,
        # so the form is refused (as it must be) — and logged with the pegawai's address
        assert client.login("bukan-sandinya-123").status_code == 400
    log = (ws / "portal" / "log-portal.txt").read_text(encoding="utf-8")
    assert "Z 203.0.113.9 csrf_ditolak /petugas/masuk" in log


class _FakeServer:
    effective_port = 8000

    def __init__(self):
        self.ran = self.closed = False

    def run(self):
        self.ran = True
        raise KeyboardInterrupt  # Ctrl+C

    def close(self):
        self.closed = True


@pytest.mark.parametrize("host, warned", [("127.0.0.1", False), ("0.0.0.0", True)])
def test_serve_binds_where_told_warns_for_the_network_and_stops_on_ctrl_c(
        world, tmp_path, monkeypatch, host, warned):
    import webbrowser

    import iki_xlsx.portal as portal_face  # the CLI uses the portal through its face

    made, opened, fake = [], [], _FakeServer()
    monkeypatch.setattr(portal_face, "make_server",
                        lambda ws, **kw: made.append(kw) or fake)
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url))
    ws = copy_world(world["ws"], tmp_path / "ws")
    r = CliRunner().invoke(app, ["serve", "--host", host, "-w", str(ws)])
    assert r.exit_code == 0, r.output
    assert made[0]["host"] == host and made[0]["port"] == 8000 and made[0]["proxy"] is None
    assert made[0]["upload_limit"] == (30, 60.0)
    assert ("PERINGATAN" in r.output) is warned
    assert opened == ["http://127.0.0.1:8000/"] and fake.ran and fake.closed
    assert T("portal.serve.berhenti") in r.output
    r = CliRunner().invoke(app, ["serve", "--no-browser", "--uploads-per-minute", "200",
                                 "-w", str(ws)])
    assert len(opened) == 1 and made[1]["upload_limit"] == (200, 60.0)


def test_no_file_or_too_many_files_is_said_in_indonesian(world, served):
    ws_path, _, client = served
    client.get("/")
    r = client.post("/unggah", files=[("berkas", ("", b""))])
    assert r.status_code == 400 and T("portal.unggah.tanpa_berkas") in text_of(r.text)
    r = client.upload(*[world["andi"]] * 11)
    assert r.status_code == 400 and T("portal.unggah.terlalu_banyak", n=10) in text_of(r.text)
    assert Workspace(ws_path).files.all() == []


ENGLISH = ("Upload", "Submit", "Password", "Login", "Error", "Browse", "Sign in",
           "Not Found", "Forbidden", "Bad Request")


def test_every_page_speaks_indonesian(world, served):
    _, _, client = served
    pages = [client.get("/").text, client.get("/petugas/masuk").text,
             client.get("/tidak-ada").text, client.upload(world["andi"]).text,
             client.post("/unggah", csrf=False).text]
    client.login()
    pages.append(client.get("/petugas").text)
    for page in pages:
        shown = text_of(page)
        assert [w for w in ENGLISH if w in shown] == [], shown[:300]
        assert '<html lang="id">' in page


def test_uploads_left_by_a_stopped_server_are_swept_at_start(world, tmp_path):
    from iki_xlsx.portal import create_app

    ws = copy_world(world["ws"], tmp_path / "ws")
    inbox = ws / "portal" / "masuk"
    inbox.mkdir(parents=True, exist_ok=True)
    old, new = inbox / "TT-20250101-0000000000.unggahan", inbox / "TT-X.unggahan"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    os.utime(old, (1, 1))
    create_app(ws)
    assert not old.exists() and new.exists()


def test_portal_texts_override_no_other_catalogue_key():
    """portal.yaml is read with every other catalogue: a key it shared with one (say a
    ``bantuan.opsi.port`` of another command) would silently replace that text."""
    import yaml

    from iki_xlsx.core.texts import YamlLoader, _flatten, bundled_templates_dir

    folder = bundled_templates_dir()
    mine = set(_flatten(yaml.load((folder / "portal.yaml").read_text(encoding="utf-8"),
                                  Loader=YamlLoader)))
    assert len(mine) > 100
    for path in folder.glob("*.yaml"):
        if path.name != "portal.yaml":
            other = _flatten(yaml.load(path.read_text(encoding="utf-8"),
                                       Loader=YamlLoader) or {})
            assert mine & set(other) == set(), path.name


def test_a_zip_of_forms_gives_a_verdict_per_form_under_one_receipt(world, served, tmp_path):
    from filling import zip_of

    _, _, client = served
    archive = tmp_path / "kiriman.zip"
    archive.write_bytes(zip_of({"a/andi.xlsx": world["andi"].read_bytes(),
                                "kepala.xlsx": world["kepala"].read_bytes()}))
    page = text_of(client.upload(archive).text)
    assert "Andi Pratama" in page and "Rahmat Wijaya" in page
    assert "kiriman.zip › a/andi.xlsx" in page and "kiriman.zip › kepala.xlsx" in page
    assert len(set(re.findall(r"TT-\d{8}-[0-9A-F]{10}", page))) == 1

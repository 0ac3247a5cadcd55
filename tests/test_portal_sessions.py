"""The officer's session is kept on the server (issue 21, item 2): the old cookie opens
nothing after logout, after a password change, once the officer ended every session,
or past the idle and absolute time-outs — and the ledger holds no usable token."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from portalkit import Client, copy_world, make_world, portal, text_of
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.core.texts import get_texts

T = get_texts().t
GUARDED = ("/petugas", "/petugas/unduh/rekap.xlsx", "/petugas/unduh/laporan-pengumpulan.xlsx")


@pytest.fixture(scope="module")
def world(tmp_path_factory, small_master):
    root = tmp_path_factory.mktemp("sesi")
    ws_path, _ = make_world(root, small_master)
    return ws_path


@pytest.fixture
def served(world, tmp_path):
    ws = copy_world(world, tmp_path / "ws")
    with portal(ws) as running:
        yield ws, running


def officer(base: str) -> Client:
    c = Client(base)
    assert c.login().status_code == 200
    assert c.get("/petugas", allow_redirects=False).status_code == 200
    return c


def replay(base: str, cookies) -> Client:
    """Another browser holding a copy of an earlier cookie (stolen, or kept)."""
    c = Client(base)
    c.http.cookies.update(cookies)
    return c


def opens_nothing(c: Client) -> None:
    for path in GUARDED:
        r = c.get(path, allow_redirects=False)
        assert r.status_code == 302 and r.headers["Location"].endswith("/petugas/masuk"), path


def test_logout_ends_the_session_on_the_server(served):
    ws, running = served
    c = officer(running.url)
    kept = c.http.cookies.copy()
    assert replay(running.url, kept).get("/petugas/unduh/rekap.xlsx").status_code == 200
    c.post("/petugas/keluar")
    opens_nothing(replay(running.url, kept))
    opens_nothing(c)
    log = (ws / "portal" / "log-portal.txt").read_text(encoding="utf-8")
    assert "127.0.0.1 keluar" in log


def test_a_password_change_ends_every_session(served, monkeypatch):
    ws, running = served
    a, b = officer(running.url), officer(running.url)
    monkeypatch.setenv("IKI_XLSX_PORTAL_PASSWORD", "sandi-baru-yang-panjang-sekali")
    r = CliRunner().invoke(app, ["serve", "--set-password", "-w", str(ws)])
    assert r.exit_code == 0, r.output
    opens_nothing(a)
    r = b.get("/petugas")  # redirected to the login page, which says why
    assert T("portal.sesi.berakhir.sandi") in text_of(r.text)
    assert b.login("sandi-baru-yang-panjang-sekali").status_code == 200


def test_the_officer_ends_every_session(served):
    ws, running = served
    here, elsewhere = officer(running.url), officer(running.url)
    page = text_of(here.get("/petugas").text)
    assert T("portal.sesi.terbuka", n=2) in page
    r = here.post("/petugas/sesi")
    assert T("portal.sesi.diakhiri", n=2) in text_of(r.text)
    opens_nothing(here)
    opens_nothing(elsewhere)
    log = (ws / "portal" / "log-portal.txt").read_text(encoding="utf-8")
    assert "sesi_diakhiri_semua 2" in log


@pytest.mark.parametrize("column, age, why", [("last_seen", timedelta(minutes=31), "diam"),
                                              ("created_at", timedelta(hours=8, minutes=1),
                                               "lama")])
def test_idle_and_absolute_time_outs(served, column, age, why):
    ws, running = served
    c = officer(running.url)
    then = (datetime.now(timezone.utc) - age).isoformat(timespec="seconds")
    db = sqlite3.connect(ws / "ledger.sqlite3")
    with db:
        db.execute(f"UPDATE portal_sessions SET {column} = ?", (then,))
    db.close()
    r = c.get("/petugas")
    assert r.url.endswith("/petugas/masuk")
    assert T(f"portal.sesi.berakhir.{why}") in text_of(r.text)
    opens_nothing(c)
    assert f"sesi_berakhir {why}" in (ws / "portal" / "log-portal.txt").read_text("utf-8")


def test_the_ledger_keeps_no_usable_token(served):
    ws, running = served
    c = officer(running.url)
    cookie = c.http.cookies.get("iki_sesi")
    from itsdangerous import URLSafeTimedSerializer

    from iki_xlsx.portal.auth import session_secret

    # the cookie's own content, as Flask signs it: the session token is in it …
    data = URLSafeTimedSerializer(session_secret(ws), salt="cookie-session",
                                  signer_kwargs={"key_derivation": "hmac",
                                                 "digest_method": __import__("hashlib").sha1}
                                  ).loads(cookie)
    token = data["sesi"]
    # … and the ledger has only its digest
    stored_bytes = b"".join(p.read_bytes() for p in ws.glob("ledger.sqlite3*"))
    assert token.encode() not in stored_bytes
    db = sqlite3.connect(ws / "ledger.sqlite3")
    (stored,) = db.execute("SELECT id FROM portal_sessions").fetchone()
    db.close()
    assert stored != token and len(stored) == 64


def test_serve_end_sessions_from_the_command_line(served):
    ws, running = served
    c = officer(running.url)
    r = CliRunner().invoke(app, ["serve", "--end-sessions", "-w", str(ws)])
    assert r.exit_code == 0 and T("portal.sesi.diakhiri_cli", n=1) in " ".join(r.output.split())
    opens_nothing(c)

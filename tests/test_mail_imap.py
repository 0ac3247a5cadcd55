"""Collect from a real IMAP server: Debian's dovecot, configured by the fixture with a
temporary maildir, listening on 127.0.0.1 only (skipped, with the reason, where dovecot
is not installed — CI installs it: see .ci/run)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from mailtools import (  # noqa: F401
    DOVECOT,
    Dovecot,
    form_files,
    mail_generated,
    mail_ws,
    self_signed,
    thunderbird_reply,
)

from iki_xlsx.collect import collect
from iki_xlsx.collect.mail.imap import ImapSpec
from iki_xlsx.collect.mail.inbox import MailError

pytestmark = pytest.mark.skipif(DOVECOT is None,
                                reason="dovecot is not installed (apt-get install dovecot-imapd)")


@pytest.fixture
def dovecot_root():
    # Not under pytest's tmp_path: its parents are private to the user running the
    # tests, and dovecot's login and mail processes run as other users.
    root = Path(tempfile.mkdtemp(prefix="iki-dovecot-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _fill(server: Dovecot, forms: Path) -> dict[str, Path]:
    files = form_files(forms)
    for n, (name, path) in enumerate(files.items()):
        sender = "andi@contoh.go.id" if name.startswith("199005") else f"p{n}@contoh.go.id"
        server.deliver(thunderbird_reply(sender, [(name, path.read_bytes())],
                                         msgid=f"<imap{n}@contoh.go.id>"), n)
    server.deliver(thunderbird_reply("x@contoh.go.id", []), 99)  # no attachment
    return files


def test_collect_from_imap_plaintext_with_the_explicit_flag(mail_ws, dovecot_root):
    ws, forms = mail_ws
    server = Dovecot(dovecot_root)
    files = _fill(server, forms)
    server.start()
    try:
        spec = ImapSpec("127.0.0.1", server.user, server.password, port=server.port,
                        tls=False)
        report = collect([], ws, jobs=1, imap=spec)
        # read-only: nothing was marked as read or moved
        again = collect([], ws, jobs=1, imap=spec)
    finally:
        server.stop()
    assert len(report.results) == len(files)
    assert all(r.status != "ditolak" for r in report.results)
    assert report.mail["without_form"] == 1 and report.mail["messages"] == len(files) + 1
    assert all(r.name.startswith(f"imap://{server.user}@127.0.0.1/INBOX › pesan #")
               for r in report.results)
    # the same messages again: one sighting each, nothing new
    assert not any(r.new for r in again.results)
    rows = ws.db.execute("SELECT source, origin FROM sightings").fetchall()
    assert len(rows) == len(files)
    assert all(src.startswith("surel:<imap") and '"mailbox": "imap://' in origin
               for src, origin in rows)
    flags = [p.name.split(":2,")[-1] for p in (server.maildir / "cur").iterdir()]
    assert all("S" not in f for f in flags)  # still unread


def test_imap_refuses_a_plaintext_server_without_the_flag(mail_ws, dovecot_root):
    ws, _ = mail_ws
    server = Dovecot(dovecot_root).start()
    try:
        spec = ImapSpec("127.0.0.1", server.user, server.password, port=server.port)
        with pytest.raises(MailError) as info:
            collect([], ws, jobs=1, imap=spec)
    finally:
        server.stop()
    assert info.value.code in ("imap_tls", "imap_sambung")


def test_imap_over_tls_with_the_office_ca(mail_ws, dovecot_root):
    pytest.importorskip("cryptography")
    ws, forms = mail_ws
    cert, key = self_signed(dovecot_root)
    server = Dovecot(dovecot_root, cert=cert, key=key)
    files = _fill(server, forms)
    server.start()
    try:
        spec = ImapSpec("127.0.0.1", server.user, server.password, port=server.tls_port,
                        ca_file=str(cert))
        report = collect([], ws, jobs=1, imap=spec)
        # without the CA the self-signed certificate is refused, by name
        with pytest.raises(MailError) as info:
            collect([], ws, jobs=1, imap=ImapSpec("127.0.0.1", server.user, server.password,
                                                  port=server.tls_port))
        bad = ImapSpec("127.0.0.1", server.user, "salah", port=server.tls_port,
                       ca_file=str(cert))
        with pytest.raises(MailError) as login:
            collect([], ws, jobs=1, imap=bad)
    finally:
        server.stop()
    assert len(report.results) == len(files)
    assert info.value.code == "imap_tls"
    assert login.value.code == "imap_masuk"


def test_cli_collect_imap_since_with_password_from_the_environment(mail_ws, dovecot_root,
                                                                   monkeypatch, tmp_path):
    import os
    import time as _time

    from typer.testing import CliRunner

    from iki_xlsx.cli import app
    ws, forms = mail_ws
    server = Dovecot(dovecot_root)
    _fill(server, forms)
    old = _time.mktime((2025, 3, 1, 12, 0, 0, 0, 0, -1))
    olds = sorted((server.maildir / "cur").iterdir())[:2]
    for path in olds:  # received in March: before --since
        os.utime(path, (old, old))
    server.start()
    monkeypatch.setenv("IKI_XLSX_IMAP_PASSWORD", server.password)
    try:
        res = CliRunner().invoke(app, [
            "collect", "-w", str(ws.path), "--report", str(tmp_path / "lap.xlsx"),
            "--imap", f"127.0.0.1:{server.port}", "--user", server.user, "--imap-plaintext",
            "--since", "2025-04-01"])
        wrong = CliRunner().invoke(app, [
            "collect", "-w", str(ws.path), "--report", str(tmp_path / "lap2.xlsx"),
            "--imap", "127.0.0.1", "--imap-port", str(server.port), "--user", "siapa",
            "--imap-plaintext"])
    finally:
        server.stop()
    assert res.exit_code in (0, 1), res.output
    assert "Surel: 4 pesan dibaca" in res.output  # 6 delivered, 2 before --since
    assert wrong.exit_code == 2 and "menolak login siapa" in wrong.output

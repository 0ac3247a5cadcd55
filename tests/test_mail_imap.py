"""Collect from a real IMAP server: Debian's dovecot, configured by the fixture with a
temporary maildir, listening on 127.0.0.1 only (skipped, with the reason, where dovecot
is not installed — CI installs it: see .ci/run)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from iki_xlsx.collect import collect
from iki_xlsx.mail.inbox import ImapSpec, MailError
from mailtools import (DOVECOT, Dovecot, form_files, mail_generated, mail_ws,  # noqa: F401
                       self_signed, thunderbird_reply)

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

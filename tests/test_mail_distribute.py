"""Distribute by e-mail: one message per form (.eml, or a real SMTP server started by the
test with aiosmtpd), the send log (resumed sending sends each message once; only new or
revised forms after a revision), pegawai without an e-mail listed."""

from __future__ import annotations

import email
import email.policy
import threading
from pathlib import Path

import pytest
from mailtools import form_files, mail_generated, mail_ws  # noqa: F401
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.core.texts import get_texts
from iki_xlsx.mail.distribute import (
    DistributeResult,
    SmtpSpec,
    deliver,
    distribute,
    issued_for_mail,
    plan,
    send_log,
)

SETTINGS = {"batas": "10 April 2025", "balas": "iki@contoh.go.id",
            "pengirim": "BKPSDM Kabupaten Contoh Raya"}
SENDER = "bkpsdm@contoh.go.id"


def _parse(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def test_eml_one_message_per_form_with_the_form_attached(mail_ws, tmp_path):
    ws, forms = mail_ws
    out = tmp_path / "surel"
    result = distribute(ws, forms, get_texts(), sender=SENDER, settings=SETTINGS,
                        eml_dir=out, cc_atasan=True)
    files = form_files(forms)
    # five forms; Sri (two forms) and three others with e-mail; Nur Aini has one too
    assert len(result.written) == 5 and not result.missing
    assert [f.nama for f in result.no_email] == []
    by_to = {}
    for path in result.written:
        msg = _parse(path)
        assert msg["X-Unsent"] == "1"  # Outlook opens it ready to send
        att = next(msg.iter_attachments())
        name = att.get_filename()
        assert att.get_payload(decode=True) == files[name].read_bytes()
        by_to.setdefault(str(msg["To"]), []).append((msg, name))
    sri = by_to["sri.lestari@contoh.go.id"]
    assert len(sri) == 2  # one message per form, not per pegawai
    msg, name = sri[0]
    assert str(msg["Cc"]) == "rahmat@contoh.go.id"  # the atasan's own row
    assert "Formulir IKI 2025" in str(msg["Subject"]) and "Sri Lestari" in str(msg["Subject"])
    body = msg.get_body(("plain",)).get_content()
    assert "10 April 2025" in body and "iki@contoh.go.id" in body and name in body
    assert "Yth. Sri Lestari, S.E., M.M." in body
    # Andi's atasan is Sri: cc to her address
    andi = by_to["andi@contoh.go.id"][0][0]
    assert str(andi["Cc"]) == "sri.lestari@contoh.go.id"
    # the Kepala's atasan (the Bupati) is not in the sheet: no cc
    assert by_to["rahmat@contoh.go.id"][0][0]["Cc"] is None


def test_non_ascii_attachment_name_is_rfc2231(mail_ws, tmp_path):
    ws, forms = mail_ws
    odd = tmp_path / "forms"
    import shutil
    shutil.copytree(forms, odd)
    form = issued_for_mail(ws)[0]
    path = odd / form.file_path
    new = path.with_name("IKI Drs. H. Rahmat — Kepala Badan (révisi).xlsx")
    path.rename(new)
    ws.db.execute("UPDATE forms SET file_path = ? WHERE form_id = ?",
                  (new.relative_to(odd).as_posix(), form.form_id))
    result = distribute(ws, odd, get_texts(), sender=SENDER, settings=SETTINGS,
                        eml_dir=tmp_path / "surel")
    eml = next(p for p in result.written if "révisi" in p.name)
    raw = eml.read_bytes()
    assert b"filename*" in raw and "révisi".encode() not in raw  # encoded, 7-bit clean
    att = next(_parse(eml).iter_attachments())
    assert att.get_filename() == new.name


def test_pegawai_without_email_is_listed(mail_ws, tmp_path):
    ws, forms = mail_ws
    ws.db.execute("UPDATE mail_contacts SET email = '' WHERE nip = '199107112019032011'")
    result = distribute(ws, forms, get_texts(), sender=SENDER, settings=SETTINGS,
                        eml_dir=tmp_path / "surel")
    assert [f.nama for f in result.no_email] == ["Nur Aini, A.Md"]
    assert len(result.written) == 4
    runner = CliRunner()
    res = runner.invoke(app, ["distribute", str(forms), "-w", str(ws.path), "-o",
                              str(tmp_path / "cli"), "--from", SENDER])
    assert res.exit_code == 1, res.output
    assert "Nur Aini, A.Md" in res.output and "tanpa alamat surel" in res.output


def test_the_sender_comes_from_the_master_or_an_option_never_made_up(mail_ws, tmp_path,
                                                                       monkeypatch):
    """No --from, no IKI_XLSX_SMTP_FROM, no Email Pengirim in the master: nothing is
    written (exit 2) and the message says where to set it; the master's row (recorded by
    generate, or given with --master) is the From of every .eml."""
    import yaml
    from mailtools import master_with_contacts

    ws, forms = mail_ws
    monkeypatch.delenv("IKI_XLSX_SMTP_FROM", raising=False)
    runner = CliRunner()
    out = tmp_path / "surel"
    res = runner.invoke(app, ["distribute", str(forms), "-w", str(ws.path), "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert "Email Pengirim" in res.output and "--from" in res.output
    assert not out.exists()
    bad = runner.invoke(app, ["distribute", str(forms), "-w", str(ws.path), "-o", str(out),
                              "--from", "bkpsdm"])
    assert bad.exit_code == 2 and "'bkpsdm' bukan alamat surel" in bad.output
    src = master_with_contacts(tmp_path / "m.yaml")
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    data["pengaturan"]["Email Pengirim"] = "iki@bkpsdm.contoh.go.id"
    src.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    res = runner.invoke(app, ["distribute", str(forms), "-w", str(ws.path), "-o", str(out),
                              "--master", str(src)])
    assert res.exit_code == 0, res.output
    senders = {_parse(p)["From"] for p in out.rglob("*.eml")}
    assert senders == {"iki@bkpsdm.contoh.go.id"}


# --------------------------------------------------------------------------- SMTP

class _Inbox:
    """aiosmtpd handler: keeps every accepted message; refuses the n-th DATA once."""

    def __init__(self, fail_at: set[int] = frozenset()):
        self.messages: list[tuple[list[str], bytes]] = []
        self.fail_at, self.count = set(fail_at), 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            if self.count in self.fail_at:
                return "451 4.3.0 coba lagi nanti"
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    aiosmtpd = pytest.importorskip("aiosmtpd.controller",
                                   reason="aiosmtpd is not installed (pip install -e '.[test]')")
    from mailtools import free_port

    started = []

    def start(handler):
        ctl = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=free_port())
        ctl.start()
        started.append(ctl)
        return ctl

    yield start
    for ctl in started:
        ctl.stop()


def _spec(ctl) -> SmtpSpec:
    return SmtpSpec(ctl.hostname, SENDER, port=ctl.port, security="tanpa", per_minute=0)


def test_smtp_resumed_after_a_failure_sends_each_message_once(mail_ws, tmp_path, smtp_server):
    ws, forms = mail_ws
    inbox = _Inbox(fail_at={2, 4})
    ctl = smtp_server(inbox)
    first = distribute(ws, forms, get_texts(), sender=SENDER, settings=SETTINGS,
                       smtp=_spec(ctl), cc_atasan=True)
    assert len(first.sent) == 3 and len(first.failed) == 2
    assert all("451" in reason for _, reason in first.failed)
    again = distribute(ws, forms, get_texts(), sender=SENDER, settings=SETTINGS,
                       smtp=_spec(ctl), cc_atasan=True)
    assert len(again.sent) == 2 and len(again.skipped) == 3 and not again.failed
    third = distribute(ws, forms, get_texts(), sender=SENDER, settings=SETTINGS,
                       smtp=_spec(ctl))
    assert not third.sent and len(third.skipped) == 5
    ids = [email.message_from_bytes(raw)["Message-ID"] for _, raw in inbox.messages]
    assert len(ids) == 5 and len(set(ids)) == 5  # every form once
    rcpts = sorted(r for rcpt, _ in inbox.messages for r in rcpt)
    assert "rahmat@contoh.go.id" in rcpts and rcpts.count("sri.lestari@contoh.go.id") >= 2
    log = send_log(ws)
    assert {r.status for r in log} == {"terkirim"} and len(log) == 5
    assert sorted(r.attempts for r in log) == [1, 1, 1, 2, 2]


def test_smtp_after_a_revision_sends_only_the_revised_form(mail_ws, tmp_path, smtp_server):
    ws, forms = mail_ws
    inbox = _Inbox()
    ctl = smtp_server(inbox)
    distribute(ws, forms, get_texts(), sender=SENDER, settings=SETTINGS, smtp=_spec(ctl))
    assert len(inbox.messages) == 5
    # a new revision of one form (as generate records it after a changed IKI)
    form = issued_for_mail(ws)[0]
    columns = ("form_id, revision, nip, kode_iki, tahun, nama, jabatan, perangkat_daerah,"
               " unit_kerja, atasan_nip, atasan_nama, content_hash, targets, form_json,"
               " locked_cells, manifest, reading, file_path, issued_at, last_written_at")
    ws.db.execute(f"INSERT INTO forms ({columns}) SELECT form_id, revision + 1, nip,"
                  " kode_iki, tahun, nama, jabatan, perangkat_daerah, unit_kerja, atasan_nip,"
                  " atasan_nama, 'x', targets, form_json, locked_cells, manifest, reading,"
                  " file_path, issued_at, last_written_at FROM forms WHERE form_id = ?",
                  (form.form_id,))
    ws.db.execute("INSERT INTO issue_log (form_id, revision, status, at)"
                  " VALUES (?, 2, 'revisi', '2025-07-01T00:00:00')", (form.form_id,))
    dry = distribute(ws, forms, get_texts(), sender=SENDER, settings=SETTINGS,
                     smtp=_spec(ctl), dry_run=True)
    assert len(dry.planned) - len(dry.skipped) == 1 and not dry.sent
    assert len(inbox.messages) == 5  # a dry run sends nothing
    after = distribute(ws, forms, get_texts(), sender=SENDER, settings=SETTINGS,
                       smtp=_spec(ctl))
    assert [o.form.form_id for o in after.sent] == [form.form_id]
    assert "(revisi 2)" in email.message_from_bytes(inbox.messages[-1][1],
                                                    policy=email.policy.default)["Subject"]


def test_smtp_rate_limit_waits_between_messages(mail_ws, smtp_server):
    ws, forms = mail_ws
    ctl = smtp_server(_Inbox())
    waits: list[float] = []
    clock = iter(range(0, 1000)).__next__  # each call: one "second" later
    spec = _spec(ctl)
    spec.per_minute = 6  # one message every 10 s
    result = DistributeResult()
    todo = plan(ws, issued_for_mail(ws), forms, "formulir", result=result)
    deliver(ws, todo, get_texts(), sender=SENDER, settings=SETTINGS, eml_dir=None,
            smtp=spec, dry_run=False, result=result, sleep=waits.append,
            clock=lambda: float(clock()))
    assert len(result.sent) == 5 and len(waits) == 4
    assert all(0 < w <= 10 for w in waits)


def test_cli_smtp_password_from_the_environment(mail_ws, tmp_path, smtp_server, monkeypatch):
    ws, forms = mail_ws
    inbox = _Inbox()
    ctl = smtp_server(inbox)
    monkeypatch.setenv("IKI_XLSX_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("IKI_XLSX_SMTP_PORT", str(ctl.port))
    monkeypatch.setenv("IKI_XLSX_SMTP_FROM", SENDER)
    res = CliRunner().invoke(app, ["distribute", str(forms), "-w", str(ws.path), "--smtp",
                                   "--smtp-security", "tanpa", "--per-minute", "0",
                                   "--deadline", "10-04-2025"])
    assert res.exit_code == 0, res.output
    assert "5 pesan terkirim, 0 gagal" in res.output
    body = email.message_from_bytes(inbox.messages[0][1], policy=email.policy.default)
    assert "10 April 2025" in body.get_body(("plain",)).get_content()
    res = CliRunner().invoke(app, ["distribute", str(forms), "-w", str(ws.path), "--smtp",
                                   "--smtp-security", "tanpa", "--per-minute", "0"])
    assert "0 pesan terkirim, 0 gagal, 5 sudah terkirim sebelumnya" in res.output


def test_smtp_settings_from_pengaturan(tmp_path, smtp_server, monkeypatch):
    import yaml
    from mailtools import master_with_contacts
    inbox = _Inbox()
    ctl = smtp_server(inbox)
    for name in ("HOST", "PORT", "USER", "FROM", "PASSWORD"):
        monkeypatch.delenv(f"IKI_XLSX_SMTP_{name}", raising=False)
    src = master_with_contacts(tmp_path / "m.yaml")
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    data["pengaturan"].update({"Server SMTP": "127.0.0.1", "Port SMTP": ctl.port,
                               "Email Pengirim": "bkpsdm@contoh.go.id"})
    src.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    ws_dir, forms = tmp_path / "ws", tmp_path / "forms"
    res = runner.invoke(app, ["generate", str(src), "-o", str(forms), "-w", str(ws_dir)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["distribute", str(forms), "-w", str(ws_dir), "--smtp",
                              "--smtp-security", "tanpa", "--per-minute", "0"])
    assert res.exit_code == 0, res.output
    assert len(inbox.messages) == 5
    assert email.message_from_bytes(inbox.messages[0][1])["From"] == "bkpsdm@contoh.go.id"
    # the rows round-trip through a master workbook
    from iki_xlsx.define.master import load_master
    from iki_xlsx.define.masterbook import write_master
    loaded = load_master(src)
    write_master(tmp_path / "m.xlsx", loaded.master)
    assert load_master(tmp_path / "m.xlsx").master.mail_settings == \
        {"smtp_host": "127.0.0.1", "smtp_port": str(ctl.port),
         "email_pengirim": "bkpsdm@contoh.go.id"}


def test_smtp_starttls_by_default_with_the_office_ca(mail_ws, tmp_path, smtp_server):
    pytest.importorskip("cryptography")
    import ssl

    from mailtools import self_signed

    from iki_xlsx.collect.mail.inbox import MailError
    ws, forms = mail_ws
    cert, key = self_signed(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    from aiosmtpd.controller import Controller
    from mailtools import free_port
    inbox = _Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=ctx,
                     require_starttls=True)
    ctl.start()
    try:
        spec = SmtpSpec("127.0.0.1", SENDER, port=ctl.port, per_minute=0, ca_file=str(cert))
        result = distribute(ws, forms, get_texts(), sender=SENDER, settings=SETTINGS,
                            smtp=spec)
        # without the office CA the certificate is refused: one named error, nothing sent
        ws.db.execute("DELETE FROM mail_sends")
        with pytest.raises(MailError) as info:
            distribute(ws, forms, get_texts(), sender=SENDER, settings=SETTINGS,
                       smtp=SmtpSpec("127.0.0.1", SENDER, port=ctl.port, per_minute=0),
                       tahun=None)
    finally:
        ctl.stop()
    assert len(result.sent) == 5 and len(inbox.messages) == 5
    assert info.value.code == "smtp_sambung"


def test_starttls_refused_by_a_plaintext_server(mail_ws, smtp_server):
    from iki_xlsx.collect.mail.inbox import MailError
    ws, forms = mail_ws
    ctl = smtp_server(_Inbox())
    with pytest.raises(MailError) as info:
        distribute(ws, forms, get_texts(), sender=SENDER, settings=SETTINGS,
                   smtp=SmtpSpec("127.0.0.1", SENDER, port=ctl.port, per_minute=0))
    assert info.value.code == "smtp_sambung"
    res = CliRunner().invoke(app, ["distribute", str(forms), "-w", str(ws.path), "--smtp",
                                   "--smtp-host", "127.0.0.1", "--smtp-port", str(ctl.port),
                                   "--from", SENDER])
    assert res.exit_code == 2 and "Tidak dapat tersambung ke server SMTP" in res.output

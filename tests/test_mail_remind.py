"""Remind for a period: who has not submitted it, the WhatsApp click list (xlsx and HTML
with wa.me links carrying the pre-filled reminder), the per-atasan summary, reminder
messages (with the form attached again)."""

from __future__ import annotations

import email
import email.policy
from datetime import date
from urllib.parse import parse_qs, urlparse

import openpyxl
from filling import fill, realisasi_ref
from mailtools import form_files, mail_generated, mail_ws  # noqa: F401
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.collect import collect
from iki_xlsx.core.texts import get_texts
from iki_xlsx.mail.remind import remind

ANDI = "199005202015031003_Andi Pratama, S.Kom.xlsx"
SETTINGS = {"batas": "10 April 2025", "pengirim": "BKPSDM"}


def _submit_tw1(ws, forms, tmp_path):
    path = form_files(forms)[ANDI]
    form = next(f for f in ws.issued.forms(full=True) if f.nip == "199005202015031003")
    ref = realisasi_ref(form.manifest, 0, "TW1")
    filled = fill(path, tmp_path / "masuk" / "andi.xlsx", {ref: 5})
    report = collect([filled], ws, jobs=1)
    assert report.results[0].status != "ditolak", report.results[0].problems


def test_who_is_missing_a_period(mail_ws, tmp_path):
    ws, forms = mail_ws
    _submit_tw1(ws, forms, tmp_path)
    tw1 = remind(ws, get_texts(), "TW I", tmp_path / "out1", sender="b@contoh.go.id",
                 settings=SETTINGS, forms_dir=forms, dry_run=True)
    tw2 = remind(ws, get_texts(), "2", tmp_path / "out2", sender="b@contoh.go.id",
                 settings=SETTINGS, forms_dir=forms, dry_run=True)
    assert tw1.total == tw2.total == 5
    assert "Andi Pratama, S.Kom" not in [f.nama for f in tw1.missing]
    assert len(tw1.missing) == 4
    assert "Andi Pratama, S.Kom" in [f.nama for f in tw2.missing]  # TW2 not filled
    assert len(tw2.missing) == 5
    assert not (tmp_path / "out1").exists()  # a dry run writes nothing


def test_whatsapp_list_and_per_atasan_summary(mail_ws, tmp_path):
    ws, forms = mail_ws
    ws.db.execute("UPDATE forms SET nama = '<b>Nur</b> & Aini' WHERE nip = '199107112019032011'")
    result = remind(ws, get_texts(), "TW2", tmp_path / "out", sender="b@contoh.go.id",
                    settings=SETTINGS, forms_dir=forms, today=date(2025, 7, 3))
    xlsx, html = result.files
    wb = openpyxl.load_workbook(xlsx)
    sheet = wb["WhatsApp"]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 5
    links = {r[2]: sheet.cell(row=i, column=8).hyperlink
             for i, r in enumerate(rows, start=5)}
    andi = links["Andi Pratama, S.Kom"].target
    url = urlparse(andi)
    assert (url.scheme, url.netloc, url.path) == ("https", "wa.me", "/6281299990000")
    text = parse_qs(url.query)["text"][0]
    assert text.startswith("Yth. Andi Pratama, S.Kom, mohon segera mengirimkan realisasi IKI")
    assert "TW II" in text and "2025" in text and "10 April 2025" in text
    no_hp = next(r for r in rows if r[2] == "<b>Nur</b> & Aini")
    assert not no_hp[5] and links["<b>Nur</b> & Aini"] is None  # no number, no link
    assert no_hp[7] == "(tanpa No HP)"
    boss = {r[0]: r for r in wb["Per Atasan"].iter_rows(min_row=2, values_only=True)}
    assert boss["Sri Lestari, S.E., M.M."][3] == 2  # Andi and Nur Aini
    assert "Andi Pratama, S.Kom" in boss["Sri Lestari, S.E., M.M."][4]
    page = html.read_text(encoding="utf-8")
    assert "&lt;b&gt;Nur&lt;/b&gt; &amp; Aini" in page and "<b>Nur</b>" not in page
    assert 'href="https://wa.me/6281299990000?text=Yth.%20Andi' in page
    assert "<script" not in page
    # reminders by e-mail: the form attached again; the atasan gets the summary
    msgs = {p.name: email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in result.mail.written}
    andi_msg = next(m for n, m in msgs.items() if n.startswith("199005202015031003"))
    assert "Pengingat" in andi_msg["Subject"] and "TW II" in andi_msg["Subject"]
    assert next(andi_msg.iter_attachments()).get_filename() == ANDI
    atasan = {str(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"]):
              p for p in result.atasan_mail.written}
    body = email.message_from_bytes(atasan["sri.lestari@contoh.go.id"].read_bytes(),
                                    policy=email.policy.default).get_body(("plain",))
    assert "Andi Pratama, S.Kom (NIP 19900520 201503 1 003)" in body.get_content()


def test_cli_remind(mail_ws, tmp_path):
    ws, forms = mail_ws
    res = CliRunner().invoke(app, ["remind", "--periode", "TW1", "--forms", str(forms), "-w",
                                   str(ws.path), "-o", str(tmp_path / "p"),
                                   "--from", "iki@contoh.go.id"])
    assert res.exit_code == 0, res.output
    assert "5 dari 5 formulir belum masuk; 1 tanpa No HP, 0 tanpa email" in res.output
    assert (tmp_path / "p" / "pengingat-TW1.xlsx").is_file()
    bad = CliRunner().invoke(app, ["remind", "--periode", "TW5", "-w", str(ws.path),
                                   "--from", "iki@contoh.go.id"])
    assert bad.exit_code == 2 and "TW5" in bad.output


def test_remind_by_smtp_once_a_day(mail_ws, tmp_path):
    aiosmtpd = __import__("pytest").importorskip("aiosmtpd.controller")
    from mailtools import free_port

    from iki_xlsx.mail.distribute import SmtpSpec

    got = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            got.append(envelope.content)
            return "250 OK"

    ws, forms = mail_ws
    ctl = aiosmtpd.Controller(Handler(), hostname="127.0.0.1", port=free_port())
    ctl.start()
    try:
        spec = SmtpSpec("127.0.0.1", "b@contoh.go.id", port=ctl.port, security="tanpa",
                        per_minute=0)
        runs = [remind(ws, get_texts(), "TW1", tmp_path / "o", sender="b@contoh.go.id",
                       settings=SETTINGS, forms_dir=forms, smtp=spec, today=day)
                for day in (date(2025, 4, 7), date(2025, 4, 7), date(2025, 4, 14))]
    finally:
        ctl.stop()
    # 5 pegawai + 2 atasan (Rahmat for Sri, Sri for Andi and Nur Aini) on each new day;
    # running again the same day resends nothing
    assert [len(r.mail.sent) + len(r.atasan_mail.sent) for r in runs] == [7, 0, 7]
    assert len(got) == 14

"""What the officer reads about mail (issue 20): each row from mail names its message
(sender, date, subject) within 80 columns, the JSON report has it whole; attachments
that are not forms are counted per message, and a message whose attachments hold no
form is listed by sender, date and subject — no rejection, no change of exit status."""

from __future__ import annotations

import json

from mailshapes import Part, mbox_bytes, message
from mailtools import mail_filled, mail_generated, mail_ws  # noqa: F401
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.collect.mail.shown import message_line
from iki_xlsx.core.texts import get_texts

ANDI = "199005202015031003_Andi Pratama, S.Kom.xlsx"
LONG_SENDER = "seseorang.dengan.nama.yang.panjang.sekali@dinas-pendidikan.kukarkab.go.id"
LONG_SUBJECT = ("Re: Fwd: Re: Penyampaian Formulir Indikator Kinerja Individu (IKI) Triwulan "
                "Pertama Tahun 2025 Bidang Mutasi dan Promosi — mohon diperiksa kembali")


def _inbox(tmp_path, filled) -> tuple:
    folder = tmp_path / "masuk"
    folder.mkdir()
    box = folder / "Kotak Masuk Dinas Pendidikan dan Kebudayaan"
    box.write_bytes(mbox_bytes([
        message("andi@contoh.go.id", [Part(filled[ANDI], name="IKI Andi Pratama TW1.xlsx"),
                                      Part(b"\x89PNG\r\n\x1a\n", name="image001.png",
                                           ctype="image/png", disposition="inline")],
                subject=LONG_SUBJECT, msgid="<satu@x>"),
        message(LONG_SENDER, [Part(b"%PDF-1.7\n", name="scan IKI.pdf", ctype="application/pdf"),
                              Part(b"\xff\xd8\xff\xe0", name="foto formulir.jpg",
                                   ctype="image/jpeg")],
                subject="IKI saya sudah saya foto", msgid="<dua@x>"),
        message("rahmat@contoh.go.id", [], subject="sudah saya kirim ya", msgid="<tiga@x>")]))
    (folder / "Info.plist").write_bytes(b'<?xml version="1.0"?><plist version="1.0"/>')
    return folder, box


def _collect(ws, folder, tmp_path, *extra):
    ws.close()
    return CliRunner().invoke(app, ["collect", str(folder), "-w", str(ws.path), "-j", "1",
                                    "--report", str(tmp_path / "lap.xlsx"), *extra])


def test_the_table_names_each_rows_message_within_80_columns(mail_ws, mail_filled, tmp_path):
    ws, _ = mail_ws
    folder, _ = _inbox(tmp_path, mail_filled)
    result = _collect(ws, folder, tmp_path)
    out = result.output
    assert result.exit_code == 0, out  # the photo, the PDF, Info.plist: no rejection
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80, out
    row = next(i for i, line in enumerate(lines) if line.startswith("  1  "))
    assert "IKI Andi Pratama TW1.xlsx" in lines[row]
    origin = next(line for line in lines[row:] if line.lstrip().startswith("surel "))
    assert "andi@contoh.go.id, 03-04-2025 10:15, “Re: Fwd: Re:" in origin
    assert origin.endswith("…”") and "#1:" in origin
    # the message with only a PDF and a photo: listed, with its attachments
    start = next(i for i, line in enumerate(lines) if "tanpa formulir di dalamnya" in line)
    listed = " ".join(lines[start:start + 4])
    assert "#2: seseorang.d…" in listed and "03-04-2025 10:15, “IKI saya" in listed
    assert "scan IKI.pdf, foto formulir.jpg" in listed
    assert "3 lampiran lain dalam 2 surel" in out  # the signature image counted too
    assert "1 berkas pendamping surel dilewati" in out and "Info.plist" in out


def test_the_json_report_has_each_message_whole(mail_ws, mail_filled, tmp_path):
    ws, _ = mail_ws
    folder, box = _inbox(tmp_path, mail_filled)
    result = _collect(ws, folder, tmp_path, "--json")
    data = json.loads(result.output)
    (row,) = data["berkas"]
    assert row["surel"]["subject"] == LONG_SUBJECT
    assert row["surel"]["from"] == "andi@contoh.go.id"
    assert row["surel"]["message_id"] == "<satu@x>" and row["surel"]["mailbox"] == str(box)
    mail = data["surel"]
    assert {k: mail[k] for k in ("messages", "with_forms", "without_form", "attachments")} == \
        {"messages": 3, "with_forms": 1, "without_form": 2, "attachments": 1}
    assert [(m["posisi"], m["formulir"], m["lampiran_lain"]) for m in mail["pesan"]] == \
        [(1, 1, 1), (2, 0, 2), (3, 0, 0)]
    (look,) = mail["tanpa_formulir"]
    assert (look["dari"], look["perihal"], look["tanggal"]) == \
        (LONG_SENDER, "IKI saya sudah saya foto", "2025-04-03T10:15:00+08:00")
    assert look["nama_lampiran_lain"] == ["scan IKI.pdf", "foto formulir.jpg"]
    assert [s["alasan"] for s in data["dilewati"]] == ["apple"]


def test_a_message_line_is_shortened_sensibly():
    texts = get_texts()
    mail = {"mailbox": "/data/Kotak Masuk Dinas Pendidikan dan Kebudayaan Kabupaten",
            "position": 1234, "from": LONG_SENDER, "date": "2025-04-03T10:15:00+08:00",
            "subject": LONG_SUBJECT}
    for width in (55, 60, 75, 120):
        line = message_line(mail, width, texts)
        assert len(line) <= width, (width, line)
        assert "03-04-2025 10:15" in line and "#1234" in line
    wide = message_line(mail, 400, texts)
    assert LONG_SENDER in wide and LONG_SUBJECT in wide  # whole when it fits
    mid = message_line(mail, 75, texts)  # each part cut, none gone
    assert mid == ("surel Kotak…aten #1234: seseoran…ab.go.id, 03-04-2025 10:15, "
                   "“Re: Fwd: Re…”")

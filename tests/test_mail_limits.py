"""Limits cut what they must and keep the rest (issue 20): a message with too many parts,
too deep, with too large headers or too many forms still gives the forms found before
the limit, and names each part it skipped; a broken container (TNEF, Outlook item)
keeps what was read before the break."""

from __future__ import annotations

import struct

from mailshapes import (
    Part,
    forward_as_attachment,
    message,
    outlook_rich_text,
    tnef_stream,
)
from mailtools import mail_filled, mail_generated, mail_ws  # noqa: F401

from iki_xlsx.collect import collect
from iki_xlsx.collect.mail import inbox
from iki_xlsx.collect.mail.inbox import MailStats, message_attachments
from iki_xlsx.core.texts import get_texts

ANDI = "199005202015031003_Andi Pratama, S.Kom.xlsx"
NUR = "199107112019032011_Nur Aini, A.Md.xlsx"


def _rows(report) -> list[tuple[str | None, list[str]]]:
    return [(r.nip, [p.code for p in r.problems if p.code != "pengirim_lain"])
            for r in report.results]


def test_too_many_parts_keeps_the_forms_before_and_names_the_rest(mail_ws, mail_filled,
                                                                  tmp_path, monkeypatch):
    ws, _ = mail_ws
    monkeypatch.setattr(inbox, "MAX_PARTS", 6)
    parts = [Part(mail_filled[ANDI], name="IKI Andi.xlsx")]
    parts += [Part(b"\x89PNG", name=f"gambar{i}.png", ctype="image/png") for i in range(5)]
    parts += [Part(mail_filled[NUR], name="IKI Nur terlambat.xlsx")]
    (tmp_path / "m.eml").write_bytes(message("andi@contoh.go.id", parts, msgid="<rumit@x>"))
    report = collect([tmp_path / "m.eml"], ws, jobs=1)
    rows = _rows(report)
    assert rows[0] == ("199005202015031003", [])  # the form before the limit: recorded
    problem_row = next(r for r in report.results if r.problems and
                       r.problems[0].code == "surel_terlalu_rumit")
    problem = problem_row.problems[0]
    assert problem.params["limit"] == "6 bagian"
    # the message, its text, the form and three pictures are six parts: the rest skipped
    assert problem.params["dilewati"] == "gambar3.png, gambar4.png, IKI Nur terlambat.xlsx"
    assert "IKI Nur terlambat.xlsx" in problem.message(get_texts())
    assert problem_row.status == "ditolak" and report.exit_code == 1


def test_too_deep_keeps_the_top_level_form(mail_ws, mail_filled, tmp_path):
    ws, _ = mail_ws
    raw = message("nur.aini@contoh.go.id", [Part(mail_filled[NUR], name="IKI Nur.xlsx")])
    for i in range(inbox.MAX_DEPTH + 1):
        raw = forward_as_attachment("a@contoh.go.id", raw, msgid=f"<n{i}@x>")
    top = message("andi@contoh.go.id", [Part(mail_filled[ANDI], name="IKI Andi.xlsx"),
                                        Part(raw, name="terusan.eml", ctype="message/rfc822",
                                             forwarded=True)],
                  msgid="<dalam@x>")
    (tmp_path / "m.eml").write_bytes(top)
    report = collect([tmp_path / "m.eml"], ws, jobs=1)
    assert _rows(report)[0] == ("199005202015031003", [])
    deep = next(r for r in report.results if r.nip is None)
    assert [p.code for p in deep.problems] == ["surel_terlalu_rumit"]
    assert deep.problems[0].params["dilewati"] == "IKI Nur.xlsx"


def test_too_large_headers_keep_the_attachments(mail_ws, mail_filled, tmp_path):
    ws, _ = mail_ws
    raw = message("andi@contoh.go.id", [Part(mail_filled[ANDI], name="IKI Andi.xlsx")],
                  msgid="<kepala@x>", extra=["X-Spam-Report: " + "a" * (300 * 1024)],
                  subject="Formulir TW1")
    (tmp_path / "m.eml").write_bytes(raw)
    report = collect([tmp_path / "m.eml"], ws, jobs=1)
    rows = _rows(report)
    assert ("199005202015031003", []) in rows
    assert (None, ["surel_kepala_besar"]) in rows
    form = next(r for r in report.results if r.nip)
    assert form.mail["subject"] == "Formulir TW1" and form.mail["message_id"] == "<kepala@x>"


def test_each_cut_of_one_message_is_its_own_row(mail_ws, mail_filled, tmp_path,
                                                monkeypatch):
    """Too large headers, too many parts and too many forms in one message: three rows,
    each with its reason (none hides another), and the forms before the cuts."""
    ws, _ = mail_ws
    monkeypatch.setattr(inbox, "MAX_PARTS", 5)
    monkeypatch.setattr(inbox, "MAX_ATTACHMENTS", 1)
    parts = [Part(mail_filled[ANDI], name="a.xlsx"), Part(mail_filled[NUR], name="b.xlsx"),
             Part(b"\x89PNG", name="c.png", ctype="image/png"), Part(b"x", name="d.txt")]
    (tmp_path / "m.eml").write_bytes(message("andi@contoh.go.id", parts, msgid="<semua@x>",
                                             extra=["X-Pad: " + "b" * (300 * 1024)]))
    report = collect([tmp_path / "m.eml"], ws, jobs=1)
    assert sorted(code for _, codes in _rows(report) for code in codes) == [
        "lampiran_terlalu_banyak", "surel_kepala_besar", "surel_terlalu_rumit"]
    assert [r.nip for r in report.results if not r.problems] == ["199005202015031003"]


def test_too_many_forms_names_those_not_taken(mail_filled, monkeypatch):
    monkeypatch.setattr(inbox, "MAX_ATTACHMENTS", 2)
    raw = message("andi@contoh.go.id", [Part(mail_filled[ANDI], name=f"k{i}.xlsx")
                                        for i in range(4)])
    items = list(message_attachments(raw, "m.mbox", 1, MailStats()))
    assert [i.name for i in items if i.problem is None] == ["k0.xlsx", "k1.xlsx"]
    (code, params), = [i.problem for i in items if i.problem]
    assert code == "lampiran_terlalu_banyak"
    assert params == {"n": 4, "limit": 2, "dilewati": "k2.xlsx, k3.xlsx"}


def test_a_broken_winmail_dat_keeps_what_came_before(mail_filled):
    stream = tnef_stream([("IKI Andi.xlsx", mail_filled[ANDI]), ("IKI Nur.xlsx",
                                                                   mail_filled[NUR])])
    cut = stream[:stream.rindex(b"IKI Nur.xlsx".decode().encode("utf-16-le")) - 40]
    raw = outlook_rich_text("andi@contoh.go.id", [])
    raw = raw.replace(b"winmail.dat\"\r\nContent-Transfer", b"winmail.dat\"\r\nContent-Transfer")
    from mailshapes import b64_lines

    good = "\r\n".join(b64_lines(tnef_stream([]))).encode()
    raw = raw.replace(good, "\r\n".join(b64_lines(cut)).encode())
    stats = MailStats()
    items = list(message_attachments(raw, "m.mbox", 1, stats))
    assert [i.name for i in items if i.problem is None] == ["IKI Andi.xlsx"]
    assert [i.problem[0] for i in items if i.problem] == ["surel_rusak"]
    assert "TNEF" in items[-1].problem[1]["reason"]


def test_a_broken_outlook_item_is_named(mail_filled):
    from mailshapes import outlook_msg

    data = outlook_msg("andi@contoh.go.id", [("IKI.xlsx", mail_filled[ANDI])])
    broken = data[:0x30] + struct.pack("<I", 0x7FFFFFF0) + data[0x34:]  # no directory
    raw = message("andi@contoh.go.id", [
        Part(mail_filled[NUR], name="IKI Nur.xlsx"),
        Part(broken, name="pesan.msg", ctype="application/vnd.ms-outlook")])
    items = list(message_attachments(raw, "m.mbox", 1, MailStats()))
    assert [i.name for i in items if i.problem is None] == ["IKI Nur.xlsx"]
    problems = [i.problem for i in items if i.problem]
    assert [p[0] for p in problems] == ["surel_rusak"] and "Outlook" in problems[0][1]["reason"]

"""Collect from mail files: .eml and .mbox (Thunderbird, Gmail Takeout), attachments at any
depth (forwarded messages, zips, WhatsApp chat exports), provenance per sighting, the
sender note, and every hostile-mail case as a named problem for that message only."""

from __future__ import annotations

import io
import json
import os
import zipfile

import pytest
from mailtools import (  # noqa: F401
    form_files,
    forwarded,
    gmail_message,
    mail_generated,
    mail_ws,
    thunderbird_reply,
    write_mbox,
)

from iki_xlsx.collect import collect
from iki_xlsx.collect.mail import inbox
from iki_xlsx.collect.mail.inbox import MailStats, clean_name, iter_mbox, message_attachments

ANDI = "199005202015031003_Andi Pratama, S.Kom.xlsx"
NUR = "199107112019032011_Nur Aini, A.Md.xlsx"
KEPALA = "197001011995031001_Drs. H. Rahmat Wijaya, S.Sos.xlsx"


def _codes(report) -> dict[str, list[str]]:
    return {r.name: [p.code for p in r.problems] for r in report.results}


def _whatsapp_export(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", "[03/04/25 10.15.00] Andi: formulir saya\n")
        zf.writestr("IMG-20250403-WA0001.jpg", b"\xff\xd8\xff\xe0 foto")
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_mbox_thunderbird_gmail_forwarded_and_whatsapp(mail_ws, tmp_path):
    ws, forms = mail_ws
    f = form_files(forms)
    andi, nur, kepala = f[ANDI].read_bytes(), f[NUR].read_bytes(), f[KEPALA].read_bytes()
    inner = thunderbird_reply("nur.aini@contoh.go.id", [(NUR, nur)], msgid="<inner@x>")
    box = write_mbox(tmp_path / "Inbox", [  # Thunderbird's mbox has no suffix
        thunderbird_reply("andi@contoh.go.id", [(ANDI, andi)], msgid="<a1@contoh.go.id>"),
        gmail_message("kepala.pribadi@gmail.com", [(KEPALA, kepala)], msgid="<g1@gmail>"),
        forwarded("sri.lestari@contoh.go.id", inner, msgid="<fwd1@contoh.go.id>"),
        thunderbird_reply("x@contoh.go.id", []),  # no attachment: counted, not an error
    ])
    wa = thunderbird_reply("andi@contoh.go.id",
                           [("WhatsApp Chat with Andi.zip", _whatsapp_export({ANDI: andi}))],
                           msgid="<wa1@contoh.go.id>")
    (tmp_path / "wa.eml").write_bytes(wa)
    report = collect([box, tmp_path / "wa.eml"], ws, jobs=1)
    codes = _codes(report)
    assert report.mail == {"messages": 5, "with_forms": 4, "without_form": 1, "problems": 0,
                           "attachments": 4}
    assert len(codes) == 4, codes  # _chat.txt and the photo are skipped quietly
    assert all(r.status != "ditolak" for r in report.results), codes
    names = sorted(codes)
    assert any("Inbox › pesan #3 (sri.lestari@contoh.go.id" in n and NUR in n for n in names)
    assert any("wa.eml › pesan #1" in n and "WhatsApp Chat with Andi.zip" in n for n in names)
    # the sender note: the Kepala wrote from a private address; never a rejection
    kepala_row = next(r for r in report.results if KEPALA in r.name)
    assert "pengirim_lain" in codes[kepala_row.name]
    assert kepala_row.status == "diterima_catatan"
    andi_row = next(r for r in report.results if r.name.endswith(ANDI) and "Inbox" in r.name)
    assert "pengirim_lain" not in codes[andi_row.name]
    # the forwarded form came from Sri, not from Nur Aini's registered address: noted
    nur_row = next(r for r in report.results if NUR in r.name)
    assert "pengirim_lain" in codes[nur_row.name]
    # provenance is stored with each sighting
    rows = ws.db.execute("SELECT source, member, origin FROM sightings ORDER BY id").fetchall()
    origin = {src: json.loads(o) for src, _, o in rows}
    assert origin["surel:<g1@gmail>"]["from"] == "kepala.pribadi@gmail.com"
    assert origin["surel:<g1@gmail>"]["date"] == "2025-04-04T08:00:00+07:00"
    assert origin["surel:<a1@contoh.go.id>"]["message_id"] == "<a1@contoh.go.id>"
    assert origin["surel:<fwd1@contoh.go.id>"]["path"].startswith("2.")  # inside the fwd
    # the same content sent by mail and inside the WhatsApp zip: a duplicate, named
    wa_row = next(r for r in report.results if "WhatsApp" in r.name)
    assert wa_row.duplicate_of


def test_the_same_message_twice_is_one_sighting(mail_ws, tmp_path):
    ws, forms = mail_ws
    andi = form_files(forms)[ANDI].read_bytes()
    raw = thunderbird_reply("andi@contoh.go.id", [(ANDI, andi)], msgid="<same@contoh.go.id>")
    (tmp_path / "a.eml").write_bytes(raw)
    write_mbox(tmp_path / "takeout.mbox", [raw, raw])  # Gmail Takeout: labels repeat mail
    first = collect([tmp_path / "a.eml", tmp_path / "takeout.mbox"], ws, jobs=1)
    second = collect([tmp_path / "takeout.mbox"], ws, jobs=1)
    assert len(first.results) == 1 and not first.results[0].duplicate_of
    assert len(second.results) == 1 and not second.results[0].new
    assert not second.results[0].duplicate_of
    assert ws.db.execute("SELECT COUNT(*) FROM sightings").fetchone()[0] == 1


def test_a_forged_message_id_does_not_hide_another_file(mail_ws, tmp_path):
    ws, forms = mail_ws
    f = form_files(forms)
    first = thunderbird_reply("andi@contoh.go.id", [("IKI.xlsx", f[ANDI].read_bytes())],
                              msgid="<sama@contoh.go.id>")
    forged = thunderbird_reply("nur.aini@contoh.go.id", [("IKI.xlsx", f[NUR].read_bytes())],
                               msgid="<sama@contoh.go.id>")
    report = collect([write_mbox(tmp_path / "m.mbox", [first, forged])], ws, jobs=1)
    assert sorted(r.nip for r in report.results) == ["199005202015031003",
                                                     "199107112019032011"]


def test_mbox_is_streamed_message_by_message(tmp_path):
    box = write_mbox(tmp_path / "m.mbox", [
        thunderbird_reply("a@b.id", [], msgid=f"<m{i}@b>") for i in range(3)])
    with open(box, "ab") as fh:  # a body line starting with "From " is quoted (mboxrd)
        fh.write(b"From - x\nSubject: s\nMessage-ID: <q@b>\n\n>From here on\n>>From the top\n")
    got = list(iter_mbox(box))
    assert [p for p, _ in got] == [1, 2, 3, 4]
    assert got[3][1].endswith(b"\nFrom here on\n>From the top\n")


def test_a_large_mbox_is_never_held_whole(tmp_path):
    import tracemalloc

    blob = os.urandom(150_000)
    box = write_mbox(tmp_path / "besar.mbox", [
        thunderbird_reply("a@b.id", [(f"f{i}.xlsx", blob)], msgid=f"<m{i}@b>")
        for i in range(150)])
    assert box.stat().st_size > 25 * 2**20
    stats = MailStats()
    tracemalloc.start()
    try:
        count = 0
        for position, raw in iter_mbox(box):
            for item in message_attachments(raw, str(box), position, stats):
                count += item.data is not None
            del raw, item
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 150 and stats.messages == 150
    assert peak < 4 * 2**20  # a few messages' worth, not the 25 MB file


# --------------------------------------------------------------------------- hostile

def _zip_bomb_xlsx() -> bytes:
    """A "workbook" whose parts declare 120 MB (compressed to a few hundred KB)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(120):
                fh.write(block)
    return buf.getvalue()


def test_hostile_mail_each_a_named_problem_the_others_collected(mail_ws, tmp_path,
                                                                 monkeypatch):
    ws, forms = mail_ws
    andi = form_files(forms)[ANDI].read_bytes()
    good = thunderbird_reply("andi@contoh.go.id", [(ANDI, andi)], msgid="<good@x>")
    no_boundary = (b"Message-ID: <mime@x>\r\nFrom: a@b.id\r\nContent-Type: multipart/mixed;"
                   b' boundary="zzz"\r\n\r\nno parts here at all\r\n')
    huge_header = b"Message-ID: <hdr@x>\r\nX-Pad: " + b"a" * (300 * 1024) + b"\r\n\r\nbody\r\n"
    bomb = thunderbird_reply("andi@contoh.go.id", [("IKI Andi.xlsx", _zip_bomb_xlsx())],
                             msgid="<bomb@x>")
    sneaky = thunderbird_reply("andi@contoh.go.id",
                               [("..\\..\\Windows\\IKI Andi.xlsx", andi)], msgid="<path@x>")
    control = thunderbird_reply("andi@contoh.go.id", [("IKI\x1b[31m\u202eAndi.xlsx", andi)],
                                msgid="<ctl@x>")
    bad_b64 = good.replace(b"<good@x>", b"<b64@x>").replace(b"UEsDB", b"U*&#B", 1)
    many = thunderbird_reply("andi@contoh.go.id", [(f"k{i}.xlsx", andi) for i in range(5)],
                             msgid="<many@x>")
    big = thunderbird_reply("andi@contoh.go.id", [("besar.xlsx", os.urandom(300_000))],
                            msgid="<big@x>")
    monkeypatch.setattr(inbox, "MAX_ATTACHMENTS", 3)
    monkeypatch.setattr(inbox, "MAX_FILE_BYTES", 200_000)
    before = sorted(p for p in tmp_path.rglob("*"))
    box = write_mbox(tmp_path / "jahat.mbox", [good, no_boundary, huge_header, bomb, sneaky,
                                               control, bad_b64, many, big])
    before.append(box)
    report = collect([box], ws, jobs=1)
    codes = _codes(report)
    by_msg = {}
    for name, cs in codes.items():
        by_msg.setdefault(name.split(" › ")[1].split(" (")[0], []).extend(cs)
    assert "surel_rusak" in by_msg["pesan #2"]
    assert by_msg["pesan #3"] == ["surel_kepala_besar"]
    assert "zip_bom" in by_msg["pesan #4"]
    assert "nama_lampiran_tidak_aman" in by_msg["pesan #5"]
    assert "nama_lampiran_tidak_aman" in by_msg["pesan #6"]
    assert "surel_rusak" in by_msg["pesan #7"]
    assert by_msg["pesan #8"].count("lampiran_terlalu_banyak") == 1
    assert "berkas_terlalu_besar" in by_msg["pesan #9"]
    # the others collected: the good form, and the sneaky-named copies (same content)
    accepted = [r for r in report.results if r.status != "ditolak"]
    assert any(r.name.endswith(ANDI) and "pesan #1" in r.name for r in accepted)
    sneaky_row = next(r for r in report.results if "pesan #5" in r.name)
    assert sneaky_row.name.endswith("› IKI Andi.xlsx") and sneaky_row.status != "ditolak"
    control_row = next(r for r in report.results if "pesan #6" in r.name)
    assert "\x1b" not in control_row.name and "\u202e" not in control_row.name
    assert report.mail["messages"] == 9
    # nothing was written outside the workspace (no attachment saved anywhere)
    after = sorted(p for p in tmp_path.rglob("*") if "ws" not in p.relative_to(tmp_path).parts)
    assert after == sorted(p for p in before if "ws" not in p.relative_to(tmp_path).parts)


def test_message_over_the_size_limit_is_skipped_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(inbox, "MAX_MESSAGE_BYTES", 10_000)
    box = write_mbox(tmp_path / "m.mbox", [
        thunderbird_reply("a@b.id", [("a.xlsx", os.urandom(20_000))], msgid="<big@b>"),
        thunderbird_reply("a@b.id", [("b.xlsx", b"PK\x03\x04")], msgid="<ok@b>")])
    stats = MailStats()
    items = [i for pos, raw in iter_mbox(box)
             for i in message_attachments(raw, str(box), pos, stats)]
    assert [i.problem[0] if i.problem else i.name for i in items] == \
        ["surel_terlalu_besar", "b.xlsx"]


def test_deep_nesting_is_refused(tmp_path, monkeypatch):
    raw = thunderbird_reply("a@b.id", [("a.xlsx", b"PK\x03\x04")], msgid="<n0@b>")
    for i in range(inbox.MAX_DEPTH + 1):
        raw = forwarded("a@b.id", raw, msgid=f"<n{i + 1}@b>")
    items = list(message_attachments(raw, "x.mbox", 1, MailStats()))
    assert [i.problem[0] for i in items] == ["surel_terlalu_rumit"]


@pytest.mark.parametrize("name, clean, unsafe", [
    ("IKI Andi.xlsx", "IKI Andi.xlsx", False),
    ("../../etc/passwd.xlsx", "passwd.xlsx", True),
    ("C:\\Users\\andi\\IKI.xlsx", "IKI.xlsx", True),
    ("IKI\x00\x1b.xlsx", "IKI__.xlsx", True),
    ("..", "lampiran", True),
])
def test_attachment_names_are_only_names(name, clean, unsafe):
    assert clean_name(name) == (clean, unsafe)


def test_whatsapp_export_given_as_a_file(mail_ws, tmp_path):
    ws, forms = mail_ws
    export = tmp_path / "WhatsApp Chat with Andi.zip"
    export.write_bytes(_whatsapp_export({ANDI: form_files(forms)[ANDI].read_bytes()}))
    report = collect([export], ws, jobs=1)
    assert [r.nip for r in report.results] == ["199005202015031003"]
    assert report.results[0].status != "ditolak"


def test_the_fast_parser_agrees_with_the_standard_one(monkeypatch):
    """Well-formed MIME is cut at its boundaries without the email package's line-by-line
    parser; anything else goes to that parser. Both must give the same attachments."""
    form = b"PK\x03\x04" + os.urandom(3000)
    inner = thunderbird_reply("n@contoh.go.id", [(NUR, form)], msgid="<i@x>")
    messages = [
        thunderbird_reply("a@b.id", [(ANDI, form), ("IKI é — révisi.xlsx", form[::-1])]),
        thunderbird_reply("a@b.id", [("..\\..\\x.xlsx", form)]),
        gmail_message("g@gmail.com", [(KEPALA, form), ("foto.jpg", b"\xff\xd8")]),
        forwarded("s@b.id", inner),
        thunderbird_reply("a@b.id", [("z.xlsx", form)]).replace(b"UEsDB", b"U*&#B", 1),
        thunderbird_reply("a@b.id", [("wa.zip", _whatsapp_export({ANDI: form}))]),
        thunderbird_reply("a@b.id", []),
    ]
    used = []
    real = inbox._fast_parse

    def spy(raw, depth):
        out = real(raw, depth)
        if depth == 0:
            used.append(out is not None)
        return out

    def items():
        return [[(i.name, i.member, i.data, i.problem, i.notes)
                 for i in message_attachments(raw, "m.mbox", n, MailStats())]
                for n, raw in enumerate(messages, 1)]

    monkeypatch.setattr(inbox, "_fast_parse", spy)
    fast = items()
    monkeypatch.setattr(inbox, "_fast_parse", lambda raw, depth: None)
    assert fast == items()
    assert all(used), used  # every one of these took the fast path
    assert [len(x) for x in fast] == [2, 1, 1, 1, 1, 1, 0]
    assert fast[0][1][0] == "IKI é — révisi.xlsx"

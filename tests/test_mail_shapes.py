"""Mail as offices really have it (issue 20): every filled form that arrives by mail is
found by its content and recorded — whatever its name, extension, declared type or the
charset of its name — from every container mail programs write: Outlook's .eml,
rich-text ``winmail.dat`` and .msg, Apple Mail's .eml, .emlx and mailbox export, Gmail
Takeout and Thunderbird mbox files (with and without a blank line before ``From -``,
named with dots or nothing), forwards and zips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from libreoffice import needs_libreoffice, run
from mailshapes import (
    Part,
    apple_mail_eml,
    apple_mail_export,
    emlx,
    forward_as_attachment,
    gmail_takeout,
    mbox_bytes,
    message,
    outlook_eml,
    outlook_msg,
    outlook_rich_text,
    thunderbird_folder,
    tnef_stream,
    zip_of,
)
from mailtools import form_files, mail_filled, mail_generated, mail_ws, on_target  # noqa: F401
from typer.testing import CliRunner

from iki_xlsx.cli import app
from iki_xlsx.collect import collect

ANDI = "199005202015031003_Andi Pratama, S.Kom.xlsx"
NUR = "199107112019032011_Nur Aini, A.Md.xlsx"
KEPALA = "197001011995031001_Drs. H. Rahmat Wijaya, S.Sos.xlsx"
NIP = {ANDI: "199005202015031003", NUR: "199107112019032011", KEPALA: "197001011995031001"}
ACCEPTED = ("diterima", "diterima_catatan")


def _accepted(report) -> dict[str, list[str]]:
    """NIP → the names of the accepted rows of it."""
    out: dict[str, list[str]] = {}
    for r in report.results:
        if r.status in ACCEPTED and r.recorded:
            out.setdefault(r.nip, []).append(r.name)
    return out


def _no_rejection(report) -> None:
    bad = [(r.name, [p.code for p in r.problems]) for r in report.results
           if r.status == "ditolak"]
    assert not bad, bad


# --------------------------------------------------------------------------- issue cases

CASES = {
    "no extension, the xlsx type": Part(b"", name="IKI Andi Pratama"),
    "named only .xlsx": Part(b"", name=".xlsx"),
    "inline, no name, octet-stream": Part(b"", name=None, ctype="application/octet-stream",
                                          disposition="inline"),
    "name in x-bogus": Part(b"", name="IKI Andi é.xlsx", charset="x-bogus"),
    "name in windows-874": Part(b"", name="IKI แอนดี้.xlsx", charset="windows-874"),
    "name in x-mac-roman": Part(b"", name="IKI José.xlsx", charset="x-mac-roman"),
    "name in iso-8859-8-i": Part(b"", name="IKI אנדי.xlsx", charset="iso-8859-8-i"),
    "raw 8-bit name": Part(b"", name="IKI Andi é.xlsx", charset="raw"),
    "a photo's type": Part(b"", name="IMG_0001.jpg", ctype="image/jpeg"),
    "base64 with trailing blanks": Part(b"", name="IKI.xlsx", trailing_spaces=True),
    "declared a message, base64": Part(b"", name="IKI.xlsx", ctype="message/rfc822"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_form_is_found_whatever_its_name_type_or_charset(case, mail_ws, mail_filled, tmp_path):
    ws, _ = mail_ws
    part = CASES[case]
    part.data = mail_filled[ANDI]
    eml = tmp_path / "balasan.eml"
    eml.write_bytes(message("andi@contoh.go.id", [part], msgid="<kasus@contoh.go.id>"))
    report = collect([eml], ws, jobs=1)
    _no_rejection(report)
    assert list(_accepted(report)) == [NIP[ANDI]], [(r.name, r.status) for r in report.results]
    assert report.mail["attachments"] == 1 and report.mail["without_form"] == 0
    name = report.results[0].mail["lampiran"]
    if case.startswith("name in") and case != "name in x-bogus":
        assert name == part.name.strip(".")  # decoded in its own charset
    if case == "name in x-bogus":  # an unknown charset: its bytes read as UTF-8
        assert name == "IKI Andi é.xlsx"


def test_outlook_rich_text_winmail_dat(mail_ws, mail_filled, tmp_path):
    ws, _ = mail_ws
    inner = tnef_stream([("IKI Nur Aini.xlsx", mail_filled[NUR])])  # an attached item
    raw = outlook_rich_text("andi@contoh.go.id", [("IKI Andi Pratama.xlsx", mail_filled[ANDI]),
                                                  ("logo.png", b"\x89PNG\r\n\x1a\n")],
                            items=[inner], msgid="<rtf@contoh.go.id>")
    (tmp_path / "rtf.eml").write_bytes(raw)
    report = collect([tmp_path / "rtf.eml"], ws, jobs=1)
    _no_rejection(report)
    found = _accepted(report)
    assert sorted(found) == sorted([NIP[ANDI], NIP[NUR]])
    assert any("winmail.dat › IKI Andi Pratama.xlsx" in n for n in found[NIP[ANDI]])
    assert report.messages[0]["lampiran_lain"] == 1  # the logo: counted, not collected


def test_outlook_msg_files_items_and_forwards(mail_ws, mail_filled, tmp_path):
    """A .msg saved from Outlook (its OLE signature is no .xls), an item attached to it,
    and a .msg attached to a message (Outlook's "forward as attachment")."""
    ws, _ = mail_ws
    from mailshapes import msg_storage

    item = msg_storage("nur.aini@contoh.go.id", [("IKI Nur.xlsx", mail_filled[NUR])],
                       subject="Formulir Nur", msgid="<item@x>", embedded=True)
    saved = outlook_msg("andi@contoh.go.id", [("IKI Andi.xlsx", mail_filled[ANDI])],
                        msgid="<saved@contoh.go.id>", items=[item])
    folder = tmp_path / "outlook"
    folder.mkdir()
    (folder / "RE Formulir IKI.msg").write_bytes(saved)
    kepala = outlook_msg("kepala@contoh.go.id", [("IKI.xlsx", mail_filled[KEPALA])],
                         msgid="<kepala@contoh.go.id>")
    (folder / "fwd.eml").write_bytes(message("sekretariat@contoh.go.id", [Part(
        kepala, name="RE Formulir IKI.msg", ctype="application/vnd.ms-outlook")]))
    report = collect([folder], ws, jobs=1)
    _no_rejection(report)
    assert sorted(_accepted(report)) == sorted(NIP.values())
    rows = {r.nip: r for r in report.results}
    assert rows[NIP[ANDI]].mail["message_id"] == "<saved@contoh.go.id>"
    assert rows[NIP[ANDI]].mail["from"] == "andi@contoh.go.id"
    assert rows[NIP[ANDI]].mail["date"] == "2025-04-03T10:15:00+08:00"
    assert rows[NIP[KEPALA]].mail["from"] == "sekretariat@contoh.go.id"  # the forward's


def test_a_workbook_embedded_in_outlook_rich_text(mail_ws, mail_filled, tmp_path):
    """Rich text in Outlook can hold a workbook as an embedded object (attach method 6):
    its file is the object's ``Package`` stream."""
    ws, _ = mail_ws
    import struct

    from cfb import write_cfb
    from mailshapes import MSG_CLSID, msg_storage

    tree = msg_storage("andi@contoh.go.id", [], subject="IKI (objek)", msgid="<obj@x>")
    tree["__attach_version1.0_#00000000"] = {
        "__properties_version1.0": b"\0" * 8 + struct.pack("<HHI", 0x0003, 0x3705, 6)
        + struct.pack("<I", 6) + b"\0" * 4,
        "__substg1.0_3001001F": "Lembar Kerja Microsoft Excel".encode("utf-16-le"),
        "__substg1.0_3701000D": {"\x01CompObj": b"\x01\x00\xfe\xff", "Package":
                                 mail_filled[ANDI]}}
    (tmp_path / "objek.msg").write_bytes(write_cfb(tree, MSG_CLSID))
    report = collect([tmp_path / "objek.msg"], ws, jobs=1)
    _no_rejection(report)
    assert list(_accepted(report)) == [NIP[ANDI]]


def test_thunderbird_folders_with_and_without_blank_lines(mail_ws, mail_filled, tmp_path):
    """Thunderbird's folder files have no extension and may hold a dot (``IKI TW.1``);
    a ``From -`` line right after the previous message (no blank line) starts a message,
    as Thunderbird and mutt read it; the ``.msf`` index beside is skipped, not judged."""
    ws, _ = mail_ws
    profile = tmp_path / "Local Folders"
    messages = [message("andi@contoh.go.id", [Part(mail_filled[ANDI], name="IKI Andi.xlsx")],
                        msgid="<tb1@x>"),
                message("nur.aini@contoh.go.id", [Part(mail_filled[NUR], name="IKI Nur.xlsx")],
                        msgid="<tb2@x>"),
                message("x@contoh.go.id", [], msgid="<tb3@x>")]
    thunderbird_folder(profile, "IKI TW.1", messages, blank_line=False, crlf=True)
    thunderbird_folder(profile / "IKI.sbd", "Kepala", [message(
        "kepala@contoh.go.id", [Part(mail_filled[KEPALA], name="IKI.xlsx")], msgid="<tb4@x>")])
    (profile / "Trash").write_bytes(b"")  # an empty folder, with its index
    (profile / "Trash.msf").write_bytes(b'// <!-- <mdb:mork:z v="1.4"/> -->\n')
    (profile / "msgFilterRules.dat").write_bytes(b'version="9"\nlogging="no"\n')
    report = collect([profile], ws, jobs=1)
    _no_rejection(report)
    assert sorted(_accepted(report)) == sorted(NIP.values())
    assert report.mail == {"messages": 4, "with_forms": 3, "without_form": 1, "problems": 0,
                           "attachments": 3}
    skipped = sorted((s["berkas"].rsplit("/", 1)[-1], s["alasan"]) for s in report.skipped)
    assert skipped == [("IKI TW.1.msf", "thunderbird"), ("Kepala.msf", "thunderbird"),
                       ("Trash", "empty"), ("Trash.msf", "thunderbird"),
                       ("msgFilterRules.dat", "thunderbird")]


def test_gmail_takeout_and_a_mailbox_named_like_a_workbook(mail_ws, mail_filled, tmp_path):
    """A mailbox is judged by its content: an mbox named ``IKI.xlsx`` is read as mail."""
    ws, _ = mail_ws
    takeout = gmail_takeout(tmp_path / "Takeout" / "Mail" / "All mail Including Spam and "
                            "Trash.mbox", [message("andi@contoh.go.id", [Part(
                                mail_filled[ANDI], name="IKI.xlsx")], msgid="<g1@mail.gmail.com>")])
    odd = tmp_path / "IKI.xlsx"
    odd.write_bytes(mbox_bytes([message("nur.aini@contoh.go.id",
                                        [Part(mail_filled[NUR], name="IKI.xlsx")])]))
    report = collect([takeout, odd], ws, jobs=1)
    _no_rejection(report)
    assert sorted(_accepted(report)) == sorted([NIP[ANDI], NIP[NUR]])
    assert report.mail["messages"] == 2


def test_apple_mail_export_and_emlx(mail_ws, mail_filled, tmp_path):
    """Apple Mail's export (``Name.mbox/mbox`` beside ``Info.plist`` and
    ``table_of_contents``): its forms collected, the other two listed as skipped — no
    rejection, exit status 0 — and its own store's ``.emlx``."""
    ws, _ = mail_ws
    folder = tmp_path / "ekspor"
    apple_mail_export(folder, "Kotak Masuk", [
        apple_mail_eml("andi@contoh.go.id", [("IKI Andi.xlsx", mail_filled[ANDI])],
                       msgid="<ap1@x>")])
    (folder / "1234.emlx").write_bytes(emlx(apple_mail_eml(
        "nur.aini@contoh.go.id", [("IKI Nur.xlsx", mail_filled[NUR])], msgid="<ap2@x>")))
    (folder / "Outlook.eml").write_bytes(outlook_eml(
        "kepala@contoh.go.id", [Part(mail_filled[KEPALA], name="IKI Kepala.xlsx")]))
    ws.close()
    result = CliRunner().invoke(app, ["collect", str(folder), "-w", str(ws.path), "-j", "1",
                                      "--report", str(tmp_path / "lap.xlsx"), "--json"])
    data = json.loads(result.output)
    assert [r["status"] for r in data["berkas"]] == ["diterima"] * 3, result.output
    assert result.exit_code == 0
    assert sorted((s["berkas"].rsplit("/", 1)[-1], s["alasan"]) for s in data["dilewati"]) == \
        [("Info.plist", "apple"), ("table_of_contents", "apple")]
    assert all(s["keterangan"] for s in data["dilewati"])
    assert data["surel"]["messages"] == 3


def test_forwards_and_zips_at_any_depth(mail_ws, mail_filled, tmp_path):
    ws, _ = mail_ws
    inner = message("nur.aini@contoh.go.id", [Part(mail_filled[NUR], name="IKI Nur.xlsx")],
                    msgid="<asli@x>")
    fwd = forward_as_attachment("sri.lestari@contoh.go.id", inner, msgid="<fwd@x>")
    fwd2 = forward_as_attachment("kepala@contoh.go.id", fwd, msgid="<fwd2@x>")  # of a fwd
    saved = forward_as_attachment("andi@contoh.go.id", message(
        "andi@contoh.go.id", [Part(mail_filled[ANDI], name="IKI")]), name="pesan",
        ctype="application/octet-stream", msgid="<eml@x>")  # a message saved, attached
    zipped = message("kepala@contoh.go.id", [Part(zip_of({
        "dalam/lagi.zip": zip_of({"IKI Kepala": mail_filled[KEPALA]}),
        "foto.jpg": b"\xff\xd8\xff\xe0"}), name="kiriman", ctype="application/octet-stream")],
        msgid="<zip@x>")
    box = tmp_path / "Inbox"
    box.write_bytes(mbox_bytes([fwd2, saved, zipped]))
    report = collect([box], ws, jobs=1)
    _no_rejection(report)
    assert sorted(_accepted(report)) == sorted(NIP.values())
    assert report.mail["attachments"] == 3


@needs_libreoffice
def test_forms_filled_in_libreoffice_through_every_container(mail_ws, tmp_path):
    """Forms filled and saved by a real LibreOffice (an .xlsx and an .ods), sent the ways
    offices send them: all recorded, with the values typed."""
    ws, forms = mail_ws
    issued = {Path(f.file_path).name: f.manifest for f in ws.issued.forms(full=True)}
    files = form_files(forms)
    jobs, saved = [], {}
    for name, fmt in ((ANDI, "xlsx"), (NUR, "ods")):
        out = tmp_path / "diisi" / f"IKI saya.{fmt}"
        out = out.with_name(f"{NIP[name]}.{fmt}")
        writes = {ind["cells"]["realisasi"]["TW1"]: on_target(ind)
                  for ind in issued[name]["indicators"]}
        jobs.append({"path": str(files[name]), "sheet": "IKI", "writes": writes,
                     "save": [{"path": str(out), "format": fmt}]})
        saved[name] = out
    (tmp_path / "diisi").mkdir()
    run(jobs)
    andi, nur = saved[ANDI].read_bytes(), saved[NUR].read_bytes()
    folder = tmp_path / "kotak"
    thunderbird_folder(folder, "IKI TW.1", [
        outlook_rich_text("andi@contoh.go.id", [("IKI Andi.xlsx", andi)], msgid="<lo1@x>"),
        message("nur.aini@contoh.go.id", [Part(nur, name=None, ctype="application/octet-stream",
                                               disposition="inline")], msgid="<lo2@x>")],
        blank_line=False)
    (folder / "Andi.msg").write_bytes(outlook_msg("andi@contoh.go.id", [("IKI", andi)]))
    apple_mail_export(folder, "Arsip", [apple_mail_eml("nur.aini@contoh.go.id",
                                                       [(".xlsx", nur)], msgid="<lo3@x>")])
    report = collect([folder], ws, jobs=1)
    _no_rejection(report)
    assert len(report.results) == 4
    assert sorted(_accepted(report)) == sorted([NIP[ANDI], NIP[NUR]])
    assert all(r.filled for r in report.results), [(r.name, r.filled) for r in report.results]


def test_files_judged_as_files_when_mail_is_not_read(mail_ws, mail_filled, tmp_path):
    """The portal's uploads are one file each, never a mailbox: with ``mail_files=False``
    a message is one file the reader names (and shows against that upload)."""
    ws, _ = mail_ws
    eml = tmp_path / "TT-20250403-ABCDEF.unggahan"
    eml.write_bytes(message("andi@contoh.go.id", [Part(mail_filled[ANDI])]))
    report = collect([eml], ws, jobs=1, year=False, mail_files=False)
    assert [(r.source, r.status) for r in report.results] == [(str(eml.resolve()), "ditolak")]
    assert report.mail is None and report.messages == []


def test_an_outlook_message_uploaded_to_the_portal_is_named_as_one(mail_ws, mail_filled,
                                                                   tmp_path):
    """The portal reads one upload as one file, never as a mailbox: an Outlook .msg
    uploaded there is named as a message (not as an old .xls), with what to do."""
    from portalkit import Client, portal, text_of

    from iki_xlsx.core.texts import get_texts
    from iki_xlsx.portal.auth import set_password

    ws, _ = mail_ws
    saved = tmp_path / "RE Formulir IKI.msg"
    saved.write_bytes(outlook_msg("andi@contoh.go.id", [("IKI Andi.xlsx", mail_filled[ANDI])],
                                  msgid="<unggah@contoh.go.id>"))
    set_password(ws.path, "sandi-pengelola-uji-123", get_texts())
    ws.close()
    with portal(ws.path) as running:
        page = text_of(Client(running.url).upload(saved).text)
    texts = get_texts()
    assert texts.t("masalah.pesan_outlook") in page
    assert texts.t("masalah.pesan_outlook_saran") in page
    assert texts.t("masalah.format_xls") not in page

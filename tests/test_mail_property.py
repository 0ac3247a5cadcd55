"""Property (issue 20): a real filled form placed in any supported container — an .eml, an
mbox (Thunderbird's, Takeout's, one without blank lines), a forwarded message, a zip,
TNEF ``winmail.dat``, an Outlook .msg, nested in one another — under any name, any
declared type and any charset of its name, is found and recorded. And no bytes in a
container make the reader raise: a broken one is a named problem."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from mailshapes import (
    XLSX,
    Part,
    gmail_takeout,
    mbox_bytes,
    message,
    outlook_msg,
    tnef_stream,
    zip_of,
)
from mailtools import mail_filled, mail_generated  # noqa: F401

from iki_xlsx.collect import collect
from iki_xlsx.collect.mail.inbox import MailStats, message_attachments
from iki_xlsx.collect.sources import MAX_ARCHIVE_DEPTH
from iki_xlsx.workspace import Workspace

FORMS = ["199005202015031003_Andi Pratama, S.Kom.xlsx", "199107112019032011_Nur Aini, A.Md.xlsx"]
TYPES = [XLSX, "application/octet-stream", "application/vnd.ms-excel", "application/zip",
         "text/plain", "image/png", "application/pdf", "application/x-anything",
         "application/vnd.oasis.opendocument.spreadsheet", "message/rfc822"]
CHARSETS = ["utf-8", "raw", "rfc2231", "x-bogus", "windows-874", "x-mac-roman", "iso-8859-8-i"]
names = st.one_of(
    st.none(), st.just(""), st.just(".xlsx"), st.just("winmail.dat"),
    st.from_regex(r"IKI [A-Za-z ]{0,12}(\.xlsx|\.XLSX|\.ods|\.zip|\.pdf|\.jpg|\.eml|)",
                  fullmatch=True),
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Zl", "Zp"),
                          blacklist_characters='"'), min_size=1, max_size=30))


@dataclass
class File:
    data: bytes
    name: str | None
    ctype: str
    charset: str
    disposition: str | None
    forwarded: bool = False

    def part(self) -> Part:
        return Part(self.data, name=self.name, ctype=self.ctype, charset=self.charset,
                    disposition=self.disposition, forwarded=self.forwarded)


def _named(name: str | None, default: str) -> str:
    return name.strip() if name and name.strip() else default


def wrap(file: File, how: str, name: str | None, ctype: str) -> File:
    """The file inside a container that mail carries as one attachment."""
    if how == "zip":
        data = zip_of({_named(file.name, "IKI"): file.data})
    elif how == "tnef":
        return File(tnef_stream([(_named(file.name, "IKI"), file.data)]), "winmail.dat",
                    "application/ms-tnef", "utf-8", "attachment")
    elif how == "msg":
        data = outlook_msg("andi@contoh.go.id", [(_named(file.name, "IKI"), file.data)])
    elif how == "forward":
        inner = message("andi@contoh.go.id", [file.part()])
        return File(inner, "Formulir.eml", "message/rfc822", "utf-8", "attachment", True)
    else:  # a message saved and attached as a file
        data = message("andi@contoh.go.id", [file.part()])
    return File(data, name, ctype, "utf-8", "attachment")


def outside(file: File, how: str, folder: Path, filename: str) -> Path:
    """The file on disk the officer collects."""
    noise = message("x@contoh.go.id", [Part(b"\xff\xd8\xff\xe0", name="foto.jpg",
                                            ctype="image/jpeg")])
    mail = message("andi@contoh.go.id", [file.part()])
    path = folder / filename
    if how == "eml":
        path.write_bytes(mail)
    elif how == "thunderbird":
        path.write_bytes(mbox_bytes([noise, mail, noise], blank_line=False, crlf=True))
    elif how == "takeout":
        gmail_takeout(path, [noise, mail])
    elif how == "msg":
        path.write_bytes(outlook_msg("andi@contoh.go.id", [(_named(file.name, "IKI"),
                                                            file.data)]))
    elif how == "winmail":
        path.write_bytes(tnef_stream([(_named(file.name, "IKI"), file.data)]))
    else:  # a zip of the file (a zip given to collect holds forms, not mail)
        path.write_bytes(zip_of({_named(file.name, "IKI.xlsx"): file.data}))
    return path


@st.composite
def placements(draw):
    form = draw(st.sampled_from(FORMS))
    inner = draw(st.lists(st.sampled_from(["zip", "tnef", "msg", "forward", "eml-file"]),
                          max_size=3))
    outer = draw(st.sampled_from(["eml", "thunderbird", "takeout", "msg", "winmail", "zip"]))
    if outer == "zip":  # a zip given to collect, with zips in it: up to the depth opened
        inner = [w for w in inner if w == "zip"][:MAX_ARCHIVE_DEPTH - 1]
    first = File(b"", draw(names), draw(st.sampled_from(TYPES)),
                 draw(st.sampled_from(CHARSETS)),
                 draw(st.sampled_from(["attachment", "inline", None])))
    wraps = [(how, draw(names), draw(st.sampled_from(TYPES))) for how in inner]
    filename = draw(st.sampled_from(["kotak", "IKI TW.1", "Inbox", "pesan.eml", "x.xlsx",
                                     "winmail.dat", "RE Formulir.msg", "lampiran.zip"]))
    return form, first, wraps, outer, filename


@pytest.fixture(scope="module")
def filled(mail_filled):
    """The filled forms, behind a call (a failing example prints its arguments)."""
    return lambda: mail_filled


@pytest.fixture(scope="module")
def workspace(mail_generated, tmp_path_factory):
    import shutil

    root = tmp_path_factory.mktemp("properti")
    shutil.copytree(mail_generated[2], root / "ws")
    ws = Workspace(root / "ws")
    yield ws
    ws.close()


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(placement=placements())
def test_a_form_in_any_container_is_found_and_recorded(placement, workspace, filled):
    form, first, wraps, outer, filename = placement
    event(" in ".join([*(how for how, _, _ in wraps), outer]))
    file = File(filled()[form], first.name, first.ctype, first.charset, first.disposition)
    for how, name, ctype in wraps:
        file = wrap(file, how, name, ctype)
    with tempfile.TemporaryDirectory() as tmp:
        path = outside(file, outer, Path(tmp), filename)
        report = collect([path], workspace, jobs=1)
    rows = [(r.nip, r.status, [p.code for p in r.problems]) for r in report.results]
    found = [r for r in report.results if r.nip == form.split("_")[0]]
    assert found, rows
    assert all(r.status in ("diterima", "diterima_catatan") and r.recorded for r in found), rows
    assert not [r for r in report.results if r.status == "ditolak"], rows
    recorded = workspace.db.execute("SELECT COUNT(*) FROM sightings WHERE sha256 = ?",
                                    (found[0].sha256,)).fetchone()[0]
    assert recorded >= 1


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_broken_containers_are_named_never_raised(data, filled):
    """Any cut or byte flipped in a TNEF stream or an Outlook item: the reader gives
    forms and named problems, nothing else."""
    form = filled()[FORMS[0]]
    kind = data.draw(st.sampled_from(["tnef", "msg"]))
    blob = tnef_stream([("IKI.xlsx", form)]) if kind == "tnef" else \
        outlook_msg("a@contoh.go.id", [("IKI.xlsx", form)])
    blob = bytearray(blob)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(blob) - 1))
        blob[at] = data.draw(st.integers(0, 255))
    blob = bytes(blob[:data.draw(st.integers(0, len(blob)))])
    raw = message("a@contoh.go.id", [Part(blob, name="winmail.dat" if kind == "tnef"
                                          else "x.msg", ctype="application/octet-stream")])
    for item in message_attachments(raw, "m.mbox", 1, MailStats()):
        assert (item.data is None) != (item.problem is None)

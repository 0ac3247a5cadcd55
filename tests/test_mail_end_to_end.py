"""End to end by mail: distribute to .eml → each "pegawai" opens the attachment, fills it
in a real LibreOffice, replies with it attached → collect from the mbox and from IMAP
(dovecot) → recap. Every form arrives, by content, whatever the file name."""

from __future__ import annotations

import email
import email.policy
import shutil
import tempfile
from pathlib import Path

import pytest
from libreoffice import needs_libreoffice, run
from mailtools import DOVECOT, Dovecot, mail_generated, mail_ws, thunderbird_reply, write_mbox  # noqa: F401

from iki_xlsx.collect import collect
from iki_xlsx.collect.mail.imap import ImapSpec
from iki_xlsx.core.texts import get_texts
from iki_xlsx.mail.distribute import distribute
from iki_xlsx.recap.build import build_recap
from iki_xlsx.workspace import Workspace

pytestmark = needs_libreoffice


def _value(ind: dict):
    if ind["polaritas"] == "ya/tidak":
        return "Ya"
    target = ind["target"]
    return target["value"] if target["value"] is not None else target["low"]


def test_distribute_fill_reply_collect_recap(mail_ws, tmp_path):
    ws, forms = mail_ws
    sent = distribute(ws, forms, get_texts(), sender="bkpsdm@contoh.go.id",
                      settings={"batas": "10 April 2025", "balas": "iki@contoh.go.id",
                                "pengirim": "BKPSDM"}, eml_dir=tmp_path / "surel")
    assert len(sent.written) == 5
    # each pegawai: open the message, save the attachment, fill TW1 in LibreOffice
    jobs, replies_to = [], []
    for i, eml in enumerate(sorted(sent.written)):
        msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        att = next(msg.iter_attachments())
        got = tmp_path / "unduhan" / f"{i}" / att.get_filename()
        got.parent.mkdir(parents=True)
        got.write_bytes(att.get_payload(decode=True))
        # the form of this attachment: match by file path (two forms share a NIP)
        rel = next(f.file_path for f in ws.issued.forms()
                   if Path(f.file_path).name == att.get_filename())
        m = next(ff.manifest for ff in ws.issued.forms(full=True)
                 if ff.file_path == rel)
        writes = {ind["cells"]["realisasi"]["TW1"]: _value(ind) for ind in m["indicators"]}
        fmt = "ods" if i == 0 else "xlsx"
        out = tmp_path / "diisi" / f"IKI saya {i}.{fmt}"  # any name: forms are known by content
        out.parent.mkdir(exist_ok=True)
        jobs.append({"path": str(got), "sheet": "IKI", "writes": writes,
                     "save": [{"path": str(out), "format": fmt}]})
        replies_to.append((msg, out))
    run(jobs)
    replies = []
    for n, (msg, out) in enumerate(replies_to):
        replies.append(thunderbird_reply(str(msg["To"]), [(out.name, out.read_bytes())],
                                         msgid=f"<balasan{n}@contoh.go.id>",
                                         subject="Re: " + str(msg["Subject"])))
    replies.append(thunderbird_reply("andi@contoh.go.id", []))  # "sudah saya kirim ya"
    box = write_mbox(tmp_path / "kotak-masuk.mbox", replies)
    # a second workspace, as it was before collecting, for the IMAP round
    shutil.copytree(ws.path, tmp_path / "ws-imap")

    report = collect([box], ws, jobs=1)
    assert [r.status for r in report.results].count("ditolak") == 0, \
        [(r.name, [p.code for p in r.problems]) for r in report.results]
    assert len(report.results) == 5 and not report.not_submitted
    assert report.mail["without_form"] == 1
    recap = build_recap(ws, upto="TW1")
    assert len(recap.submitted) == 5 and not recap.not_submitted
    assert all(f.capaian is not None and f.capaian >= 100 for f in recap.forms)

    if DOVECOT is None:
        pytest.skip("dovecot is not installed: the IMAP round was not run")
    root = Path(tempfile.mkdtemp(prefix="iki-dovecot-"))
    server = Dovecot(root)
    try:
        for n, raw in enumerate(replies):
            server.deliver(raw, n)
        server.start()
        ws2 = Workspace(tmp_path / "ws-imap")
        via_imap = collect([], ws2, jobs=1, imap=ImapSpec(
            "127.0.0.1", server.user, server.password, port=server.port, tls=False))
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    assert sorted(r.sha256 for r in via_imap.results) == \
        sorted(r.sha256 for r in report.results)
    assert not via_imap.not_submitted
    assert len(build_recap(ws2, upto="TW1").submitted) == 5

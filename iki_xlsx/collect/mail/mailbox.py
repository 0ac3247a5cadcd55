"""Where files come from, by e-mail: mail attachments as collect sources, and the notes
collect adds about them.

The bridge between :mod:`iki_xlsx.collect.mail.inbox` (attachments with provenance, read from
``.eml``, mbox and IMAP) and collect's :class:`~.sources.Source`: each attachment becomes a ``Source`` whose ledger
identity is the *message* (``source = "surel:<Message-ID>"``, ``member`` = the path
inside it), so the same message collected twice — from two mbox files, an ``.eml`` and
IMAP — is one sighting; its provenance travels as JSON in ``Source.origin`` and is
stored with the sighting. Zip attachments are opened like any archive (bounded, in
memory), keeping only form-like members: a WhatsApp chat export's ``_chat.txt`` and its
photos are skipped quietly.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from ...core.problems import Problem, Status
from ..sources import FORM_SUFFIXES, Source, display_name, is_archive, members_of_archive
from .imap import ImapSpec, read_imap
from .inbox import Attachment, MailStats, is_mail_file, read_mail_file


class MailInputs:
    """The mail part of one collect run: which inputs are mail, their sources, the
    counts for the report and the notes added to results afterwards."""

    def __init__(self, imap: ImapSpec | None = None):
        self.imap = imap
        self.stats = MailStats()
        self._origins: list[tuple[object, dict]] = []  # (FileResult, provenance)

    @staticmethod
    def handles(path: Path) -> bool:
        return is_mail_file(path)

    def sources(self, path: Path) -> Iterator:
        return attachment_sources(read_mail_file(path, self.stats))

    def imap_sources(self) -> Iterator:
        if self.imap is None:
            return iter(())
        return attachment_sources(read_imap(self.imap, self.stats))

    @property
    def used(self) -> bool:
        return self.stats.messages > 0 or self.imap is not None

    def seen(self, res, src) -> None:
        """Remember a judged result that came from mail (for :meth:`annotate`)."""
        if getattr(src, "origin", ""):
            self._origins.append((res, json.loads(src.origin)))

    def annotate(self, ws) -> None:
        """Report-only notes (never stored with the file, never a rejection): an unsafe
        attachment name, and a sender who is not the pegawai's registered address."""
        if not self._origins:
            return
        contacts = ws.mail.contacts()
        for res, origin in self._origins:
            for code in origin.get("notes", ()):
                res.problems.append(Problem(code, {}, file=res.name))
            contact = contacts.get(res.nip or "")
            sender = origin.get("from", "")
            if contact and contact.email and sender and res.status != Status.REJECTED \
                    and sender.lower() != contact.email.lower():
                res.problems.append(Problem("pengirim_lain", {"sender": sender,
                                                              "email": contact.email},
                                            file=res.name))


def attachment_sources(items: Iterable[Attachment]) -> Iterator:
    """Collect ``Source`` objects for attachments (zip archives opened member by member
    with collect's own bounds)."""
    for att in items:
        origin = dict(att.origin)
        if att.notes:
            origin["notes"] = att.notes
        text = json.dumps(origin, ensure_ascii=False, sort_keys=True)
        shown = display_name(f"{att.shown} › {att.name}" if att.name else att.shown)
        if att.problem is not None:
            code, params = att.problem
            yield Source(shown, att.key, att.member, problem=Problem(code, params),
                         origin=text)
            continue
        data = att.data or b""
        zf = _archive(data, is_archive)
        if zf is None:
            yield Source(shown, att.key, att.member, data=data, origin=text)
            continue
        with zf:
            for src in members_of_archive(zf, att.key, [att.member], 1, display_name(att.shown)):
                last = src.member.split(" › ")[-1].split(" #")[0]
                if src.problem is None and \
                        PurePosixPath(last.replace("\\", "/")).suffix.lower() not in FORM_SUFFIXES:
                    continue  # chat text, photos, voice notes: not submissions
                src.origin = text
                yield src


def _archive(data: bytes, is_archive) -> zipfile.ZipFile | None:
    """A zip of other files (not a workbook, which is a zip too), else None."""
    if not data.startswith(b"PK"):
        return None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        if is_archive(zf):
            return zf
        zf.close()
    except Exception:
        return None  # the reader names what is wrong with it
    return None

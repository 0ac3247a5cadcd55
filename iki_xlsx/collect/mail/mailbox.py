"""Where files come from, by e-mail: mail attachments as collect sources, and what collect
says about the messages they came in.

The bridge between :mod:`iki_xlsx.collect.mail.inbox` (attachments with provenance, read
from mail files and IMAP) and collect's :class:`~.sources.Source`: each attachment
becomes a ``Source`` whose ledger identity is the *message* (``source =
"surel:<Message-ID>"``, ``member`` = the place inside it), so the same message collected
twice — from two mbox files, an ``.eml`` and IMAP — is one sighting; its provenance
travels as JSON in ``Source.origin``, is stored with the sighting and named on the
report's row.

A file in a folder is mail when its content says so (:func:`~.kinds.mail_file_kind`),
whatever its name; what a mail program writes beside its messages (``Info.plist``,
``table_of_contents``, ``.msf``) is listed as skipped, never judged as a workbook.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from ...core.problems import Problem, Status
from ..sources import Source, display_name, text_of_path
from . import kinds
from .imap import ImapSpec, read_imap
from .inbox import Attachment, MailStats, read_mail_file


class MailInputs:
    """The mail part of one collect run: which inputs are mail, their sources, what was
    skipped beside them, the messages read, and the notes added to results afterwards."""

    def __init__(self, imap: ImapSpec | None = None, files: bool = True):
        self.imap, self.files = imap, files  # files=False: no file is read as mail
        self.stats = MailStats()
        self.skipped: list[dict] = []  # files a mail program wrote beside its messages
        self._results: list = []  # FileResults that came from mail (for annotate)
        self._kind: tuple[Path, str | None] | None = None

    def handles(self, path: Path) -> bool:
        """Whether ``path`` is mail (or a mail program's file beside it), by content."""
        if not self.files:
            return False
        kind = kinds.mail_file_kind(path)
        self._kind = (path, kind)
        return kind is not None

    def sources(self, path: Path) -> Iterator:
        kind = self._kind[1] if self._kind and self._kind[0] == path \
            else kinds.mail_file_kind(path)
        if kind is not None and kind.startswith("side:"):
            self.skipped.append({"berkas": display_name(text_of_path(str(path))),
                                 "alasan": kind.split(":", 1)[1]})
            return iter(())
        return attachment_sources(read_mail_file(path, self.stats, kind))

    def imap_sources(self) -> Iterator:
        if self.imap is None:
            return iter(())
        return attachment_sources(read_imap(self.imap, self.stats))

    @property
    def used(self) -> bool:
        return self.stats.messages > 0 or self.imap is not None

    def seen(self, res, src) -> None:
        """A judged result that came from mail: the message it came in goes on its row."""
        if getattr(src, "origin", ""):
            res.mail = json.loads(src.origin)
            self._results.append(res)

    def messages(self) -> list[dict]:
        """Every message read, with its forms, problems and other attachments."""
        return [r.to_dict() for r in self.stats.records]

    def annotate(self, ws) -> None:
        """Report-only notes (never stored with the file, never a rejection): an unsafe
        attachment name, and a sender who is not the pegawai's registered address."""
        if not self._results:
            return
        contacts = ws.mail.contacts()
        for res in self._results:
            origin = res.mail
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
    """Collect ``Source`` objects for attachments (forms, and problems with their
    reason)."""
    for att in items:
        origin = dict(att.origin)
        if att.notes:
            origin["notes"] = att.notes
        text = json.dumps(origin, ensure_ascii=False, sort_keys=True)
        shown = display_name(att.label or (f"{att.shown} › {att.name}" if att.name
                                           else att.shown))
        if att.problem is not None:
            code, params = att.problem
            yield Source(shown, att.key, att.member, problem=Problem(code, params),
                         origin=text)
        else:
            yield Source(shown, att.key, att.member, data=att.data or b"", origin=text)

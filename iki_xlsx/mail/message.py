"""One message per form: recipients, subject and body from the templates
(``templates/email_*.txt.j2``, ``templates/surel.yaml``), the form attached with its
Indonesian file name (RFC 2231), and a Message-ID that is the same every time the same
form revision is sent (a mail client that receives it twice shows it once).

Messages are built as Thunderbird and Gmail build them: ``multipart/mixed``, a UTF-8
text part, the attachment in base64 with ``filename*=utf-8''…``.
"""

from __future__ import annotations

import email.policy
import email.utils
import hashlib
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from ..core.texts import Texts
from ..workspace import MailForm

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
POLICY = email.policy.SMTP  # CRLF line ends, as on the wire and in .eml files


@dataclass
class Outgoing:
    """One message to send or write: a form (or a reminder of it) to its pegawai."""

    form: MailForm  # the issued form (its current revision)
    kind: str  # "formulir" | "pengingat-TW2" | "atasan-TW2"
    to: str
    cc: list[str] = field(default_factory=list)
    attachment: Path | None = None
    extra: dict = field(default_factory=dict)  # template context (bawahan list, period)

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.form.form_id, self.form.revision, self.kind)


def message_id(out: Outgoing, sender: str) -> str:
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else "iki-xlsx.invalid"
    digest = hashlib.sha256("|".join(map(str, out.key)).encode()).hexdigest()[:20]
    return f"<iki-{digest}@{domain}>"


def context(out: Outgoing, settings: dict) -> dict:
    f = out.form
    return {"nama": f.nama, "nip": f.nip, "jabatan": f.jabatan,
            "perangkat_daerah": f.perangkat_daerah, "unit_kerja": f.unit_kerja,
            "tahun": f.tahun, "revisi": f.revision if f.revision > 1 else 0,
            "skema": f.periode or "triwulan", "berkas": out.attachment.name
            if out.attachment else "", "batas": "", "balas": "", "pengirim": "",
            "periode": "", **settings, **out.extra}


def build(out: Outgoing, texts: Texts, *, sender: str, settings: dict,
          draft: bool = False) -> EmailMessage:
    """The message for ``out``. ``settings``: batas (deadline text), balas (reply-to
    address), pengirim (the office's name). ``draft``: marked ``X-Unsent: 1`` so that
    Outlook opens the ``.eml`` as a message ready to send."""
    ctx = context(out, settings)
    base = out.kind.split("-", 1)[0]
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = texts.t(f"surel.subjek_{base}", **ctx)
    msg["From"] = sender
    msg["To"] = out.to
    if out.cc:
        msg["Cc"] = ", ".join(out.cc)
    if settings.get("balas"):
        msg["Reply-To"] = settings["balas"]
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = message_id(out, sender)
    if draft:
        msg["X-Unsent"] = "1"
    msg.set_content(texts.render(f"email_{base}.txt.j2", **ctx), charset="utf-8",
                    cte="quoted-printable")
    if out.attachment is not None:
        name = out.attachment.name
        msg.add_attachment(out.attachment.read_bytes(), maintype=XLSX_TYPE[0],
                           subtype=XLSX_TYPE[1], filename=name, params={"name": name})
    return msg

"""E-mail and WhatsApp around the IKI forms: one message per form (``.eml`` files or SMTP
with a send log, :mod:`.distribute` over :mod:`.message`), and reminders for a period with
a WhatsApp click list (:mod:`.remind`). Reading returned forms out of mail is part of
collect (:mod:`iki_xlsx.collect.mail`).
"""

from __future__ import annotations

from .distribute import SmtpSpec, distribute, issued_for_mail
from .remind import remind

__all__ = ["SmtpSpec", "distribute", "issued_for_mail", "remind"]

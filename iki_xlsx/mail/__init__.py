"""E-mail and WhatsApp around the IKI forms: one message per form (``.eml`` files or SMTP
with a send log, :mod:`.distribute` over :mod:`.message`), and reminders for a period with
a WhatsApp click list (:mod:`.remind`), and the atasan's review workbooks
(:mod:`.reviews`, issue 26). Reading returned forms out of mail is part of
collect (:mod:`iki_xlsx.collect.mail`).
"""

from __future__ import annotations

from .distribute import DistributeResult, SmtpSpec, distribute, issued_for_mail
from .remind import remind
from .reviews import found_reviews, send_reviews

__all__ = ["DistributeResult", "SmtpSpec", "distribute", "found_reviews", "issued_for_mail",
           "remind", "send_reviews"]

"""E-mail and WhatsApp around the IKI forms (issue 14): contacts, one message per form
(``.eml`` files or SMTP with a send log), reminders with a WhatsApp click list, and
reading returned forms out of mail (``.eml``, ``.mbox``, an IMAP folder).

Modules: :mod:`.contacts` (addresses and numbers, the contacts table),
:mod:`.message` (building messages from the templates), :mod:`.distribute` (``.eml`` /
SMTP, send log), :mod:`.remind` (who has not submitted, WhatsApp list),
:mod:`.inbox` (attachments out of mail, streamed and bounded), :mod:`.sources`
(attachments → collect sources; the sender note).
"""

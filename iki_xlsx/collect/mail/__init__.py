"""Reading mail for collect: every form that arrives by mail, from every container mail
programs write, found by its content.

* :mod:`.mailbox` — the bridge to collect: which inputs are mail, their sources, the
  messages read and the files skipped beside them;
* :mod:`.inbox` — mail files and messages into attachments with their provenance, and
  the limits; :mod:`.imap` — an IMAP folder, read-only;
* :mod:`.walker` — one message's parts and the containers in them, read by content;
* :mod:`.kinds` — what a part or a file is, by content;
* :mod:`.mbox`, :mod:`.msg`, :mod:`.tnef` — mbox files, Outlook's ``.msg``, TNEF
  ``winmail.dat``; :mod:`.mime` — the fast path of the MIME parser;
  :mod:`.names` — names and charsets with fallbacks;
* :mod:`.shown` — how mail is shown on the collect report.
"""

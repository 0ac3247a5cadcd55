"""Returned forms out of mail: attachments read from ``.eml`` files, mbox files and an
IMAP folder (:mod:`.inbox`, :mod:`.imap`, the fast MIME path :mod:`.mime`), streamed and
bounded, each with its provenance, and made into collect's sources (:mod:`.mailbox`)."""

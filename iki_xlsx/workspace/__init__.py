"""The workspace: the folder that holds the secret key that signs every manifest, the
sheet password, the SQLite ledger (the only place that speaks SQL) and the bytes of every
collected file. Every step that remembers something goes through a :class:`Workspace`
and its parts (``ws.issued``, ``ws.files``, ``ws.store``, ``ws.decisions``, ``ws.mail``),
which hand out typed rows (:mod:`.rows`; the face lists those other packages name);
and, for the atasan's verification (issue 26), ``ws.reviews``, ``ws.verifications`` and
``ws.settings``.

The modules, by what they keep: :mod:`.folder` (the Workspace), :mod:`.keys` (key,
password), :mod:`.ledger` (the connection, transactions), :mod:`.schema` (tables,
migrations) and :mod:`.journal` (what a lost ledger is rebuilt from, :mod:`.rebuild`),
:mod:`.issued`, :mod:`.files`, :mod:`.store`, :mod:`.decisions`, :mod:`.mail`,
:mod:`.sessions`, :mod:`.reviews`, :mod:`.verifications`, :mod:`.settings`,
:mod:`.kept` (each form's values as its files give them, kept: ``ws.kept``).
"""

from __future__ import annotations

from .folder import DB_FILE, DEFAULT_DIR, ENV_VAR, Workspace, default_workspace
from .journal import JOURNAL_FILE, JournalContent, copy_journal, read_journal
from .keys import KEY_FILE, PASSWORD_FILE, create_once
from .ledger import check_ledger_file, ledger_json, now_iso
from .private import private_dir, tighten, tighten_workspace
from .rows import (
    ActivePeriods,
    CollectedFile,
    FileEntry,
    FileGlance,
    IssuedFormFull,
    IssuedFormRow,
    IssuedReview,
    IssuedRevisions,
    IssueLogEntry,
    MailForm,
    NewReview,
    NewRevision,
    ReviewRevisions,
    SendLogEntry,
    VerificationRow,
)
from .store import STORE_DIR, FileStore

__all__ = ["DB_FILE", "DEFAULT_DIR", "ENV_VAR", "JOURNAL_FILE", "KEY_FILE", "PASSWORD_FILE",
           "STORE_DIR", "ActivePeriods", "CollectedFile", "FileEntry", "FileGlance",
           "FileStore",
           "IssueLogEntry", "IssuedFormFull", "IssuedFormRow", "IssuedReview",
           "IssuedRevisions", "JournalContent", "MailForm", "NewReview", "NewRevision",
           "ReviewRevisions", "SendLogEntry", "VerificationRow", "Workspace",
           "check_ledger_file", "copy_journal", "create_once", "default_workspace",
           "ledger_json", "now_iso", "private_dir", "read_journal", "tighten",
           "tighten_workspace"]

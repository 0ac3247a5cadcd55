"""The workspace: the folder that holds the secret key that signs every manifest, the
sheet password, the SQLite ledger (the only place that speaks SQL) and the bytes of every
collected file. Every step that remembers something goes through a :class:`Workspace`
and its parts (``ws.issued``, ``ws.files``, ``ws.store``, ``ws.decisions``, ``ws.mail``),
which hand out typed rows (:mod:`.rows`; the face lists those other packages name);
and, for the atasan's verification (issue 26), ``ws.reviews``, ``ws.verifications`` and
``ws.settings``.

The modules, by what they keep: :mod:`.folder` (the Workspace), :mod:`.keys` (key,
password), :mod:`.ledger` (the connection, transactions) and :mod:`.schema` (tables,
migrations), :mod:`.issued`, :mod:`.files`, :mod:`.store`, :mod:`.decisions`,
:mod:`.mail`, :mod:`.reviews`, :mod:`.verifications`, :mod:`.settings`.
"""

from __future__ import annotations

from .folder import DB_FILE, DEFAULT_DIR, ENV_VAR, Workspace, default_workspace
from .keys import KEY_FILE, PASSWORD_FILE, create_once
from .ledger import check_ledger_file, ledger_json, now_iso
from .rows import (
    ActivePeriods,
    CollectedFile,
    FileEntry,
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

__all__ = ["DB_FILE", "DEFAULT_DIR", "ENV_VAR", "KEY_FILE", "PASSWORD_FILE", "STORE_DIR",
           "ActivePeriods", "CollectedFile", "FileEntry", "FileStore", "IssueLogEntry",
           "IssuedFormFull", "IssuedFormRow", "IssuedReview", "IssuedRevisions", "MailForm",
           "NewReview", "NewRevision", "ReviewRevisions", "SendLogEntry", "VerificationRow", "Workspace", "check_ledger_file", "create_once",
           "default_workspace", "ledger_json", "now_iso"]

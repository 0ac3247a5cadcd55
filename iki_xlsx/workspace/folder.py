"""The workspace folder: the secret key that signs every manifest, the sheet password,
the SQLite ledger and the store of every collected file's bytes.

Default location: ``./iki-workspace`` (or ``IKI_XLSX_WORKSPACE``), deliberately outside
``output/``: the folder whose contents are e-mailed must never contain the key.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .decisions import Decisions
from .files import CollectedFiles
from .issued import IssuedForms
from .kept import KeptValues
from .keys import (
    KEY_FILE,
    PASSWORD_FILE,
    form_id_of,
    key_id_of,
    load_key,
    random_password,
    review_id_of,
)
from .ledger import Ledger
from .mail import MailRecords
from .rebuild import Rebuild
from .reviews import Reviews
from .sessions import Sessions
from .settings import MasterSettings
from .store import STORE_DIR, FileStore
from .verifications import Verifications

ENV_VAR = "IKI_XLSX_WORKSPACE"
DEFAULT_DIR = "iki-workspace"
DB_FILE = "ledger.sqlite3"


def default_workspace() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


class Workspace:
    """A workspace folder, and what it keeps, part by part:

    * :attr:`issued` — the forms issued, which revision counts, when each is active;
    * :attr:`files` — the files collected, their verdicts and where they were seen;
    * :attr:`store` — their bytes;
    * :attr:`decisions` — the officer's decisions;
    * :attr:`mail` — contacts, SMTP settings and the send log;
    * :attr:`sessions` — the portal officer's sessions;
    * :attr:`rebuild` — recovery writing a lost ledger back from its journal;
    * :attr:`reviews` — the review workbooks issued to each atasan (issue 26);
    * :attr:`verifications` — the atasan's decisions from returned review workbooks;
    * :attr:`settings` — the master's settings read at run time.

    Nothing is created before it is used: asking whether a workspace exists, or opening
    one to read, writes no file until a key or a record is needed. ``read_only``: its
    ledger opened to read only (a recap's worker process reading its slice of forms)."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = Path(path) if path else default_workspace()
        self.ledger = Ledger(self.path / DB_FILE, read_only=read_only)
        self.issued = IssuedForms(self.ledger)
        self.files = CollectedFiles(self.ledger)
        self.store = FileStore(self.path / STORE_DIR)
        self.decisions = Decisions(self.ledger)
        self.mail = MailRecords(self.ledger)
        self.sessions = Sessions(self.ledger)
        self.rebuild = Rebuild(self.ledger)  # recovery only: a lost ledger rebuilt
        self.reviews = Reviews(self.ledger)
        self.verifications = Verifications(self.ledger)
        self.settings = MasterSettings(self.ledger)
        self.kept = KeptValues(self.ledger)  # each form's values, kept (issue 25)
        self._key: bytes | None = None

    # -- secrets
    @property
    def key_path(self) -> Path:
        return self.path / KEY_FILE

    def has_key(self) -> bool:
        return self.key_path.is_file()

    @property
    def key(self) -> bytes:
        """The HMAC key, created on first use (see :func:`.keys.load_key`)."""
        if self._key is None:
            self._key = load_key(self.key_path)
        return self._key

    @property
    def key_id(self) -> str:
        """Public fingerprint of the key, written into manifests."""
        return key_id_of(self.key)

    def form_id(self, tahun: int, nip: str, kode_iki: str) -> str:
        """Stable id of the form (tahun, NIP, Kode IKI) in this workspace."""
        return form_id_of(self.key, tahun, nip, kode_iki)

    def review_id(self, tahun: int, period: str, atasan: str) -> str:
        """Stable id of an atasan's review workbook for a period (issue 26)."""
        return review_id_of(self.key, tahun, period, atasan)

    def sheet_password(self, configured: str = "") -> tuple[str, Path | None]:
        """The configured password, else this workspace's random one (and its file)."""
        if configured:
            return configured, None
        path = self.path / PASSWORD_FILE
        return random_password(path), path

    # -- the ledger
    @property
    def db(self) -> sqlite3.Connection:
        """The ledger's connection (opened, and the ledger made, on first use)."""
        return self.ledger.db

    def exists(self) -> bool:
        """True when this folder already holds a workspace (its key or its ledger);
        asking never creates anything."""
        return self.has_key() or self.ledger.exists()

    def ledger_lost(self) -> bool:
        """The key exists but the ledger is missing or holds no issued form: forms were
        probably issued and the ledger lost. Never creates the ledger."""
        if not self.has_key():
            return False
        return not self.ledger.exists() or self.issued.is_empty()

    def close(self) -> None:
        self.ledger.close()


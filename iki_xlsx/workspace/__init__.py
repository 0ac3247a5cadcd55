"""The workspace: the folder that holds the secret key that signs every manifest, the
sheet password, the SQLite ledger (the only place that speaks SQL) and the bytes of every
collected file. Every step that remembers something goes through :class:`Workspace`.
"""

from __future__ import annotations

from .contacts import load_contacts, load_mail_settings, record_contacts
from .ledger import (
    DB_FILE,
    DEFAULT_DIR,
    ENV_VAR,
    KEY_FILE,
    PASSWORD_FILE,
    STORE_DIR,
    IssuedForm,
    Workspace,
    check_ledger_file,
    create_once,
    default_workspace,
    keep_bytes,
    ledger_json,
    now_iso,
)

__all__ = ["DB_FILE", "DEFAULT_DIR", "ENV_VAR", "IssuedForm", "KEY_FILE", "PASSWORD_FILE",
           "STORE_DIR", "Workspace", "check_ledger_file", "create_once", "default_workspace",
           "keep_bytes", "ledger_json", "load_contacts", "load_mail_settings", "now_iso",
           "record_contacts"]

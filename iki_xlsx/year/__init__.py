"""The year around the forms: the officer's decisions on the record and a pegawai's
history (:mod:`.officer`), backup and restore of a workspace (:mod:`.backup`), and a lost
ledger rebuilt from the form files (:mod:`.recovery`).
"""

from __future__ import annotations

from .backup import BackupError, backup, restore
from .officer import OfficerError, decide_value, exclude_file, find_value, history
from .recovery import RecoveryError, recover

__all__ = ["BackupError", "OfficerError", "RecoveryError", "backup", "decide_value",
           "exclude_file", "find_value", "history", "recover", "restore"]

"""The portal's standing reader process (collect.Readers): uploads are read there, and a
reader process that died (killed, or a native library's crash) is replaced without
losing the file in hand."""

from __future__ import annotations

import os
import signal

import pytest

from iki_xlsx.collect import Readers, collect
from iki_xlsx.core.problems import Status
from iki_xlsx.forms.generate import generate_forms
from iki_xlsx.workspace import Workspace

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")


def test_files_are_read_in_the_standing_process_and_a_dead_one_is_replaced(
        small_master, tmp_path):
    ws = Workspace(tmp_path / "ws")
    forms = generate_forms(small_master, tmp_path / "forms", ws, jobs=1).forms
    readers = Readers(1)
    try:
        pool = readers.start()
        first = collect([forms[0].path], ws, readers=readers, year=False)
        assert [r.status for r in first.results] != [Status.REJECTED]
        assert ws.files.get(first.results[0].sha256) is not None
        workers = list(pool._processes)  # the standing process, as the server started it
        assert workers and os.getpid() not in workers
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        second = collect([forms[1].path, forms[2].path], ws, readers=readers, year=False)
        assert all(ws.files.get(r.sha256) is not None for r in second.results)
        assert readers.start() is not pool  # a new process took the dead one's place
        third = collect([forms[3].path], ws, readers=readers, year=False)
        assert ws.files.get(third.results[0].sha256) is not None
    finally:
        readers.close()
        ws.close()

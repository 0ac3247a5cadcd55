"""Outputs are written atomically; what a killed writer leaves behind is swept."""

from __future__ import annotations

import os
import time

import pytest

from iki_xlsx.core.atomic import STALE_SECONDS, atomic_path


def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "laporan.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("killed")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["laporan.xlsx"]


def test_stale_temp_files_of_a_killed_writer_are_swept(tmp_path):
    target = tmp_path / "laporan.xlsx"
    stale = tmp_path / ".laporan.deadbeef.tmp.xlsx"
    fresh = tmp_path / ".laporan.cafef00d.tmp.xlsx"  # another writer, still at work
    stale.write_bytes(b"x")
    fresh.write_bytes(b"y")
    old = time.time() - STALE_SECONDS - 10
    os.utime(stale, (old, old))
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert not stale.exists() and fresh.exists()

"""Outputs are written atomically; what a killed writer leaves behind is swept."""

from __future__ import annotations

import os
import time

import pytest

from iki_xlsx.core.atomic import STALE_SECONDS, DeferredCommits, atomic_path


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


def test_deferred_commits_put_every_file_in_place_when_they_end(tmp_path):
    with DeferredCommits() as commits:
        for i in range(5):
            with atomic_path(tmp_path / f"form{i}.xlsx", commits) as tmp:
                tmp.write_bytes(b"form %d" % i)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"form{i}.xlsx" for i in range(5)]
    assert (tmp_path / "form3.xlsx").read_bytes() == b"form 3"


def test_a_deferred_commit_that_fails_is_raised_and_leaves_no_temp(tmp_path):
    (tmp_path / "taken").mkdir()  # a folder: renaming a file over it fails
    (tmp_path / "taken" / "x").write_bytes(b"")
    with pytest.raises(OSError):
        with DeferredCommits() as commits:
            with atomic_path(tmp_path / "ok.xlsx", commits) as tmp:
                tmp.write_bytes(b"ok")
            with atomic_path(tmp_path / "taken", commits) as tmp:
                tmp.write_bytes(b"lost")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.xlsx", "taken"]

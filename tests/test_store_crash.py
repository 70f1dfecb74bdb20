"""Durability under kill -9: the store always loads and holds every acknowledged save."""
import sys

import pytest

from support.crash import soak

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="fork/SIGKILL are POSIX")


@pytest.mark.slow
def test_kill9_at_random_moments_loses_no_acknowledged_save(tmp_path):
    res = soak(tmp_path / "ws", rounds=220, seed=2027)
    assert res.rounds == 220
    assert res.failures == []
    # 9 rounds in 10 were killed after at least one acknowledged save: mid-loop
    assert res.acked_saves >= 198


def test_the_harness_detects_a_lost_save(tmp_path, monkeypatch):
    """A store that acknowledges before writing must be caught (the check can fail)."""
    from tui_app.store import journal

    def lazy_append(self, line, seq, s, sync):  # acknowledges, never writes: a non-durable store
        self.seq, self.last_sum = seq, s

    monkeypatch.setattr(journal.JournalWriter, "append", lazy_append)
    res = soak(tmp_path / "ws", rounds=5, seed=1)
    assert res.failures


@pytest.mark.slow
def test_faults_at_random_write_steps_lose_nothing_and_add_nothing(tmp_path):
    """60 rounds of a save loop, each with a kill -9, an ENOSPC or an EIO at a random write
    step (bench/store_soak.py runs 1,000): every acknowledged save is there, no failed save
    is, audit.jsonl agrees with the data, and no round shows a traceback."""
    from support.faults import fault_soak

    fig = fault_soak(tmp_path / "ws", rounds=60, seed=15, workdir=tmp_path)
    assert fig.rounds == 60 and fig.acked > 300 and fig.refused > 0
    assert fig.failures == [], "\n".join(fig.failures[:10])


def test_the_fault_soak_detects_a_lost_save(tmp_path, monkeypatch):
    """A store that acknowledges a save it did not write must be caught."""
    from support.faults import fault_soak
    from tui_app.store import journal

    def lazy_append(self, line, seq, s, sync):
        self.seq, self.last_sum = seq, s

    monkeypatch.setattr(journal.JournalWriter, "append", lazy_append)
    fig = fault_soak(tmp_path / "ws", rounds=3, seed=1, workdir=tmp_path)
    assert fig.failures

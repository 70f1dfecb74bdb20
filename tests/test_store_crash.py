"""Durability under kill -9: the store always loads and holds every acknowledged save."""
import sys

import pytest

from support.crash import soak

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="fork/SIGKILL are POSIX")


def test_kill9_at_random_moments_loses_no_acknowledged_save(tmp_path):
    res = soak(tmp_path / "ws", rounds=220, seed=2027)
    assert res.rounds == 220
    assert res.failures == []
    # 9 rounds in 10 were killed after at least one acknowledged save: mid-loop
    assert res.acked_saves >= 198


def test_the_harness_detects_a_lost_save(tmp_path, monkeypatch):
    """A store that acknowledges before writing must be caught (the check can fail)."""
    from tui_app.store import storage

    def lazy_flush(self):  # acknowledges, never writes: what a non-durable store does
        self.writes += 1

    monkeypatch.setattr(storage.DurableStorage, "_flush", lazy_flush)
    res = soak(tmp_path / "ws", rounds=5, seed=1)
    assert res.failures

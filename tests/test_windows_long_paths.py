"""A path longer than Windows' MAX_PATH (260, the «long paths» policy is off on a Windows 10
as installed): Windows refuses it as "path not found" (ERROR_PATH_NOT_FOUND, 3) or
ERROR_FILENAME_EXCED_RANGE (206), which Python reports as FileNotFoundError. The user is told
the path is too long and what to do, never «нет такого файла» about a folder that is there.
Simulated here (the write fails as Windows fails it)."""
from __future__ import annotations

import pytest

from tui_app.errors import StorageError, os_error_text, user_message
from tui_app.services import documents

DEEP = "C:\\Users\\Учитель\\Documents\\" + "\\".join(["Итоговое собеседование 2027"] * 9)


def _windows_error(winerror: int, path: str) -> FileNotFoundError:
    e = FileNotFoundError(2, "Системе не удается найти указанный путь", path)
    e.winerror = winerror
    return e


@pytest.mark.parametrize("winerror", [3, 206])
def test_a_too_long_path_is_called_too_long(winerror):
    path = DEEP + "\\ИС-05 сводная ведомость.pdf"
    assert len(path) >= 260
    text = os_error_text(_windows_error(winerror, path))
    assert text.startswith("Слишком длинный путь") and f"{len(path)} знаков" in text
    assert "ближе к корню диска" in text and "Нет такого" not in text


def test_a_short_missing_path_stays_missing():
    text = os_error_text(_windows_error(3, "E:\\ИС-Штаб\\нет-такой\\a.csv"))
    assert text.startswith("Нет такого файла или папки")


def test_a_document_into_a_deep_folder(tmp_path, monkeypatch):
    """write_document (every PDF, CSV and the B2P) says it through the family's error."""
    target = tmp_path / ("о" * 120) / ("п" * 120) / "доп-срок.csv"

    def refuse(path, data, **kw):
        raise _windows_error(3, str(path) + ".tmp")

    monkeypatch.setattr(documents, "durable_write", refuse)
    with pytest.raises(StorageError) as ei:
        documents.write_document(target, b"x")
    text = user_message(ei.value)
    assert text.startswith("Слишком длинный путь"), text

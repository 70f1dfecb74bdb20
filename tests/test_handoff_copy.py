"""Handoff to the МСУ: the copy, the manifest, refusals and failures (real files)."""
from __future__ import annotations

import os
import shutil
from collections import namedtuple
from pathlib import Path

import pytest

from tui_app.services import drives, handoff
from tui_app.services.handoff import HandoffFailed, HandoffRefused
from support.sums import sha256sum_check


def _fill(ws_root: Path) -> dict[str, bytes]:
    """Files as the export, forms and audio engineers put them into the workspace."""
    rnd = os.urandom
    files = {
        "export/47002090-06-470123-005-20270210.b2p": b"<HwPackage old/>",
        "export/47002090-06-470123-005-20270210-new.b2p": "<HwPackage Condition=\"19\">Иванов</HwPackage>".encode(),
        "audio/101/IS_470123_101_20270210_001.mp3": rnd(2 * handoff.CHUNK + 12345),
        "audio/102/IS_470123_102_20270210_001.mp3": rnd(300_000),
        "audio/101/.recording.tmp": b"half a segment",
        "forms/ИС-02 аудитория 101.pdf": b"%PDF-1.4 fake " + rnd(5000),
        "forms/ИС-03/ИС-03 Иванов.pdf": b"%PDF-1.4 fake " + rnd(3000),
        "forms/ИС-08 акт.pdf": b"%PDF-1.4 act",
    }
    for rel, data in files.items():
        p = ws_root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    old = ws_root / "export/47002090-06-470123-005-20270210.b2p"
    os.utime(old, (1_700_000_000, 1_700_000_000))
    return files


@pytest.fixture
def filled(demo_ws):
    files = _fill(demo_ws.root)
    return demo_ws, files


def test_plan_takes_newest_b2p_all_audio_and_forms(filled):
    ws, files = filled
    p = handoff.plan_for(ws.store)
    rels = [i.rel for i in p.items]
    assert p.folder == "IS_470123_2027-02-10"
    assert rels[0] == "47002090-06-470123-005-20270210-new.b2p"
    assert "47002090-06-470123-005-20270210.b2p" not in rels
    assert "audio/101/IS_470123_101_20270210_001.mp3" in rels
    assert "forms/ИС-03/ИС-03 Иванов.pdf" in rels
    assert not any(".tmp" in r for r in rels)
    assert p.count("audio") == 2 and p.count("forms") == 3 and p.count("b2p") == 1
    assert p.warnings == []


def test_copy_verifies_with_real_sha256sum(filled, tmp_path):
    ws, files = filled
    stick = tmp_path / "stick"
    stick.mkdir()
    seen = []
    result = handoff.handoff(ws.store, stick, progress=seen.append)
    assert result.folder == stick / "IS_470123_2027-02-10"
    assert ws.store.settings().handoff_done is True
    # byte for byte
    for rel in ("audio/101/IS_470123_101_20270210_001.mp3", "forms/ИС-03/ИС-03 Иванов.pdf"):
        assert (result.folder / rel).read_bytes() == files[rel]
    # the manifest in the exact format sha256sum -c reads
    lines = (result.folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6
    for line in lines:
        digest, rel = line.split("  ", 1)
        assert len(digest) == 64 and "\\" not in rel and not rel.startswith("/")
    rc, out = sha256sum_check(result.folder)
    assert rc == 0, out
    assert out.count(": OK") == 6
    # progress: both phases, monotone, ends at the total
    assert {p.phase for p in seen} == {"copy", "verify"}
    dones = [p.done for p in seen]
    assert dones == sorted(dones) and dones[-1] == seen[-1].total == 2 * result.bytes
    # a second handoff goes to a new folder, the first one stays intact
    again = handoff.handoff(ws.store, stick)
    assert again.folder.name == "IS_470123_2027-02-10_2"
    assert handoff.verify_manifest(result.folder) == []


def test_sha256sum_catches_a_later_change(filled, tmp_path):
    ws, _ = filled
    res = handoff.handoff(ws.store, tmp_path)
    f = res.folder / "forms/ИС-08 акт.pdf"
    f.write_bytes(b"%PDF-1.4 acx")
    assert sha256sum_check(res.folder)[0] != 0
    assert handoff.verify_manifest(res.folder) == ["forms/ИС-08 акт.pdf"]


def test_corrupted_copy_is_caught(filled, tmp_path, monkeypatch):
    ws, _ = filled
    calls = {"n": 0}
    real = handoff._write_chunk

    def faulty(f, data):  # a stick that flips one bit in the third chunk it receives
        calls["n"] += 1
        if calls["n"] == 3:
            data = bytes([data[0] ^ 0x01]) + data[1:]
        real(f, data)

    monkeypatch.setattr(handoff, "_write_chunk", faulty)
    with pytest.raises(HandoffFailed, match="искажены"):
        handoff.handoff(ws.store, tmp_path)
    assert ws.store.settings().handoff_done is False
    assert not list(tmp_path.glob("IS_*/SHA256SUMS"))


def test_too_small_target_is_refused_before_copying(filled, tmp_path, monkeypatch):
    ws, _ = filled
    stick = tmp_path / "stick"
    stick.mkdir()
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(handoff.shutil, "disk_usage", lambda p: Usage(8_000_000, 7_000_000, 1_000_000))
    with pytest.raises(HandoffRefused, match="недостаточно места.*Ничего не записано"):
        handoff.handoff(ws.store, stick)
    assert list(stick.iterdir()) == []
    assert ws.store.settings().handoff_done is False


def test_missing_target_is_refused(filled, tmp_path):
    ws, _ = filled
    with pytest.raises(HandoffRefused, match="не найдена"):
        handoff.handoff(ws.store, tmp_path / "no-such-stick")


def test_target_vanishing_mid_copy_is_a_failure(filled, tmp_path):
    ws, _ = filled
    stick = tmp_path / "stick"
    stick.mkdir()

    def pull_the_stick(p):
        if p.phase == "copy" and p.done > 0 and stick.exists():
            shutil.rmtree(stick)

    with pytest.raises(HandoffFailed, match="НЕ выполнена"):
        handoff.handoff(ws.store, stick, progress=pull_the_stick)
    assert ws.store.settings().handoff_done is False


def test_write_error_mid_copy_is_a_failure(filled, tmp_path, monkeypatch):
    ws, _ = filled
    calls = {"n": 0}

    def eio(f, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(5, "Input/output error")
        f.write(data)

    monkeypatch.setattr(handoff, "_write_chunk", eio)
    with pytest.raises(HandoffFailed, match="Ошибка чтения или записи на устройстве"):
        handoff.handoff(ws.store, tmp_path)
    assert ws.store.settings().handoff_done is False
    assert not (tmp_path / "IS_470123_2027-02-10").exists()  # the partial folder is removed


def test_a_write_protected_stick_says_so(filled, tmp_path, monkeypatch):
    """Not «ошибка записи … на файле «»» but «защищён от записи» (issue 18)."""
    import errno

    ws, _ = filled

    def read_only(path, *a, **kw):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(handoff.Path, "mkdir", read_only)
    with pytest.raises(HandoffFailed) as e:
        handoff.handoff(ws.store, tmp_path)
    assert "защищён от записи" in str(e.value) and "«»" not in str(e.value)
    assert ws.store.settings().handoff_done is False


def test_empty_workspace_is_refused(ws, tmp_path):
    p = handoff.plan_for(ws.store)
    assert len(p.warnings) == 3
    with pytest.raises(HandoffRefused, match="Нечего передавать"):
        handoff.execute(p, tmp_path)


def test_parse_mounts_offers_only_removable_media():
    text = (
        "/dev/sda1 / ext4 rw 0 0\n"
        "proc /proc proc rw 0 0\n"
        "/dev/sdb1 /media/teacher/KINGSTON vfat rw 0 0\n"
        "/dev/sdc1 /run/media/ivan/My\\040Stick vfat rw 0 0\n"
        "tmpfs /run/user/1000 tmpfs rw 0 0\n"
        "/dev/sdd1 /media/USB ntfs rw 0 0\n"
    )
    assert drives.parse_mounts(text) == [
        Path("/media/teacher/KINGSTON"), Path("/run/media/ivan/My Stick"), Path("/media/USB")]


def test_linux_drives_reads_a_mounts_file(tmp_path):
    f = tmp_path / "mounts"
    f.write_text("/dev/sdb1 /media/nobody-here vfat rw 0 0\n")
    ds = drives.linux_drives(str(f))
    assert [d.path for d in ds] == [Path("/media/nobody-here")]
    assert ds[0].free is None and "nobody-here" in ds[0].title


def test_format_helpers():
    assert handoff.format_size(512) == "512 Б"
    assert handoff.format_size(3 * 1024 ** 2) == "3,0 МБ"
    assert handoff.format_eta(75) == "1 мин 15 с"
    assert handoff.format_eta(None) == "—"


@pytest.mark.skipif(os.name == "nt", reason="such names are impossible on Windows")
def test_odd_names_are_escaped_as_sha256sum_expects(demo_ws, tmp_path):
    forms = demo_ws.root / "forms"
    names = ["back\\slash.pdf", "new\nline.pdf", "  spaces  .pdf", "ИС-03 «Ёлкин».pdf"]
    for i, n in enumerate(names):
        (forms / n).write_bytes(b"%PDF" + bytes([i]) * 10)
    res = handoff.handoff(demo_ws.store, tmp_path)
    rc, out = sha256sum_check(res.folder)
    assert rc == 0, out
    assert out.count(": OK") == len(names)
    assert handoff.verify_manifest(res.folder) == []
    (res.folder / "forms" / "new\nline.pdf").write_bytes(b"changed")
    assert handoff.verify_manifest(res.folder) == ["forms/new\nline.pdf"]


def test_target_inside_the_workspace_is_refused(filled):
    ws, _ = filled
    with pytest.raises(HandoffRefused, match="внутри рабочей папки"):
        handoff.handoff(ws.store, ws.root / "audio")
    assert not (ws.root / "audio" / "IS_470123_2027-02-10").exists()


def test_windows_drive_letters_only_removable():
    class FakeKernel32:
        types = {"C": 3, "E": 2, "F": 5, "G": 2}  # fixed, removable, cd-rom, removable

        def GetLogicalDrives(self):
            return sum(1 << (ord(c) - ord("A")) for c in self.types)

        def GetDriveTypeW(self, root):
            return self.types[root.value[0]]

        def GetVolumeInformationW(self, root, buf, *rest):
            if root.value.startswith("E"):
                buf.value = "KINGSTON"
                return 1
            return 0

    ds = drives.windows_drives(FakeKernel32())
    assert [str(d.path)[:1] for d in ds] == ["E", "G"]
    assert ds[0].label == "KINGSTON (E:)" and ds[1].label == "Съёмный диск G:"


def test_source_file_gone_is_a_failure_that_names_the_workspace(filled, tmp_path):
    ws, _ = filled
    p = handoff.plan_for(ws.store)
    (ws.root / "audio/102/IS_470123_102_20270210_001.mp3").unlink()  # e.g. moved meanwhile
    with pytest.raises(HandoffFailed, match="не удалось прочитать .*в рабочей папке"):
        handoff.execute(p, tmp_path)
    assert not (tmp_path / "IS_470123_2027-02-10").exists()


@pytest.mark.parametrize("how", ["eio", "gone"])
def test_a_stick_pulled_mid_handoff_is_never_a_handoff_and_the_next_one_completes(
        filled, tmp_path, monkeypatch, how):
    """The stick pulled out during the copy: the write fails (EIO; or the device is gone:
    ENODEV, on Windows ERROR_DEVICE_NOT_CONNECTED) and nothing on it can be cleaned up. The
    failure says so in Russian (no English strerror), the checklist stays open, what is left
    on the stick is marked incomplete, and the handoff after it is put back completes and
    removes the leftover."""
    import errno

    ws, _ = filled
    stick = tmp_path / "stick"
    stick.mkdir()
    state = {"chunks": 0, "pulled": False}
    real_write, real_rmtree = handoff._write_chunk, handoff.shutil.rmtree

    def write(f, data):
        state["chunks"] += 1
        if state["chunks"] == 2:
            state["pulled"] = True
        if state["pulled"]:
            e = (OSError(errno.EIO, "Input/output error") if how == "eio"
                 else OSError(errno.ENODEV, "No such device"))
            if how == "gone":
                e.winerror = 1167
            raise e
        real_write(f, data)

    def rmtree(path, *a, **kw):  # a pulled stick cannot be cleaned
        if state["pulled"] and Path(path).is_relative_to(stick):
            return
        real_rmtree(path, *a, **kw)

    monkeypatch.setattr(handoff, "_write_chunk", write)
    monkeypatch.setattr(handoff.shutil, "rmtree", rmtree)
    with pytest.raises(HandoffFailed) as e:
        handoff.handoff(ws.store, stick)
    text = str(e.value)
    assert "НЕ выполнена" in text and "извлечен" in text
    assert "Input/output error" not in text and "No such device" not in text
    assert ws.store.settings().handoff_done is False
    left = [d for d in stick.iterdir() if d.is_dir()]
    assert left and all(handoff.is_incomplete(d) for d in left)  # never looks like a handoff
    assert all(handoff.INCOMPLETE_SUFFIX in d.name for d in left)

    state["pulled"], state["chunks"] = False, -10 ** 9  # put back in
    result = handoff.handoff(ws.store, stick)
    folders = [d for d in stick.iterdir() if d.is_dir()]
    assert folders == [result.folder] and not handoff.is_incomplete(result.folder)
    assert handoff.verify_manifest(result.folder) == []
    assert ws.store.settings().handoff_done is True

"""Drive letters offered for the handoff on Windows (simulated kernel32 here; the real one
under the Windows leg): USB disks that report "fixed" are offered, an empty card-reader slot
is not and raises no system «Нет диска» dialog."""
from __future__ import annotations

import sys

import pytest

from tui_app.services import drives


class FakeKernel32:
    # C: system SSD, D: internal SATA disk, E: USB hard disk reporting "fixed",
    # F: USB stick (removable), G: empty card-reader slot (removable, not ready), H: CD
    types = {"C": 3, "D": 3, "E": 3, "F": 2, "G": 2, "H": 5}
    labels = {"E": "WD Elements", "F": "KINGSTON"}

    def __init__(self):
        self.error_mode, self.events, self._last = 0, [], 0

    def SetErrorMode(self, mode):
        old, self.error_mode = self.error_mode, mode
        self.events.append(("SetErrorMode", mode))
        return old

    def GetLogicalDrives(self):
        return sum(1 << (ord(c) - ord("A")) for c in self.types)

    def GetDriveTypeW(self, root):
        return self.types[root.value[0]]

    def GetVolumeInformationW(self, root, buf, *rest):
        letter = root.value[0]
        # an empty slot: Windows shows «Нет диска» unless SEM_FAILCRITICALERRORS is set
        self.events.append(("GetVolumeInformationW", letter, self.error_mode))
        if letter == "G":
            self._last = drives.ERROR_NOT_READY
            return 0
        buf.value = self.labels.get(letter, "")
        return 1

    def GetLastError(self):
        return self._last


BUS = {"C": 17, "D": 11, "E": 7}  # NVMe, SATA, USB


def test_usb_disks_reporting_fixed_are_offered_and_empty_slots_are_not():
    k = FakeKernel32()
    ds = drives.windows_drives(k, bus=BUS.get, system_drive="C:")
    assert [str(d.path)[:1] for d in ds] == ["E", "F"]
    assert ds[0].label == "WD Elements (E:)" and ds[1].label == "KINGSTON (F:)"


def test_no_system_dialog_for_an_empty_slot():
    k = FakeKernel32()
    drives.windows_drives(k, bus=BUS.get, system_drive="C:")
    looks = [e for e in k.events if e[0] == "GetVolumeInformationW"]
    assert looks and all(e[2] & drives.SEM_FAILCRITICALERRORS for e in looks)
    assert k.events[-1] == ("SetErrorMode", 0)  # the program's own mode restored


def test_the_system_drive_is_never_offered_even_on_usb():
    k = FakeKernel32()
    ds = drives.windows_drives(k, bus=lambda letter: 7, system_drive="C:")  # Windows To Go
    assert "C" not in [str(d.path)[:1] for d in ds]


@pytest.mark.skipif(not sys.platform.startswith("win"), reason="real kernel32")
def test_real_drives_and_bus_query_do_not_fail():
    for d in drives.windows_drives():
        assert str(d.path).endswith(":\\")
    assert drives.bus_type("C") is None or isinstance(drives.bus_type("C"), int)

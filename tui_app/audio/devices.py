"""Input devices through PortAudio (sounddevice), imported lazily.

A machine without PortAudio (`import sounddevice` raises OSError) or without any input
device gets `AudioUnavailable` with a clear Russian message; the rest of the program works.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ..errors import DeviceError

NO_PORTAUDIO = (
    "Звук недоступен: не найдена звуковая библиотека PortAudio. В Windows она входит в "
    "программу; в Linux установите пакет libportaudio2. Остальные разделы программы работают."
)
NO_INPUT = (
    "Нет устройства записи: компьютер не видит ни одного микрофона. Подключите микрофон "
    "(или включите его в настройках звука) и обновите список устройств. "
    "Остальные разделы программы работают."
)
NO_OUTPUT = (
    "Нет устройства воспроизведения: компьютер не видит ни колонок, ни наушников. "
    "Подключите их, чтобы прослушать запись, или откройте файл проверки другой программой."
)


class AudioUnavailable(DeviceError):
    """No PortAudio, no input device, or the chosen device is gone (Russian message)."""


_sd: Any = None
_alsa_handler: Any = None


def _silence_alsa() -> None:
    """ALSA prints its probing errors («cannot find card 0») straight to stderr, which is the
    terminal the TUI draws on. Give it a handler that says nothing (Linux only)."""
    global _alsa_handler
    if not sys.platform.startswith("linux") or _alsa_handler is not None:
        return
    try:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("asound")
        if not name:
            return
        lib = ctypes.CDLL(name)
        proto = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                 ctypes.c_int, ctypes.c_char_p)
        _alsa_handler = proto(lambda *a: None)
        lib.snd_lib_error_set_handler(_alsa_handler)
    except (OSError, AttributeError):
        pass


def sounddevice():
    """The sounddevice module, or AudioUnavailable(NO_PORTAUDIO)."""
    global _sd
    if _sd is None:
        _silence_alsa()
        try:
            import sounddevice as sd  # noqa: PLC0415 - lazy on purpose
        except (OSError, ImportError) as e:
            raise AudioUnavailable(NO_PORTAUDIO) from e
        _sd = sd
    return _sd


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    hostapi: str
    channels: int
    default_samplerate: float
    is_default: bool = False

    @property
    def label(self) -> str:
        mark = " (по умолчанию)" if self.is_default else ""
        return f"{self.name} · {self.hostapi}{mark}"


def refresh() -> None:
    """Re-scan devices (a microphone plugged in after start): restart PortAudio."""
    sd = sounddevice()
    try:
        sd._terminate()
        sd._initialize()
    except Exception:
        pass


def input_devices() -> list[InputDevice]:
    sd = sounddevice()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default_in = sd.default.device[0]
    except Exception as e:  # PortAudio itself failing
        raise AudioUnavailable(f"{NO_INPUT} ({e})") from e
    out = []
    for d in devices:
        if d.get("max_input_channels", 0) < 1:
            continue
        api = apis[d["hostapi"]]["name"] if 0 <= d["hostapi"] < len(apis) else ""
        out.append(InputDevice(d["index"], d["name"], api, d["max_input_channels"],
                               float(d["default_samplerate"]), d["index"] == default_in))
    return out


def has_output() -> bool:
    sd = sounddevice()
    try:
        return any(d.get("max_output_channels", 0) > 0 for d in sd.query_devices())
    except Exception:
        return False


def resolve(spec: Optional[str | int], devices: Optional[list[InputDevice]] = None) -> InputDevice:
    """The device for a user's choice: its number, its exact name, or part of its name.
    None means the system default (or the first input)."""
    devices = input_devices() if devices is None else devices
    if not devices:
        raise AudioUnavailable(NO_INPUT)
    if spec is None or str(spec).strip() == "":
        return next((d for d in devices if d.is_default), devices[0])
    text = str(spec).strip()
    if text.isdigit():
        for d in devices:
            if d.index == int(text):
                return d
    for d in devices:
        if d.name == text:
            return d
    low = text.lower()
    matches = [d for d in devices if low in d.name.lower()]
    if matches:
        return matches[0]
    names = "; ".join(f"{d.index}: {d.name}" for d in devices)
    raise AudioUnavailable(f"Устройство записи «{text}» не найдено. Есть: {names}.")


class SoundDeviceBackend:
    """The Recorder's stream backend over PortAudio."""

    def __init__(self) -> None:
        self.sd = sounddevice()
        self.callback_stop = self.sd.CallbackStop

    def open(self, device: Optional[InputDevice], samplerate: int, channels: int, blocksize: int,
             callback: Callable) -> Any:
        index = device.index if isinstance(device, InputDevice) else device
        try:
            return self.sd.InputStream(device=index, samplerate=samplerate, channels=channels,
                                       dtype="int16", blocksize=blocksize, callback=callback)
        except Exception as e:
            raise AudioUnavailable(
                f"Не удалось открыть устройство записи: {e}. Проверьте, что микрофон подключён "
                "и не занят другой программой.") from e

    def reconnect(self, device: Optional[InputDevice]) -> Optional[InputDevice]:
        """Find the same microphone again after it vanished (by name; its number may change)."""
        refresh()
        devices = input_devices()
        if not devices:
            raise AudioUnavailable(NO_INPUT)
        if isinstance(device, InputDevice):
            for d in devices:
                if d.name == device.name and d.hostapi == device.hostapi:
                    return d
            raise AudioUnavailable(NO_INPUT)
        return resolve(None, devices)


def play(samples, samplerate: int, wait: bool = False) -> None:
    """Play a recording on the default output; AudioUnavailable(NO_OUTPUT) if there is none."""
    sd = sounddevice()
    if not has_output():
        raise AudioUnavailable(NO_OUTPUT)
    try:
        sd.play(samples, samplerate)
        if wait:
            sd.wait()
    except Exception as e:
        raise AudioUnavailable(f"{NO_OUTPUT} ({e})") from e

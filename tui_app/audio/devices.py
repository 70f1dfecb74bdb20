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


# Host APIs by preference, for the one entry shown per physical microphone. On Windows
# PortAudio lists each microphone under MME (name cut to 31 characters), DirectSound,
# WASAPI and WDM-KS. WASAPI first: the full name and the device's own format (we convert
# the rate ourselves, see resample.py); DirectSound, then MME, where WASAPI is missing.
# WDM-KS (kernel streaming, exclusive, other names) only where nothing else has an input.
HOSTAPI_PREFERENCE = ("Windows WASAPI", "Windows DirectSound", "MME", "Core Audio", "ALSA",
                      "JACK Audio Connection Kit", "OSS", "Windows WDM-KS")
LAST_RESORT_APIS = ("Windows WDM-KS",)
# per-API aliases of "the default device", not devices of their own
VIRTUAL_NAMES = ("microsoft sound mapper - input", "primary sound capture driver")
MME_NAME_LIMIT = 31  # MAXPNAMELEN - 1: MME cuts every device name here


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    hostapi: str
    channels: int
    default_samplerate: float
    is_default: bool = False
    others: tuple[tuple[int, str], ...] = ()  # the same microphone under other host APIs

    @property
    def label(self) -> str:
        mark = " (по умолчанию)" if self.is_default else ""
        return f"{self.name} · {self.hostapi}{mark}"

    def matches(self, name: str) -> bool:
        """The remembered name (possibly MME's cut one) is this physical device."""
        return bool(name) and (name == self.name or physical_key(name) == physical_key(self.name))


def physical_key(name: str) -> str:
    return " ".join(name.casefold().split())[:MME_NAME_LIMIT].rstrip()


def _api_rank(api: str) -> int:
    return HOSTAPI_PREFERENCE.index(api) if api in HOSTAPI_PREFERENCE else len(HOSTAPI_PREFERENCE) - 1


def refresh() -> None:
    """Re-scan devices (a microphone plugged in after start). PortAudio lists devices only
    when it initialises, and sounddevice has no public call to do that again, so we call
    PortAudio's own public C API (Pa_Terminate, then Pa_Initialize) on the library that
    sounddevice loaded — the same calls, balanced, that sounddevice makes at import and exit.
    Only while no stream is open in this process (the screen refuses during a recording;
    the recorder's reconnect runs after its stream is closed)."""
    sounddevice()
    lib = _portaudio_lib()
    if lib is None:
        return
    try:
        lib.Pa_Terminate()
        lib.Pa_Initialize()
    except (OSError, AttributeError):
        pass


_pa_lib: Any = None


def _portaudio_lib():
    """The PortAudio library sounddevice uses, through ctypes (the same loaded module)."""
    global _pa_lib
    if _pa_lib is not None:
        return _pa_lib
    import ctypes
    import ctypes.util
    import importlib.util
    import os
    import platform

    candidates = []
    spec = importlib.util.find_spec("_sounddevice_data")  # the Windows/macOS wheels' own copy
    if spec and spec.submodule_search_locations:
        base = os.path.join(list(spec.submodule_search_locations)[0], "portaudio-binaries")
        bits = "64bit" if platform.architecture()[0] == "64bit" else "32bit"
        candidates += [os.path.join(base, f"libportaudio{bits}.dll"),
                       os.path.join(base, "libportaudio.dylib")]
    found = ctypes.util.find_library("portaudio")  # what sounddevice loads on Linux
    if found:
        candidates.append(found)
    for c in candidates:
        if os.path.isabs(c) and not os.path.exists(c):
            continue
        try:
            _pa_lib = ctypes.CDLL(c)
            return _pa_lib
        except OSError:
            continue
    return None


def _raw_inputs(sd) -> tuple[list[dict], list[dict], int]:
    try:
        devices = [dict(d) for d in sd.query_devices()]
        apis = [dict(a) for a in sd.query_hostapis()]
        default_in = sd.default.device[0]
    except Exception as e:  # PortAudio itself failing
        raise AudioUnavailable(f"{NO_INPUT} ({e})") from e
    for i, d in enumerate(devices):
        d.setdefault("index", i)
        h = d.get("hostapi", -1)
        d["api"] = apis[h]["name"] if 0 <= h < len(apis) else ""
    return devices, apis, default_in if isinstance(default_in, int) else -1


def input_devices() -> list[InputDevice]:
    """Each physical microphone once, under its preferred host API."""
    devices, apis, default_in = _raw_inputs(sounddevice())
    ins = [d for d in devices if d.get("max_input_channels", 0) >= 1
           and d["name"].strip().casefold() not in VIRTUAL_NAMES]
    if any(d["api"] not in LAST_RESORT_APIS for d in ins):
        ins = [d for d in ins if d["api"] not in LAST_RESORT_APIS]
    # the system's default microphone: the default of the most preferred API naming a real one
    default_idx = default_in
    for a in sorted(apis, key=lambda a: _api_rank(a.get("name", ""))):
        i = a.get("default_input_device", -1)
        if any(d["index"] == i for d in ins):
            default_idx = i
            break
    groups: dict[str, list[dict]] = {}
    for d in ins:
        groups.setdefault(physical_key(d["name"]), []).append(d)
    out = []
    for members in groups.values():
        members.sort(key=lambda d: (_api_rank(d["api"]), d["index"]))
        best = members[0]
        name = max((d["name"] for d in members), key=len)  # MME's is cut short
        out.append(InputDevice(best["index"], name, best["api"], best["max_input_channels"],
                               float(best["default_samplerate"]),
                               any(d["index"] == default_idx for d in members),
                               tuple((d["index"], d["api"]) for d in members[1:])))
    out.sort(key=lambda d: min([d.index, *(i for i, _ in d.others)]))
    return out


def has_output() -> bool:
    sd = sounddevice()
    try:
        return any(d.get("max_output_channels", 0) > 0 for d in sd.query_devices())
    except Exception:
        return False


def resolve(spec: Optional[str | int], devices: Optional[list[InputDevice]] = None) -> InputDevice:
    """The device for a user's choice: its number (also the number of the same microphone
    under another host API), its name (also MME's cut one), or part of its name.
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
            for i, api in d.others:
                if i == int(text):
                    return _variant(d, i, api)
    for d in devices:
        if d.matches(text):
            return d
    low = text.lower()
    matches = [d for d in devices if low in d.name.lower()]
    if matches:
        return matches[0]
    names = "; ".join(f"{d.index}: {d.name}" for d in devices)
    raise AudioUnavailable(f"Устройство записи «{text}» не найдено. Есть: {names}.")


def _variant(d: InputDevice, index: int, api: str) -> InputDevice:
    """`d` opened through another of its host APIs."""
    try:
        info = sounddevice().query_devices(index)
        rate, ch = float(info["default_samplerate"]), int(info["max_input_channels"])
    except Exception:
        rate, ch = d.default_samplerate, d.channels
    return InputDevice(index, d.name, api, ch, rate, d.is_default,
                       tuple(o for o in ((d.index, d.hostapi), *d.others) if o[0] != index))


def stream_formats(device: Any, samplerate: int, channels: int) -> list[tuple[int, int]]:
    """(rate, channels) to try, best first: the stored rate itself where the device takes
    it, else the device's own rate (the writer converts to `samplerate`, resample.py).
    WASAPI in shared mode runs only at the mixer's rate: it starts there."""
    if not isinstance(device, InputDevice):
        return [(samplerate, channels)]
    own = int(round(device.default_samplerate)) or samplerate
    rates = [own, samplerate] if "WASAPI" in device.hostapi else [samplerate, own]
    rates += [r for r in (48000, 44100) if r not in rates]
    chans = [channels] + ([2] if device.channels >= 2 and channels != 2 else [])
    out: list[tuple[int, int]] = []
    for r in rates:
        for c in chans:
            if (r, c) not in out:
                out.append((r, c))
    return out


class SoundDeviceBackend:
    """The Recorder's stream backend over PortAudio."""

    def __init__(self) -> None:
        self.sd = sounddevice()
        self.callback_stop = self.sd.CallbackStop

    def open(self, device: Any, samplerate: int, channels: int, blocksize: int,
             callback: Callable) -> Any:
        """An input stream in the first format the device accepts (stream_formats); the
        stream's `samplerate` and `channels` tell the recorder what it got."""
        index = device.index if isinstance(device, InputDevice) else device
        tried: list[str] = []
        last: Optional[Exception] = None
        for rate, ch in stream_formats(device, samplerate, channels):
            try:
                self.sd.check_input_settings(device=index, channels=ch, dtype="int16", samplerate=rate)
                block = max(1, int(round(blocksize * rate / samplerate)))
                return self.sd.InputStream(device=index, samplerate=rate, channels=ch, dtype="int16",
                                           blocksize=block, callback=callback)
            except Exception as e:
                tried.append(f"{rate} Гц × {ch}")
                last = e
        more = f" (испробованы форматы: {', '.join(tried)})" if len(tried) > 1 else ""
        raise AudioUnavailable(
            f"Не удалось открыть устройство записи: {last}. Проверьте, что микрофон подключён "
            f"и не занят другой программой.{more}") from last

    def reconnect(self, device: Any) -> Optional[InputDevice]:
        """Find the same microphone again after it vanished (by name; its number may change)."""
        refresh()
        devices = input_devices()
        if not devices:
            raise AudioUnavailable(NO_INPUT)
        if isinstance(device, InputDevice):
            for d in devices:
                if not d.matches(device.name):
                    continue
                if d.hostapi == device.hostapi:
                    return d
                for i, api in d.others:
                    if api == device.hostapi:
                        return _variant(d, i, api)
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

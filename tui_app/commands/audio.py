"""Audio commands for a room PC without the TUI: record, audio-test, clip, audio-devices."""
from __future__ import annotations

import argparse
import time

from ._common import EXIT_OK, EXIT_PROBLEMS, UserError, say, warn, workspace


def register(sub) -> None:
    p = sub.add_parser("record", help="потоковая запись аудитории (на весь день или N секунд)",
                       description="Пишет звук аудитории последовательными файлами (сегментами) в "
                                   "папку audio/ рабочей папки. Остановка — Ctrl+C.")
    p.add_argument("--room", required=True, metavar="НОМЕР", help="номер аудитории")
    p.add_argument("--seconds", type=float, metavar="N", help="записать N секунд и остановиться")
    p.add_argument("--device", metavar="УСТРОЙСТВО", help="номер или часть названия микрофона "
                   "(по умолчанию — выбранный ранее или системный)")
    p.add_argument("--format", choices=("mp3", "wav"), help="формат файлов (по умолчанию mp3)")
    p.add_argument("--segment", type=float, metavar="СЕК",
                   help="длина одного файла-сегмента в секундах (по умолчанию 600)")
    p.add_argument("--oo", metavar="КОД", help="код ОО, если список участников не загружен")
    p.set_defaults(func=run_record)

    t = sub.add_parser("audio-test", help="проверочная запись: уровень и вывод (тихо, перегрузка, шумно, хорошо)",
                       description="Записывает N секунд, измеряет уровни и выносит вывод. "
                                   "Код выхода 0 — запись хорошая, 1 — нужно исправить.")
    t.add_argument("--seconds", type=float, default=10.0, metavar="N", help="длительность (по умолчанию 10 с)")
    t.add_argument("--device", metavar="УСТРОЙСТВО", help="номер или часть названия микрофона")
    t.add_argument("--room", default="", metavar="НОМЕР",
                   help="аудитория: проверка засчитывается ей в перечне «Что дальше» и в имени файла")
    t.set_defaults(func=run_test)

    c = sub.add_parser("clip", help="вырезать ответ участника из потоковой записи (для эксперта, апелляции)",
                       description="Вырезает ответ участника из записи его аудитории по времени "
                                   "начала и окончания из ведомости ИС-02 (или по меткам).")
    c.add_argument("--participant", required=True, metavar="КОД", help="код участника")
    c.add_argument("--source", choices=("auto", "log", "markers"), default="auto",
                   help="откуда брать время: auto — ведомость ИС-02, затем метки; log; markers")
    c.add_argument("--pad", type=float, default=0.0, metavar="СЕК",
                   help="добавить секунд до начала и после окончания")
    c.set_defaults(func=run_clip)

    d = sub.add_parser("audio-devices", help="устройства записи; выбрать микрофон",
                       description="Показывает микрофоны, которые видит компьютер. "
                                   "--choose запоминает выбранный.")
    d.add_argument("--choose", metavar="УСТРОЙСТВО", help="запомнить это устройство записи")
    d.set_defaults(func=run_devices)


def run_devices(args: argparse.Namespace) -> int:
    from ..services import audio as svc

    with workspace(args) as ws:
        devices = svc.list_devices()
        if args.choose:
            from ..audio.devices import resolve

            dev = resolve(args.choose, devices)
            svc.choose_device(ws.store, dev)
            say(f"Выбрано устройство записи: {dev.index}: {dev.name}")
        saved = ws.store.settings().audio_device
        say("Устройства записи:")
        for d in devices:
            mark = " ← выбрано" if d.name == saved else ""
            say(f"  {d.index}: {d.label}, каналов: {d.channels}{mark}")
    return EXIT_OK


def run_test(args: argparse.Namespace) -> int:
    from ..services import audio as svc

    with workspace(args) as ws:
        if args.seconds <= 0 or args.seconds > 600:
            raise UserError("Длительность проверки — от 1 до 600 секунд.")
        say(f"Проверочная запись {args.seconds:g} с… говорите в микрофон обычным голосом.")
        res = svc.run_test_recording(ws.store, args.seconds, args.device, args.room)
        say(f"Устройство: {res.device}")
        for line in res.analysis.lines():
            say(line)
        say(f"Файл: {res.path}")
        from ..services.summary import audio_tests_done

        good, rooms = audio_tests_done(ws.store)
        if rooms:
            where = f"аудитории {args.room}" if args.room else "без аудитории (--room не указан)"
            say(f"Проверка записана для {where}. Проверено с выводом «хорошо»: {good} из {rooms} аудиторий.")
        return EXIT_OK if res.analysis.verdict.value == "good" else EXIT_PROBLEMS


def run_record(args: argparse.Namespace) -> int:
    from ..services import audio as svc

    with workspace(args) as ws:
        if args.seconds is not None and args.seconds <= 0:
            raise UserError("--seconds должно быть больше нуля.")
        if args.segment is not None and args.segment < 1:
            raise UserError("--segment — не меньше 1 секунды.")
        rec = svc.RoomRecording(ws.store, args.room, device=args.device, fmt=args.format,
                                seconds=args.seconds, segment_secs=args.segment, oo=args.oo)
        if rec.notice:
            warn(rec.notice)
        st = rec.status()
        say(f"Запись аудитории {args.room}: {rec.device.name}, {rec.fmt.upper()} 16 кГц моно, "
            f"папка {rec.folder}")
        say(f"Свободно на диске: ~{st.hours_left:.0f} ч записи. Остановка — Ctrl+C.")
        rec.start()
        shown: set[str] = set()
        last_print = time.monotonic()
        try:
            while not rec.wait(0.2):
                for n in rec.poll():
                    (warn if n.level.loud else say)(n.text)
                st = rec.status()
                for w in st.warnings:
                    if w not in shown:
                        warn(w)
                shown = set(st.warnings)
                if time.monotonic() - last_print >= 60:
                    last_print = time.monotonic()
                    say(f"Идёт запись: {_hms(st.elapsed)}, уровень {st.rms_db:.0f} дБFS, "
                        f"потеряно блоков: {st.dropped + st.overflows}")
        except KeyboardInterrupt:
            say("Остановка записи…")
        for n in rec.stop():
            (warn if n.level.loud else say)(n.text)
        st = rec.status()
        say(f"Записано: {_hms(st.elapsed)} в {st.segments} файл(ах), папка {rec.folder}")
        say(f"Переполнений устройства: {st.overflows}; потерянных блоков: {st.dropped}")
        if st.error:
            warn(st.error)
            return EXIT_PROBLEMS
    return EXIT_OK


def run_clip(args: argparse.Namespace) -> int:
    from ..services import audio as svc

    with workspace(args) as ws:
        info = svc.make_clip(ws.store, args.participant, source=args.source, pad=args.pad)
        r = info.result
        say(f"Фрагмент ({info.source}): {r.start:%H:%M:%S}–{r.end:%H:%M:%S}, {r.seconds:.1f} с")
        say(f"Файл: {r.path}")
        if r.missing_seconds > 0.05:
            warn(f"Внимание: {r.missing_seconds:.1f} с этого времени в записи нет (заполнено тишиной).")
            return EXIT_PROBLEMS
    return EXIT_OK


def _hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"

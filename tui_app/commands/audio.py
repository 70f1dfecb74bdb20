"""Audio commands for a room PC without the TUI: record, audio-test, clip, audio-devices."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

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

    r = sub.add_parser("audio-recover", help="довести записи, прерванные сбоем, до готовых файлов",
                       description="После выключения питания или аварийного завершения программы "
                                   "переводит незакрытые части записи (WAV-журналы .rec.wav) в MP3 и "
                                   "исправляет заголовки WAV. То же делается само при следующей записи.")
    r.add_argument("--room", metavar="НОМЕР", help="только эта аудитория")
    r.set_defaults(func=run_recover)

    im = sub.add_parser("audio-import", help="загрузить записи с диктофона, телефона, другого компьютера",
                        description="Ищет звуковые файлы в папке или на флешке (и в скрытых папках), "
                                    "угадывает аудиторию и время начала, проверяет длительность и речь "
                                    "по времени ИС-02. Без --yes только показывает, что будет загружено.")
    im.add_argument("path", metavar="ПАПКА", help="папка, флешка или один файл")
    im.add_argument("--room", metavar="НОМЕР", help="аудитория для файлов, где она не угадана")
    im.add_argument("--start", metavar="ЧЧ:ММ[:СС]",
                    help="время начала записи для файлов без верного времени (сбитые часы)")
    im.add_argument("--yes", action="store_true", help="загрузить готовые файлы")
    im.set_defaults(func=run_import)

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
            mark = " ← выбрано" if d.matches(saved or "") else ""
            say(f"  {d.index}: {d.label}, каналов: {d.channels}{mark}")
    return EXIT_OK


def run_recover(args: argparse.Namespace) -> int:
    from ..services import audio as svc

    with workspace(args) as ws:
        res = svc.recover_recordings(ws.store, args.room)
        say(svc.recovered_text(res))
        return EXIT_PROBLEMS if res.errors else EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from ..services import audio_import as imp

    with workspace(args) as ws:
        store = ws.store
        found = imp.scan(store, Path(args.path))
        for c in found:
            if args.room and not c.room and not c.refused:
                imp.set_room(store, c, args.room)
            if args.start and not c.refused and (c.start is None or c.clock_wrong):
                imp.set_start(store, c, imp.parse_start(args.start, imp.exam_day(store)))
        for i, c in enumerate(found, 1):
            say(f"{i}. {c.rel}")
            if c.refused:
                say(f"   ОТКАЗ: {c.refused}")
                continue
            start = f"{c.start:%d.%m.%Y %H:%M:%S} ({c.start_why})" if c.start else "не известно"
            say(f"   аудитория: {c.room or '?'}{' (' + c.room_why + ')' if c.room_why else ''}; "
                f"начало: {start}; длительность {_hms(c.seconds)}, речи {c.speech_seconds:.0f} с")
            if c.covers:
                say(f"   ответы по ИС-02 в записи: {', '.join(c.covers)}")
            for w in c.warnings:
                say(f"   внимание: {w}")
            say(f"   итог: {c.verdict}")
        ready = [c for c in found if c.ready]
        if not args.yes:
            say(f"Готово к загрузке: {len(ready)} из {len(found)}. Чтобы загрузить, повторите с --yes "
                "(--room и --start — для файлов, где аудитория или время не угаданы).")
            return EXIT_OK if ready else EXIT_PROBLEMS
        done, problems = imp.import_files(store, found)
        for d in done:
            say(f"Загружено: {d.candidate.rel} → {d.path.parent.name}/{d.path.name} "
                f"(оригинал: {d.original.parent.name}/{d.original.name})")
        for p in problems:
            warn(f"Не загружено: {p}")
        say(f"Загружено файлов: {len(done)} из {len(found)}.")
        return EXIT_OK if done and not problems and len(done) == len(found) else EXIT_PROBLEMS


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
        say(f"Запись аудитории {args.room}: {rec.device.name}, {rec.fmt.upper()} 16 кГц моно, "
            f"папка {rec.folder}")
        say(f"{svc.disk_hours(ws.store, rec.fmt).text} Остановка — Ctrl+C.")
        rec.start()
        shown: set[str] = set()  # each warning once while it lasts; a note once for good
        told: set[str] = set()
        last_print = time.monotonic()
        try:
            while not rec.wait(0.2):
                for n in rec.poll():
                    (warn if n.level.loud else say)(n.text)
                    told.add(n.text)
                st = rec.status()
                for w in st.warnings:
                    if w not in shown and w not in told:
                        warn(w)
                shown = set(st.warnings)
                if st.error:  # the disk failed: nothing more can be written
                    break
                if time.monotonic() - last_print >= 60:
                    last_print = time.monotonic()
                    say(f"Идёт запись: {_hms(st.elapsed)}, уровень {st.rms_db:.0f} дБFS, "
                        f"потеряно блоков: {st.dropped + st.overflows}")
        except KeyboardInterrupt:
            say("Остановка записи…")
        for n in rec.stop():
            if n.text not in told:
                (warn if n.level.loud else say)(n.text)
                told.add(n.text)
        st = rec.status()
        say(f"Записано: {_hms(st.elapsed)} в {st.segments} файл(ах), папка {rec.folder}")
        say(f"Переполнений устройства: {st.overflows}; потерянных блоков: {st.dropped}")
        if st.error:
            if st.error not in told | shown:
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

"""Typing a room's stack of 30 protocols in a real terminal (issue 18), keystrokes counted.

The installed command (`is-shtab`) runs in tmux at 80×25 on the demo school with room 102's
results cleared and two pairs of namesakes put into its list (Ёлкин И. В. / Ёлкин В. В.,
Иванова А. И. / Иванова Е. П.). The run types 30 protocols, each with its own scores:

- in the stack's order, as a typist does: each protocol is sent in one burst (Enter on the
  prefilled variant, 13 digits, Enter), the first one after choosing the participant by list
  number and typing the variant;
- one out-of-order jump: F4, «ёлкин», Enter, the second line of the namesakes' list — then the
  stack goes back to where it was and later skips the jumped one;
- one Esc in the middle of a protocol (half of the digits typed): the question «сохранить / не
  сохранять / вернуться» is answered «вернуться» (Esc) and the rest is typed.

Every key sent is counted. Afterwards the workspace is opened and each of the 30 protocols is
compared with what was typed for that participant: none lost, none misplaced, nobody else
got a protocol. The keys per protocol are compared with the paper's minimum (Enter + 13 + Enter).

Run:  python -m bench.entry_stack      (tests/test_entry_stack_tmux.py runs the same)
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.tmux import EXIT_MARK, Tmux  # noqa: E402
from support.workspaces import clear_results  # noqa: E402
from tui_app.domain.models import Participant  # noqa: E402
from tui_app.services.data import scheme_for  # noqa: E402
from tui_app.services.demo import create_demo  # noqa: E402
from tui_app.services.entry import room_list  # noqa: E402
from tui_app.store.workspace import Workspace  # noqa: E402

ROOM = "102"
PROTOCOLS = 30
VARIANT = "5"
MINIMUM = 15  # Enter (variant) + 13 digits + Enter, as on the paper form
NAMESAKES = {5: ("Ёлкин", "Иван", "Васильевич"), 6: ("Ёлкин", "Василий", "Васильевич"),
             12: ("Иванова", "Анна", "Ильинична"), 13: ("Иванова", "Елена", "Петровна")}
JUMP_AFTER = 3  # after the 3rd protocol: the jump to the second Ёлкин (6th in the list)
JUMP_TO = ("Ёлкин", "Василий")  # the 2nd line of the namesakes' list (seat order)
ESC_AT = 15  # the 15th protocol gets an Esc in the middle


@dataclass
class Report:
    typed: list[tuple[str, list[int]]] = field(default_factory=list)  # guid, digits
    in_order_keys: list[int] = field(default_factory=list)  # keys of each in-order protocol
    jump_keys: int = 0  # F4 + the name + Enter + the line (beyond the protocol's own keys)
    esc_keys: int = 0  # Esc + Esc (вернуться)
    other_keys: int = 0  # F4/F5 to open the room, F10
    lost: list[str] = field(default_factory=list)
    misplaced: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total_keys(self) -> int:
        return sum(self.in_order_keys) + self.jump_keys + self.esc_keys + self.other_keys + MINIMUM

    def lines(self) -> list[str]:
        steady = self.in_order_keys[1:]
        avg_all = sum(self.in_order_keys) / len(self.in_order_keys)
        avg = sum(steady) / len(steady)
        return [
            f"протоколов: {len(self.typed)} (по порядку стопки {len(self.in_order_keys)}, "
            f"не по порядку 1 — однофамилец из списка)",
            f"нажатий всего: {self.total_keys} за {self.seconds:.0f} с",
            f"на протокол по порядку: {avg:.2f} (протоколы 2–{len(self.in_order_keys)}); "
            f"с первым ({self.in_order_keys[0]}: выбор участника и вариант) — {avg_all:.2f}",
            f"отношение к минимуму бланка ({MINIMUM}): {avg / MINIMUM:.2f}",
            f"прыжок не по порядку: {self.jump_keys} нажатий сверх протокола; "
            f"Esc посреди протокола: {self.esc_keys}",
            f"потеряно протоколов: {len(self.lost)}; не тому участнику: {len(self.misplaced)}",
        ]


def _digits(i: int, maxes: list[int]) -> list[int]:
    """Scores of the i-th protocol: different for every participant, all within range."""
    return [(i * 7 + c * 3) % (m + 1) for c, m in enumerate(maxes)]


def prepare(root: Path) -> list[Participant]:
    """The demo school, room 102's results cleared, two pairs of namesakes in its list.
    Returns the room's present participants in the stack's order."""
    ws = Workspace.open(root, snapshot=False)
    try:
        store = ws.store
        create_demo(store, with_results=True)
        clear_results(store)
        people = room_list(store, ROOM)
        extra = [Participant(surname=s, name=n, patronymic=pa, grade="9В", room=ROOM,
                             code=f"9900{pos:02d}") for pos, (s, n, pa) in NAMESAKES.items()]
        order = list(people)
        for (pos, _), p in zip(NAMESAKES.items(), extra):
            order.insert(pos - 1, p)
        with store.transaction():
            store.put_many([p.model_copy(update={"order": i}) for i, p in enumerate(order, 1)])
        return [p for p in room_list(store, ROOM) if not p.absent]
    finally:
        ws.close()


def _command() -> str:
    exe = shutil.which("is-shtab", path=str(Path(sys.executable).parent)) or shutil.which("is-shtab")
    return exe or f"{sys.executable} -m tui_app"


def run(root: Path) -> Report:
    people = prepare(root)
    ws = Workspace.open(root, snapshot=False)
    maxes = [c.max for c in scheme_for(ws.store).criteria]
    ws.close()
    rep = Report()
    left = len(people)
    t = Tmux(f"{_command()} -w {root}; echo {EXIT_MARK}$?", 80, 25)
    t0 = time.monotonic()

    def send(*keys: str) -> int:
        t.keys(*keys)
        return len(keys)

    def saved() -> None:
        nonlocal left
        left -= 1
        t.wait_re(rf"осталось {left}/|всё внесено", timeout=60)

    try:
        t.wait_for("Что дальше", timeout=90)
        rep.other_keys += send("F4")
        t.wait_for("№, фамилия или код", timeout=60)
        rep.other_keys += send("F5")  # room 101 -> 102
        t.wait_for(f"Ауд. {ROOM}", timeout=60)
        queue = list(people[:PROTOCOLS + 1])
        jumped = next(p for p in people if (p.surname, p.name) == JUMP_TO)  # ahead of the stack
        queue.remove(jumped)
        for n, p in enumerate(queue[:PROTOCOLS - 1], 1):
            digits = [str(d) for d in _digits(len(rep.typed), maxes)]
            keys = 0
            if n == 1:  # choose the first one by its list number, type the variant
                keys += send(*str(p.order), "Enter")
                t.wait_for(p.fio[:30], timeout=60)
                keys += send(VARIANT, "Enter", *digits, "Enter")
            elif n == ESC_AT:
                keys += send("Enter", *digits[:6])
                rep.esc_keys += send("Escape")
                t.wait_for("Не сохранено:", timeout=60)
                rep.esc_keys += send("Escape")  # «вернуться»
                _wait_gone(t, "Не сохранено:")
                keys += send(*digits[6:], "Enter")
            else:
                keys += send("Enter", *digits, "Enter")
            rep.in_order_keys.append(keys)
            rep.typed.append((p.guid, [int(d) for d in digits]))
            saved()
            if n == JUMP_AFTER:
                # the jump: F4, «ёлкин», Enter; the list of the two namesakes is a question,
                # so the typist looks; then the 2nd line and the protocol in one burst
                rep.jump_keys += send("F4")
                t.type("ёлкин")
                rep.jump_keys += len("ёлкин")
                rep.jump_keys += send("Enter")
                t.wait_for("выберите", timeout=60)
                digits = [str(d) for d in _digits(len(rep.typed), maxes)]
                rep.jump_keys += 1
                # the line + the protocol's MINIMUM keys in one burst: the keys typed while
                # the list closes reach the form in their order (widgets/typeahead.py)
                send("2", "Enter", *digits, "Enter")
                rep.typed.append((jumped.guid, [int(d) for d in digits]))
                saved()
            if n == JUMP_AFTER:
                t.wait_for(queue[n].fio[:30], timeout=60)  # back where the stack was
        rep.other_keys += send("F10")
        t.wait_for(EXIT_MARK + "0", timeout=60)
    finally:
        rep.seconds = time.monotonic() - t0
        t.close()
    _verify(root, rep, maxes)
    return rep


def _wait_gone(t: Tmux, text: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while text in t.screen():
        if time.monotonic() > deadline:
            raise AssertionError(f"«{text}» stayed on screen:\n{t.screen()}")
        time.sleep(0.05)


def _verify(root: Path, rep: Report, maxes: list[int]) -> None:
    ws = Workspace.open(root, snapshot=False)
    try:
        store = ws.store
        codes = [c.code for c in scheme_for(store).criteria]
        protocols = store.protocols()
        for guid, digits in rep.typed:
            proto = protocols.get(guid)
            who = store.participant(guid).short_fio
            if proto is None:
                rep.lost.append(who)
            elif [proto.scores.get(c) for c in codes] != digits or proto.variant != VARIANT:
                rep.misplaced.append(who)
        typed = {g for g, _ in rep.typed}
        rep.misplaced += [store.participant(g).short_fio for g in protocols if g not in typed]
    finally:
        ws.close()


def main() -> int:
    if not Tmux.available():
        print("нужен tmux")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        rep = run(Path(tmp) / "ws")
    for line in rep.lines():
        print(line)
    return 0 if not rep.lost and not rep.misplaced else 1


if __name__ == "__main__":
    sys.exit(main())

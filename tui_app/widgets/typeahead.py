"""Type-ahead across the closing of a short list: keys typed meanwhile go on in their order.

Textual hands each key to the queue of the widget that has the keyboard. A list that takes
the keyboard for a moment (the namesakes' `ChoiceList`) closes while the typist is already
typing what comes next; keys still queued at the closing list and keys the app hands to the
screen below would race, and a digit could land in the wrong criterion or before the chosen
participant is open. So, from the choice on:

1. the app keeps every new key in a `KeyHold` instead of handing it on;
2. the list sees the keys already queued to it (after its choice) and keeps them, in order;
3. when the screen below has taken the choice, one `ReleaseKeys` message goes to the app. The
   app handles it in its own queue (so after every key that came before it): the list's keys,
   then the held ones, go on in the order they were typed; then keys flow as usual.

If a dialog opened meanwhile (an unsaved protocol: «сохранить?»), the keys are dropped: keys
typed before a question was on screen must not answer it. A hold that nobody releases ends by
itself after `KeyHold.LIMIT` seconds, so the keyboard can never stay dead.
"""
from __future__ import annotations

import time
from typing import Callable, Optional, Sequence

from textual.message import Message

Key = tuple[str, Optional[str]]  # (key, character) as in textual.events.Key


class KeyHold:
    """Keys the app keeps while a list closes (see the module's text)."""

    LIMIT = 5.0  # seconds: a hold never lasts longer, whatever went wrong

    def __init__(self) -> None:
        self._keys: Optional[list[Key]] = None
        self._since = 0.0

    @property
    def holding(self) -> bool:
        return self._keys is not None

    def start(self) -> None:
        if self._keys is None:
            self._keys = []
            self._since = time.monotonic()

    def expired(self) -> bool:
        return self.holding and time.monotonic() - self._since > self.LIMIT

    def keep(self, key: str, character: Optional[str]) -> None:
        assert self._keys is not None
        self._keys.append((key, character))

    def end(self) -> list[Key]:
        """The kept keys, in order; the hold is over."""
        keys, self._keys = self._keys or [], None
        return keys


class ReleaseKeys(Message):
    """To the app: the screen below took the choice; hand on `early` and then the held keys.

    `to`: the screen the keys are meant for (dropped if another one is on top by then);
    `sink`: where they go (a callable taking the keys), or None for the focused widget."""

    def __init__(self, early: Sequence[Key], to: object = None,
                 sink: Optional[Callable[[list[Key]], None]] = None) -> None:
        super().__init__()
        self.early = list(early)
        self.to = to
        self.sink = sink

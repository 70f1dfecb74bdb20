"""A big horizontal level meter: RMS bar, peak mark, dBFS scale. Works in a plain console."""
from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

LOW_DB = -60.0
TICKS = (-60, -48, -36, -24, -12, -6, 0)


def _pos(db: float, width: int) -> int:
    db = max(LOW_DB, min(0.0, db))
    return int(round((db - LOW_DB) / -LOW_DB * width))


def _colour(db: float) -> str:
    if db >= -3:
        return "bold red"
    if db >= -12:
        return "yellow"
    return "green"


class LevelMeter(Widget):
    """`level` and `peak` in dBFS; `alert` turns the frame red (silence, clipping, lost device)."""

    DEFAULT_CSS = """
    LevelMeter {
        height: 5;
        border: round $primary;
        padding: 0 1;
    }
    LevelMeter.-alert {
        border: heavy $error;
    }
    """

    level = reactive(-100.0)
    peak = reactive(-100.0)
    active = reactive(False)

    def set_levels(self, level: float, peak: float, active: bool = True) -> None:
        self.level, self.peak, self.active = level, peak, active

    def render(self) -> Text:
        width = max(10, self.size.width - 10)
        text = Text()
        filled = _pos(self.level, width) if self.active else 0
        peak_at = _pos(self.peak, width) if self.active else -1
        for row in range(2):
            for i in range(width):
                db = LOW_DB + (i + 0.5) / width * -LOW_DB
                if i < filled:
                    text.append("█", _colour(db))
                elif i == min(peak_at, width - 1) and peak_at > 0:
                    text.append("▌", _colour(self.peak))
                else:
                    text.append("░" if row == 0 else "·", "bright_black")
            if row == 0:
                label = f"{self.level:6.1f}" if self.active and self.level > -100 else "   —  "
                text.append(f" {label} дБ")
            text.append("\n")
        scale = [" "] * (width + 1)
        for t in TICKS:
            s = str(t)
            p = min(_pos(t, width), width + 1 - len(s))
            for k, ch in enumerate(s):
                if 0 <= p + k < len(scale):
                    scale[p + k] = ch
        text.append("".join(scale), "bright_black")
        return text

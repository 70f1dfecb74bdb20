"""Typed notes `(level, text)`: what a service tells the user, and how loudly.

A service that has something to say while it works (a microphone lost, a personal recording
saved, an import line skipped) returns `Note`s instead of bare strings, so a screen never has
to guess the severity from the words of the message. The screens show them on their status
line (widgets/status_line.py); the CLI prints warnings and errors to stderr.

This module is at the bottom of the house: it imports nothing of ours.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Level(str, Enum):
    INFO = "info"
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"

    @property
    def loud(self) -> bool:
        """A warning or an error: the CLI sends it to stderr, a screen rings the bell."""
        return self in (Level.WARNING, Level.ERROR)


@dataclass(frozen=True)
class Note:
    level: Level
    text: str

    def __str__(self) -> str:
        return self.text


def info(text: str) -> Note:
    return Note(Level.INFO, text)


def ok(text: str) -> Note:
    return Note(Level.OK, text)


def warning(text: str) -> Note:
    return Note(Level.WARNING, text)


def error(text: str) -> Note:
    return Note(Level.ERROR, text)

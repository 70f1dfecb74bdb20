"""Drive the program in tmux as a person would: send keys, read the screen.

Each Tmux has its own tmux server (a socket name unique to it, no user config), so tests
running in parallel never see each other's sessions; close() ends that server.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from typing import Optional

from . import ROOT

EXIT_MARK = "ВЫХОД-"  # the shell prints ВЫХОД-<exit code> after the program ends


def program(*args: str) -> str:
    """The shell command that runs `python -m tui_app ARGS…` and then prints its exit code
    (wait for EXIT_MARK + "0" to see that it quit cleanly)."""
    quoted = " ".join(f"'{a}'" for a in args)
    return f"{sys.executable} -m tui_app {quoted}; echo {EXIT_MARK}$?"


class Tmux:
    def __init__(self, command: str, width: int = 80, height: int = 25, env: Optional[dict] = None,
                 cwd: Optional[str] = None) -> None:
        self.name = "t"
        self.socket = f"isshtab-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self.env = {**os.environ, "TERM": "xterm-256color", **(env or {})}
        self.env.setdefault("LANG", "C.UTF-8")
        env_args = []
        for k, v in (env or {}).items():
            env_args += ["-e", f"{k}={v}"]
        # the pane stays open after the program ends, so its last words can be read
        self._run("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                  *env_args, "-c", str(cwd or ROOT), command + "; sleep 60")

    @staticmethod
    def available() -> bool:
        return shutil.which("tmux") is not None

    def _run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], env=self.env,
                              capture_output=True, text=True, check=True, timeout=30).stdout

    def keys(self, *keys: str) -> None:
        """Send keys by tmux name (F5, Enter, Down, …), all at once like a fast typist."""
        self._run("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        """Type text literally (no key-name lookup)."""
        self._run("send-keys", "-t", self.name, "-l", text)

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """Wait until the screen shows text; returns the screen."""
        return self.wait_re(re.escape(text), timeout).string

    def wait_re(self, pattern: str, timeout: float = 30.0) -> re.Match:
        """Wait until the screen matches the regular expression; returns the match."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            found = re.search(pattern, screen)
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"«{pattern}» did not appear on screen within {timeout}s:\n{screen}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], env=self.env, capture_output=True)

    def __enter__(self) -> "Tmux":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

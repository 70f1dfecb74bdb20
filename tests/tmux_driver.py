"""Drive the installed program in tmux as a person would: send keys, read the screen."""
from __future__ import annotations

import shutil
import subprocess
import time
import uuid


class Tmux:
    def __init__(self, command: str, width: int = 80, height: int = 25, env: dict | None = None,
                 cwd: str | None = None) -> None:
        self.name = f"isshtab-{uuid.uuid4().hex[:8]}"
        self.socket = f"/tmp/{self.name}.sock"
        env_args = []
        for k, v in (env or {}).items():
            env_args += ["-e", f"{k}={v}"]
        self._run("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                  *env_args, *(["-c", cwd] if cwd else []), command + "; sleep 30")

    @staticmethod
    def available() -> bool:
        return shutil.which("tmux") is not None

    def _run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True,
                              check=True, timeout=30).stdout

    def keys(self, *keys: str) -> None:
        self._run("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        """Type text literally (no key-name lookup)."""
        self._run("send-keys", "-t", self.name, "-l", text)

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"«{text}» did not appear on screen within {timeout}s:\n{screen}")

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)

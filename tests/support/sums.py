"""`sha256sum -c SHA256SUMS` for tests: the real GNU tool where it exists (Linux), else the
same check with hashlib (Windows), reading the GNU format independently of our code
(a line «HASH  NAME»; a line starting with «\\» has «\\\\» and «\\n» escaped in NAME)."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path


def _unescape(name: str) -> str:
    out, i = [], 0
    while i < len(name):
        if name[i] == "\\" and i + 1 < len(name):
            out.append({"\\": "\\", "n": "\n"}.get(name[i + 1], name[i + 1]))
            i += 2
        else:
            out.append(name[i])
            i += 1
    return "".join(out)


def sha256sum_check(folder: Path) -> tuple[int, str]:
    """(exit code, output with one «NAME: OK|FAILED» line per file), as sha256sum -c."""
    if shutil.which("sha256sum"):
        p = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True)
        return p.returncode, p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
    lines, rc = [], 0
    for line in (Path(folder) / "SHA256SUMS").read_bytes().decode("utf-8").split("\n"):
        if not line:
            continue
        escaped = line.startswith("\\")
        digest, name = (line[1:] if escaped else line).split("  ", 1)
        if escaped:
            name = _unescape(name)
        try:
            ok = hashlib.sha256((Path(folder) / name).read_bytes()).hexdigest() == digest
        except OSError:
            ok = False
        rc |= 0 if ok else 1
        lines.append(f"{name}: {'OK' if ok else 'FAILED'}")
    return rc, "\n".join(lines) + "\n"

"""A private CUPS scheduler whose default queue prints to a file (TESTING.md-style: the real
`lp`, the real cupsd and its PDF filter; the «printer» is a file the test reads back).

Each test gets its own cupsd with its own folders and a Unix socket (no port), found by `lp`
through CUPS_SERVER. The queue uses cups-filters' «Generic PDF Printer» driver, so the file
holds the PDF as the printer would get it, copies included. Debian's cupsd opens a `file:`
device without creating it, so the file is made empty before each job.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

PPD = Path("/usr/share/ppd/cupsfilters/Generic-PDF_Printer-PDF.ppd")
CUPSD = "/usr/sbin/cupsd"


def available() -> bool:
    return (Path(CUPSD).exists() and shutil.which("lp") is not None and PPD.exists()
            and hasattr(os, "geteuid") and os.geteuid() == 0)


class Cups:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.sock = root / "cups.sock"
        self.out = root / "out" / "printed.pdf"
        self.env = {"CUPS_SERVER": str(self.sock)}
        self.proc: Optional[subprocess.Popen] = None

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), capture_output=True, text=True, timeout=30,
                              env={**os.environ, **self.env, "LC_ALL": "C"})

    def start(self) -> None:
        r = self.root
        for d in ("spool", "cache", "state", "log", "tmp", "out", "ppd"):
            (r / d).mkdir(parents=True, exist_ok=True)
        for d in ("tmp", "out"):
            os.chmod(r / d, 0o777)
        (r / "cupsd.conf").write_text(
            f"Listen {self.sock}\nLogLevel warn\nWebInterface No\nBrowsing No\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
        (r / "cups-files.conf").write_text(
            f"FileDevice Yes\nServerRoot {r}\nRequestRoot {r}/spool\nCacheDir {r}/cache\n"
            f"StateDir {r}/state\nTempDir {r}/tmp\nErrorLog {r}/log/error_log\n"
            f"AccessLog {r}/log/access_log\nPageLog {r}/log/page_log\n")
        self.proc = subprocess.Popen([CUPSD, "-f", "-c", str(r / "cupsd.conf"), "-s",
                                      str(r / "cups-files.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.sock.exists() and "is running" in self.run("lpstat", "-r").stdout:
                return
            time.sleep(0.05)
        raise RuntimeError("cupsd did not start: " + (r / "log" / "error_log").read_text()
                           if (r / "log" / "error_log").exists() else "cupsd did not start")

    def add_file_queue(self, name: str = "pdfq", default: bool = True) -> None:
        self.fresh()
        r = self.run("lpadmin", "-p", name, "-E", "-v", f"file://{self.out}", "-P", str(PPD))
        assert r.returncode == 0, r.stderr
        if default:
            assert self.run("lpadmin", "-d", name).returncode == 0

    def fresh(self) -> None:
        """An empty output file for the next job (cupsd opens it with O_EXCL, no O_CREAT)."""
        self.out.write_bytes(b"")
        os.chmod(self.out, 0o666)

    def printed(self, timeout: float = 30.0) -> bytes:
        """The PDF the queue sent to its «printer» once the job is done (the driver wraps it
        in PJL, as a real office printer gets it: the PDF is cut out of that)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.run("lpstat", "-o").stdout.strip()
            data = self.out.read_bytes()
            if data and not jobs and b"%%EOF" in data:
                return data[data.index(b"%PDF-"):data.rindex(b"%%EOF") + 5]
            time.sleep(0.05)
        raise AssertionError("nothing printed within the timeout; log:\n" +
                             (self.root / "log" / "error_log").read_text(errors="replace")[-2000:])

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


@contextmanager
def cups(queue: bool = True) -> Iterator[Cups]:
    """A short folder under /tmp: a Unix socket's path must stay under 108 bytes."""
    import tempfile

    c = Cups(Path(tempfile.mkdtemp(prefix="cups-", dir="/tmp")))
    try:
        c.start()
        if queue:
            c.add_file_queue()
        yield c
    finally:
        c.stop()
        shutil.rmtree(c.root, ignore_errors=True)

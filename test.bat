@echo off
rem Windows: set up what the tests need (idempotent), then run them. Extra arguments go to pytest.
cd /d "%~dp0"
py -3 scripts\setup.py --dev || exit /b 1
.venv\Scripts\python.exe -m pytest %*

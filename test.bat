@echo off
rem Windows: set up what the tests need (idempotent), then run them (scripts\run_tests.py). Extra arguments go to pytest.
cd /d "%~dp0"
py -3 scripts\setup.py --dev || exit /b 1
.venv\Scripts\python.exe scripts\run_tests.py %*

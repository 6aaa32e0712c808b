"""scripts/run_tests.py, what ./test.sh and test.bat run: the `alone` tests by themselves, then the rest in parallel,
with the arguments given passed to both and a `-m` given combined with each run's own."""

import importlib.util

from model.paths import REPO

spec = importlib.util.spec_from_file_location("run_tests", REPO / "scripts" / "run_tests.py")
run_tests = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_tests)


def test_both_runs_get_the_arguments_and_a_marker_given_is_combined_with_each_runs():
    alone, rest = run_tests.runs(["tests/test_data.py", "-k", "split", "-m", "not slow"])
    assert alone[3:] == ["tests/test_data.py", "-k", "split", "-m", "(not slow) and alone", "-n", "0"]
    assert rest[3:] == ["-n", run_tests.WORKERS, "--dist", "loadfile", "tests/test_data.py", "-k", "split",
                        "-m", "(not slow) and not alone"]
    assert run_tests.runs(["-mbrowser", "-q"])[0][3:] == ["-q", "-m", "(browser) and alone", "-n", "0"]
    cmd = run_tests.runs(["-n", "4"])[1]
    assert cmd[3:5] == ["-n", run_tests.WORKERS] and cmd[7:9] == ["-n", "4"]  # pytest keeps the later one: the user's
    assert run_tests.split_marker(["--maxfail=1"]) == (["--maxfail=1"], None)


def test_any_failing_run_fails_and_no_test_is_an_error_only_when_neither_ran_one():
    assert run_tests.status([0, 0]) == 0 and run_tests.status([5, 0]) == 0 and run_tests.status([0, 5]) == 0
    assert run_tests.status([5, 5]) == 5
    assert run_tests.status([1, 0]) == 1 and run_tests.status([0, 2]) == 2 and run_tests.status([5, 1]) == 1


def test_the_parallel_workers_share_the_cores_unless_the_threads_are_set():
    assert run_tests.parallel_env([], {}, 2) == {"OMP_NUM_THREADS": "1"}
    assert run_tests.parallel_env([], {}, 8) == {"OMP_NUM_THREADS": str(8 // int(run_tests.WORKERS))}
    assert run_tests.parallel_env(["-n", "4", "-q"], {}, 16) == {"OMP_NUM_THREADS": "4"}
    assert run_tests.parallel_env(["-n", "1"], {}, 1) == {"OMP_NUM_THREADS": "1"}
    assert run_tests.parallel_env([], {"OMP_NUM_THREADS": "3", "A": "b"}, 2) == {"OMP_NUM_THREADS": "3", "A": "b"}

#!/usr/bin/env python3
"""Counts what a test runner of scripts/test passed and failed, from the output it kept.

    count_tests.py RUNNER LOG_DIR

prints one line per runner it found: `RUNNER PASSED FAILED IGNORED`. Runners:

- `ui`, `cdk` (the AWS stack's assertions, deploy/aws): Vitest's JSON report
  (`LOG_DIR/<runner>.json`). A test file that fails to load has no failed test in it, so it
  counts as one failure of its own.
- `rust+e2e`: one `cargo test` output (`LOG_DIR/rust+e2e.txt`), split into `rust` and `e2e`
  by the package of each test executable (`LOG_DIR/executables.json`, cargo's JSON messages).
  An executable that started and printed no result (it crashed, or was killed) is one failure.
- `aws`: devcloud's test executables re-run against `aws-local` (contract-on-lambda.sh), each
  after a cargo-like `Running` line; one that printed no result is one failure.
- `fuzz`: the closing `fuzz: N passed, M failed` line of scripts/fuzz.sh (one per target).

Nothing found prints nothing: the caller counts a failed runner with no count as a failure.
"""

import json
import re
import sys
from pathlib import Path

E2E_MANIFEST = "tests/e2e/Cargo.toml"
RUNNING = re.compile(r"^\s+Running (?:unittests )?\S+ \((?P<exe>[^)]+)\)")
DOC_TESTS = re.compile(r"^\s+Doc-tests ")
RESULT = re.compile(
    r"^test result: \w+\. (?P<passed>\d+) passed; (?P<failed>\d+) failed; (?P<ignored>\d+) ignored"
)


def vitest(runner: str, log_dir: Path) -> None:
    report = log_dir / f"{runner}.json"
    if not report.exists():
        return
    data = json.loads(report.read_text())
    passed = data.get("numPassedTests", 0)
    failed = data.get("numFailedTests", 0)
    ignored = data.get("numPendingTests", 0) + data.get("numTodoTests", 0)
    for suite in data.get("testResults", []):
        failing = [a for a in suite.get("assertionResults", []) if a.get("status") == "failed"]
        if suite.get("status") == "failed" and not failing:
            failed += 1
    print(runner, passed, failed, ignored)


def executables(log_dir: Path) -> dict[str, str]:
    """Test executable path -> runner ('rust' or 'e2e')."""
    runners = {}
    path = log_dir / "executables.json"
    if not path.exists():
        return runners
    for line in path.read_text().splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if message.get("reason") != "compiler-artifact" or not message.get("executable"):
            continue
        manifest = message.get("manifest_path", "")
        runners[message["executable"]] = "e2e" if manifest.endswith(E2E_MANIFEST) else "rust"
    return runners


def rust_and_e2e(log_dir: Path) -> None:
    log = log_dir / "rust+e2e.txt"
    if not log.exists():
        return
    runners = executables(log_dir)
    counts = {"rust": [0, 0, 0], "e2e": [0, 0, 0]}
    current = None  # the runner of the executable whose result is awaited
    for line in log.read_text(errors="replace").splitlines():
        if match := RUNNING.match(line):
            if current is not None:
                counts[current][1] += 1  # the previous executable never reported
            current = runners.get(match["exe"], "rust")
        elif DOC_TESTS.match(line):
            if current is not None:
                counts[current][1] += 1
            current = "rust"
        elif match := RESULT.match(line):
            runner = current or "rust"
            counts[runner][0] += int(match["passed"])
            counts[runner][1] += int(match["failed"])
            counts[runner][2] += int(match["ignored"])
            current = None
    if current is not None:
        counts[current][1] += 1
    for runner, (passed, failed, ignored) in counts.items():
        if passed or failed or ignored or runner == "rust":
            print(runner, passed, failed, ignored)


def libtest(runner: str, log_dir: Path) -> None:
    """Test executables run one after another, each announced by a `Running` line."""
    log = log_dir / f"{runner}.txt"
    if not log.exists():
        return
    counts = [0, 0, 0]
    awaiting = False  # an executable started and has not reported yet
    for line in log.read_text(errors="replace").splitlines():
        if RUNNING.match(line):
            counts[1] += awaiting
            awaiting = True
        elif match := RESULT.match(line):
            counts[0] += int(match["passed"])
            counts[1] += int(match["failed"])
            counts[2] += int(match["ignored"])
            awaiting = False
    counts[1] += awaiting
    if any(counts):
        print(runner, *counts)


def fuzz(log_dir: Path) -> None:
    log = log_dir / "fuzz.txt"
    if not log.exists():
        return
    found = re.findall(r"^fuzz: (\d+) passed, (\d+) failed$", log.read_text(), re.M)
    if found:
        passed, failed = found[-1]
        print("fuzz", passed, failed, 0)


def main() -> None:
    runner, log_dir = sys.argv[1], Path(sys.argv[2])
    if runner in ("ui", "cdk"):
        vitest(runner, log_dir)
    else:
        {"rust+e2e": rust_and_e2e, "fuzz": fuzz, "aws": lambda d: libtest("aws", d)}[runner](
            log_dir
        )


if __name__ == "__main__":
    main()

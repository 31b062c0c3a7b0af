# The steps of scripts/test: each runs whatever happened before it, is timed, and counts what
# it checked, so the closing line can say the truth about every runner. Source after setup.sh.
# Each step runs in a subshell with errexit on, while the script itself goes on past a failure.
#
#   steps_begin                      from here on, a failure no longer stops the script, and
#                                    whatever way it ends, steps_end runs
#   step_in_shell TITLE CMD...       a step that must change this shell (set-up: PATH, DISPLAY);
#                                    if it fails the script stops, counted as one failure
#   step_check TITLE CMD...          a check that is not a test runner: one passed or failed
#   step_tests RUNNER TITLE CMD...   a test runner; its output is kept in $STEPS_LOG/RUNNER.txt
#                                    and counted by count_tests.py (runners: ui, cdk, rust+e2e,
#                                    aws, fuzz)
#   step_not_run TITLE WHY           a step that cannot run: one failed
#   steps_cleanup                    (define it) runs first thing in steps_end, on every exit
#   steps_end                        prints the times, the counts and `all: N passed, M failed`,
#                                    and exits non-zero when anything failed (call it once, last)

STEPS_LOG=$(mktemp -d)
STEP_LINES=()
# Per runner: "passed failed ignored".
declare -A COUNTS=()
STEPS_FAILED=0
STEPS_ENDED=0
# The step that changes this shell while it runs: if the script ends inside it, it failed.
IN_SHELL_STEP=""

steps_begin() {
    set +e
    trap steps_end EXIT
}

step_in_shell() {
    local title=$1 t0=$SECONDS
    shift
    say "$title"
    IN_SHELL_STEP=$title
    set -e
    "$@"
    set +e
    IN_SHELL_STEP=""
    add_counts checks 1 0
    record "$title" $((SECONDS - t0)) 0
}

# add_counts RUNNER PASSED FAILED [IGNORED]
add_counts() {
    local p f i
    read -r p f i <<<"${COUNTS[$1]:-0 0 0}"
    COUNTS[$1]="$((p + $2)) $((f + $3)) $((i + ${4:-0}))"
}

# record TITLE SECONDS STATUS [DETAIL]
record() {
    local verdict=ok
    if [ "$3" -ne 0 ]; then
        verdict="FAILED (exit $3)"
        STEPS_FAILED=$((STEPS_FAILED + 1))
    fi
    STEP_LINES+=("$(printf '%-30s %5d s  %s%s' "$1" "$2" "$verdict" "${4:+  $4}")")
}

step_check() {
    local title=$1 t0=$SECONDS status=0
    shift
    say "$title"
    (set -e; "$@")
    status=$?
    if [ "$status" -eq 0 ]; then add_counts checks 1 0; else add_counts checks 0 1; fi
    record "$title" $((SECONDS - t0)) "$status"
    return "$status"
}

step_tests() {
    local runner=$1 title=$2 t0=$SECONDS status=0 line counted_failed=0
    shift 2
    say "$title"
    local out="$STEPS_LOG/$runner.txt"
    (set -e -o pipefail; "$@" 2>&1 | tee "$out")
    status=$?
    # Each line: RUNNER PASSED FAILED IGNORED.
    while read -r line; do
        # shellcheck disable=SC2086
        set -- $line
        add_counts "$1" "$2" "$3" "$4"
        counted_failed=$((counted_failed + $3))
    done < <(python3 "$ROOT/scripts/lib/count_tests.py" "$runner" "$STEPS_LOG")
    # A runner that failed with no failed test to show for it (a build error, a crash, a
    # runner that could not start) is one failure more, never a pass.
    if [ "$status" -ne 0 ] && [ "$counted_failed" -eq 0 ]; then
        add_counts "${runner%%+*}" 0 1
    fi
    # And a runner that reports failures fails its step, whatever its exit status.
    [ "$counted_failed" -gt 0 ] && [ "$status" -eq 0 ] && status=1
    record "$title" $((SECONDS - t0)) "$status"
    return "$status"
}

step_not_run() {
    say "$1: not run, $2"
    add_counts checks 0 1
    record "$1" 0 1 "not run: $2"
}

steps_end() {
    local exit_status=$?
    [ "$STEPS_ENDED" -eq 1 ] && return
    STEPS_ENDED=1
    set +e
    if declare -F steps_cleanup >/dev/null; then steps_cleanup; fi
    if [ -n "$IN_SHELL_STEP" ]; then
        add_counts checks 0 1
        record "$IN_SHELL_STEP" 0 "$((exit_status == 0 ? 1 : exit_status))" "the script stopped here"
    fi
    local runner p f i extra all_p=0 all_f=0
    echo
    printf '%s\n' "${STEP_LINES[@]}"
    echo
    for runner in checks ui rust e2e aws fuzz cdk; do
        [ -n "${COUNTS[$runner]:-}" ] || continue
        read -r p f i <<<"${COUNTS[$runner]}"
        extra=""
        [ "$i" -gt 0 ] && extra=", $i ignored (not run)"
        printf '%-8s %5d passed, %d failed%s\n' "$runner" "$p" "$f" "$extra"
        all_p=$((all_p + p))
        all_f=$((all_f + f))
    done
    # A step that failed without a count (it cannot happen; if it does, it is not a pass).
    [ "$STEPS_FAILED" -gt 0 ] && [ "$all_f" -eq 0 ] && all_f=1
    if [ "$all_f" -gt 0 ] && [ -n "${STRATO_TEST_SEED:-}" ]; then
        echo "replay this run's random choices: STRATO_TEST_SEED=$STRATO_TEST_SEED scripts/test"
    fi
    echo "all: $all_p passed, $all_f failed"
    rm -rf "$STEPS_LOG"
    [ "$all_f" -eq 0 ] || exit 1
    exit 0
}

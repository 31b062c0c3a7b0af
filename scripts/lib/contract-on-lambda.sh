#!/usr/bin/env bash
# The contract's integration tests a second time, against its AWS form: devcloud's own test
# executables, already built by scripts/test (no cargo run here, so no second feature
# resolution), each pointed at `aws-local` through STRATO_DEVCLOUD_BIN. There the contract's
# requests become API Gateway's events and reach the API function's handler, with playlists,
# accounts, uploads' records and playback reports in moto's DynamoDB and S3
# (crates/aws/src/local.rs).
#
#   contract-on-lambda.sh EXECUTABLES_JSON
#
# EXECUTABLES_JSON: cargo's JSON messages of `cargo test --no-run` (scripts/test's list).
# Prints each executable's output after a cargo-like `Running` line, for count_tests.py.
#
# Not re-run: `cdn`, `faults`, `subsonic*` (devcloud's own, no part of the API function; fault
# rules ride on request extensions, which no event carries); `live`, `devices` (the live
# channel is devcloud's here: API Gateway's WebSocket API is to come).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EXECUTABLES=${1:?usage: contract-on-lambda.sh EXECUTABLES_JSON}
TESTS=(auth catalog playlists telemetry uploads upload_sharing)

# artifact KIND NAME: the executable cargo built for devcloud's test NAME (KIND test) or
# strato-aws's binary NAME (KIND bin), from the list of this build.
artifact() {
    python3 - "$EXECUTABLES" "$1" "$2" <<'PY'
import json, sys
manifest = {"test": "crates/devcloud/Cargo.toml", "bin": "crates/aws/Cargo.toml"}[sys.argv[2]]
for line in open(sys.argv[1]):
    try:
        message = json.loads(line)
    except ValueError:
        continue
    target = message.get("target", {})
    # A binary's own unit tests are a "bin" target too, built with the test profile.
    is_test_build = message.get("profile", {}).get("test", False)
    if message.get("executable") and message.get("manifest_path", "").endswith(manifest) \
            and target.get("name") == sys.argv[3] and sys.argv[2] in target.get("kind", []) \
            and is_test_build == (sys.argv[2] == "test"):
        print(message["executable"])
        break
PY
}

AWS_LOCAL=$(artifact bin aws-local)
[ -x "$AWS_LOCAL" ] || { echo "aws-local is not in $EXECUTABLES" >&2; exit 1; }

status=0
for name in "${TESTS[@]}"; do
    executable=$(artifact test "$name")
    if [ -z "$executable" ]; then
        # A Running line with no result: counted as one failure.
        echo "     Running tests/$name.rs (missing)"
        echo "devcloud's test executable \"$name\" is not in $EXECUTABLES" >&2
        status=1
        continue
    fi
    echo "     Running tests/$name.rs ($executable)"
    STRATO_DEVCLOUD_BIN="$AWS_LOCAL" "$executable" || status=1
done
exit "$status"

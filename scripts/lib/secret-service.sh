#!/usr/bin/env bash
# Runs a command with a real Secret Service, as a Linux desktop has one: a private D-Bus
# session bus (dbus-run-session) on which gnome-keyring-daemon serves its secrets component,
# with a fresh login keyring, unlocked. Both end with the command; the keyring's files live in
# a temporary folder that is removed afterwards. The command's exit status is this script's.
#
#   scripts/lib/secret-service.sh cargo test -p strato-core --test secret_service
#
# The command sees DBUS_SESSION_BUS_ADDRESS (so the app's keychain finds the Secret Service)
# and STRATO_SECRET_SERVICE=gnome-keyring. Needs Debian's gnome-keyring, dbus and
# libsecret-tools (secret-tool, which tests use to look at the keyring themselves).
set -euo pipefail

if [ "${1:-}" = "--on-the-bus" ]; then
    shift
    keyring_home=$1
    shift
    # Only the daemon gets the temporary folders: the command keeps the caller's XDG paths.
    # --unlock reads the login keyring's password from stdin (and creates the keyring).
    printf %s strato-test-keyring |
        XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/run" \
            gnome-keyring-daemon --unlock --components=secrets >/dev/null
    # Wait until it owns its bus name, so the command's first call finds it.
    # (The reply is read whole: `grep -q` under pipefail could fail on a closed pipe.)
    has_name() {
        local reply
        reply=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null) || return 1
        [[ $reply == *"boolean true"* ]]
    }
    for _ in $(seq 100); do
        has_name && break
        sleep 0.05
    done
    has_name ||
        { echo "secret-service.sh: gnome-keyring-daemon did not take org.freedesktop.secrets" >&2; exit 1; }
    export STRATO_SECRET_SERVICE=gnome-keyring
    exec "$@"
fi

[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
for tool in dbus-run-session dbus-send gnome-keyring-daemon secret-tool; do
    command -v "$tool" >/dev/null ||
        { echo "secret-service.sh: $tool is missing (apt install gnome-keyring dbus libsecret-tools)" >&2; exit 1; }
done
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
mkdir -p "$keyring_home/data" "$keyring_home/run"
chmod 700 "$keyring_home/run"
# Not exec: the trap removes the keyring once the bus (and the daemon with it) is gone. In a
# container dbus-daemon says it may not raise its file limit: harmless.
dbus-run-session -- "$0" --on-the-bus "$keyring_home" "$@"

#!/usr/bin/env bash
# The .deb as a listener gets it: installed into this machine with apt (its dependencies
# resolved as on any Debian or Ubuntu), `strato --version` asked, the installed app started
# under the display and driven through a sign-in and a track heard (the end-to-end test
# `signs_in_plays_a_track_and_it_is_heard`, pointed at /usr/bin/strato); then updated by its
# own updater to a next version (the same package, its version raised, published on the
# test's devcloud: `the_installed_package_updates_itself_and_restarts`); then removed, and
# nothing of it left in /usr.
#
#   scripts/lib/install-test.sh EXECUTABLES_JSON
#
# EXECUTABLES_JSON lists the test executables (scripts/test's build): the end-to-end one is
# run from there, as built, rather than built again. Needs root (or sudo without a
# password) and a display; refuses to touch a Strato the machine already has installed.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

EXECUTABLES=${1:?usage: install-test.sh EXECUTABLES_JSON}
DEB=$(ls -t "$CARGO_TARGET_DIR"/debug/bundle/deb/*.deb 2>/dev/null | head -1)
[ -n "$DEB" ] || die "no .deb: run scripts/package --debug first"
[ -n "${DISPLAY:-}" ] || die "no DISPLAY: the installed app needs a display (scripts/test starts Xvfb)"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    sudo -n true 2>/dev/null || die "installing a package needs root, or sudo without a password"
    SUDO="sudo -n"
fi
if dpkg-query -W -f='${Status}' strato 2>/dev/null | grep -q "install ok installed"; then
    die "a Strato package is already installed here; the test would replace it: remove it first (apt-get remove strato)"
fi

remove() {
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -qq strato >/dev/null 2>&1 || true
}
trap remove EXIT

say "installing $(basename "$DEB")"
# A path apt reads as a file to install, not a package name.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "$(realpath "$DEB")" >/dev/null
dpkg-query -W -f='${Status} ${Version}\n' strato

version=$(/usr/bin/strato --version)
say "installed: $version"
[[ "$version" =~ ^strato\ [0-9]+\.[0-9]+\.[0-9]+\ \(([0-9a-f]{12}|unknown)\)$ ]] ||
    die "unexpected version line: $version"
[ -f /usr/share/applications/Strato.desktop ] || die "no desktop entry installed"
[ -f /usr/share/metainfo/dev.strato.desktop.metainfo.xml ] || die "no AppStream metainfo installed"

e2e_executable() {
    python3 - "$EXECUTABLES" "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    try:
        message = json.loads(line)
    except ValueError:
        continue
    target = message.get("target", {})
    if message.get("executable") and "strato-e2e" in message.get("package_id", "") \
            and target.get("name") == sys.argv[2] and "test" in target.get("kind", []):
        print(message["executable"])
        break
EOF
}
E2E_APP=$(e2e_executable app)
[ -n "$E2E_APP" ] || die "the end-to-end test executable \"app\" is not in $EXECUTABLES"
E2E_UPDATES=$(e2e_executable updates)
[ -n "$E2E_UPDATES" ] || die "the end-to-end test executable \"updates\" is not in $EXECUTABLES"
say "the installed app signs in and plays"
STRATO_E2E_APP=/usr/bin/strato "$ROOT/scripts/lib/secret-service.sh" \
    "$E2E_APP" signs_in_plays_a_track_and_it_is_heard --exact

say "the installed app updates itself"
# The next version: this package with its version raised, as the next release would be.
NEXT_DIR=$(mktemp -d)
trap 'remove; rm -rf "$NEXT_DIR"' EXIT
dpkg-deb -R "$DEB" "$NEXT_DIR/pkg"
sed -i 's/^Version: .*/Version: 0.1.1/' "$NEXT_DIR/pkg/DEBIAN/control"
dpkg-deb -b -Zgzip -z1 "$NEXT_DIR/pkg" "$NEXT_DIR/strato_0.1.1_amd64.deb" >/dev/null
# The updater asks for root as a desktop does: pkexec (polkit), a password dialog, then
# sudo. This machine has no polkit agent; sudo, which root uses without a password, is the
# one it takes here.
if ! command -v sudo >/dev/null; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sudo >/dev/null
fi
STRATO_E2E_APP=/usr/bin/strato STRATO_E2E_NEXT_DEB="$NEXT_DIR/strato_0.1.1_amd64.deb" \
    "$ROOT/scripts/lib/secret-service.sh" \
    "$E2E_UPDATES" the_installed_package_updates_itself_and_restarts --exact --ignored
installed=$(dpkg-query -W -f='${Version}' strato)
[ "$installed" = "0.1.1" ] || die "the update was not installed: dpkg has strato $installed"
say "updated to $installed by the app"
rm -rf "$NEXT_DIR"
trap remove EXIT

say "removing it"
remove
trap - EXIT
dpkg-query -W -f='${Status}\n' strato 2>/dev/null | grep -q "install ok installed" && die "strato is still installed"
[ ! -e /usr/bin/strato ] || die "/usr/bin/strato is still there"
[ ! -e /usr/share/applications/Strato.desktop ] || die "the desktop entry is still there"
say "installed, ran and removed cleanly"

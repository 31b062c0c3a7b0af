#!/usr/bin/env bash
# make-media.sh OUT_DIR -- synthesise and encode the Strato demo catalog for devcloud.
#
# What it makes (paths relative to OUT_DIR):
#   catalog.json                      artists / albums / tracks, see make_media_catalog.py
#   art/<album>.jpg                   300x300 cover per album (ffmpeg lavfi patterns)
#   media/<track>/reference.flac      lossless copy of the exact source samples
#   media/<track>/mp3/{cbr,vbr}.mp3   LAME 192k CBR / -q:a 2 VBR, Xing/Info + LAME tag
#   media/<track>/mp3/{low,high}.mp3  LAME 96k / 320k CBR: the download ladder's ends (the
#                                     VBR is its middle)
#   media/<track>/hls/master.m3u8     AAC-LC 64k/128k/256k variants, 4 s segments, VOD
#
# The music is synthesised with sox (pluck/sine/triangle notes from fixed little
# scores: a lead melody, a pad and a bass line, a touch of reverb) and espeak-ng
# says each track title in the first second or two, so every track is
# recognisable. Everything is deterministic: fixed scores, sox -R, no dither,
# ffmpeg -bitexact. Sources live in a temporary directory and are not shipped.
#
# Why some of it looks the way it does:
#  * Gapless albums (Northern Drift, Lanterns Over Water) are one continuous piece
#    cut into tracks at exact sample positions (sox trim with "s" sample
#    counts, deliberately not on any codec frame boundary, mid-note). Any gap or
#    overlap at a track boundary is audible and measurable; the self-check at the
#    end proves the concatenated reference.flac files equal the piece.
#  * Encoder delay: AAC (ffmpeg's native encoder) primes 1024 samples and pads the
#    end up to whole frames. MPEG-TS / ADTS carry no signalling for that, so the
#    catalog records, per track, the delay and padding actually present when the
#    rendition is decoded: we decode every variant with ffmpeg, count samples and
#    find the delay by cross-correlating against the source (padding = decoded -
#    source - delay). MP3s carry it in the LAME tag; we record the tag values and
#    the (gapless) ffmpeg decode as information.
#  * Packed audio HLS (one track): raw ADTS segments, each starting with an ID3v2
#    PRIV "com.apple.streaming.transportStreamTimestamp" frame holding the 33-bit
#    90 kHz PTS of the segment's first sample -- that is how a player places
#    packed audio on the timeline (RFC 8216 section 3.4).
#  * Other HLS flavours, one track each: fMP4/CMAF segments, AES-128 (fixed key,
#    relative key URI; explicit IV on the 128k variant, implicit IV = media
#    sequence number on 64k/256k), EXT-X-BYTERANGE single-file TS. One track is 48 kHz. catalog.json lists which ("features").
#
# The output is built in OUT_DIR.tmp-$$ and swapped into place atomically at the
# end, so an interrupted run never leaves a half catalog behind (the previous one
# stays untouched). Re-running is safe and gives byte-identical output.
# Needs: ffmpeg (libmp3lame, native aac), sox, espeak-ng, python3, openssl.
# Cost: ~60 s of CPU (about 35 s wall on two idle cores), ~35 MB.
set -euo pipefail

die() { echo "make-media: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUT_DIR"
OUT_DIR=${1%/}
[ -n "$OUT_DIR" ] || die "OUT_DIR must not be empty"

case ${BASH_SOURCE[0]} in */*) HERE=${BASH_SOURCE[0]%/*} ;; *) HERE=. ;; esac
HERE=$(cd "$HERE" && pwd)
HELPER="$HERE/make_media_catalog.py"
[ -f "$HELPER" ] || die "missing helper $HELPER"

for tool in ffmpeg ffprobe sox soxi espeak-ng python3 openssl; do
    command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' not found on PATH (apt install ffmpeg sox espeak-ng python3 openssl)"
done
ENCODERS=$(ffmpeg -hide_banner -encoders 2>/dev/null) || die "ffmpeg does not run"
grep -q ' libmp3lame ' <<<"$ENCODERS" || die "ffmpeg lacks the libmp3lame encoder"
grep -qE '^ A[^ ]* aac ' <<<"$ENCODERS" || die "ffmpeg lacks the native aac encoder"

JOBS=${MAKE_MEDIA_JOBS:-$(nproc 2>/dev/null || echo 2)}
START=$(date +%s)

case $(basename "$OUT_DIR") in .|..|/) die "OUT_DIR must name a directory to create/replace, got '$1'" ;; esac
mkdir -p "$(dirname "$OUT_DIR")"
OUT_ABS=$(cd "$(dirname "$OUT_DIR")" && pwd)/$(basename "$OUT_DIR")
# never replace something that is not a previous output of this script
if [ -e "$OUT_ABS" ] && [ -n "$(ls -A "$OUT_ABS" 2>/dev/null)" ] && [ ! -f "$OUT_ABS/catalog.json" ]; then
    die "$OUT_ABS exists and does not look like a media catalog (no catalog.json); refusing to replace it"
fi
TMP_OUT="$OUT_ABS.tmp-$$"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/make-media.XXXXXX")
cleanup() {
    # background encodes run in their own process groups (set -m below): stop
    # them with their ffmpeg/python children before removing the directories
    local p
    for p in $(jobs -p); do kill -TERM -- "-$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK" "$TMP_OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$TMP_OUT/art" "$TMP_OUT/media"

FF=(ffmpeg -nostdin -hide_banner -v error -y)
BITEXACT=(-fflags +bitexact -flags:a +bitexact)

# Fixed AES-128 key and IV (the demo is about playback, not secrecy).
AES_KEY_HEX=53747261746f2d64656d6f2d6b657921   # "Strato-demo-key!"
AES_IV_HEX=000102030405060708090a0b0c0d0e0f

echo "make-media: synthesising music"
python3 "$HELPER" synth "$WORK"

echo "make-media: covers"
FONT=""
for f in /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf \
         "$(fc-match -f '%{file}' 'DejaVu Sans:bold' 2>/dev/null || true)"; do
    if [ -n "$f" ] && [ -f "$f" ]; then FONT=$f; break; fi
done
while IFS=$'\t' read -r album_id title artist source tint; do
    vf="scale=300:300,format=yuvj420p"
    if [ -n "$FONT" ]; then
        vf="drawbox=x=0:y=222:w=300:h=78:color=${tint}@0.72:t=fill,"
        vf+="drawtext=fontfile=$FONT:text='$title':x=14:y=236:fontsize=22:fontcolor=white,"
        vf+="drawtext=fontfile=$FONT:text='$artist':x=14:y=268:fontsize=15:fontcolor=white@0.85,"
        vf+="scale=300:300,format=yuvj420p"
    fi
    # life / cellauto need a few generations to look like anything: take frame 40
    "${FF[@]}" -f lavfi -i "$source" -vf "select=eq(n\,40),$vf" -frames:v 1 -q:v 3 \
        -fflags +bitexact -flags:v +bitexact "$TMP_OUT/art/$album_id.jpg"
done < "$WORK/albums.tsv"

# encode_track ID SR HLS_KIND SRC TITLE ARTIST ALBUM NUMBER COUNT YEAR
encode_track() {
    local id=$1 sr=$2 kind=$3 src=$4 title=$5 artist=$6 album=$7 num=$8 count=$9 year=${10}
    local d="$TMP_OUT/media/$id" w="$WORK/enc/$id"
    mkdir -p "$d/mp3" "$d/hls" "$w"
    local meta=(-map_metadata -1 -metadata "title=$title" -metadata "artist=$artist"
                -metadata "album=$album" -metadata "track=$num/$count" -metadata "date=$year")

    # reference FLAC + MP3 CBR 192k (streaming) + the downloads: MP3 96k, VBR V2, 320k
    # (Xing/Info + LAME tag with delay/padding)
    "${FF[@]}" -i "$src" \
        "${meta[@]}" -c:a flac -compression_level 8 "${BITEXACT[@]}" "$d/reference.flac" \
        "${meta[@]}" -c:a libmp3lame -b:a 192k -write_xing 1 -id3v2_version 4 "${BITEXACT[@]}" "$d/mp3/cbr.mp3" \
        "${meta[@]}" -c:a libmp3lame -q:a 2 -write_xing 1 -id3v2_version 4 "${BITEXACT[@]}" "$d/mp3/vbr.mp3" \
        "${meta[@]}" -c:a libmp3lame -b:a 96k -write_xing 1 -id3v2_version 4 "${BITEXACT[@]}" "$d/mp3/low.mp3" \
        "${meta[@]}" -c:a libmp3lame -b:a 320k -write_xing 1 -id3v2_version 4 "${BITEXACT[@]}" "$d/mp3/high.mp3"

    if [ "$kind" = aes ]; then
        printf '%s' "$AES_KEY_HEX" | python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))' > "$d/hls/key.bin"
    fi
    local br v hls
    for br in 64 128 256; do
        v="$d/hls/${br}k"
        mkdir -p "$v"
        hls=(-f hls -hls_time 4 -hls_playlist_type vod -hls_list_size 0)
        case $kind in
            ts)        hls+=(-hls_segment_filename seg%03d.ts) ;;
            byterange) hls+=(-hls_flags single_file -hls_segment_filename segments.ts) ;;
            fmp4)      hls+=(-hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4
                             -hls_segment_filename seg%03d.m4s) ;;
            aes)
                # Key URI relative to the variant playlist. 128k: ffmpeg encrypts and
                # writes an explicit IV. 64k/256k: plain TS here, then the helper
                # encrypts with the implicit IV (= media sequence number).
                hls+=(-hls_segment_filename seg%03d.ts)
                if [ "$br" = 128 ]; then
                    printf '%s\n' "../key.bin" "$d/hls/key.bin" "$AES_IV_HEX" > "$w/keyinfo-$br.txt"
                    hls+=(-hls_key_info_file "$w/keyinfo-$br.txt")
                fi ;;
            adts) ;;
            *) die "unknown HLS kind $kind" ;;
        esac
        if [ "$kind" = adts ]; then
            # packed audio: one ADTS stream, cut into ID3-timestamped segments by the helper
            "${FF[@]}" -i "$src" -c:a aac -b:a "${br}k" "${BITEXACT[@]}" -f adts "$w/$br.aac"
            python3 "$HELPER" adts-hls "$w/$br.aac" "$v" "$sr"
        else
            (cd "$v" && "${FF[@]}" -i "$src" -c:a aac -b:a "${br}k" "${BITEXACT[@]}" "${hls[@]}" index.m3u8)
        fi
        if [ "$kind" = aes ] && [ "$br" != 128 ]; then
            python3 "$HELPER" encrypt-hls "$v" "$d/hls/key.bin" "../key.bin"
        fi
    done
    python3 "$HELPER" master "$d/hls"
    python3 "$HELPER" measure "$WORK" "$TMP_OUT" "$id"
    touch "$w/ok"
    echo "  $id ($kind, $sr Hz) done"
}

echo "make-media: encoding ($JOBS parallel jobs)"
set -m  # job control: each background encode gets its own process group
while IFS=$'\t' read -r id sr kind src title artist album num count year; do
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
    encode_track "$id" "$sr" "$kind" "$src" "$title" "$artist" "$album" "$num" "$count" "$year" &
done < "$WORK/tracks.tsv"
wait
set +m
while IFS=$'\t' read -r id _; do
    [ -f "$WORK/enc/$id/ok" ] || die "encoding track $id failed (see errors above)"
done < "$WORK/tracks.tsv"

echo "make-media: catalog + self-check"
python3 "$HELPER" catalog "$WORK" "$TMP_OUT"
python3 "$HELPER" selfcheck "$WORK" "$TMP_OUT"

# Into place: an atomic exchange with the previous catalog (renameat2
# RENAME_EXCHANGE; plain rename when there is none). The old one ends up at
# $TMP_OUT and is removed by the cleanup trap.
python3 "$HELPER" swap "$TMP_OUT" "$OUT_ABS"

echo "make-media: wrote $OUT_ABS ($(du -sh "$OUT_ABS" | cut -f1)) in $(( $(date +%s) - START )) s"

#!/usr/bin/env bash
# ensure-media.sh -- print the path of the generated demo media, generating it if needed.
#
# The media is cached under ${STRATO_CACHE:-$HOME/.cache/strato}/media-<hash12>, where the
# hash covers the generator (make-media.sh + make_media_catalog.py): a changed generator gets
# a fresh directory, an unchanged one is reused. Generation runs under flock, so concurrent
# callers (parallel test processes) wait for one generator instead of racing.
# Progress goes to stderr; stdout is only the path.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${STRATO_CACHE:-$HOME/.cache/strato}
HASH=$(cat "$HERE/make-media.sh" "$HERE/make_media_catalog.py" | sha256sum | cut -c1-12)
DIR="$CACHE/media-$HASH"

mkdir -p "$CACHE"
if [ ! -f "$DIR/catalog.json" ]; then
    exec 9>"$CACHE/media-$HASH.lock"
    flock 9
    if [ ! -f "$DIR/catalog.json" ]; then
        echo "ensure-media: generating $DIR (takes a few minutes once)" >&2
        "$HERE/make-media.sh" "$DIR" >&2
    fi
fi
echo "$DIR"

#!/usr/bin/env python3
"""The updater's manifest (`latest.json`) for a release, from the release workflow's signed
packages: each package next to its `.sig` (the bundler's, with `createUpdaterArtifacts`),
listed under the platform the app looks it up by (docs/api.md, "Updates of the app").

    packaging/release_manifest.py VERSION NOTES_FILE ARTIFACTS_DIR BASE_URL > latest.json

BASE_URL is where the packages are downloaded from (the release's download address).
"""

import json
import pathlib
import sys
from datetime import datetime, timezone

# (file name ending, platform key) in the order they are looked for; a universal macOS
# bundle serves both architectures.
PLATFORMS = [
    ("_amd64.deb", ["linux-x86_64-deb"]),
    ("_arm64.deb", ["linux-aarch64-deb"]),
    (".x86_64.rpm", ["linux-x86_64-rpm"]),
    (".aarch64.rpm", ["linux-aarch64-rpm"]),
    ("_amd64.AppImage", ["linux-x86_64-appimage", "linux-x86_64"]),
    ("_aarch64.AppImage", ["linux-aarch64-appimage", "linux-aarch64"]),
    ("_x64-setup.exe", ["windows-x86_64-nsis", "windows-x86_64"]),
    ("_x64_en-US.msi", ["windows-x86_64-msi"]),
    ("_universal.app.tar.gz", ["darwin-aarch64-app", "darwin-aarch64", "darwin-x86_64-app", "darwin-x86_64"]),
]


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    version, notes_file, artifacts, base_url = sys.argv[1:]
    platforms = {}
    for package in sorted(pathlib.Path(artifacts).rglob("*")):
        signature = package.with_name(package.name + ".sig")
        if not package.is_file() or not signature.is_file():
            continue
        for ending, keys in PLATFORMS:
            if package.name.endswith(ending):
                for key in keys:
                    platforms[key] = {
                        "url": f"{base_url.rstrip('/')}/{package.name}",
                        "signature": signature.read_text().strip(),
                    }
    if not platforms:
        print(f"no signed packages under {artifacts}", file=sys.stderr)
        return 1
    manifest = {
        "version": version.removeprefix("v"),
        "notes": pathlib.Path(notes_file).read_text().strip(),
        "pub_date": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "platforms": platforms,
    }
    json.dump(manifest, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

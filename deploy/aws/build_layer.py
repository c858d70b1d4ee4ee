#!/usr/bin/env python3
"""Builds a Lambda layer directory from a bookenrich manylinux wheel by hand (no Docker needed).

    python deploy/aws/build_layer.py target/wheels/bookenrich-*-manylinux*_aarch64.whl

unpacks the wheel into ``deploy/aws/build/layer/python/`` (the layout Lambda puts on ``sys.path``),
which ``cdk deploy -c layerDir=build/layer`` then packages as it is. ``cdk deploy`` alone builds the
layer itself (docs/aws.md, "Deploying"); this script is for a wheel built elsewhere. The wheel must
be abi3 (any CPython >= 3.9) for Linux aarch64 (Lambda's arm64, the CDK app's default) or x86_64,
with glibc <= 2.34, the Lambda python3.12 runtime's (Amazon Linux 2023). It prints the architecture
the functions must then run on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "infra"))

from bookenrich_infra.layer import LayerError, check_wheel, size_mb, unpack  # noqa: E402

DEFAULT_OUT = HERE / "build" / "layer"
__all__ = ["DEFAULT_OUT", "build", "check_wheel", "main"]


def build(wheel: Path, out: Path) -> Path:
    """The layer directory ``out`` made from ``wheel``; a wheel Lambda cannot load is a SystemExit."""
    try:
        architecture = unpack(wheel, out)
    except LayerError as e:
        raise SystemExit(str(e)) from None
    print(f"layer: {out / 'python'} ({size_mb(out):.1f} MB unpacked; Lambda allows 250 MB)")
    print(f"layer: for Lambda {architecture}; deploy with -c layerDir={out} -c architecture={architecture}")
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("wheel", type=Path, help="the bookenrich manylinux aarch64 or x86_64 wheel")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"layer directory (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    build(args.wheel, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

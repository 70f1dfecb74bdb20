#!/usr/bin/env python3
"""Benchmark: the verified handoff copy vs a plain copy of the same files.

    python bench/handoff.py [--mb 200] [--files 40] [--target DIR]

Baseline, measured in the same run on the same disk: shutil.copyfile of every file (no fsync,
no read-back). Ours does copy + fsync + SHA-256 + read-back with the cache dropped, so a
ratio around 2-3 is expected on a local disk; on a real USB stick the fsync and read-back
dominate. Point --target at a mounted stick to measure that.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui_app.services import handoff  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=200, help="total size of the audio, MB")
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--target", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ws = tmp / "ws"
        size = args.mb * 1024 * 1024 // args.files
        for i in range(args.files):
            d = ws / "audio" / f"{101 + i % 4}"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"seg{i:03d}.mp3").write_bytes(os.urandom(size))
        (ws / "export").mkdir()
        (ws / "export" / "r.b2p").write_bytes(b"<HwPackage/>" * 1000)
        plan = handoff.plan(ws)
        target = args.target or tmp / "stick"
        target.mkdir(exist_ok=True)

        base_dir = target / "baseline"
        t0 = time.perf_counter()
        for item in plan.items:
            out = base_dir / item.rel
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item.src, out)
        t_base = time.perf_counter() - t0
        shutil.rmtree(base_dir)

        t0 = time.perf_counter()
        for item in plan.items:  # second baseline: the same plain copy, made durable
            out = base_dir / item.rel
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item.src, out)
            with open(out, "rb+") as f:
                os.fsync(f.fileno())
        t_sync = time.perf_counter() - t0
        shutil.rmtree(base_dir)

        t0 = time.perf_counter()
        res = handoff.execute(plan, target)
        t_ours = time.perf_counter() - t0
        shutil.rmtree(res.folder)
        mb = plan.total / 1024 / 1024
        print(f"files: {len(plan.items)}, {mb:.1f} MB")
        print(f"baseline shutil.copyfile: {t_base:.2f} s ({mb / t_base:.0f} MB/s)")
        print(f"baseline copyfile + fsync: {t_sync:.2f} s ({mb / t_sync:.0f} MB/s)")
        print(f"verified handoff (copy+fsync+read-back+sha256): {t_ours:.2f} s "
              f"({mb / t_ours:.0f} MB/s)")
        print(f"ratio ours/copyfile: {t_ours / t_base:.2f}; ours/copyfile+fsync: "
              f"{t_ours / t_sync:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

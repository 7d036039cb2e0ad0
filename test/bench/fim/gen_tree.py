#!/usr/bin/env python3
"""gen_tree.py DIR [NFILES] - deterministic synthetic tree for the FIM
benchmark: NFILES (default 50000) small files (64 B .. 8 KiB, median ~1 KiB)
spread over dirs of 100 files, two directory levels, a few symlinks."""
import os
import random
import sys

root = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
rnd = random.Random(42)
pool = rnd.randbytes(1 << 16)
per_dir = 100
for i in range(n):
    d = os.path.join(root, f"l{i // (per_dir * 50):03}", f"d{(i // per_dir) % 50:02}")
    if i % per_dir == 0:
        os.makedirs(d, exist_ok=True)
    size = min(8192, max(64, int(rnd.lognormvariate(6.9, 0.8))))
    off = rnd.randrange(0, len(pool) - size)
    with open(os.path.join(d, f"f{i:06}"), "wb") as f:
        f.write(pool[off:off + size])
    if i % 1000 == 0:
        os.symlink(f"f{i:06}", os.path.join(d, f"s{i:06}"))

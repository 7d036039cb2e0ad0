"""Traced program for the live FIM tests: waits for the go file, applies
the named changes of test_fim_oneshot.CHANGES to the tree, then lingers so
vigil reports them before the program (and vigil) exits.

    python3 fim_driver.py ROOT GO_FILE LINGER_S CHANGE...
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_fim_oneshot as t  # noqa: E402

root, go, linger = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
deadline = time.time() + 60
while not go.exists():
    if time.time() > deadline:
        sys.exit("fim_driver: no go file")
    time.sleep(0.02)
def burst(root):
    """200 appends in a row to one file, each flushed: one change to report."""
    with open(root / "data/stamp", "a") as f:
        for i in range(200):
            f.write(f"{i}\n")
            f.flush()


for name in sys.argv[4:]:
    burst(root) if name == "burst" else t.CHANGES[name][0](root)
time.sleep(linger)

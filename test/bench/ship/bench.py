#!/usr/bin/env python3
"""The shipping benchmark (run through run.sh): throughput into the local
receiver, compression ratio, memory during an outage at 1,000 alerts/s,
and the time to drain the spool once the endpoint is back.

Env: SHIP_FEED (the binary), BENCH_ALERTS (throughput run, default 500000),
OUTAGE_S (default 60; VIGIL_BENCH_FULL=1 makes it 300), QUEUE_MAX (bytes).
"""
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "fakes"))
from receiver_harness import Receiver, free_port  # noqa: E402

FEED = os.environ["SHIP_FEED"]
N = int(os.environ.get("BENCH_ALERTS", "500000"))
OUTAGE_S = 300 if os.environ.get("VIGIL_BENCH_FULL") == "1" else int(os.environ.get("OUTAGE_S", "60"))
QUEUE_MAX = int(os.environ.get("QUEUE_MAX", str(32 << 20)))


def feed(tmp, url, extra, settings):
    # one core for the shipper, as on a small Fargate task (the receiver runs elsewhere)
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") and os.cpu_count() > 1 else []
    cmd = pin + [FEED, "-o", url, "--stats", str(tmp / "stats.json"), "--set", "health.interval_s=0",
           "--set", f"spool.dir={tmp / 'spool'}", *extra]
    for k, v in settings.items():
        cmd += ["--set", f"{k}={v}"]
    env = dict(os.environ, VIGIL_API_KEY="bench")
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, env=env)


def hwm_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def throughput(tmp):
    rx = Receiver(tmp, key="bench", args=["--fast"]).start()
    t0 = time.monotonic()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = feed(tmp, rx.url(), ["--generate", str(N)], {"drain.timeout_ms": "120000"})
    peak = 0
    while p.poll() is None:
        peak = max(peak, hwm_kb(p.pid))
        time.sleep(0.05)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    st = rx.state()
    rx.stop()
    s = json.loads((tmp / "stats.json").read_text())
    assert st["alerts"] == N, f"receiver counted {st['alerts']} of {N}"
    print(f"throughput: {N} alerts in {wall:.2f} s = {N / wall:,.0f} alerts/s "
          f"(ship-feed CPU {cpu:.2f} s = {N / cpu:,.0f} alerts per CPU-second, "
          f"generation included); peak RSS {peak / 1024:.1f} MiB")
    print(f"compression: {st['raw_bytes']:,} bytes of JSON sent as {st['bytes_in']:,} "
          f"(ratio {st['raw_bytes'] / st['bytes_in']:.1f}:1, {st['batches']} requests)")
    print(f"accounting: delivered={s['delivered']} lost={sum(v for k, v in s.items() if k.startswith('dropped_'))}")


def outage(tmp):
    port = free_port()
    rx = Receiver(tmp, port=port, key="bench", args=["--fast"])
    total = OUTAGE_S * 1000
    p = feed(tmp, rx.url(), ["--generate", str(total), "--rate", "1000"],
             {"drain.timeout_ms": "3600000", "queue.max_bytes": str(QUEUE_MAX),
              "http.retry_max_ms": "2000"})
    peak, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < OUTAGE_S:
        peak = max(peak, hwm_kb(p.pid))
        time.sleep(0.2)
    s = json.loads((tmp / "stats.json").read_text())
    print(f"outage: {OUTAGE_S} s at 1,000 alerts/s with the endpoint down: peak RSS "
          f"{peak / 1024:.1f} MiB (queue.max_bytes {QUEUE_MAX / 1048576:.0f} MiB), "
          f"spool {s['spool_bytes'] / 1048576:.1f} MiB for {s['spool_alerts']} alerts, "
          f"memory queue {s['queue_bytes'] / 1048576:.2f} MiB")
    time.sleep(1.5)  # the generator finishes; the drain waits for the endpoint
    rx.start()
    t1 = time.monotonic()
    while p.poll() is None:
        peak = max(peak, hwm_kb(p.pid))
        time.sleep(0.05)
    drain = time.monotonic() - t1
    st = rx.state()
    rx.stop()
    s = json.loads((tmp / "stats.json").read_text())
    lost = sum(v for k, v in s.items() if k.startswith("dropped_"))
    print(f"recovery: spool of {total} alerts drained in {drain:.2f} s "
          f"({total / drain:,.0f} alerts/s); received {st['alerts']}, lost {lost}, "
          f"unaccounted {total - st['alerts'] - lost - s['spool_alerts']}; "
          f"peak RSS overall {peak / 1024:.1f} MiB")


def main():
    for run in (throughput, outage):
        with tempfile.TemporaryDirectory(prefix="vigil-bench-ship-") as d:
            tmp = Path(d) / run.__name__
            tmp.mkdir()
            run(tmp)


if __name__ == "__main__":
    main()

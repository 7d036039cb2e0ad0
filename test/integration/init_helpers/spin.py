"""Heartbeat for the job-control tests.

usage: spin.py PIDFILE HEARTBEAT

Writes its pid to PIDFILE, then rewrites an increasing counter into
HEARTBEAT every 20 ms (it stops counting while the process is stopped).
Exits 7 on SIGUSR1. SIGTSTP/SIGCONT keep their default actions.
"""
import os
import signal
import sys
import time

signal.signal(signal.SIGUSR1, lambda *_: os._exit(7))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % os.getpid())
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT, 0o644)
n = 0
while True:
    n += 1
    os.pwrite(fd, b"%12d" % n, 0)
    time.sleep(0.02)

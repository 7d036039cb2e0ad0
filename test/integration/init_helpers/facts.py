"""Report what the program was given, as JSON, for the init-parity tests.

usage: facts.py RESULT_JSON [ARGS...]

Records argv, environment, cwd, pid/ppid/pgrp/sid, and the open file
descriptors with what they point to.
"""
import json
import os
import sys

fds = {}
for name in os.listdir("/proc/self/fd"):
    try:
        fds[name] = os.readlink("/proc/self/fd/" + name)
    except OSError:
        pass            # the directory fd listdir used, already closed
facts = {"argv": sys.argv[2:], "env": dict(os.environ), "cwd": os.getcwd(),
         "pid": os.getpid(), "ppid": os.getppid(), "pgrp": os.getpgrp(),
         "sid": os.getsid(0), "fds": fds}
with open(sys.argv[1], "w") as f:
    json.dump(facts, f)

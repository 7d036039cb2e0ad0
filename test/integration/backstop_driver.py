"""Traced program for test_open_backstop.py: the steps named on its command
line, in order.

    python3 backstop_driver.py STEP...

    wait:FILE       wait until FILE exists (60 s at most, then exit 3)
    mark:FILE       create FILE (the test waits for it)
    read:PATH:N     open PATH for reading N times
    opath:PATH:N    open PATH with O_PATH N times (raises no IN_OPEN)
    append:PATH     append a line to PATH
    link:SRC:DST    make DST a hard link of SRC
    exec:PATH       run PATH (absolute, or relative to the working directory)
    list:DIR        list DIR (opens the directory itself)
"""
import os
import subprocess
import sys
import time


def wait(path):
    deadline = time.monotonic() + 60
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            sys.exit(3)
        time.sleep(0.02)


def opens(path, n, flags):
    for _ in range(int(n)):
        os.close(os.open(path, flags))


for step in sys.argv[1:]:
    what, _, arg = step.partition(":")
    if what == "wait":
        wait(arg)
    elif what == "mark":
        open(arg, "w").close()
    elif what == "read":
        path, _, n = arg.rpartition(":")
        opens(path, n, os.O_RDONLY)
    elif what == "opath":
        path, _, n = arg.rpartition(":")
        opens(path, n, os.O_PATH)
    elif what == "append":
        with open(arg, "a") as f:
            f.write("more\n")
    elif what == "link":
        src, _, dst = arg.partition(":")
        os.link(src, dst)
    elif what == "exec":
        subprocess.run([arg], check=True)
    elif what == "list":
        os.listdir(arg)
    else:
        sys.exit(f"backstop_driver: unknown step {step!r}")

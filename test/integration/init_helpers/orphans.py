"""Make orphaned grandchildren and check that someone reaps them.

usage: orphans.py RESULT_JSON N EXIT_CODE

Double-forks N grandchildren, which block until this process lets them go.
Once their parents are gone, records each grandchild's PPid (who adopted
it), lets them exit, then waits up to 10 s for every one to disappear from
/proc (reaped; a Z entry means nobody reaps). Writes the facts as JSON to
RESULT_JSON and exits with EXIT_CODE.
"""
import json
import os
import sys
import time


def proc_status(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f)
    except (FileNotFoundError, ProcessLookupError):   # gone, or going
        return None


def main(result_path, n, code):
    release_r, release_w = os.pipe()
    gpids = []
    for _ in range(n):
        rep_r, rep_w = os.pipe()
        child = os.fork()
        if child == 0:
            if os.fork() == 0:
                os.close(release_w)
                os.write(rep_w, b"%d" % os.getpid())
                os.read(release_r, 1)   # EOF when the program lets go
                os._exit(0)
            os._exit(0)
        os.close(rep_w)
        gpids.append(int(os.read(rep_r, 32)))
        os.close(rep_r)
        os.waitpid(child, 0)
    adopted_by = [int(proc_status(g)["PPid"]) for g in gpids]
    os.close(release_w)
    deadline = time.monotonic() + 10
    left = list(gpids)
    while left and time.monotonic() < deadline:
        left = [g for g in left if proc_status(g) is not None]
        time.sleep(0.05)
    leftover = {g: (proc_status(g) or {}).get("State", "gone") for g in left}
    # comm, not the exe link: vigil is non-dumpable and the program has no
    # CAP_SYS_PTRACE, so /proc/1/exe is closed to it (as it should be).
    try:
        with open("/proc/1/comm") as f:
            pid1_exe = f.read().strip()
    except OSError as e:
        pid1_exe = "error: %s" % e
    facts = {"pid": os.getpid(), "ppid": os.getppid(), "grandchildren": gpids,
             "adopted_by": adopted_by, "not_reaped": leftover,
             "pid1_exe": pid1_exe}
    with open(result_path, "w") as f:
        json.dump(facts, f)
    sys.exit(code)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))

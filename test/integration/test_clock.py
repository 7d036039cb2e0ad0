"""The supervisor's timers ignore steps of the wall clock.

A time namespace (unshare --time) can offset CLOCK_MONOTONIC but never
CLOCK_REALTIME, and stepping the real wall clock would disturb the whole
machine; so the step is made inside vigil only: a small LD_PRELOAD shim,
built here, steps vigil's CLOCK_REALTIME back one hour every 10 ms (as NTP
or a VM resume would, once) and leaves every other process alone, so every
deadline the supervisor sets spans a step.

A supervisor that timed its batch flush on the wall clock would wait an
hour for the signal thread's wake-up: the event of an exec would reach the
analyzer only when the program's next stop came (here: its exit, 5 s later). With monotonic deadlines it is there within ~20 ms.
"""
import os
import shutil
import subprocess
import time

import pytest

SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int (*real)(clockid_t, struct timespec *);
static int active;
static struct timespec t0;

__attribute__((constructor)) static void init(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	const char *base = strrchr(exe, '/');
	active = base && strcmp(base + 1, "vigil") == 0; /* the supervisor only */
	real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	real(CLOCK_MONOTONIC, &t0);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int rc = real(id, ts);
	if (rc != 0 || !active || (id != CLOCK_REALTIME && id != CLOCK_REALTIME_COARSE))
		return rc;
	struct timespec now;
	real(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
	ts->tv_sec -= 3600 * (ms / 10); /* stepped back an hour every 10 ms */
	return rc;
}
"""


@pytest.fixture(scope="module")
def step_shim(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.fail("a C compiler is needed to build the clock-step shim", pytrace=False)
    d = tmp_path_factory.mktemp("clockshim")
    (d / "shim.c").write_text(SHIM)
    subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", d / "shim.so", d / "shim.c", "-ldl"],
                   check=True)
    return d / "shim.so"


def test_flush_wakeup_ignores_wall_clock_step(vigil_bin, step_shim, tmp_path):
    ev_path = tmp_path / "ev.ndjson"
    env = dict(os.environ, LD_PRELOAD=str(step_shim))
    # After the exec of `true` the program sleeps: nothing but vigil's own
    # timer can flush the event.
    argv = [str(vigil_bin), "--no-rules", "--syscalls", "execve", "--events-out", str(ev_path),
            "--", "/bin/sh", "-c", "/bin/true; exec sleep 5"]
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        seen = None
        while time.monotonic() - start < 4.0:
            if ev_path.exists() and b'"/bin/true"' in ev_path.read_bytes():
                seen = time.monotonic() - start
                break
            time.sleep(0.05)
        assert seen is not None, ("the exec of /bin/true was not flushed to the analyzer "
                                  "within 4 s of a wall-clock step: a timer runs on CLOCK_REALTIME")
        assert seen < 2.5
    finally:
        proc.kill()
        proc.wait(timeout=10)

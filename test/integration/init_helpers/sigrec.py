"""Record the signals this process receives, for the init-parity tests.

usage: sigrec.py LOG READY [--exit-after N] [--child CHILD_LOG CHILD_READY]

Blocks every catchable asynchronous signal (all but SIGCHLD and the fault
signals), then writes its pid to READY and appends one line per signal to
LOG: "NAME SI_PID SI_CODE". With --exit-after N it exits 0 after N signals.
With --child it first forks a child (same process group) that does the same
with CHILD_LOG / CHILD_READY and never exits on its own.
"""
import os
import signal
import sys

NOT_WATCHED = {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD, signal.SIGSEGV,
               signal.SIGBUS, signal.SIGFPE, signal.SIGILL, signal.SIGTRAP,
               signal.SIGSYS, signal.SIGABRT}
WATCH = set(signal.valid_signals()) - NOT_WATCHED


def name(sig):
    try:
        return signal.Signals(sig).name
    except ValueError:
        return "SIGRTMIN+%d" % (sig - signal.SIGRTMIN)


def record(log, ready, exit_after):
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    with open(ready + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(ready + ".tmp", ready)
    count = 0
    while exit_after is None or count < exit_after:
        info = signal.sigwaitinfo(WATCH)
        os.write(fd, b"%s %d %d\n" % (name(info.si_signo).encode(),
                                      info.si_pid, info.si_code))
        count += 1
    os._exit(0)


def main(argv):
    log, ready = argv[1], argv[2]
    exit_after = None
    child = None
    rest = argv[3:]
    while rest:
        if rest[0] == "--exit-after":
            exit_after, rest = int(rest[1]), rest[2:]
        elif rest[0] == "--child":
            child, rest = (rest[1], rest[2]), rest[3:]
        else:
            sys.exit("sigrec.py: bad argument %r" % rest[0])
    signal.pthread_sigmask(signal.SIG_BLOCK, WATCH)
    if child and os.fork() == 0:
        record(child[0], child[1], None)
    record(log, ready, exit_after)


if __name__ == "__main__":
    main(sys.argv)

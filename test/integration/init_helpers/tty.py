"""Run on a terminal: report whether we are its foreground process group,
then read one line from it and echo it back (a background reader would be
stopped by SIGTTIN instead)."""
import json
import os
import sys

print("FACTS " + json.dumps({"pid": os.getpid(), "pgrp": os.getpgrp(),
                             "fg": os.tcgetpgrp(0)}), flush=True)
line = sys.stdin.readline()
print("GOT " + line.strip(), flush=True)

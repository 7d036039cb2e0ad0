"""Die of a real fault: fault.py segv|abort"""
import ctypes
import os
import sys

if sys.argv[1] == "segv":
    ctypes.string_at(0)
elif sys.argv[1] == "abort":
    os.abort()
sys.exit(99)

#!/bin/sh
# A small "application" that does what an attacker would: the demo that
# `vigil` watches in README's first command. Harmless: it only reads, and
# writes inside its own temporary directory.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "demo: starting a web app that is about to be compromised"
cat /etc/passwd > /dev/null                       # reconnaissance
cat /etc/shadow > /dev/null 2>&1                  # sensitive file read
sh -c 'id; uname -a' > /dev/null                  # shell spawned by the app
cp /bin/true "$work/dropped" && "$work/dropped"   # dropped binary executed
ln -s /etc/shadow "$work/shadow-link"             # symlink over a sensitive file
(exec 3<>/dev/tcp/169.254.169.254/80) 2>/dev/null # cloud metadata probe (bash only)
echo "demo: done"

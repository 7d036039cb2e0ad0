#!/bin/sh
# A small "application" that does what an intruder would, for the demo in
# README's first command. Harmless: it only reads, writes inside its own
# temporary directory, and makes no network connection.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "demo: a web app that is about to be compromised"
cat /etc/shadow > /dev/null 2>&1                  # read a credential file
awk 'BEGIN { system("id > /dev/null") }'          # the "app" runs a shell (command injection)
cp /bin/true "$work/dropped" && "$work/dropped"   # run a dropped binary from /tmp
ln -s /etc/shadow "$work/shadow-link"             # symlink to a credential file
grep -rs "BEGIN OPENSSH PRIVATE" "$work" > /dev/null # search for private keys
echo "demo: done"

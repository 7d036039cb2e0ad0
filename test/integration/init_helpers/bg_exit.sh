# usage: sh bg_exit.sh PIDFILE CODE
# Leave a background child running (stdio detached), then exit CODE.
sleep 60 </dev/null >/dev/null 2>&1 &
echo $! > "$1"
exit "$2"

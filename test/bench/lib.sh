# test/bench/lib.sh — shared by the benchmark scripts (sourced, not run).

# rss_peak FILE: VmHWM of a /proc/PID/status file into $KB (0 if gone).
rss_peak() {
	local line
	KB=0
	{ while read -r line; do
		if [[ $line == VmHWM:* ]]; then
			line=${line#VmHWM:}; KB=$((${line%kB}))
			break
		fi
	done <"$1"; } 2>/dev/null || true
}

# watch_vigil_rss PID INTERVAL: until vigil PID exits, sample its VmHWM and
# that of its vigil-analyzer child into $SUP_KB and $ANA_KB (VmHWM is the
# peak so far, so the last sample of each process is kept). Does not wait.
watch_vigil_rss() {
	local vp=$1 interval=$2 ap= kid comm kids
	SUP_KB=0 ANA_KB=0
	while kill -0 "$vp" 2>/dev/null; do
		rss_peak "/proc/$vp/status"; ((KB > 0)) && SUP_KB=$KB
		if [[ -z $ap ]]; then
			kids=
			read -r kids <"/proc/$vp/task/$vp/children" 2>/dev/null || true
			for kid in $kids; do
				read -r comm <"/proc/$kid/comm" 2>/dev/null || continue
				[[ $comm == vigil-analyzer ]] && ap=$kid
			done
		fi
		if [[ -n $ap ]]; then rss_peak "/proc/$ap/status"; ((KB > 0)) && ANA_KB=$KB; fi
		sleep "$interval"
	done
}

# SPDX-License-Identifier: BSD-2-Clause
# Helpers for guest scripts (tests/qemu/guest-*.sh), sourced by them inside
# the qemu guest, where busybox sh runs them as /init's child. They report on
# the serial console in lines the host side (tests/qemu/run.sh) parses:
#
#   KSFTEST: PASS name (1.2s)        a step passed
#   KSFTEST: FAIL name detail        a step failed
#   KSFTEST: | text                  output of the failed step (its last lines)
#   KSFTEST: INFO key value          a measurement or note
#
# Every step is bounded in time: ksf_step kills the step and everything it
# started when its time is up, so a hung client cannot hang the run (a
# process stuck in uninterruptible sleep stays, but the script goes on and
# /init still powers off).

KSF_BIN=/ksf/bin
KSF_FAILED=0
export PATH="$KSF_BIN:/bin:/sbin:/usr/bin:/usr/sbin"

# Times are the guest's uptime in centiseconds, kept in variables: under TCG
# every fork costs tens of milliseconds, so the helpers avoid $(...) and awk.
# ksf_now: KSF_T = now. ksf_since T0: KSF_DT = seconds since T0, as "1.2".
ksf_now() {
	read -r KSF_T _ < /proc/uptime
	KSF_T=${KSF_T%.*}${KSF_T#*.}
	KSF_T=$((10#0$KSF_T + 0))
}
ksf_since() {
	ksf_now
	KSF_DT=$((KSF_T - $1))
	KSF_DT="$((KSF_DT / 100)).$((KSF_DT % 100 / 10))"
}
ksf_pass() { echo "KSFTEST: PASS $*"; }
ksf_fail() { echo "KSFTEST: FAIL $*"; KSF_FAILED=$((KSF_FAILED + 1)); }
ksf_info() { echo "KSFTEST: INFO $*"; }
# ksf_show FILE [N]: the last N (20) lines of FILE as "KSFTEST: |" lines.
ksf_show() { tail -n "${2:-20}" "$1" 2>/dev/null | sed 's/^/KSFTEST: | /'; }

# ksf_children PID: the pids whose parent is PID.
ksf_children() {
	for s in /proc/[0-9]*/stat; do
		read -r p _ _ pp _ < "$s" 2>/dev/null && [ "$pp" = "$1" ] && echo "$p"
	done
}

# ksf_killtree PID: SIGKILL PID and all its descendants (stopped first, so
# none forks meanwhile).
ksf_killtree() {
	kill -STOP "$1" 2>/dev/null
	for c in $(ksf_children "$1"); do ksf_killtree "$c"; done
	kill -KILL "$1" 2>/dev/null
}

# ksf_run SECONDS CMD...: run CMD (a command or a shell function) in a
# subshell, output to $KSF_LOG (default /tmp/ksf-step.log); after SECONDS
# kill it and its descendants and return 124. Else CMD's exit status.
# The watchdog is a subshell that sleeps in a child it kills when told to
# stop (TERM), so no stray sleep outlives a step.
ksf_run() {
	_tmo=$1; shift
	: "${KSF_LOG:=/tmp/ksf-step.log}"
	( "$@" ) > "$KSF_LOG" 2>&1 < /dev/null &
	_pid=$!
	rm -f "/tmp/ksf-wd.$_pid"
	(
		trap 'kill "$_sp" 2>/dev/null; exit 0' TERM
		sleep "$_tmo" & _sp=$!
		wait "$_sp" || exit 0
		: > "/tmp/ksf-wd.$_pid"
		ksf_killtree "$_pid"
	) &
	_wd=$!
	wait "$_pid"; _rc=$?
	kill -TERM "$_wd" 2>/dev/null; wait "$_wd" 2>/dev/null
	if [ -f "/tmp/ksf-wd.$_pid" ]; then
		rm -f "/tmp/ksf-wd.$_pid"
		_rc=124
	fi
	return "$_rc"
}

# ksf_step NAME SECONDS CMD...: run CMD bounded (ksf_run) and report it:
# PASS with its duration, or FAIL with its exit status and last output.
# Returns CMD's status.
ksf_step() {
	_name=$1 _t=$2; shift 2
	ksf_now; _t0=$KSF_T
	ksf_run "$_t" "$@"; _src=$?
	ksf_since "$_t0"
	if [ "$_src" = 0 ]; then
		ksf_pass "$_name (${KSF_DT}s)"
	elif [ "$_src" = 124 ]; then
		ksf_fail "$_name timed out after ${_t}s"
		ksf_show "$KSF_LOG"
	else
		ksf_fail "$_name exit $_src (${KSF_DT}s)"
		ksf_show "$KSF_LOG"
	fi
	return "$_src"
}

# ksf_start NAME CMD...: start a server in the background, output in
# /tmp/NAME.log; its pid in KSF_PID_<NAME>. ksf_stop NAME ends it.
ksf_start() {
	_n=$1; shift
	"$@" > "/tmp/$_n.log" 2>&1 < /dev/null &
	eval "KSF_PID_$_n=$!"
}
ksf_stop() {
	eval "_p=\${KSF_PID_$1:-}"
	[ -n "$_p" ] || return 0
	kill -TERM "$_p" 2>/dev/null
	ksf_run 10 wait_pid "$_p" || ksf_killtree "$_p"
	eval "KSF_PID_$1="
}
# ksf_alive PID: is PID running (not gone, not a zombie)? A server that
# exited stays a zombie until the shell that started it waits for it.
ksf_alive() {
	read -r _ _ _st _ < "/proc/$1/stat" 2>/dev/null || return 1
	[ "$_st" != Z ] && [ "$_st" != X ]
}
# wait_pid PID: wait until PID is gone (for ksf_run; not a child of it).
wait_pid() { while ksf_alive "$1"; do sleep 0.1; done; }

# ksf_port NAME [SECONDS]: wait (up to 10 s) for server NAME's first
# "listening on ADDR:PORT" line and print PORT; fails if none came or the
# server exited.
ksf_port() {
	_n=$(( ${2:-10} * 10 ))
	eval "_p=\${KSF_PID_$1:-}"
	while [ "$_n" -gt 0 ]; do
		_pt=$(sed -n 's/^listening on [^ ]*:\([0-9][0-9]*\)$/\1/p' "/tmp/$1.log" | head -n 1)
		[ -n "$_pt" ] && { echo "$_pt"; return 0; }
		[ -n "$_p" ] && ! ksf_alive "$_p" && return 1
		sleep 0.1; _n=$((_n - 1))
	done
	return 1
}

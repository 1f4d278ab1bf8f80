#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Guest script of make bench-kmod (issue 10, item 3): in one guest, the
# kernel services (kecho.ko, krpc.ko) against the user-space ones (kecho,
# krpc, epoll backend), both loaded at once on different ports, driven by
# the same echotest/rpctest loads as the seed's tables (-j1 -a1, -j1 -a128,
# -j2 -a128; 64-byte messages, NULL calls over TCP), runs of SECS seconds
# (ksf.bench_secs=, default 3) interleaved kernel/user, ROUNDS rounds
# (ksf.bench_rounds=, default 3). Under TCG absolute rates mean nothing:
# what counts is the ratio kernel/user within a round. Prints, per run,
#   KSFTEST: INFO bench SERVICE LOAD SIDE round R rate N srv_us M cli_us C
# (rate: msg/s or calls/s; srv_us: CPU of the server's threads, user+system,
# per message, in microseconds; cli_us: the client's, from echotest/rpctest)
# and per load the median ratio:
#   KSFTEST: INFO ratio SERVICE LOAD kernel/user R
. /ksf/guest-lib.sh

F=/ksf/files
SECS=3 ROUNDS=3
# shellcheck disable=SC2013 # words, not lines
for a in $(cat /proc/cmdline); do
	case $a in
	ksf.bench_secs=*) SECS=${a#ksf.bench_secs=} ;;
	ksf.bench_rounds=*) ROUNDS=${a#ksf.bench_rounds=} ;;
	esac
done
H=127.0.0.1
HZ=100		# USER_HZ: /proc/PID/stat times are in 1/100 s

ksf_step "insmod kecho.ko" 20 insmod $F/kecho.ko port=60007 workers=2
ksf_step "insmod krpc.ko" 20 insmod $F/krpc.ko port=62049 workers=2
ksf_start ukecho kecho -p 60008 -a $H -w 2 -b epoll
ksf_start ukrpc krpc -p 62050 -a $H -w 2 -b epoll
ksf_port ukecho > /dev/null || ksf_fail "user-space kecho did not start"
ksf_port ukrpc > /dev/null || ksf_fail "user-space krpc did not start"

# cpu_ticks PIDS...: utime + stime of the pids (whole processes), in ticks
cpu_ticks() {
	_t=0
	for _p in "$@"; do
		read -r _l < "/proc/$_p/stat" || continue
		# shellcheck disable=SC2086 # the fields after "(comm) "
		set -- ${_l##*) }
		_t=$((_t + ${12} + ${13}))
	done
	echo "$_t"
}
# kthreads NAME: pids of the kernel workers NAME/0, NAME/1, ...
kthreads() {
	for _c in /proc/[0-9]*/comm; do
		read -r _n < "$_c" 2>/dev/null || continue
		case $_n in "$1"/[0-9]*) _d=${_c%/comm}; echo "${_d#/proc/}" ;; esac
	done
}
KE_PIDS=$(kthreads kecho) KR_PIDS=$(kthreads krpc)

# one SERVICE LOAD SIDE ROUND TOOL PORT PIDS: one timed run; sets RATE
one() {
	_svc=$1 _load=$2 _side=$3 _r=$4 _tool=$5 _port=$6 _pids=$7
	# shellcheck disable=SC2086
	_c0=$(cpu_ticks $_pids)
	# shellcheck disable=SC2086
	KSF_LOG=/tmp/bench.out ksf_run $((SECS + 30)) $_tool --quiet -H $_load -c 0 -t $SECS -p $_port $H
	_rc=$?
	# shellcheck disable=SC2086
	_c1=$(cpu_ticks $_pids)
	# echotest: " med MSGS SECS MSG/S ... CPU_US/MSG"; rpctest:
	# "DATE med THREADS INFLIGHT RPC/S ..." (no count, no client CPU)
	_n="" _cli=-
	if [ "$_tool" = echotest ]; then
		# shellcheck disable=SC2046 # the columns
		set -- $(grep '^ *med ' /tmp/bench.out)
		RATE=${4:-} _n=${2:-} _cli=${13:-}
	else
		# shellcheck disable=SC2046 # the columns
		set -- $(grep '^[^ ]* med ' /tmp/bench.out)
		RATE=${5:-}
		[ -n "$RATE" ] && _n=$(( ${RATE%.*} * SECS ))
	fi
	if [ "$_rc" != 0 ] || [ -z "$RATE" ] || [ -z "$_n" ]; then
		ksf_fail "bench $_svc $_load $_side round $_r (exit $_rc)"; ksf_show /tmp/bench.out 5
		RATE=0; return
	fi
	_srv=$(( (_c1 - _c0) * (1000000 / HZ) * 100 / (_n > 0 ? _n : 1) ))
	ksf_info "bench $_svc $_load $_side round $_r rate $RATE srv_us $((_srv / 100)).$((_srv % 100 / 10)) cli_us $_cli"
}

# ratios are kept x1000 as integers (busy box sh has no floats)
median3() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
bench() {
	_svc=$1 _tool=$2 _kport=$3 _uport=$4 _kpids=$5 _upid=$6; shift 6
	for _load in "-j 1 -a 1" "-j 1 -a 128" "-j 2 -a 128"; do
		_ratios=""
		for _r in $(seq 1 "$ROUNDS"); do
			# alternate which side goes first
			if [ $((_r % 2)) = 1 ]; then
				one "$_svc" "$_load" kernel "$_r" "$_tool" "$_kport" "$_kpids"; _k=$RATE
				one "$_svc" "$_load" user "$_r" "$_tool" "$_uport" "$_upid"; _u=$RATE
			else
				one "$_svc" "$_load" user "$_r" "$_tool" "$_uport" "$_upid"; _u=$RATE
				one "$_svc" "$_load" kernel "$_r" "$_tool" "$_kport" "$_kpids"; _k=$RATE
			fi
			[ "${_u%.*}" -gt 0 ] && _ratios="$_ratios $(( ${_k%.*} * 1000 / ${_u%.*} ))"
		done
		# shellcheck disable=SC2086
		_m=$(median3 $_ratios)
		ksf_info "ratio $_svc $(echo "$_load" | tr -d ' ') kernel/user $((_m / 1000)).$(printf '%03d' $((_m % 1000))) (rounds:$_ratios)"
	done
}

eval "UKE=\$KSF_PID_ukecho UKR=\$KSF_PID_ukrpc"
bench kecho echotest 60007 60008 "$KE_PIDS" "$UKE"
bench krpc rpctest 62049 62050 "$KR_PIDS" "$UKR"

ksf_stop ukecho; ksf_stop ukrpc
ksf_step "rmmod kecho" 30 rmmod kecho
ksf_step "rmmod krpc" 30 rmmod krpc

#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Guest script of make test-kmod (issue 10): kecho.ko and krpc.ko, built by
# scripts/kmod-build.sh against this very kernel, loaded with insmod and
# driven by the project's clients: echotest and rpctest, the abusive
# clients of the user-space tests (tests/integ: noread never reads,
# disconnect leaves mid-message in six ways, manyconn holds 1000
# connections, rpcabuse sends every RPC error, 2^31-1 record marks, floods
# of empty fragments and seeded garbage), limits (max_conns, max_record,
# idle_ms), and rmmod with connections open, never-reading clients and
# load in flight. Every step is bounded (ksf_step). Module exit WARNs if an
# object it allocated is still alive; /init then fails the run on any
# WARN, BUG, Oops or hung task in the kernel log.
. /ksf/guest-lib.sh

F=/ksf/files
mount -t debugfs none /sys/kernel/debug 2>/dev/null

# kstat NAME MOD: counter NAME of module MOD (debugfs)
kstat() { sed -n "s/^$1 //p" "/sys/kernel/debug/$2/stats"; }
# expect_stat MOD NAME OP N: counter check, FAIL line if not
expect_stat() {
	_v=$(kstat "$2" "$1") _ok=1
	case $3 in
	-eq) [ "${_v:-x}" -eq "$4" ] 2>/dev/null && _ok=0 ;;
	-ge) [ "${_v:-x}" -ge "$4" ] 2>/dev/null && _ok=0 ;;
	esac
	if [ "$_ok" = 0 ]; then
		ksf_pass "$1 $2 = $_v ($3 $4)"
	else
		ksf_fail "$1 $2 = ${_v:-none}, expected $3 $4"
	fi
}
# wait_stat MOD NAME N: until counter NAME of MOD is at least N
wait_stat() { until [ "$(kstat "$2" "$1")" -ge "$3" ] 2>/dev/null; do sleep 0.2; done; }
loaded() { grep -q "^$1 " /proc/modules; }
# wait_line FILE PATTERN: until FILE has a line matching PATTERN
wait_line() { until grep -q "$2" "$1" 2>/dev/null; do sleep 0.2; done; }
# wait_gone MOD: until the module is gone
wait_gone() { while loaded "$1"; do sleep 0.2; done; }
# must_fail CMD...: CMD must exit non-zero
must_fail() { ! "$@"; }
# slab_kb: kernel slab memory, kB
slab_kb() { sed -n 's/^Slab: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
# tcp_owned: TCP sockets that someone still owns (in use minus orphans: a
# socket released by its owner that the stack still finishes, e.g. a FIN
# in LAST_ACK, is the stack's, not a leak of whoever released it)
tcp_owned() {
	sed -n 's/^TCP: inuse \([0-9]*\) orphan \([0-9]*\).*/\1 \2/p' /proc/net/sockstat |
		{ read -r _i _o; echo $((_i - _o)); }
}

slab0=$(slab_kb); tcp0=$(tcp_owned)
# a task blocked for 10 s is reported (and fails the run), not only after 120
echo 10 > /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
H=127.0.0.1
EP=60007
RP=62049

# ------------------------------------------------------------------ kecho.ko
ksf_step "insmod kecho.ko" 20 insmod $F/kecho.ko port=$EP workers=2
ksf_step "kecho.ko: echotest -j2 -a8 64 B" 60 echotest -q -j 2 -a 8 -c 2000 -l 64 -p $EP $H
ksf_step "kecho.ko: echotest -j2 -a4 64 KiB" 60 echotest -q -j 2 -a 4 -c 200 -l 64K -p $EP $H
ksf_step "kecho.ko: echotest -j2 -a16 -b 1 KiB" 60 echotest -q -j 2 -a 16 -b -c 2000 -l 1K -p $EP $H

# a client that never reads: it must stall (reading paused at outq_high),
# and the others are served meanwhile
ksf_start noread noread -n 67108864 -s 2 -h 120 $H $EP
ksf_step "kecho.ko: noread stalls" 60 wait_line /tmp/noread.log '^noread: sent'
grep -q '(stalled)' /tmp/noread.log || { ksf_fail "kecho.ko took all of noread's 64 MiB"; ksf_show /tmp/noread.log; }
ksf_step "kecho.ko: echotest beside noread" 60 echotest -q -j 2 -a 8 -c 1000 -p $EP $H
expect_stat kecho lim_outq -ge 1

ksf_step "kecho.ko: disconnect x60 (fin close rst stuck early rst0)" 120 \
	disconnect -n 60 -l 262144 -t 100 $H $EP
ksf_step "kecho.ko: manyconn 1000 x2" 120 manyconn -n 1000 -r 2 -t 100 $H $EP
ksf_step "kecho.ko: echotest after the abuse" 60 echotest -q -j 2 -a 8 -c 1000 -p $EP $H

# rmmod with: noread (stalled, output queued: reset after drain_ms), 200
# connections cycling echoes (manyconn), echotest load in flight and a
# storm of connections opened and closed at once (accepts racing the stop)
ksf_start load echotest -q -j 2 -a 16 -c 0 -t 60 --stall 60 -p $EP $H
ksf_start storm disconnect -n 1000000 -m early -t 100 $H $EP
ksf_start hold manyconn -n 200 -r 100000 -t 100 $H $EP
ksf_step "kecho.ko: 200+ connections open" 60 wait_stat kecho conns_active 200
ksf_step "rmmod kecho.ko under load, noread open" 30 rmmod kecho
ksf_step "kecho.ko gone" 10 must_fail loaded kecho
ksf_stop noread; ksf_stop load; ksf_stop hold; ksf_stop storm
# stopped_reset MOD: the last "MOD: stopped" line of the kernel log counts
# at least one reset (the never-reading client's queued output)
stopped_reset() {
	dmesg | grep "$1: stopped" | tail -n 1 > /tmp/stopped
	cat /tmp/stopped
	grep -q ', [1-9][0-9]* reset' /tmp/stopped
}
ksf_step "kecho.ko: the never-reading client was reset at unload" 10 stopped_reset kecho

# limits: max_conns, idle_ms
ksf_step "insmod kecho.ko max_conns=10 idle_ms=1000" 20 insmod $F/kecho.ko port=$EP workers=2 max_conns=10 idle_ms=1000
ksf_step "kecho.ko: manyconn 20 refused over max_conns" 60 must_fail manyconn -n 20 -r 1 -t 10 $H $EP
expect_stat kecho lim_conns -ge 1
ksf_start idle noread -n 1 -s 1 -h 30 $H $EP
ksf_step "kecho.ko: idle connection closed (idle_ms)" 30 wait_stat kecho lim_idle 1
ksf_stop idle
ksf_step "rmmod kecho.ko" 30 rmmod kecho

# ------------------------------------------------------------------ krpc.ko
ksf_step "insmod krpc.ko" 20 insmod $F/krpc.ko port=$RP workers=2
ksf_step "krpc.ko: rpctest tcp -j2 -a8" 60 rpctest --quiet -j 2 -a 8 -c 2000 -p $RP $H
ksf_step "krpc.ko: rpctest udp -j2 -a4 (none lost)" 60 rpctest --quiet -u --udp-timeout 10 -j 2 -a 4 -c 1000 -p $RP $H
expect_stat krpc dgram_drops -eq 0
ksf_step "krpc.ko: rpctest tcp -f -b (3 fragments a call)" 60 rpctest --quiet -j 2 -a 16 -f -b -c 1000 -p $RP $H
ksf_step "krpc.ko: rpctest AUTH_SYS" 60 rpctest --quiet -j 1 -a 8 -A sys -c 1000 -p $RP $H

# The answers user-space krpc gives (tests/integ/rpcabuse.want, the same table)
cp $F/rpcabuse.want /tmp/want
CASES=$(sed 's/:.*//; /^trunc/d' /tmp/want)
# abuse_cmp U: rpcabuse's answers over TCP (U empty) or UDP (-u) as expected
abuse_cmp() {
	# shellcheck disable=SC2086
	rpcabuse $1 $H $RP $CASES trunc > /tmp/got || return 1
	diff /tmp/want /tmp/got
}
ksf_step "krpc.ko: error replies tcp (29 cases, as user-space krpc)" 60 abuse_cmp ""
ksf_step "krpc.ko: error replies udp (29 cases, as user-space krpc)" 60 abuse_cmp -u
for c in "--prog 200999 --expect prog_unavail" "--vers 4 --expect prog_mismatch" \
    "--proc 22 --expect proc_unavail" "--rpcvers 3 --expect rpc_mismatch" \
    "-A 3 --expect auth_error"; do
	# shellcheck disable=SC2086
	ksf_step "krpc.ko: rpctest $c" 60 rpctest --quiet -j 2 -a 16 -c 500 $c -p $RP $H
done
expect_stat krpc rpc_garbage -eq 20
expect_stat krpc rpc_system_err -eq 0

ksf_step "krpc.ko: garbage tcp x300" 60 rpcabuse -w 2000 -n 300 -s 20261122 $H $RP garbage
ksf_step "krpc.ko: garbage udp x300" 60 rpcabuse -u -w 2000 -n 300 -s 20261123 $H $RP garbage
ksf_step "krpc.ko: 1000 connections x2" 120 rpcabuse -n 1000 $H $RP many
ksf_start rnoread rpcabuse -n 67108864 -h 120 $H $RP noread
ksf_step "krpc.ko: noread stalls" 60 wait_line /tmp/rnoread.log '^noread: sent'
grep -q '(stalled)' /tmp/rnoread.log || { ksf_fail "krpc.ko took all of rpcabuse noread's 64 MiB"; ksf_show /tmp/rnoread.log; }
ksf_step "krpc.ko: rpctest beside noread" 60 rpctest --quiet -j 2 -a 8 -c 1000 -p $RP $H
ksf_start rload rpctest --quiet -j 2 -a 16 -c 0 -t 60 --stall 60 -p $RP $H
ksf_start rstorm disconnect -n 1000000 -m early -t 100 $H $RP
# connections that trickle a call a byte a second, held open
for i in 1 2 3 4 5; do ksf_start "slow$i" rpcabuse -i 1000 -n 40 -h 60 $H $RP slow; done
ksf_step "krpc.ko: 7 connections open" 60 wait_stat krpc conns_active 7
ksf_step "rmmod krpc.ko under load, noread open" 30 rmmod krpc
ksf_step "krpc.ko: the never-reading client was reset at unload" 10 stopped_reset krpc
ksf_stop rnoread; ksf_stop rload; ksf_stop rstorm
for i in 1 2 3 4 5; do ksf_stop "slow$i"; done

# framing, with max_record=4096 (as tests/integ/rpc-abuse.sh)
ksf_step "insmod krpc.ko max_record=4096" 20 insmod $F/krpc.ko port=$RP workers=2 max_record=4096
frame() {
	rpcabuse -w 10000 $H $RP bigmark bigmark-last zerofrags halfclose > /tmp/frame &&
	rpcabuse -n 4000 $H $RP null-big >> /tmp/frame &&
	rpcabuse -n 4100 -w 10000 $H $RP null-big | sed 's/^null-big/null-big-over/' >> /tmp/frame &&
	cat /tmp/frame &&
	grep -qx 'bigmark: closed' /tmp/frame && grep -qx 'bigmark-last: closed' /tmp/frame &&
	grep -q '^zerofrags: closed after [0-9]* empty fragments$' /tmp/frame &&
	grep -qx 'halfclose: closed' /tmp/frame &&
	grep -qx 'null-big: accepted SUCCESS' /tmp/frame &&
	grep -qx 'null-big-over: closed' /tmp/frame
}
ksf_step "krpc.ko: 2^31-1 mark, 0xffffffff mark, empty fragments, half close, max_record" 60 frame
expect_stat krpc rpc_rec_too_big -ge 3
expect_stat krpc rpc_rec_bad -ge 1
ksf_step "krpc.ko: NULL after the framing abuse" 30 rpctest --quiet -j 1 -a 4 -c 100 -p $RP $H
ksf_step "rmmod krpc.ko" 30 rmmod krpc

# ------------------------------------------------------------------ leaks
settle() {
	while [ "$(tcp_owned)" -gt "$tcp0" ]; do
		sleep 1
		cat /proc/net/sockstat; sed -n '2,12p' /proc/net/tcp	# shown if it fails
	done
}
ksf_step "TCP sockets owned back to $tcp0 after the unloads (all released)" 60 settle
ksf_info "sockstat after the unloads: $(grep '^TCP:' /proc/net/sockstat)"
slab1=$(slab_kb)
ksf_info "slab_kb before $slab0 after $slab1"

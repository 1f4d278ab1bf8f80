#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Guest script of make test-kmod (issue 10): kecho.ko and krpc.ko, built by
# scripts/kmod-build.sh against this very kernel, loaded with insmod and
# driven by the project's clients: echotest and rpctest, the abusive
# clients of the user-space tests (never reading, disconnects mid-message,
# garbage, 1000 connections, a 2^31-1 record mark, every RPC error), and
# rmmod with connections open, never-reading clients and load in flight.
# Every step is bounded (ksf_step). /init then checks the kernel log for
# WARN, BUG, Oops and hung tasks; module exit WARNs on any object not freed.
# With KSF_KMOD_BENCH=1 on the kernel command line (ksf.bench=1), then the
# bench: kernel vs user-space services under the same loads (ratios).
. /ksf/guest-lib.sh

F=/ksf/files
mount -t debugfs none /sys/kernel/debug 2>/dev/null

# stat NAME MOD: counter NAME of module MOD (debugfs)
kstat() { sed -n "s/^$1 //p" "/sys/kernel/debug/$2/stats"; }
load() { insmod "$F/$1.ko" $2; }
unload() { rmmod "$1"; }
tcp_inuse() { sed -n 's/^TCP: inuse \([0-9]*\).*/\1/p' /proc/net/sockstat; }

ksf_step "insmod kecho.ko" 20 load kecho "port=60007 workers=2"
ksf_step "echotest kecho.ko -j2 -a8" 60 echotest -q -j 2 -a 8 -c 2000 -l 64 127.0.0.1:60007
ksf_step "echotest kecho.ko 64 KiB messages" 60 echotest -q -j 2 -a 4 -c 200 -l 64K 127.0.0.1:60007
ksf_show "/sys/kernel/debug/kecho/stats" 30
ksf_step "rmmod kecho" 30 unload kecho

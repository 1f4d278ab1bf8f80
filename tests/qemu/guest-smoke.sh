#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Guest script that proves the qemu harness (make test-qemu-smoke): the
# project's programs run in the guest on Debian's kernel, on loopback, with
# both event-loop backends, and the NFS client modules that /init loaded
# are there. Run by tests/qemu/run.sh; /init has already reported each
# modprobe.
. /ksf/guest-lib.sh

# The NFS client is registered (nfsv3 needs nfs, which registers "nfs").
nfs_registered() { grep -qw nfs /proc/filesystems; }
ksf_step "nfs in /proc/filesystems" 5 nfs_registered
nfsv3_loaded() { grep -q '^nfsv3 ' /proc/modules; }
ksf_step "nfsv3 module loaded" 5 nfsv3_loaded

# kecho + echotest, then krpc + rpctest, on each backend.
for be in epoll uring; do
	ksf_start kecho kecho -p 0 -a 127.0.0.1 -w 2 -b "$be"
	if port=$(ksf_port kecho); then
		ksf_step "echotest kecho [$be]" 60 \
			echotest -j 2 -a 8 -c 1000 -l 64 "127.0.0.1:$port"
	else
		ksf_fail "kecho [$be] did not start"; ksf_show /tmp/kecho.log
	fi
	ksf_stop kecho
	grep -q 'kecho: stats' /tmp/kecho.log || { ksf_fail "kecho [$be] no counters at exit"; ksf_show /tmp/kecho.log; }

	ksf_start krpc krpc -p 0 -a 127.0.0.1 -w 2 -b "$be"
	if port=$(ksf_port krpc); then
		ksf_step "rpctest NULL tcp [$be]" 60 rpctest -j 2 -a 8 -c 1000 "127.0.0.1:$port"
		ksf_step "rpctest NULL udp [$be]" 60 rpctest -u -j 1 -a 4 -c 500 "127.0.0.1:$port"
	else
		ksf_fail "krpc [$be] did not start"; ksf_show /tmp/krpc.log
	fi
	ksf_stop krpc
	grep -q 'krpc: rpc calls=' /tmp/krpc.log || { ksf_fail "krpc [$be] no counters at exit"; ksf_show /tmp/krpc.log; }
done

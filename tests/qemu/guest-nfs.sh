#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Guest script of `make test-kernel-client` (issue 7, §4): Linux's own NFS v3
# client (the nfs/nfsv3 modules /init loaded) mounts krpc's export inside
# the guest and runs a file workload through it. Every result is checked
# from both sides: through /mnt (the client) and directly in /srv/x (the
# exported directory, which krpc serves from this same guest).
#
# krpc: `krpc -p 0 -a 127.0.0.1 --export /srv/x --state-dir DIR`, NFS v3 and
# MOUNT v3 on one port over TCP. A krpc without --export (before issue 7
# lands) fails the first step; the mount is then tried against a krpc that
# answers NFS NULL only, so that the mount step fails quickly and cleanly
# (every step bounded; the mount is soft with short timeouts).
. /ksf/guest-lib.sh

EXP=/srv/x
MNT=/mnt
STATE=/tmp/krpc-state

# --- setup: the export on a tmpfs (which has file handles), krpc, mount ---
mkdir -p "$EXP" "$STATE" "$MNT" /tmp/in /tmp/out
mount -t tmpfs -o size=256m srvx "$EXP"
chmod 0777 "$EXP"	# root is squashed to nobody by default

ksf_start krpc krpc -p 0 -a 127.0.0.1 -w 2 --export "$EXP" --state-dir "$STATE"
if port=$(ksf_port krpc 10); then
	ksf_pass "krpc --export starts"
else
	ksf_fail "krpc --export starts (a krpc without NFS?)"
	ksf_show /tmp/krpc.log 5
	ksf_stop krpc
	ksf_start krpc krpc -p 0 -a 127.0.0.1 -w 2
	port=$(ksf_port krpc 10) || { ksf_fail "krpc starts"; ksf_show /tmp/krpc.log; exit 1; }
fi
ksf_info "krpc_port $port"

OPTS="vers=3,proto=tcp,nolock,port=$port,mountport=$port,mountproto=tcp,addr=127.0.0.1,soft,timeo=50,retrans=2"
do_mount() { mount -t nfs -o "$OPTS" "127.0.0.1:$EXP" "$MNT" && grep -q " $MNT nfs " /proc/mounts; }
# (The kernel turns RPC errors into errnos: a server without MOUNT answers
# PROG_UNAVAIL, which mount reports as "Protocol family not supported".)
if ! ksf_step "mount -t nfs vers=3" 60 do_mount; then
	ksf_stop krpc
	ksf_show /tmp/krpc.log 4
	dmesg | grep -E 'nfs|NFS|lockd|mount' | grep -v Registered | tail -n 10 | sed 's/^/KSFTEST: | dmesg: /'
	exit 0	# the failure is reported; nothing else can run without the mount
fi

# --- the workload: each step a function run by ksf_step ---

# same A B: fail (with both values) unless A = B.
same() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
sum() { md5sum < "$1" | cut -d' ' -f1; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

# Files of 0 B, 1 B, 64 KiB and 5 MiB: in through the client, checked on the
# server; out through the client (cold cache), checked again.
copy_files() {
	for n in 0 1 65536 5242880; do
		head -c "$n" /dev/urandom > "/tmp/in/f$n" || return 1
		cp "/tmp/in/f$n" "$MNT/f$n" || return 1
	done
	sync
	for n in 0 1 65536 5242880; do
		same "$(stat -c %s "$EXP/f$n")" "$n" || return 1
		same "$(sum "$EXP/f$n")" "$(sum "/tmp/in/f$n")" || return 1
	done
	drop_caches
	for n in 0 1 65536 5242880; do
		cp "$MNT/f$n" "/tmp/out/f$n" || return 1
		same "$(sha1sum < "/tmp/out/f$n")" "$(sha1sum < "/tmp/in/f$n")" || return 1
	done
}

# A tree of 10 + 50 directories and 250 files made through the client; both
# sides list the same names.
make_tree() {
	for i in 0 1 2 3 4 5 6 7 8 9; do
		for j in 0 1 2 3 4; do
			mkdir -p "$MNT/tree/d$i/e$j" || return 1
			(cd "$MNT/tree/d$i/e$j" && touch a b c d e) || return 1
		done
	done
	(cd "$MNT/tree" && find . | sort) > /tmp/tree.client
	(cd "$EXP/tree" && find . | sort) > /tmp/tree.server
	same "$(wc -l < /tmp/tree.client)" 311 || return 1
	cmp /tmp/tree.client /tmp/tree.server || return 1
	drop_caches
	(cd "$MNT/tree" && ls -R) > /tmp/lsR.client
	(cd "$EXP/tree" && ls -R) > /tmp/lsR.server
	cmp /tmp/lsR.client /tmp/lsR.server
}

do_rename() {
	mv "$MNT/f1" "$MNT/f1.renamed" || return 1
	[ ! -e "$EXP/f1" ] && [ -f "$EXP/f1.renamed" ] || { echo "rename not seen on the server"; return 1; }
	mv "$MNT/tree/d0" "$MNT/tree/d0.renamed" && [ -d "$EXP/tree/d0.renamed/e0" ]
}

do_link() {
	ln "$MNT/f65536" "$MNT/f65536.link" || return 1
	same "$(stat -c %h "$MNT/f65536")" 2 || return 1
	same "$(stat -c %h "$EXP/f65536")" 2 || return 1
	same "$(stat -c %i "$EXP/f65536.link")" "$(stat -c %i "$EXP/f65536")"
}

do_symlink() {
	ln -s "f65536" "$MNT/sl" || return 1
	same "$(readlink "$MNT/sl")" f65536 || return 1
	same "$(readlink "$EXP/sl")" f65536 || return 1
	same "$(sum "$MNT/sl")" "$(sum "$EXP/f65536")"
}

do_chmod() {
	chmod 0640 "$MNT/f65536" || return 1
	same "$(stat -c %a "$EXP/f65536")" 640 || return 1
	drop_caches
	same "$(stat -c %a "$MNT/f65536")" 640
}

do_truncate() {
	truncate -s 1000 "$MNT/f5242880" || return 1
	same "$(stat -c %s "$EXP/f5242880")" 1000 || return 1
	same "$(sum "$EXP/f5242880")" "$(head -c 1000 /tmp/in/f5242880 | md5sum | cut -d' ' -f1)" || return 1
	truncate -s 100000 "$MNT/f5242880" || return 1
	same "$(stat -c %s "$EXP/f5242880")" 100000 || return 1
	drop_caches
	same "$(stat -c %s "$MNT/f5242880")" 100000
}

do_rm() {
	rm -r "$MNT/tree" || return 1
	[ ! -e "$EXP/tree" ] || { echo "tree still on the server"; return 1; }
	[ ! -e "$MNT/tree" ]
}

do_df() {
	df -k "$MNT" || return 1
	total=$(df -k "$MNT" | awk 'NR == 2 { print $2 }')
	[ "${total:-0}" -gt 0 ] || { echo "df: total $total"; return 1; }
}

# A directory the client is in is removed on the server behind its back:
# the next operation in it gets ESTALE (or ENOENT), and does not hang.
do_stale() {
	mkdir "$MNT/stale" && touch "$MNT/stale/x" || return 1
	cd "$MNT/stale" || return 1
	rm -rf "$EXP/stale"
	if touch ./y 2> /tmp/stale.err; then
		echo "touch in a removed directory succeeded"; return 1
	fi
	cat /tmp/stale.err
	grep -qiE 'stale|no such file' /tmp/stale.err || return 1
	cd / && ls "$MNT" > /dev/null
}

ksf_step "copy 0 B, 1 B, 64 KiB, 5 MiB in and out" 120 copy_files
ksf_step "tree of 311 entries" 120 make_tree
ksf_step "rename" 30 do_rename
ksf_step "hard link (link count 2)" 30 do_link
ksf_step "symlink (readlink)" 30 do_symlink
ksf_step "chmod" 30 do_chmod
ksf_step "truncate" 30 do_truncate
ksf_step "rm -r" 60 do_rm
ksf_step "df" 30 do_df
ksf_step "stale handle" 60 do_stale
ksf_step "umount" 30 umount "$MNT"
ksf_stop krpc
grep -q 'krpc: rpc calls=' /tmp/krpc.log || { ksf_fail "krpc no counters at exit"; ksf_show /tmp/krpc.log; }
ksf_info "krpc $(grep 'krpc: rpc calls=' /tmp/krpc.log)"
exit 0

#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# rpctest's NFS workloads (tools/rpctest/nfs*.c) against the real krpc
# exporting a scratch directory (--no-root-squash):
#   every --op (null getattr lookup access read write create) for -c 2000
#   -j 2 -a 8 exits 0 with "ok": true and 4000 calls; READ of 64 KiB
#   blocking (-a 0) and of 1 MiB batched, WRITE of 1 MiB FILE_SYNC batched,
#   WRITE DATA_SYNC; after each run the export holds nothing (the scratch
#   directory .rpctest-* and the CREATE names are gone);
#   MNT of a path outside the export fails with exit 1 and MNT3ERR_NOENT;
#   a byte of the test file changed on disk during a READ run makes the
#   run fail (exit 1, the offset named) and the scratch directory still
#   goes; SIGTERM during a CREATE run ends rpctest by SIGTERM after it
#   removed its files; krpc counted no GARBAGE_ARGS nor SYSTEM_ERR.
# Then krpc with root squash (its default): rpctest as root is refused
# with a hint naming --no-root-squash, and with the export writable by
# nobody the same run passes.
. "$(dirname "$0")/rpclib.sh"

[ -x "$BIN/rpctest" ] || fail "$BIN/rpctest not built"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
EXP=$T/export
mkdir -p "$EXP" "$T/state"

# rt OUT ARGS...: rpctest --quiet --json --export $EXP ARGS against krpc,
# with a 60 s bound; stdout in $T/OUT.json, stderr in $T/OUT.err; sets rtrc.
rt() {
	out=$T/$1; shift
	timeout 60 "$BIN/rpctest" --quiet --json --export "$EXP" "$@" "127.0.0.1:$PORT" \
		> "$out.json" 2> "$out.err"; rtrc=$?
}

# rt_bg OUT ARGS...: the same in the background (no timeout: the caller
# signals it); sets rtpid.
rt_bg() {
	out=$T/$1; shift
	"$BIN/rpctest" --quiet --json --export "$EXP" "$@" "127.0.0.1:$PORT" \
		> "$out.json" 2> "$out.err" &
	rtpid=$!
	track "$rtpid"
}

# json_calls FILE: summary.calls of rpctest --json ("" when it has none).
json_calls() {
	sed -n 's/.*"summary": {.*"calls": \([0-9][0-9]*\).*/\1/p' "$1" | head -n 1
}

# export_empty WHAT: nothing of rpctest's is left in the export.
export_empty() {
	left=$(ls -A "$EXP")
	[ -z "$left" ] || fail "$1: left in the export: $left"
}

# rt_ok CALLS ARGS...: rpctest ARGS exits 0, "ok": true, CALLS calls, and
# leaves nothing behind.
rt_ok() {
	want=$1; shift
	rt rt "$@"
	[ "$rtrc" = 0 ] || { cat "$out.err" "$out.json" >&2; fail "rpctest $* exited $rtrc"; }
	grep -q '"ok": true' "$out.json" || { cat "$out.json" >&2; fail "rpctest $*: not ok"; }
	got=$(json_calls "$out.json")
	[ "$got" = "$want" ] || { cat "$out.json" >&2; fail "rpctest $*: $got calls, expected $want"; }
	export_empty "rpctest $*"
	note "rpctest $*: $got calls, ok, export empty"
}

# scratch_file: the test file once rpctest has made it (waits up to 20 s).
scratch_file() {
	wait_for 20 sh -c "ls '$EXP'/.rpctest-*/data > /dev/null 2>&1" ||
		fail "rpctest made no scratch directory with a test file in 20 s"
	ls "$EXP"/.rpctest-*/data
}

start_krpc --export "$EXP" --state-dir "$T/state" --no-root-squash
for op in null getattr lookup access read write create; do
	rt_ok 4000 --op "$op" -c 2000 -j 2 -a 8
done
rt_ok 200 --op read -l 65536 -c 200 -a 0
rt_ok 40 --op read -l 1M -c 20 -j 2 -a 4 -b
rt_ok 20 --op write -l 1M --stable file_sync -c 20 -a 4 -b
rt_ok 500 --op write --stable data_sync -c 500 -a 4
rt_ok 3000 --op create -c 1500 -j 2 -a 16 -i 2	# names reused across runs
grep -q '"mb_per_s"' "$out.json" && fail "mb_per_s for create"
rt_ok 20 --op read -l 4096 -c 20
grep -q '"mb_per_s"' "$out.json" || fail "no mb_per_s for read"

# MNT of a path that is no export: exit 1, the status named.
timeout 60 "$BIN/rpctest" --quiet --export "$T/nonexistent" --op getattr -c 10 \
	"127.0.0.1:$PORT" > "$T/mnt.out" 2> "$T/mnt.err"; rc=$?
[ "$rc" = 1 ] || { cat "$T/mnt.err"; fail "MNT of a non-export: rpctest exited $rc"; }
grep -q 'MNT3ERR_NOENT' "$T/mnt.err" || { cat "$T/mnt.err"; fail "no MNT3ERR_NOENT named"; }

# A byte of the file changed behind rpctest's back: READ finds it.
rt_bg corrupt --op read -l 4096 -c 0 -t 30 -j 2 -a 4
f=$(scratch_file)
wait_for 20 sh -c "[ \$(stat -c %s '$f') -ge 1048576 ]" || fail "the test file never got 1 MiB"
sleep 0.3
dd if=/dev/zero of="$f" bs=4096 seek=100 count=1 conv=notrunc 2> /dev/null
wait "$rtpid"; rc=$?
[ "$rc" = 1 ] || { cat "$T/corrupt.err"; fail "READ of a corrupted file: rpctest exited $rc"; }
grep -q 'READ of 4096 bytes at offset 409600: byte' "$T/corrupt.err" ||
	{ cat "$T/corrupt.err"; fail "the corrupted byte is not named"; }
export_empty "after the corrupted READ"
note "corrupted file: $(grep -o 'READ of.*' "$T/corrupt.err" | head -n 1)"

# SIGTERM during a CREATE run: the files go, then rpctest dies of SIGTERM.
rt_bg sigterm --op create -c 0 -t 30 -j 2 -a 8
scratch_file > /dev/null
sleep 0.5
kill -TERM "$rtpid"
wait "$rtpid"; rc=$?
[ "$rc" = 143 ] || { cat "$T/sigterm.err"; fail "rpctest after SIGTERM exited $rc, expected 143"; }
grep -q 'interrupted' "$T/sigterm.err" || { cat "$T/sigterm.err"; fail "no 'interrupted'"; }
export_empty "after SIGTERM"

stop_krpc_ok
check_rpc_sums
expect_rstat garbage_args -eq 0
expect_rstat system_err -eq 0

# Root squash (krpc's default): root is nobody, who may not write here.
chmod 755 "$EXP"
start_krpc --export "$EXP" --state-dir "$T/state"
rt squash --op getattr -c 10
[ "$rtrc" = 1 ] || { cat "$out.err"; fail "rpctest as root under root squash exited $rtrc"; }
grep -q -- '--no-root-squash' "$out.err" || { cat "$out.err"; fail "no hint at --no-root-squash"; }
chmod 777 "$EXP"
rt_ok 10 --op write -c 10
stop_krpc_ok

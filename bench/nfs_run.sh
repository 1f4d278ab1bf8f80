#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The NFS half of `make bench`: krpc serving a directory on the local disk
# (--export, both event-loop backends) side by side with nfs-ganesha 4.3
# (Debian nfs-ganesha + nfs-ganesha-vfs: FSAL_VFS, kernel file handles, as
# krpc's local store; bench/ganesha/ganesha-vfs.conf.in), both loaded by
# rpctest's NFS v3 workloads over loopback in one run on this machine:
#
#   sh bench/nfs_run.sh BUILD_DIR
#
# Loads, in groups (NFS_BENCH_GROUPS, default all, in this order):
#   ga1   GETATTR -j1 -a1
#   ga32  GETATTR -j2 -a32, and NFS NULL -j2 -a32 (AUTH_NONE, no export) in
#         the same rounds: the GETATTR/NULL ratio is per round
#   r4    READ 4 KiB -j2 -a32
#   r64   READ 64 KiB -j2 -a8
#   wu    WRITE 4 KiB UNSTABLE -j2 -a32
#   wf    WRITE 4 KiB FILE_SYNC -j2 -a32
# Every server exports a directory of its own under NFS_BENCH_DIR (default
# /var/tmp: the real disk, not tmpfs; a tmpfs there is reported), made for
# the run and removed after it. krpc runs with --no-root-squash and a state
# directory of its own and --steer cpu (NFS_BENCH_STEER): rpctest pins its
# two threads one per CPU and connects each from its CPU, so each
# connection goes to the worker beside its client thread in every run.
# With the default hash steering two connections share a worker in half
# the runs, and the rates of one load varied 2x from run to run here
# (GETATTR -j2 -a32: 170-190 k/s with both on the worker of CPU 1, 286 k
# on CPU 0, 296-363 k split; paired by CPU 426-429 k in 4 of 4 runs).
# ganesha with Squash = No_Root_Squash. rpctest runs
# as root (AUTH_SYS uid 0): per invocation it mounts the export (MOUNT
# MNT), makes its scratch directory and test file (for READ: 16 times the
# size, at least 1 MiB, written FILE_SYNC), runs, then removes them.
#
# As in bench/rpc_run.sh, servers are only ever compared within the same
# moments: all run at once, and each group is measured in NFS_BENCH_RUNS
# rounds (default 5); in a round every server takes one `rpctest -c 0 -t
# NFS_BENCH_SECONDS -i 1` (default 1 s) per load of the group, one after the
# other, the order rotated by one each round. For each invocation we record
# ops/s, MB/s, p50, p99, calls and the server's utime+stime (/proc/PID/stat,
# all threads; for ganesha its ganesha.nfsd) around it. A row's numbers and
# server CPU per op (that round's CPU time / that round's calls; the setup
# and removal rpctest does around the timed second are in the CPU time but
# not in the calls, a few dozen calls and at most 1 MiB written) are
# medians over the rounds; "vs ganesha" and the targets are medians over
# the rounds of the per-round ratio (server vs reference measured in the
# same round).
#
# nfs-ganesha runs with its own rpcbind in a private network and mount
# namespace (bench/lib.sh); it is installed with apt-get when missing and we
# are root, otherwise its rows are skipped with the reason. rpctest must
# have the NFS workloads (--export); without them the NFS bench is skipped.
#
# Client CPU per op is rpctest's utime+stime over its whole run (it runs
# under bench/cpu_of: wait4's rusage; setup and removal included) divided
# by its calls. krpc's loads also run across a veth pair between two
# network namespaces (as two hosts: MTU 1500; bench/lib.sh veth_up), a
# second krpc per backend in the servers' namespace exporting a directory
# of its own, rpctest in the clients', in the same rounds (rows "veth";
# ganesha is loopback only). BENCH_VETH=0 leaves them out; where
# namespaces cannot be made they are skipped with the reason.
# BENCH_QUICK=1: 2 rounds of 0.5 s of the groups ga1 ga32 r4 unless set.
#
# Prints a markdown table and the issue's targets (issue 7 §5) as met / not
# met, writes both to BUILD_DIR/nfs-bench.md and draws the table
# (bench/plot.sh: BUILD_DIR/nfs-bench-rate.png, nfs-bench-latency.png) when
# gnuplot is installed. Speed is reported, never
# asserted: the exit status is non-zero only when something failed to run.
# About six minutes with the defaults and the veth rows (the expected time is printed).
set -u

B=$(cd "${1:-build}" && pwd) || exit 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BIN=$B/bin
RPCTEST=${NFS_BENCH_RPCTEST:-$BIN/rpctest}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	SECS=${NFS_BENCH_SECONDS:-0.5} RUNS=${NFS_BENCH_RUNS:-2} GRPS=${NFS_BENCH_GROUPS:-"ga1 ga32 r4"}
else
	SECS=${NFS_BENCH_SECONDS:-1} RUNS=${NFS_BENCH_RUNS:-5} GRPS=${NFS_BENCH_GROUPS:-"ga1 ga32 r4 r64 wu wf"}
fi
DIR=${NFS_BENCH_DIR:-/var/tmp}
STEER=${NFS_BENCH_STEER:-cpu}
CPUOF=$B/bench/cpu_of
GMP=20048	# ganesha's MOUNT port (ganesha-vfs.conf.in)
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)
OUT=$B/nfs-bench.md
say() { echo "nfs bench: $*" >&2; }
case $RUNS in ''|*[!0-9]*|0) say "NFS_BENCH_RUNS must be a positive integer"; exit 2 ;; esac

for f in "$BIN/krpc" "$RPCTEST" "$CPUOF"; do
	[ -x "$f" ] || { say "$f not built (run make)"; exit 2; }
done
if ! "$RPCTEST" --help 2>&1 | grep -q -- '--export'; then
	say "skipped: $RPCTEST has no NFS workloads (--export)"
	printf '## ksf NFS bench\n\nSkipped: rpctest has no NFS workloads (--export).\n' > "$OUT"
	exit 0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/ksf-nfsbench.XXXXXX") || exit 1
E=$(mktemp -d "$DIR/ksf-nfsbench.XXXXXX") || { rm -rf "$T"; exit 1; }
SERVERS=""	# names of running servers; $T/NAME.pid holds each pid
cleanup() {
	for s in $SERVERS; do kill -KILL "$(cat "$T/$s.pid")" 2>/dev/null; done
	ganesha_stop
	veth_down
	rm -rf "$T" "$E"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
errors=0
chmod 755 "$E"
FSTYPE=$(stat -f -c %T "$E" 2>/dev/null)
case $FSTYPE in tmpfs|ramfs) say "warning: $DIR is $FSTYPE, not a disk (set NFS_BENCH_DIR)" ;; esac

# rows_of GROUP: the rows of a group, one "LABEL|rpctest args" a line; a
# row whose args have no --op is NULL and runs without --export.
rows_of() {
	case $1 in
	ga1)  echo "GETATTR -j1 -a1|--op getattr -j1 -a1" ;;
	ga32) echo "GETATTR -j2 -a32|--op getattr -j2 -a32"
	      echo "NULL -j2 -a32|-j2 -a32" ;;
	r4)   echo "READ 4 KiB -j2 -a32|--op read -l 4096 -j2 -a32" ;;
	r64)  echo "READ 64 KiB -j2 -a8|--op read -l 65536 -j2 -a8" ;;
	wu)   echo "WRITE 4 KiB UNSTABLE -j2 -a32|--op write -l 4096 --stable unstable -j2 -a32" ;;
	wf)   echo "WRITE 4 KiB FILE_SYNC -j2 -a32|--op write -l 4096 --stable file_sync -j2 -a32" ;;
	*)    say "unknown group $1 (NFS_BENCH_GROUPS: ga1 ga32 r4 r64 wu wf)"; exit 2 ;;
	esac
}

# run1 SRV ROUND LABEL ARGS: one rpctest invocation (one round of one row)
# against SRV (a krpc started with srv_start, or ganesha), appended to
# $T/raw as SRV LABEL ROUND ok|fail ops/s MB/s p50 p99 calls ticks
# client-CPU-us p90 p99.9.
run1() {
	srv=$1 round=$2 label=$3 args=$4
	net=loopback addr=127.0.0.1
	case $srv in
	ganesha) spid=$GPID sport=2049 mport=$GMP pfx="nsenter -t $NSPID -n" ;;
	v-*)	spid=$(cat "$T/$srv.pid") sport=$(cat "$T/$srv.port") mport=$sport pfx=$VCLIX
		net=veth addr=$VSADDR ;;
	*)	spid=$(cat "$T/$srv.pid") sport=$(cat "$T/$srv.port") mport=$sport pfx="" ;;
	esac
	case $args in
	*--op*) nfs="--export $E/$srv --mount-port $mport" ;;
	*)      nfs="" ;;
	esac
	rm -f "$T/cc"
	c0=$(cpu_ticks "$spid")
	# shellcheck disable=SC2086 # $pfx is a command prefix, $nfs and $args flags
	if $pfx "$CPUOF" "$T/cc" "$RPCTEST" --json --quiet -c 0 -t "$SECS" -i 1 $nfs $args \
	    -p "$sport" "$addr" > "$T/rt.json" 2> "$T/rt.err" < /dev/null; then
		c1=$(cpu_ticks "$spid")
		read -r rate mbs p50 p90 p99 p999 calls <<-EOF
		$(json_vals "$T/rt.json" rpc_per_s mb_per_s rtt_p50_us rtt_p90_us rtt_p99_us rtt_p999_us calls)
		EOF
		ccpu=$(client_us "$T/cc")
		ticks=-; [ -n "$c0" ] && [ -n "$c1" ] && ticks=$((c1 - c0))
		st=ok
		progress="$progress, $srv $(printf '%.0f' "$rate")/s p50 $p50"
	else
		errors=$((errors + 1))
		say "rpctest $label (round $round) against $srv failed:"; tail -n 5 "$T/rt.err" >&2
		st=fail rate=- p50=- p99=- calls=0 ticks=- mbs=- ccpu=- p90=- p999=-
		progress="$progress, $srv failed"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${srv#v-}" "$net" "$label" \
		"$round" "$st" "${rate:--}" "${mbs:--}" "${p50:--}" "${p99:--}" "${calls:-0}" "$ticks" "${ccpu:--}" \
		"${p90:--}" "${p999:--}" >> "$T/raw"
}

# ---- the servers ----
KRPC=krpc-epoll
grep -q 'KSF_HAVE_URING 1' "$B/config.h" 2>/dev/null && KRPC="$KRPC krpc-uring"
mkdir -p "$T/state"
for kb in $KRPC; do
	mkdir "$E/$kb"
	srv_start "$kb" "$BIN/krpc" -a 127.0.0.1 --backend "${kb#krpc-}" --steer "$STEER" \
		--export "$E/$kb" --no-root-squash --state-dir "$T/state"
done
mkdir "$E/ganesha"
sed "s|@EXPORT@|$E/ganesha|g" "$ROOT/bench/ganesha/ganesha-vfs.conf.in" > "$T/ganesha.conf"
ganesha_start "$T/ganesha.conf" nfs-ganesha-vfs || say "ganesha skipped: $GSKIP"
ALL="$SERVERS${NSPID:+ ganesha}"
VNOTE=""
if [ "${BENCH_VETH:-1}" = 0 ]; then
	VNOTE="veth rows: left out (BENCH_VETH=0)."
elif veth_up; then
	LADDR=$VSADDR
	for kb in $KRPC; do
		mkdir "$E/v-$kb"
		# shellcheck disable=SC2086 # $VSRVX is a command prefix
		srv_start "v-$kb" $VSRVX "$BIN/krpc" -a "$VSADDR" --backend "${kb#krpc-}" --steer "$STEER" \
			--export "$E/v-$kb" --no-root-squash --state-dir "$T/state"
		ALL="$ALL v-$kb"
	done
	LADDR=127.0.0.1
else
	VNOTE="veth rows: skipped: $VSKIP."
	say "$VNOTE"
fi

njobs=0
for g in $GRPS; do njobs=$((njobs + $(rows_of "$g" | wc -l) * $(echo "$ALL" | wc -w))); done
say "servers:$ALL; exports in $E ($FSTYPE); $RUNS rounds of ${SECS}s per server and load;" \
	"expected $(awk -v n=$((njobs * RUNS)) -v t="$SECS" 'BEGIN {
		s = n * (t + 0.7) + 10; printf "about %d min %02d s (%d rpctest runs)", s / 60, s % 60, n }')"

# Every group: RUNS rounds; in a round every (server, row) once, rotated.
: > "$T/raw"
for g in $GRPS; do
	rows_of "$g" > "$T/rows"
	jobs=""
	nr=$(wc -l < "$T/rows")
	i=1
	while [ $i -le "$nr" ]; do
		for s in $ALL; do jobs="$jobs $s:$i"; done
		i=$((i + 1))
	done
	rnd=1
	while [ $rnd -le "$RUNS" ]; do
		progress=""
		# shellcheck disable=SC2086 # a list of jobs
		for j in $(rotate $((rnd - 1)) $jobs); do
			row=$(sed -n "${j#*:}p" "$T/rows")
			run1 "${j%%:*}" $rnd "${row%%|*}" "${row#*|}"
		done
		say "$(head -n 1 "$T/rows" | cut -d'|' -f1) group, round $rnd/$RUNS: ${progress#, }"
		rnd=$((rnd + 1))
	done
done
# What one system call costs here (GETATTR's statx; see the target lines)
SYSC=$("$B/bench/syscall_cost" "$E" 2>/dev/null) || SYSC=""
ganesha_stop
for s in $SERVERS; do srv_stop "$s" || { say "$s exited $? on SIGTERM"; errors=$((errors + 1)); }; done
veth_down

# ---- the report ----
{
	echo "## ksf NFS bench: krpc vs nfs-ganesha (FSAL_VFS) over loopback and a veth pair"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $NCPU CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)); Linux $(uname -r)."
	echo "Each server exports its own directory in $E ($FSTYPE; removed after the run); krpc"
	echo "\`--export DIR --no-root-squash --steer $STEER\` (one worker per CPU, 4 helper threads per worker), nfs-ganesha"
	echo "$(ganesha.nfsd -v 2>/dev/null | head -n 1 | sed "s/^.*Release *= *//") FSAL_VFS \`Squash = No_Root_Squash\` in a private network and mount namespace"
	echo "with its own rpcbind. krpc \`--steer $STEER\`: rpctest connects each of its pinned threads from"
	echo "its CPU, so with \`cpu\` each connection is served by the worker beside its client in every run"
	echo "(with the default hash, two connections share a worker in half the runs: rates varied 2x)."
	echo "All servers run at once and each group of loads is measured in $RUNS"
	echo "rounds; in a round every server takes one \`rpctest -c 0 -t $SECS -i 1 --export DIR --op OP <load>\`"
	echo "per load of the group (AUTH_SYS uid 0), the order rotated each round. ops/s, MB/s (10^6 B of"
	echo "READ/WRITE data), p50, p99 and server CPU per op (the server's utime+stime over the invocation,"
	echo "ganesha's ganesha.nfsd, divided by its calls; includes rpctest's setup and removal around the"
	echo "timed ${SECS}s) are medians over the rounds; \"vs ganesha\" and the targets are medians of the"
	echo "per-round ratios (server vs reference measured in the same round). NULL rows are NFS NULL"
	echo "(AUTH_NONE), in the same rounds as GETATTR -j2 -a32. The client shares the same $NCPU CPUs:"
	echo "client CPU per op is rpctest's utime+stime over its whole run (setup included) per call; when"
	echo "both CPUs are busy, ops/s vs ganesha cannot exceed (client + ganesha CPU/op) / (client + krpc CPU/op)."
	echo "net \"veth\": rpctest and a second krpc per backend in two network namespaces joined by a veth"
	echo "pair (MTU 1500), as two hosts, in the same rounds (ganesha: loopback only)."
	[ -n "$GSKIP" ] && echo "nfs-ganesha: skipped: $GSKIP"
	[ -n "$VNOTE" ] && echo "$VNOTE"
	echo
	echo "| net | server | load | ops/s | MB/s | p50 µs | p99 µs | server CPU µs/op | server CPU µs/MiB | client CPU µs/op | ops/s vs ganesha | note |"
	echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
	awk -F'\t' -v runs="$RUNS" -v hz="$HZ" -v dat="$B/nfs-bench.tsv" -v sysc="$SYSC" "$(cat "$ROOT/bench/rounds.awk")"'
		# $T/raw: srv net label round ok|fail ops/s MB/s p50 p99 calls ticks client-us p90 p99.9
		{
			k = $1 SUBSEP $2 SUBSEP $3
			if (!(k in seen)) { seen[k] = ++nrow; key[nrow] = k; srv[nrow] = $1; net[nrow] = $2; lab[nrow] = $3 }
			if ($5 != "ok") { failed[k]++; next }
			r = $4
			v["rate", k, r] = $6 + 0; v["p50", k, r] = $8 + 0; v["p99", k, r] = $9 + 0
			if ($7 != "-" && $7 != "") v["mbs", k, r] = $7 + 0
			if ($10 > 0 && $11 != "-") v["cpu", k, r] = $11 * 1e6 / hz / $10
			if ($10 > 0 && $12 != "-" && $12 != "") v["ccpu", k, r] = $12 / $10
			v["p90", k, r] = $13 + 0; v["p999", k, r] = $14 + 0
		}
		# KiB of data per op of a row, from its label ("READ 64 KiB ..."), or 0
		function kib(l,   a) { return match(l, /[0-9]+ KiB/) ? substr(l, RSTART, RLENGTH - 4) + 0 : 0 }
		function gratio(what, i,   rk) {
			rk = "ganesha" SUBSEP net[i] SUBSEP lab[i]
			return (rk in seen) ? fmt(rmed(what, key[i], rk), "%.2f") : "-"
		}
		# line(NAME, WHAT, ROW, REFROW, OP, MULT, UNIT, SCALE): a target
		function line(name, what, k, rk, op, mult, unit, sc,   r, ok, f) {
			r = rmed(what, k, rk)
			if (r == "-") { printf "- %s: n/a (missing measurement)\n", name; return }
			ok = (op == ">=") ? (r >= mult) : (r <= mult)
			f = unit == "" ? "%.0f" : "%.1f"
			printf "- %s: %s (median per-round ratio %.2fx over %d rounds, target %s %.2fx; medians " \
				f "%s vs " f "%s)\n", name, ok ? "**met**" : "**not met**", r, nr, op, mult,
				med(what, k) * sc, unit, med(what, rk) * sc, unit
		}
		# getattr_cost(K): the server side of the GETATTR/NULL target: its
		# CPU per op against that of NULL, and the difference against one statx
		function getattr_cost(k,   g, n, r, sx) {
			g = med("cpu", k "GETATTR -j2 -a32"); n = med("cpu", k "NULL -j2 -a32")
			r = rmed("cpu", k "GETATTR -j2 -a32", k "NULL -j2 -a32")
			if (g == "-" || n == "-" || r == "-") return
			split(sysc, sx, " ")
			printf "- server side of that target: GETATTR %.2f us of server CPU per op, NULL %.2f us " \
				"(median per-round ratio %.2fx; when the server limits, the rate target needs <= 1.25x)", g, n, r
			if (sx[2] > 0)
				printf "; GETATTR - NULL = %.2f us, one statx(2) costs %.2f us here (getppid %.2f us; " \
					"bench/syscall_cost): a user-space server makes one statx per GETATTR", g - n,
					sx[2] / 1000, sx[4] / 1000
			print ""
		}
		END {
			printf "" > dat
			for (i = 1; i <= nrow; i++) {
				k = key[i]
				printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", net[i], srv[i], lab[i],
					fmt(med("rate", k), "%.0f"), fmt(med("p50", k), "%.1f"), fmt(med("p90", k), "%.1f"),
					fmt(med("p99", k), "%.1f"), fmt(med("p999", k), "%.1f") > dat
				note = failed[k] ? failed[k] " of " runs " rounds failed" : ""
				c = med("cpu", k); kb = kib(lab[i])
				printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", net[i], srv[i], lab[i],
					fmt(med("rate", k), "%.0f"), fmt(med("mbs", k), "%.1f"),
					fmt(med("p50", k), "%.1f"), fmt(med("p99", k), "%.1f"), fmt(c, "%.2f"),
					(kb && c != "-") ? sprintf("%.1f", c * 1024 / kb) : "-",
					fmt(med("ccpu", k), "%.2f"), gratio("rate", i), note
			}
			print ""
			print "### Targets (issue 7 §5), as medians of per-round ratios from this run (loopback)"
			print ""
			n = split("krpc-epoll krpc-uring", ks, " ")
			g = "ganesha" SUBSEP "loopback" SUBSEP
			for (i = 1; i <= n; i++) {
				k = ks[i] SUBSEP "loopback" SUBSEP
				if (!((k "GETATTR -j2 -a32") in seen || (k "READ 4 KiB -j2 -a32") in seen ||
				      (k "GETATTR -j1 -a1") in seen || (k "READ 64 KiB -j2 -a8") in seen)) continue
				print "**" ks[i] "**"
				line("GETATTR -j2 -a32 ops/s >= 0.8x its own NULL -j2 -a32", "rate",
				     k "GETATTR -j2 -a32", k "NULL -j2 -a32", ">=", 0.8, "", 1)
				getattr_cost(k)
				line("GETATTR -j2 -a32 ops/s >= 5x ganesha", "rate",
				     k "GETATTR -j2 -a32", g "GETATTR -j2 -a32", ">=", 5, "", 1)
				line("READ 4 KiB -j2 -a32 ops/s >= 5x ganesha", "rate",
				     k "READ 4 KiB -j2 -a32", g "READ 4 KiB -j2 -a32", ">=", 5, "", 1)
				line("READ 64 KiB -j2 -a8 server CPU per MiB <= 0.5x ganesha", "cpu",
				     k "READ 64 KiB -j2 -a8", g "READ 64 KiB -j2 -a8", "<=", 0.5, " us/MiB", 16)
				line("GETATTR -j1 -a1 p50 <= ganesha", "p50",
				     k "GETATTR -j1 -a1", g "GETATTR -j1 -a1", "<=", 1, " us", 1)
				print ""
			}
		}' "$T/raw"
} > "$OUT"
rm -f "$B/nfs-bench-rate.png" "$B/nfs-bench-latency.png"
sh "$ROOT/bench/plot.sh" "$B/nfs-bench.tsv" "$B/nfs-bench" ops/s "krpc vs nfs-ganesha (NFS v3)" &&
	[ -f "$B/nfs-bench-rate.png" ] && { echo; echo "Pictures: nfs-bench-rate.png, nfs-bench-latency.png (beside this file)."; } >> "$OUT"
cat "$OUT"
[ $errors = 0 ] || { say "$errors measurements failed"; exit 1; }
exit 0

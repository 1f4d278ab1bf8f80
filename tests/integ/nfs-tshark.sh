#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Wireshark's NFS, MOUNT and RPC dissectors (tshark, Debian) judge a whole
# libnfs session with krpc. dumpcap captures krpc's port on lo (a 64 MiB
# capture buffer, so that 1 MiB READs and WRITEs are not dropped) while
# libnfs's tools (libnfs-utils) run (the export is 0755 root, so
# --no-root-squash): nfs-cp of files of 1 B and 3 MiB into
# the export and back out (a 3 MiB file is three 1 MiB WRITEs and READs,
# each spanning many TCP segments), nfs-ls -R of a small tree, nfs-cat of a
# file, and nfs-cat of a missing file. Decoded with
# `-d tcp.port==P,rpc` (two passes, so calls know their replies):
#   - no frame is malformed or holds undecoded data after RPC;
#   - no expert item of severity warning or error in the RPC, NFS or MOUNT
#     layers (`-z expert`; TCP's own notes, such as RSTs, are only shown);
#   - every RPC call over TCP has its reply and every reply its call
#     (matched by xid: rpc.reqframe, rpc.repframe), as many replies as
#     calls, and as many calls as krpc counted (besides the UDP canaries);
#   - the procedures seen include what libnfs sends for this: MOUNT NULL,
#     MNT, EXPORT; NFS NULL, FSINFO, GETATTR, SETATTR, LOOKUP, ACCESS,
#     CREATE, WRITE, COMMIT, READ, READDIRPLUS;
#   - every reply's status (nfs.status3, mount.status) is OK except the one
#     expected: LOOKUP of the missing file, NFS3ERR_NOENT;
#   - the bytes copied in and out equal the originals.
# A table of the procedures seen, with their reply statuses, is printed.
. "$(dirname "$0")/rpclib.sh"

have tshark && have dumpcap || skip "tshark/dumpcap not installed (apt-get install tshark)"
have nfs-cp || skip "libnfs-utils not installed (apt-get install libnfs-utils)"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
[ -x "$TESTS/rpcabuse" ] || fail "$TESTS/rpcabuse not built"
EXP=$T/export
mkdir -p "$EXP" "$T/state" "$T/in" "$T/out"
start_krpc --export "$EXP" --state-dir "$T/state" --no-root-squash
Q="nfsport=$PORT&mountport=$PORT"
url() { echo "nfs://127.0.0.1$EXP/$1?$Q"; }
CAP=$T/nfs.pcapng

# nfs_run CMD...: a libnfs tool with a 30 s bound; its output in $T/run.out.
nfs_run() {
	timeout 30 "$@" > "$T/run.out" 2>&1 && return 0
	nrc=$?
	cat "$T/run.out"
	fail "$* exited $nrc"
}

# Capture with dumpcap (what tshark itself runs, without its start-up
# cost), which writes each packet to the file as it comes: UDP NULL calls
# until the file grows tell us the capture is really running.
dumpcap -q -i lo -B 64 -f "port $PORT" -w "$CAP" 2> "$T/dumpcap.err" &
DCPID=$!; track $DCPID
wait_for 20 test -s "$CAP" ||
	{ cat "$T/dumpcap.err" >&2; skip "dumpcap cannot capture on lo here"; }
size0=$(wc -c < "$CAP") canaries=0
while [ "$(wc -c < "$CAP")" = "$size0" ] && [ $canaries -lt 50 ]; do
	"$TESTS/rpcabuse" -u -w 200 127.0.0.1 "$PORT" null > /dev/null ||
		fail "rpcabuse canary failed"
	canaries=$((canaries + 1))
	sleep 0.1
done
[ "$(wc -c < "$CAP")" != "$size0" ] || fail "dumpcap saw none of $canaries canary calls"
note "capture running after $canaries canary call(s)"

# --- the libnfs session ---
head -c 1 /dev/urandom > "$T/in/one"
head -c 3145728 /dev/urandom > "$T/in/big"
for f in one big; do
	nfs_run nfs-cp "$T/in/$f" "$(url "$f")"
	cmp "$T/in/$f" "$EXP/$f" || fail "$f: the file in the export differs"
	nfs_run nfs-cp "$(url "$f")" "$T/out/$f"
	cmp "$T/in/$f" "$T/out/$f" || fail "$f: the copy read back differs"
done
for d in a b c; do
	mkdir -p "$EXP/tree/$d/sub"
	for f in 1 2 3; do echo "$d$f" > "$EXP/tree/$d/f$f"; done
done
nfs_run nfs-ls -R "$(url tree)"
[ "$(grep -c . "$T/run.out")" -ge 15 ] || { cat "$T/run.out"; fail "nfs-ls -R listed too little"; }
nfs_run nfs-cat "$(url tree/b/f2)"
[ "$(cat "$T/run.out")" = b2 ] || fail "nfs-cat of tree/b/f2 gave '$(cat "$T/run.out")'"
if timeout 30 nfs-cat "$(url missing)" > "$T/missing.out" 2>&1; then
	fail "nfs-cat of a missing file succeeded"
fi

# Let dumpcap catch up: wait until the file stops growing for 0.5 s (at
# most 10 s), then stop it (SIGTERM: it finishes the file and reports drops;
# SIGINT is ignored by a background job of a script).
last=-1 same=0 n=100
while [ $same -lt 5 ] && [ $n -gt 0 ]; do
	cur=$(wc -c < "$CAP")
	if [ "$cur" = "$last" ]; then same=$((same + 1)); else same=0 last=$cur; fi
	sleep 0.1; n=$((n - 1))
done
kill -TERM $DCPID; wait_exit $DCPID 20 || true
stop_krpc_ok
check_rpc_sums
drops=$(sed -n "s|.*received/dropped on interface '[^']*': [0-9]*/\([0-9]*\) .*|\1|p" "$T/dumpcap.err")
[ "$drops" = 0 ] || fail "the capture dropped packets ('$drops'): $(cat "$T/dumpcap.err")"

# One decoding pass (tshark starts slowly): the PDML of the RPC, NFS and
# MOUNT layers (other layers show only their names, malformed markers
# included), then the expert table.
timeout 60 tshark -2 -r "$CAP" -d "tcp.port==$PORT,rpc" -d "udp.port==$PORT,rpc" \
	-T pdml -j "rpc nfs mount" -z expert,note > "$T/dec" 2> "$T/dec.err" ||
	{ cat "$T/dec.err" >&2; fail "tshark -r failed"; }
grep -q '^</pdml>' "$T/dec" || fail "tshark's PDML is cut short: $(cat "$T/dec.err")"

# 1. Malformed frames, undecoded data after RPC, expert items.
awk '/<packet>/ { n++; rpc = 0 } /<field name="num" / { f = $0 }
	/<proto name="rpc"/ { rpc = 1 }
	/<proto name="_ws.malformed"/ || (rpc && /<proto name="data"/) { print n ": " $0 }' \
	"$T/dec" > "$T/bad"
if [ -s "$T/bad" ]; then
	head -n 20 "$T/bad" >&2
	fail "tshark finds malformed frames or undecoded data (above)"
fi
sed -n '/^<\/pdml>/,$p' "$T/dec" > "$T/expert"
# Rows are "Frequency Group Protocol Summary" under a "Errors|Warns|Notes
# |Chats (N)" heading.
awk '/^(Errors|Warns|Notes|Chats|Comments) \(/ { sev = $1; next }
	$1 ~ /^[0-9]+$/ && NF >= 4 { print sev, $0 }' "$T/expert" > "$T/expert.rows"
sed 's/^/# expert: /' "$T/expert.rows"
grep -q 'not captured' "$T/expert" &&
	fail "the capture lost segments (above): cannot judge it"
if grep -E '^(Errors|Warns) +[0-9]+ +[^ ]+ +(RPC|NFS|MOUNT)[^ ]* ' "$T/expert.rows" > "$T/expert.bad"; then
	cat "$T/expert.bad" >&2
	fail "tshark's RPC/NFS/MOUNT dissectors warn or find errors (above)"
fi
frames=$(grep -c '^<packet>' "$T/dec")
note "$frames frames decoded: none malformed, no undecoded data, no RPC/NFS/MOUNT warning"

# 2. One line per RPC message over TCP (a frame may hold several; the UDP
#    canaries are left out: the first may be captured without its call),
#    from the PDML: "call|reply PROGRAM PROCEDURE MATCHED STATUS", MATCHED
#    the frame of the reply (in a call) or of the call (in a reply), STATUS
#    the NFS or MOUNT status of a reply ("-" when it has none: NULL, EXPORT).
awk '
	function flush() { if (typ != "" && tcp) print typ, prog, proc, (m == "" ? "-" : m), (st == "" ? "-" : st) }
	/<packet>/ { flush(); typ = ""; tcp = 0; next }
	/<proto name="tcp"/ { tcp = 1; next }
	/<proto name="rpc"/ { flush(); typ = "?"; prog = proc = m = st = ""; next }
	typ != "" && /<field name="/ {
		if (!match($0, /name="[^"]*"/)) next
		name = substr($0, RSTART + 6, RLENGTH - 7)
		if (!match($0, /show="[^"]*"/)) next
		v = substr($0, RSTART + 6, RLENGTH - 7)
		if (name == "rpc.msgtyp") typ = (v == "0" ? "call" : v == "1" ? "reply" : "msgtyp" v)
		else if (name == "rpc.program") prog = v
		else if (name == "rpc.procedure") proc = v
		else if (name == "rpc.reqframe" || name == "rpc.repframe") m = v
		else if ((name == "nfs.status3" || name == "mount.status") && st == "") st = v
	}
	/^<\/pdml>/ { flush(); exit }' "$T/dec" > "$T/msgs"
calls=$(grep -c '^call ' "$T/msgs") replies=$(grep -c '^reply ' "$T/msgs")
[ "$calls" -gt 0 ] || fail "no RPC call decoded"
grep -v '^\(call\|reply\) ' "$T/msgs" | grep -q . && fail "RPC messages neither call nor reply: $(grep -v '^\(call\|reply\) ' "$T/msgs" | head -3)"
awk '$4 == "-"' "$T/msgs" > "$T/unmatched"
[ -s "$T/unmatched" ] && { head "$T/unmatched" >&2; fail "RPC messages without their call or reply (above)"; }
[ "$calls" = "$replies" ] || fail "$calls calls but $replies replies"
[ $((calls + canaries)) = "$(rstat calls)" ] ||
	fail "$calls calls over TCP on the wire and $canaries canaries, but krpc counted $(rstat calls)"
note "$calls calls, each with its reply"

# 3. The procedures seen, and their statuses.
awk '$1 == "reply" {
	n = ($2 == 100003 ? "NFS" : $2 == 100005 ? "MOUNT" : "prog" $2)
	split("GETATTR SETATTR LOOKUP ACCESS READLINK READ WRITE CREATE MKDIR SYMLINK MKNOD REMOVE RMDIR RENAME LINK READDIR READDIRPLUS FSSTAT FSINFO PATHCONF COMMIT", nfs, " ")
	split("MNT DUMP UMNT UMNTALL EXPORT", mnt, " ")
	p = $3 == 0 ? "NULL" : n == "NFS" && ($3 in nfs) ? nfs[$3] : n == "MOUNT" && ($3 in mnt) ? mnt[$3] : "proc" $3
	e[2] = "NOENT"; e[5] = "IO"; e[13] = "ACCES"; e[17] = "EXIST"; e[30] = "ROFS"; e[10008] = "JUKEBOX"
	print n, p, ($5 == "-" ? "-" : $5 == 0 ? "OK" : ($5 in e) ? e[$5] : "status" $5)
}' "$T/msgs" | sort | uniq -c | awk '{ print $2, $3, $4, $1 }' > "$T/table"
echo "# procedure         status  replies"
awk '{ printf "#  %-5s %-11s %-7s %5d\n", $1, $2, $3, $4 }' "$T/table"
for p in "MOUNT NULL" "MOUNT MNT" "MOUNT EXPORT" "NFS NULL" "NFS FSINFO" "NFS GETATTR" \
    "NFS SETATTR" "NFS LOOKUP" "NFS ACCESS" "NFS CREATE" "NFS WRITE" "NFS COMMIT" \
    "NFS READ" "NFS READDIRPLUS"; do
	grep -q "^$p " "$T/table" || fail "no $p seen on the wire"
done
# 3 MiB in and out: at least 3 WRITEs and 3 READs (1 MiB each at most).
w=$(awk '$1 == "NFS" && $2 == "WRITE" { s += $4 } END { print s + 0 }' "$T/table")
r=$(awk '$1 == "NFS" && $2 == "READ" { s += $4 } END { print s + 0 }' "$T/table")
[ "$w" -ge 4 ] && [ "$r" -ge 4 ] || fail "only $w WRITE and $r READ replies for 3 MiB + 1 B each way"
# Statuses: OK, none (NULL, EXPORT), and the one expected failure.
awk '$3 != "OK" && $3 != "-"' "$T/table" > "$T/notok"
[ "$(cat "$T/notok")" = "NFS LOOKUP NOENT 1" ] ||
	{ cat "$T/notok" >&2; fail "unexpected failed replies (above); expected only LOOKUP NFS3ERR_NOENT (2) once"; }
expect_rstat garbage_args -eq 0
expect_rstat system_err -eq 0
exit 0

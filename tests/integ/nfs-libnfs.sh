#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# libnfs's command-line tools (Debian libnfs-utils: a real NFS v3 client
# nobody here wrote) against krpc exporting a scratch directory:
#   nfs-cp of files of 0 B, 1 B, 64 KiB and 5 MiB into the export and back
#   out: the bytes on disk and the bytes read back equal the originals;
#   nfs-cat of a file equals it; nfs-ls -R of a tree of a few hundred
#   entries lists exactly what find sees in the directory; a file in a
#   subdirectory mounted by its own path (MNT of a subdirectory);
#   a path outside every export cannot be mounted.
. "$(dirname "$0")/rpclib.sh"

have nfs-cp || skip "libnfs-utils not installed (apt-get install libnfs-utils)"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
EXP=$T/export
mkdir -p "$EXP" "$T/state" "$T/in" "$T/out"
start_krpc --export "$EXP" --state-dir "$T/state" --no-root-squash
Q="nfsport=$PORT&mountport=$PORT"
url() { echo "nfs://127.0.0.1$EXP/$1?$Q"; }

# nfs_run CMD...: a libnfs tool with a 60 s bound; its output in $T/run.out.
nfs_run() {
	timeout 60 "$@" > "$T/run.out" 2>&1 && return 0
	nrc=$?
	cat "$T/run.out"
	fail "$* exited $nrc"
}

for size in 0 1 65536 5242880; do
	head -c "$size" /dev/urandom > "$T/in/f$size"
	nfs_run nfs-cp "$T/in/f$size" "$(url "f$size")"
	cmp "$T/in/f$size" "$EXP/f$size" || fail "f$size: the file in the export differs"
	nfs_run nfs-cp "$(url "f$size")" "$T/out/f$size"
	cmp "$T/in/f$size" "$T/out/f$size" || fail "f$size: the copy read back differs"
	note "copied $size bytes in and out"
done
timeout 60 nfs-cat "$(url f65536)" > "$T/cat.out" || fail "nfs-cat exited $?"
cmp "$T/in/f65536" "$T/cat.out" || fail "nfs-cat output differs"

# a tree: 12 directories of 25 files each, plus the directories themselves
for d in $(seq 1 12); do
	mkdir -p "$EXP/tree/d$d/sub"
	for f in $(seq 1 25); do echo "$d/$f" > "$EXP/tree/d$d/file-$f"; done
done
timeout 60 nfs-ls -R "$(url tree)" > "$T/ls.out" 2>&1 || { cat "$T/ls.out"; fail "nfs-ls -R exited $?"; }
# nfs-ls prints one line per entry ending in its path; compare the names
awk '{print $NF}' "$T/ls.out" | sed 's|^/||' | grep -v '^\.\{1,2\}$' | grep -v '/\.\{1,2\}$' |
	sort > "$T/ls.names"
(cd "$EXP/tree" && find . -mindepth 1 | sed 's|^\./||' | sort) > "$T/find.names"
n=$(wc -l < "$T/find.names")
[ "$n" -ge 300 ] || fail "the tree has only $n entries"
if ! diff "$T/find.names" "$T/ls.names" > "$T/ls.diff"; then
	head -20 "$T/ls.diff"; head -5 "$T/ls.out"
	fail "nfs-ls -R does not list exactly the $n entries of the tree"
fi
note "nfs-ls -R listed all $n entries"

# a subdirectory mounted by its own path
nfs_run nfs-cat "$(url tree/d3/file-7)"
[ "$(cat "$T/run.out")" = "3/7" ] || fail "nfs-cat of tree/d3/file-7 gave '$(cat "$T/run.out")'"

# outside every export: MNT fails, nothing is read
if timeout 60 nfs-cat "nfs://127.0.0.1/etc/passwd?$Q" > "$T/outside.out" 2>&1; then
	fail "nfs-cat of /etc/passwd outside the export succeeded"
fi

stop_krpc_ok
check_rpc_sums
expect_rstat garbage_args -eq 0
expect_rstat system_err -eq 0

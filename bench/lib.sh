# SPDX-License-Identifier: BSD-2-Clause
# Shell helpers shared by bench/run.sh and bench/rpc_run.sh (sourced).

# cpu_ticks PID: utime + stime of the process (all threads), in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'; }

# json_get FILE KEY: a number from the "summary" object of echotest's or
# rpctest's --json output.
json_get() {
	tr -d '\n' < "$1" | sed 's/.*"summary"//' |
		sed -n "s/.*\"$2\": *\([-0-9.eE+]*\).*/\1/p"
}

# rotate K WORD...: the words, starting with the K-th (from 0, cyclic), so
# that no server is always measured first in a round.
rotate() {
	k=$1; shift
	[ $# -gt 0 ] || return 0
	k=$((k % $#)) front="" back=""
	for w in "$@"; do
		if [ "$k" -gt 0 ]; then front="$front $w"; k=$((k - 1)); else back="$back $w"; fi
	done
	# shellcheck disable=SC2086 # split back into words
	echo $back $front
}

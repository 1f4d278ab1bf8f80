#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Draws a bench table as two PNG pictures with gnuplot (Debian gnuplot-nox),
# for bench/run.sh, bench/rpc_run.sh and bench/nfs_run.sh:
#
#   sh bench/plot.sh ROWS PREFIX RATE-UNIT TITLE
#
# ROWS is the table's rows as tab-separated medians, one row a line:
#   net  server  load  rate  p50  p90  p99  p99.9
# (net "loopback" or "veth"; latencies in µs; "-" where not measured).
# Writes
#   PREFIX-rate.png     throughput: one group of bars per load and net, one
#                       bar per server (log scale: loads differ by 100x)
#   PREFIX-latency.png  latency percentiles: one panel per load, one group of
#                       bars per server and net (p50, p90, p99, p99.9; log)
# Exits 0 without pictures (and says so) when gnuplot is not installed.
set -u
rows=$1 pfx=$2 unit=$3 title=$4
say() { echo "plot: $*" >&2; }
command -v gnuplot >/dev/null 2>&1 || {
	say "gnuplot not installed (sh scripts/deps.sh bench, as root): no pictures"; exit 0; }
[ -s "$rows" ] || { say "$rows is empty: no pictures"; exit 0; }
D=$(mktemp -d "${TMPDIR:-/tmp}/ksf-plot.XXXXXX") || exit 1
trap 'rm -rf "$D"' EXIT
term='set terminal pngcairo size %d,%d font "DejaVu Sans,9"'
gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1 || term='set terminal png size %d,%d'

# ---- throughput: rows "load, net", columns the servers ----
awk -F'\t' -v OFS='\t' -v out="$D/rate.dat" '
	function add(list, x, n,   i) { for (i = 1; i <= n; i++) if (list[i] == x) return n
		list[n + 1] = x; return n + 1 }
	{ c = $3 ($1 == "loopback" ? "" : " (" $1 ")"); nc = add(cats, c, nc); ns = add(srvs, $2, ns)
	  v[c, $2] = $4 }
	END {
		line = "load"; for (j = 1; j <= ns; j++) line = line OFS srvs[j]; print line > out
		for (i = 1; i <= nc; i++) {
			line = cats[i]
			for (j = 1; j <= ns; j++) line = line OFS (((cats[i], srvs[j]) in v) ? v[cats[i], srvs[j]] : "-")
			print line > out
		}
		print nc, ns
	}' "$rows" > "$D/dims"
read -r ncat nsrv < "$D/dims"
w=$((ncat * (nsrv * 14 + 20) + 200)); [ $w -lt 900 ] && w=900; [ $w -gt 3000 ] && w=3000
{
	# shellcheck disable=SC2059 # the format is ours
	printf "$term\n" "$w" 520
	cat <<EOF
set output "$pfx-rate.png"
set title "$title: throughput ($unit, median over rounds)"
set datafile separator "\t"
set termoption noenhanced
set datafile missing "-"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set ylabel "$unit (log scale)"
set grid ytics
set xtics rotate by -30 left
set key outside right top vertical
set bmargin 8
plot for [i=2:$((nsrv + 1))] "$D/rate.dat" using i:xtic(1) title columnhead(i)
EOF
} > "$D/rate.gp"

# ---- latency: one panel per load (and net), groups per server ----
awk -F'\t' -v OFS='\t' -v d="$D" '
	function add(list, x, n,   i) { for (i = 1; i <= n; i++) if (list[i] == x) return n
		list[n + 1] = x; return n + 1 }
	$5 != "-" {
		c = $3 ($1 == "loopback" ? "" : " (" $1 ")"); np = add(pan, c, np)
		for (i = 1; i <= np; i++) if (pan[i] == c) p = i
		if (!hdr[p]++) print "server", "p50", "p90", "p99", "p99.9" > (d "/lat" p ".dat")
		print $2, $5, $6, $7, $8 > (d "/lat" p ".dat")
	}
	END { for (i = 1; i <= np; i++) print i "\t" pan[i] > (d "/panels") }' "$rows"
np=$(wc -l < "$D/panels" 2>/dev/null || echo 0)
if [ "$np" -gt 0 ]; then
	cols=3; [ "$np" -lt 3 ] && cols=$np
	prow=$(((np + cols - 1) / cols))
	{
		# shellcheck disable=SC2059
		printf "$term\n" $((cols * 520)) $((prow * 380))
		cat <<EOF
set output "$pfx-latency.png"
set datafile separator "\t"
set termoption noenhanced
set datafile missing "-"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set ylabel "µs (log scale)"
set grid ytics
set xtics rotate by -25 left
set key outside top center horizontal font ",8"
set bmargin 6
set multiplot layout $prow,$cols
EOF
		while IFS="$(printf '\t')" read -r i name; do
			printf 'set title "%s: round trip, µs"\n' "$name"
			printf 'plot for [i=2:5] "%s/lat%s.dat" using i:xtic(1) title columnhead(i)\n' "$D" "$i"
		done < "$D/panels"
		echo "unset multiplot"
	} > "$D/lat.gp"
fi

rc=0
gnuplot "$D/rate.gp" 2> "$D/err" || { say "gnuplot failed on $pfx-rate.png:"; cat "$D/err" >&2; rc=1; }
if [ -f "$D/lat.gp" ]; then
	gnuplot "$D/lat.gp" 2> "$D/err" || { say "gnuplot failed on $pfx-latency.png:"; cat "$D/err" >&2; rc=1; }
fi
[ $rc = 0 ] && say "wrote $pfx-rate.png$([ -f "$D/lat.gp" ] && echo " and $pfx-latency.png")"
exit $rc

# SPDX-License-Identifier: BSD-2-Clause
# Medians over interleaved rounds, for bench/run.sh and bench/rpc_run.sh,
# which prepend this file to their report programs. The caller fills
# v[WHAT, ROW, ROUND] (a measurement of a row in a round) and passes
# -v runs=ROUNDS.

# median(A, N): the median of A[1..N] (sorts A in place).
function median(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# med(WHAT, ROW): the median over the rounds of the row, or "-"
function med(what, k,   r, n, a) {
	n = 0
	for (r = 1; r <= runs; r++) if ((what, k, r) in v) a[++n] = v[what, k, r]
	return n ? median(a, n) : "-"
}
# rmed(WHAT, ROW, REFROW): the median of the per-round ratios ROW / REFROW,
# or "-"; nr is set to how many rounds had both
function rmed(what, k, rk,   r, n, a) {
	n = 0
	for (r = 1; r <= runs; r++)
		if (((what, k, r) in v) && ((what, rk, r) in v) && v[what, rk, r] > 0)
			a[++n] = v[what, k, r] / v[what, rk, r]
	nr = n
	return n ? median(a, n) : "-"
}
function fmt(x, f) { return x == "-" ? "-" : sprintf(f, x) }

// SPDX-License-Identifier: BSD-2-Clause
/*
 * syscall_cost: what one system call costs on this machine, for the NFS
 * bench's GETATTR row.
 *
 *   syscall_cost PATH [N]
 *
 * A GETATTR must read the attributes fresh: a user-space server makes one
 * statx(2) per call (the kernel's nfsd calls vfs_getattr, no system call).
 * A NULL call makes no system call of its own: its recv, send and wait
 * are shared by every call of a batch. So the least a GETATTR can cost
 * over a NULL is one statx. This prints, in nanoseconds of CPU time per
 * call (CLOCK_THREAD_CPUTIME_ID, so time other processes take does not
 * count), the median of 5 runs of N (default 200000) calls each:
 *
 *   statx_ns S getppid_ns G
 *
 * statx as krpc makes it (an O_PATH descriptor of PATH, AT_EMPTY_PATH,
 * STATX_BASIC_STATS), getppid as the cost of entering and leaving the
 * kernel alone.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#define RUNS 5

static double cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median over RUNS of the CPU ns per call of statx (fd >= 0) or getppid. */
static double per_call_ns(int fd, long n)
{
	double t[RUNS];
	struct statx sx;

	for (int r = 0; r < RUNS; r++) {
		double t0 = cpu_ns();

		for (long i = 0; i < n; i++)
			if (fd >= 0)
				statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx);
			else
				getppid();
		t[r] = (cpu_ns() - t0) / (double)n;
	}
	qsort(t, RUNS, sizeof(t[0]), cmp_double);
	return t[RUNS / 2];
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 200000;
	int fd;

	if (argc < 2 || n <= 0) {
		fprintf(stderr, "usage: syscall_cost PATH [N]\n");
		return 2;
	}
	fd = open(argv[1], O_PATH | O_NOFOLLOW);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	printf("statx_ns %.0f getppid_ns %.0f\n", per_call_ns(fd, n), per_call_ns(-1, n));
	close(fd);
	return 0;
}

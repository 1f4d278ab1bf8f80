// SPDX-License-Identifier: BSD-2-Clause
/*
 * cpu_of: run a command and write the CPU time it used, for the bench's
 * "client CPU per call" column.
 *
 *   cpu_of FILE CMD [ARG...]
 *
 * Runs CMD (PATH search), waits for it and writes its user + system time
 * (all threads, and any children it waited for: wait4's rusage) to FILE
 * as one line "USEC\n", microseconds. Exits with CMD's exit status (128 +
 * the signal number if a signal ended it, 127 if it could not be run).
 * This is the client's side of what the bench reads for a server from
 * /proc/PID/stat (utime + stime), measured over the client's whole life:
 * start-up, connects and the timed run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static long long usec(struct timeval tv)
{
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	FILE *f;
	pid_t pid;
	int st;

	if (argc < 3) {
		fprintf(stderr, "usage: cpu_of FILE CMD [ARG...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("cpu_of: fork");
		return 127;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "cpu_of: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("cpu_of: wait4");
			return 127;
		}
	}
	f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%lld\n", usec(ru.ru_utime) + usec(ru.ru_stime)) < 0 ||
	    fclose(f) != 0) {
		fprintf(stderr, "cpu_of: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

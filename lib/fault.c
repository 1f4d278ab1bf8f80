// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fault injection for the tests: the error paths that real systems reach
 * only under rare pressure (an epoll set over fs.epoll.max_user_watches, an
 * io_uring submission queue with no free entry) run in the test suite and
 * under the sanitizers. KSF_FAULT_<KIND>=N in the environment makes every
 * Nth call of that kind fail; without it (normal use) nothing fails and
 * the cost is one well-predicted branch. Read once, per process.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "ksf_int.h"

static const char *const names[KSF__FAULT_N] = {
	[KSF__FAULT_CONN_START] = "KSF_FAULT_CONN_START",
	[KSF__FAULT_SQE] = "KSF_FAULT_SQE",
};
static unsigned every[KSF__FAULT_N];
static atomic_uint calls[KSF__FAULT_N];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void read_env(void)
{
	for (int k = 0; k < KSF__FAULT_N; k++) {
		const char *v = getenv(names[k]);
		every[k] = v ? (unsigned)strtoul(v, NULL, 10) : 0;
	}
}

bool ksf__fault(enum ksf__fault_kind kind)
{
	pthread_once(&once, read_env);
	if (!every[kind])
		return false;
	return atomic_fetch_add(&calls[kind], 1) % every[kind] == every[kind] - 1;
}

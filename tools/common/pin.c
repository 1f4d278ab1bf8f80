// SPDX-License-Identifier: BSD-2-Clause
/*
 * CPU pinning for the load generators (see pin.h). Uses the glibc
 * *_np affinity calls; the CPU list grammar is libksf's.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <ksf/pool.h>
#include "pin.h"

int pin_parse(const char *list, int *cpus, int max, char *err, size_t errlen)
{
	cpu_set_t allowed;
	int n = ksf_cpulist_parse(list, cpus, max);

	if (n < 0) {
		if (err)
			snprintf(err, errlen, "'%s': %s", list ? list : "",
				 n == -E2BIG ? "too many CPUs" :
				 "not a CPU list (for example 0-3,6)");
		return n;
	}
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return n;	/* cannot check: let pinning itself fail later */
	for (int i = 0; i < n; i++) {
		if (cpus[i] >= CPU_SETSIZE || !CPU_ISSET(cpus[i], &allowed)) {
			if (err)
				snprintf(err, errlen, "'%s': CPU %d is not available to "
					 "this process", list, cpus[i]);
			return -EINVAL;
		}
	}
	return n;
}

int pin_default(int *cpus, int max, unsigned threads)
{
	cpu_set_t allowed;
	int n = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return 0;
	for (int cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
		if (CPU_ISSET(cpu, &allowed))
			cpus[n++] = cpu;
	return threads <= (unsigned)n ? n : 0;
}

static void cpu_set_one(cpu_set_t *set, int cpu)
{
	CPU_ZERO(set);
	CPU_SET(cpu, set);
}

int pin_attr(pthread_attr_t *attr, int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return -EINVAL;
	cpu_set_one(&set, cpu);
	return -pthread_attr_setaffinity_np(attr, sizeof(set), &set);
}

int pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return -EINVAL;
	cpu_set_one(&set, cpu);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

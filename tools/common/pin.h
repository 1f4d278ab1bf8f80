/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Pinning load-generator threads to CPUs. A CPU list ("0-3,6") is parsed
 * with libksf's ksf_cpulist_parse() and checked against the CPUs this
 * process may run on, so a bad list is a usage error before any thread
 * starts rather than a failure in the middle of a run.
 */
#ifndef KSF_TOOLS_PIN_H
#define KSF_TOOLS_PIN_H

#include <pthread.h>
#include <stddef.h>

/* Parse list into cpus[max] and check every CPU is in this process's
 * affinity mask. Returns the number of CPUs, or -EINVAL / -E2BIG / -ERANGE
 * with a message in err[errlen]. */
int pin_parse(const char *list, int *cpus, int max, char *err, size_t errlen);

/* rpctest's default, as the seed's rpctest: thread i on the i-th CPU this
 * process may run on, when there are at least as many CPUs as threads.
 * Fills cpus[max] and returns their number, or 0 (no pinning: more
 * threads than CPUs, or the mask is unknown). */
int pin_default(int *cpus, int max, unsigned threads);

/* Make threads created with *attr run on cpu only. 0 or -errno. */
int pin_attr(pthread_attr_t *attr, int cpu);

/* Pin the calling thread to cpu. 0 or -errno. */
int pin_self(int cpu);

#endif

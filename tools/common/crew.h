/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A crew of worker threads that do runs in lock step, for the load
 * generators. Every thread is created (and pinned) before the first run;
 * each crew_run() releases them all together at a start barrier, each
 * calls fn(arg, i) once, and crew_run() returns when all of them have met
 * at an end barrier. A run thus lasts from the first thread leaving the
 * start barrier to the last one finishing.
 *
 * The threads are held at a gate until every one of them exists, so that
 * if one cannot be created the others leave without ever waiting at a
 * barrier that could no longer fill up.
 */
#ifndef KSF_TOOLS_CREW_H
#define KSF_TOOLS_CREW_H

#include <pthread.h>
#include <stddef.h>

struct crew_thread;

struct crew {
	unsigned n;			/* threads */
	void (*fn)(void *arg, unsigned i);
	void *arg;
	pthread_mutex_t gate;		/* held while the threads are created */
	pthread_barrier_t start, end;	/* n threads + the caller */
	int barriers;			/* the barriers are initialised */
	int running;			/* every thread exists: barriers in use */
	int stop;			/* set before the last release */
	struct crew_thread *t;		/* n of them */
};

/* Create n threads that will run fn(arg, i), i = 0..n-1, once per
 * crew_run(). With ncpus > 0, thread i runs on cpus[i % ncpus] only.
 * Returns 0, or -1 with a message in err[errlen]; crew_stop() must be
 * called in both cases. */
int crew_start(struct crew *c, unsigned n, const int *cpus, int ncpus,
	       void (*fn)(void *arg, unsigned i), void *arg, char *err, size_t errlen);

/* One run: release every thread and wait until all have finished fn. */
void crew_run(struct crew *c);

/* End the threads (after their current run), join them and free the
 * crew's memory. Safe after a failed crew_start and on a zeroed crew. */
void crew_stop(struct crew *c);

#endif

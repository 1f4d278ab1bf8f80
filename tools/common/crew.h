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
#include <stdarg.h>
#include <stdatomic.h>
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

/* A program's workers, for crew_create(). */
struct crew_workers {
	size_t size;					/* bytes of one */
	void (*clear)(void *w);				/* make a zeroed one safe to free */
	int (*init)(void *arg, void *w, unsigned i);	/* 0, or nonzero: no memory */
	int (*connect)(void *arg, void *w, char *err, size_t errlen); /* 0 or -1 */
	void (*fn)(void *arg, unsigned i);		/* one run of worker i */
};

/* Set up n workers before any timing: allocate an array of them, zeroed,
 * into *ws, clear() every one, then init() every one, connect() every one
 * (each connect() writes why it failed into err[errlen]), and crew_start()
 * the threads that run cw->fn(arg, i). Returns 0, or -1 with a message in
 * err[errlen]. Either way the caller frees *ws (NULL when it could not be
 * allocated) and what its workers hold, and calls crew_stop(). */
int crew_create(struct crew *c, void **ws, unsigned n, const struct crew_workers *cw,
		const int *cpus, int ncpus, void *arg, char *err, size_t errlen);

/* A worker thread's failure: unless err[errlen] already holds a reason
 * (the first one wins), write "thread ID: " and fmt's text into it; then
 * set *failed, so that the other threads give up. Returns -1. */
int crew_vfail(char *err, size_t errlen, unsigned id, atomic_int *failed,
	       const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Whether worker thread id should give up because another one failed
 * (*failed): if so, record "stopped because another thread failed" as
 * crew_vfail() does, set *quit and return 1; else return 0. */
int crew_gave_up(char *err, size_t errlen, unsigned id, atomic_int *failed, int *quit);

#endif

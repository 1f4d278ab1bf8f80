// SPDX-License-Identifier: BSD-2-Clause
/*
 * Worker threads in lock step for the load generators (see crew.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pin.h"
#include "crew.h"

struct crew_thread {
	struct crew *c;
	unsigned i;
	pthread_t tid;
	int started;			/* tid is valid */
};

static void *crew_main(void *arg)
{
	struct crew_thread *t = arg;
	struct crew *c = t->c;

	/* Wait until every thread has been created (or creation failed). */
	pthread_mutex_lock(&c->gate);
	pthread_mutex_unlock(&c->gate);
	if (!c->running)
		return NULL;	/* startup failed: the barriers are not used */
	for (;;) {	/* one pass per run; crew_stop() ends it with c->stop */
		pthread_barrier_wait(&c->start);
		if (c->stop)
			break;
		c->fn(c->arg, t->i);
		pthread_barrier_wait(&c->end);
	}
	return NULL;
}

static int start_one(struct crew_thread *t, const int *cpus, int ncpus,
		     char *err, size_t errlen)
{
	pthread_attr_t attr;
	int rc = -pthread_attr_init(&attr);

	if (rc)
		goto fail;
	if (ncpus > 0)
		rc = pin_attr(&attr, cpus[t->i % (unsigned)ncpus]);
	if (!rc)
		rc = -pthread_create(&t->tid, &attr, crew_main, t);
	pthread_attr_destroy(&attr);
	if (!rc) {
		t->started = 1;
		return 0;
	}
fail:
	snprintf(err, errlen, "cannot start thread %u%s: %s", t->i,
		 ncpus > 0 ? " on its CPU" : "", strerror(-rc));
	return -1;
}

int crew_start(struct crew *c, unsigned n, const int *cpus, int ncpus,
	       void (*fn)(void *arg, unsigned i), void *arg, char *err, size_t errlen)
{
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->n = n;
	c->fn = fn;
	c->arg = arg;
	c->t = calloc(n, sizeof(*c->t));
	if (!c->t) {
		snprintf(err, errlen, "out of memory for %u threads", n);
		return -1;
	}
	pthread_mutex_init(&c->gate, NULL);	/* destroyed with c->t */
	if (pthread_barrier_init(&c->start, NULL, n + 1))
		goto no_barriers;
	if (pthread_barrier_init(&c->end, NULL, n + 1)) {
		pthread_barrier_destroy(&c->start);
		goto no_barriers;
	}
	c->barriers = 1;
	pthread_mutex_lock(&c->gate);
	for (unsigned i = 0; i < n && !rc; i++) {
		c->t[i].c = c;
		c->t[i].i = i;
		rc = start_one(&c->t[i], cpus, ncpus, err, errlen);
	}
	c->running = rc == 0;	/* the threads read it once past the gate */
	pthread_mutex_unlock(&c->gate);
	return rc;
no_barriers:
	snprintf(err, errlen, "cannot create the thread barriers");
	return -1;
}

void crew_run(struct crew *c)
{
	if (!c->running)
		return;
	pthread_barrier_wait(&c->start);
	pthread_barrier_wait(&c->end);
}

void crew_stop(struct crew *c)
{
	if (c->running) {	/* every thread waits at start: release them */
		c->stop = 1;
		pthread_barrier_wait(&c->start);
		c->running = 0;
	}
	for (unsigned i = 0; c->t && i < c->n; i++)
		if (c->t[i].started)
			pthread_join(c->t[i].tid, NULL);
	if (c->barriers) {
		pthread_barrier_destroy(&c->start);
		pthread_barrier_destroy(&c->end);
		c->barriers = 0;
	}
	if (c->t)
		pthread_mutex_destroy(&c->gate);
	free(c->t);
	c->t = NULL;
}

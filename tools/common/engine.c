// SPDX-License-Identifier: BSD-2-Clause
/*
 * The engine under both load generators (see engine.h): workers and their
 * connections, runs and their totals, failing and waiting.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include "cli.h"
#include "engine.h"
#include "pin.h"

int eng_fail(struct eng_worker *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!w->err[0]) {	/* the first reason wins */
		n = snprintf(w->err, sizeof(w->err), "thread %u: ", w->id);
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < sizeof(w->err))
			vsnprintf(w->err + n, sizeof(w->err) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	atomic_store(&w->eng->failed, 1);
	return -1;
}

int eng_gave_up(struct eng_worker *w)
{
	if (!atomic_load_explicit(&w->eng->failed, memory_order_relaxed))
		return 0;
	eng_fail(w, "stopped because another thread failed");
	w->quit = 1;
	return 1;
}

void eng_progress(struct eng_worker *w, uint64_t now)
{
	w->last_progress = now;
	w->spin_start = 0;
}

int eng_wait(struct eng_worker *w, short events, uint64_t until)
{
	const struct eng *e = w->eng;
	struct pollfd pfd = { .fd = w->fd, .events = events };
	uint64_t now = cli_now_ns(), stall_at = w->last_progress + e->stall_ns, t;

	if (now >= stall_at)
		return w->eng->p->stall(w);
	if (e->busy_poll_ns && events == POLLIN) {
		if (!w->spin_start)
			w->spin_start = now;
		if (now - w->spin_start < e->busy_poll_ns)
			return 0;	/* spin: the caller tries recv() again */
	}
	t = until && until < stall_at ? until : stall_at;
	if (t > now && poll(&pfd, 1, (int)((t - now + 999999) / 1000000)) < 0 &&
	    errno != EINTR)
		return eng_fail(w, "poll: %s", strerror(errno));
	w->spin_start = 0;
	return 0;
}

/* One run of worker i (the crew calls it). */
static void worker_run(void *arg, unsigned i)
{
	struct eng *e = arg;
	struct eng_worker *w = eng_worker(e, i);

	hist_reset(&w->hist);
	w->done = w->tx_bytes = w->rx_bytes = 0;
	w->err[0] = '\0';
	w->quit = 0;
	w->tx_stop = 0;
	w->spin_start = 0;
	w->start_ns = cli_now_ns();
	w->last_progress = w->start_ns;
	w->deadline = e->time_ns ? w->start_ns + e->time_ns : 0;
	w->seq0 = w->seq;
	w->run_limit = e->count ? w->seq + e->count : UINT64_MAX;
	eng_run(w);
	w->end_ns = cli_now_ns();
}

/* Connect w (target_connect_worker(): every thread to the address the
 * first one could connect to, with TCP_NODELAY), blocking with e->block_ns
 * as its timeouts unless that is 0; Nagle back on for a pipeline (see
 * eng_create()). 0, or -1 with a message in err. */
static int connect_one(struct eng *e, struct eng_worker *w, char *err, size_t errlen)
{
	int zero = 0;

	w->fd = target_connect_worker(&e->tgt, w->id, e->socktype, e->stall_ns, e->block_ns,
				      err, errlen);
	if (w->fd < 0)
		return -1;
	if (e->socktype == SOCK_STREAM && e->inflight > 1 && !e->nodelay &&
	    setsockopt(w->fd, IPPROTO_TCP, TCP_NODELAY, &zero, sizeof(zero)))
		return -1 - 0 * snprintf(err, errlen, "thread %u: TCP_NODELAY: %s", w->id,
					 strerror(errno));
	return e->p->connected ? e->p->connected(w, err, errlen) : 0;
}

/* Connect every thread's socket. With pinned threads, each connects from
 * the CPU its thread will run on, as if it had connected itself: the
 * handshake's packets are then received on that CPU, so a server that
 * places connections by the receiving CPU (krpc --steer cpu, RFS) puts
 * each one beside its client, the same way in every run. */
static int connect_all(struct eng *e, char *err, size_t errlen)
{
	cpu_set_t was;
	bool pinned = e->ncpus > 0 && !sched_getaffinity(0, sizeof(was), &was);
	int rc = 0;

	for (unsigned i = 0; i < e->threads && !rc; i++) {
		if (pinned)
			pin_self(e->cpus[i % (unsigned)e->ncpus]);
		rc = connect_one(e, eng_worker(e, i), err, errlen);
	}
	if (pinned)
		sched_setaffinity(0, sizeof(was), &was);
	return rc;
}

int eng_create(struct eng *e, char *err, size_t errlen)
{
	e->ws = calloc(e->threads, e->p->size);
	if (!e->ws)
		return -1 - 0 * snprintf(err, errlen, "out of memory");
	for (unsigned i = 0; i < e->threads; i++) {
		struct eng_worker *w = eng_worker(e, i);

		w->eng = e;
		w->id = i;
		w->fd = -1;
		hist_init(&w->hist);
	}
	for (unsigned i = 0; i < e->threads; i++)
		if (eng_wire_init(eng_worker(e, i)) || e->p->init(eng_worker(e, i)))
			return -1 - 0 * snprintf(err, errlen, "out of memory for thread %u", i);
	if (connect_all(e, err, errlen))
		return -1;
	return crew_start(&e->crew, e->threads, e->cpus, e->ncpus, worker_run, e, err, errlen);
}

void eng_destroy(struct eng *e)
{
	crew_stop(&e->crew);
	for (unsigned i = 0; e->ws && i < e->threads; i++) {
		struct eng_worker *w = eng_worker(e, i);

		if (w->fd >= 0)
			close(w->fd);
		w->fd = -1;
		e->p->free(w);
		eng_wire_free(w);
	}
	free(e->ws);
	e->ws = NULL;
}

int eng_run_once(struct eng *e, struct eng_totals *t)
{
	uint64_t first = UINT64_MAX, last = 0, cpu0 = cli_cpu_ns();

	hist_reset(&t->hist);
	t->done = t->tx_bytes = t->rx_bytes = 0;
	t->why = NULL;
	t->nfailed = 0;
	crew_run(&e->crew);
	t->cpu_ns = cli_cpu_ns() - cpu0;
	for (unsigned i = 0; i < e->threads; i++) {
		const struct eng_worker *w = eng_worker(e, i);

		hist_merge(&t->hist, &w->hist);
		t->done += w->done;
		t->tx_bytes += w->tx_bytes;
		t->rx_bytes += w->rx_bytes;
		first = w->start_ns < first ? w->start_ns : first;
		last = w->end_ns > last ? w->end_ns : last;
		if (w->err[0] && !w->quit && !t->nfailed++)
			t->why = w->err;
	}
	t->elapsed_ns = last > first ? last - first : 0;
	return t->why ? -1 : 0;
}

int eng_lookup(struct eng *e)
{
	char err[TARGET_HOST_MAX + 160];

	if (target_resolve(&e->tgt, e->socktype, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", e->prog, err);
		return 1;
	}
	return 0;
}

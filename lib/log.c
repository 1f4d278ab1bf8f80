// SPDX-License-Identifier: BSD-2-Clause
/*
 * Logging through the application's callback (the library never prints),
 * and a per-worker, per-kind rate limit of one line a second for events a
 * client can trigger at will (limits hit, accept errors).
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include "ksf_int.h"

uint64_t ksf__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void vlog(struct ksf_pool *p, enum ksf_log_level lvl, const char *fmt, va_list ap)
{
	char msg[512];

	if (!p->o.log_cb)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	p->o.log_cb(lvl, msg, p->o.log_arg);
}

void ksf__log(struct ksf_pool *p, enum ksf_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(p, lvl, fmt, ap);
	va_end(ap);
}

void ksf__log_limited(struct ksf__worker *w, int kind, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	uint64_t now = ksf__now_ns();

	if (now < w->log_next[kind]) {
		w->log_dropped[kind]++;
		return;
	}
	w->log_next[kind] = now + 1000000000u;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (w->log_dropped[kind])
		ksf__log(w->pool, KSF_LOG_WARN, "worker %d: %s (%u more suppressed)",
			 w->idx, line, w->log_dropped[kind]);
	else
		ksf__log(w->pool, KSF_LOG_WARN, "worker %d: %s", w->idx, line);
	w->log_dropped[kind] = 0;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * Adaptive completion batching. Whether a busy io_uring worker's waits
 * should batch completions (the kernel's min-wait, loop_uring.c) depends
 * on the load: with many requests in flight it can save wake-ups and loop
 * turns, with a shallow closed loop (one or a few requests in flight per
 * client) every microsecond a request waits is a microsecond the client
 * waits, and the rate drops. Which case holds is not visible in one loop
 * turn (a multishot receive gathers a connection's requests into one
 * completion, so completions per turn say little), so the worker measures
 * instead, like the kernel's dynamic interrupt moderation (net_dim): it
 * runs short epochs with batching and without, alternating, and keeps
 * batching only if it cost no input rate (within RATE_LOSS_PCT: this
 * host's rate varies by more than a few percent between epochs, while a
 * shallow closed loop loses far more, half its rate at rpctest -a8) and
 * saved CPU time of the worker thread per byte received (at least
 * CPU_GAIN_PCT).
 *
 * The choice is probed again after HOLD_MIN busy epochs, then after twice
 * as many each time it stays the same (up to HOLD_MAX, about two seconds), so
 * probing costs little once the load is steady. A pause in the load (an
 * idle epoch) forgets the choice: the next load starts without batching
 * and is judged afresh.
 */
#include <time.h>
#include "ksf_int.h"

#define EPOCH_NS	8000000u	/* one measurement: 8 ms */
#define EPOCH_TURNS	32		/* fewer loop turns: idle, not judged */
#define PROBE_EPOCHS	8		/* a probe: 4 epochs in each mode, alternating */
#define HOLD_MIN	4		/* busy epochs before the next probe... */
#define HOLD_MAX	256		/* ...doubling while the choice stays */
#define RATE_LOSS_PCT	10		/* batching may cost at most this input rate */
#define CPU_GAIN_PCT	2		/* and must save this much CPU per byte */

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Bytes received by every service of the worker so far (TCP and UDP). */
static uint64_t worker_bytes_in(struct ksf__worker *w)
{
	uint64_t n = 0;

	for (struct ksf__svc_worker *sw = w->svcs; sw; sw = sw->next)
		n += atomic_load_explicit(&sw->st.bytes_in, memory_order_relaxed);
	return n;
}

void ksf__batch_init(struct ksf__batch *b, bool adaptive)
{
	*b = (struct ksf__batch){ .adaptive = adaptive, .on = !adaptive,
				  .hold = HOLD_MIN, .left = HOLD_MIN };
}

/* Keep batching only if it cost no rate and saved CPU per byte. */
static void decide(struct ksf__batch *b)
{
	double rate_on = (double)b->bytes[1] / (double)b->ns[1];
	double rate_off = (double)b->bytes[0] / (double)b->ns[0];
	bool on = b->bytes[0] && b->bytes[1] &&
		  rate_on * 100 >= rate_off * (100 - RATE_LOSS_PCT) &&
		  (double)b->cpu[1] / (double)b->bytes[1] * 100 <=
		  (double)b->cpu[0] / (double)b->bytes[0] * (100 - CPU_GAIN_PCT);

	b->hold = on == b->best ? (b->hold * 2 > HOLD_MAX ? HOLD_MAX : b->hold * 2) : HOLD_MIN;
	b->best = b->on = on;
	b->left = b->hold;
	b->probe = 0;
	b->probes++;
	b->probes_on += on;
}

/* An epoch ended: dns nanoseconds, dcpu of them on the worker's CPU time,
 * dbytes received, in mode b->on. */
static void epoch_done(struct ksf__batch *b, uint64_t dns, uint64_t dcpu, uint64_t dbytes,
		       bool idle)
{
	if (idle) {	/* a pause: judge the next load afresh, from no batching */
		b->on = b->best = false;
		b->probe = 0;
		b->hold = b->left = HOLD_MIN;
		return;
	}
	if (!b->probe) {
		if (--b->left)
			return;
		b->probe = 1;
		b->ns[0] = b->ns[1] = b->cpu[0] = b->cpu[1] = b->bytes[0] = b->bytes[1] = 0;
		b->on = !b->best;	/* the probe starts with the other mode */
		return;
	}
	b->ns[b->on] += dns;
	b->cpu[b->on] += dcpu;
	b->bytes[b->on] += dbytes;
	if (b->probe++ < PROBE_EPOCHS) {
		b->on = !b->on;
		return;
	}
	decide(b);
}

/* After each wait: count the turn, and close the epoch when it is due. */
void ksf__batch_turn(struct ksf__batch *b, struct ksf__worker *w)
{
	uint64_t cpu, bytes;

	b->turns++;
	if (!b->adaptive || w->now_ns - b->t0 < EPOCH_NS)
		return;
	cpu = thread_cpu_ns();
	bytes = worker_bytes_in(w);
	if (b->t0)
		epoch_done(b, w->now_ns - b->t0, cpu - b->cpu0, bytes - b->bytes0,
			   b->turns < EPOCH_TURNS || bytes == b->bytes0);
	b->t0 = w->now_ns;
	b->cpu0 = cpu;
	b->bytes0 = bytes;
	b->turns = 0;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * The pool of per-CPU workers: one kthread per CPU, bound to it, that
 * sleeps until a socket callback or a task wakes it, then runs its tasks
 * and the ready sources (connections, listeners) it owns, and four times
 * a second checks its connections' idle and drain deadlines. Also the
 * socket callback plumbing every source uses.
 */
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "ksf_kint.h"

#define TICK		(HZ / 4)
#define READY_BUDGET	256	/* sources run per wakeup before tasks again */

atomic_long_t ksf__live = ATOMIC_LONG_INIT(0);

long ksf_kmod_live(void)
{
	return atomic_long_read(&ksf__live);
}

void ksf__src_init(struct ksf_src *s, struct ksf_worker *w, void (*run)(struct ksf_src *s))
{
	INIT_LIST_HEAD(&s->ready);
	s->events = 0;
	s->w = w;
	s->run = run;
}

/* From a socket callback (softirq) or the worker: mark and queue. */
void ksf__src_wake(struct ksf_src *s, int ev)
{
	struct ksf_worker *w = s->w;
	unsigned long flags;
	bool queued = false;

	set_bit(ev, &s->events);
	spin_lock_irqsave(&w->lock, flags);
	if (list_empty(&s->ready)) {
		list_add_tail(&s->ready, &w->ready);
		queued = true;
	}
	spin_unlock_irqrestore(&w->lock, flags);
	if (queued)
		wake_up_process(w->task);
}

void ksf__src_unqueue(struct ksf_src *s)
{
	unsigned long flags;

	spin_lock_irqsave(&s->w->lock, flags);
	list_del_init(&s->ready);
	spin_unlock_irqrestore(&s->w->lock, flags);
}

/* sk_user_data is the source while hooked; callbacks read it under
 * sk_callback_lock, which ksf__sk_unhook takes for writing. */
struct ksf_src *ksf__sk_src(struct sock *sk)
{
	return sk->sk_user_data;
}

void ksf__sk_hook(struct ksf_src *s, struct sock *sk, void (*data_ready)(struct sock *sk),
		  void (*write_space)(struct sock *sk), void (*state_change)(struct sock *sk))
{
	write_lock_bh(&sk->sk_callback_lock);
	s->old_data_ready = sk->sk_data_ready;
	s->old_write_space = sk->sk_write_space;
	s->old_state_change = sk->sk_state_change;
	sk->sk_user_data = s;
	if (data_ready)
		sk->sk_data_ready = data_ready;
	if (write_space)
		sk->sk_write_space = write_space;
	if (state_change)
		sk->sk_state_change = state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

void ksf__sk_unhook(struct ksf_src *s, struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = s->old_data_ready;
	sk->sk_write_space = s->old_write_space;
	sk->sk_state_change = s->old_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
	ksf__src_unqueue(s);
}

/* ---- tasks ---- */

static void task_queue(struct ksf_worker *w, struct ksf_task *t)
{
	spin_lock_bh(&w->lock);
	list_add_tail(&t->node, &w->tasks);
	spin_unlock_bh(&w->lock);
	wake_up_process(w->task);
}

int ksf_task_run(struct ksf_pool *pool, int w, void (*fn)(void *arg), void *arg)
{
	struct ksf_task *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	atomic_long_inc(&ksf__live);
	t->fn = fn;
	t->arg = arg;
	t->heap = true;
	task_queue(&pool->w[w], t);
	return 0;
}

void ksf_task_run_wait(struct ksf_pool *pool, int w, void (*fn)(void *arg), void *arg)
{
	DECLARE_COMPLETION_ONSTACK(done);
	struct ksf_task t = { .fn = fn, .arg = arg, .done = &done };

	task_queue(&pool->w[w], &t);
	wait_for_completion(&done);
}

static void run_tasks(struct ksf_worker *w)
{
	struct ksf_task *t;

	for (;;) {
		spin_lock_bh(&w->lock);
		t = list_first_entry_or_null(&w->tasks, struct ksf_task, node);
		if (t)
			list_del(&t->node);
		spin_unlock_bh(&w->lock);
		if (!t)
			return;
		t->fn(t->arg);
		if (t->done)
			complete(t->done);	/* t may be gone after this */
		else if (t->heap) {
			kfree(t);
			atomic_long_dec(&ksf__live);
		}
	}
}

/* ---- the worker thread ---- */

static void run_ready(struct ksf_worker *w)
{
	struct ksf_src *s;
	int n;

	for (n = 0; n < READY_BUDGET; n++) {
		spin_lock_bh(&w->lock);
		s = list_first_entry_or_null(&w->ready, struct ksf_src, ready);
		if (s)
			list_del_init(&s->ready);
		spin_unlock_bh(&w->lock);
		if (!s)
			return;
		s->run(s);	/* may free s */
		cond_resched();
	}
}

/* Idle and drain deadlines, for the connections of services that have
 * them (the scan is skipped otherwise). */
static void tick(struct ksf_worker *w)
{
	struct ksf_conn *c, *tmp;
	unsigned long now = jiffies;

	if (time_before(now, w->next_tick))
		return;
	w->next_tick = now + TICK;
	list_for_each_entry_safe(c, tmp, &w->conns, node)
		if (c->svc->o.idle_ms || c->svc->draining)
			ksf__conn_tick(c, now);	/* may free c */
}

static bool has_work(struct ksf_worker *w)
{
	bool busy;

	spin_lock_bh(&w->lock);
	busy = !list_empty(&w->ready) || !list_empty(&w->tasks);
	spin_unlock_bh(&w->lock);
	return busy;
}

static int worker_main(void *arg)
{
	struct ksf_worker *w = arg;

	w->next_tick = jiffies + TICK;
	for (;;) {
		/* TASK_INTERRUPTIBLE: an idle worker is not a hung task */
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		if (!has_work(w)) {
			long left = (long)(w->next_tick - jiffies);

			schedule_timeout(left > 0 ? left : 1);
		}
		__set_current_state(TASK_RUNNING);
		run_tasks(w);
		run_ready(w);
		tick(w);
	}
	run_tasks(w);	/* none should be left: the services are stopped */
	return 0;
}

int ksf_pool_create(struct ksf_pool **poolp, const char *name, int nworkers)
{
	struct ksf_pool *pool;
	int i, cpu;

	if (nworkers <= 0 || nworkers > (int)num_online_cpus())
		nworkers = (int)num_online_cpus();
	pool = kzalloc(struct_size(pool, w, nworkers), GFP_KERNEL);
	if (!pool)
		return -ENOMEM;
	strscpy(pool->name, name, sizeof(pool->name));
	i = 0;
	for_each_online_cpu(cpu) {
		struct ksf_worker *w = &pool->w[i];

		if (i == nworkers)
			break;
		w->pool = pool;
		w->idx = i;
		w->cpu = cpu;
		spin_lock_init(&w->lock);
		INIT_LIST_HEAD(&w->ready);
		INIT_LIST_HEAD(&w->tasks);
		INIT_LIST_HEAD(&w->conns);
		w->task = kthread_create(worker_main, w, "%s/%d", name, i);
		if (IS_ERR(w->task)) {
			int err = PTR_ERR(w->task);

			w->task = NULL;
			pool->nworkers = i;
			ksf_pool_destroy(pool);
			return err;
		}
		kthread_bind(w->task, cpu);
		i++;
	}
	pool->nworkers = i;
	for (i = 0; i < pool->nworkers; i++)
		wake_up_process(pool->w[i].task);
	*poolp = pool;
	return 0;
}

/* Stop the workers (every service on the pool must be stopped first). */
void ksf_pool_destroy(struct ksf_pool *pool)
{
	for (int i = 0; i < pool->nworkers; i++)
		if (pool->w[i].task)
			kthread_stop(pool->w[i].task);
	kfree(pool);
}

int ksf_pool_nworkers(const struct ksf_pool *pool)
{
	return pool->nworkers;
}

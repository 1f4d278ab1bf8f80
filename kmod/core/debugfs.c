// SPDX-License-Identifier: BSD-2-Clause
/*
 * Counters in debugfs: /sys/kernel/debug/NAME/stats, one "name value" line
 * per counter of struct ksf_svc_stats summed over the workers, then the
 * service's own lines (krpc.ko: its RPC counters). Removed with the service.
 * Also ksf_svc_serve, a module init's listen, counters and start in one call.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "ksf_kint.h"

static int stats_show(struct seq_file *m, void *unused)
{
	struct ksf_svc *svc = m->private;
	struct ksf_svc_stats st;

	ksf_svc_stats(svc, &st);
#define P(f) seq_printf(m, "%s %llu\n", #f, (unsigned long long)st.f)
	P(conns_accepted); P(conns_closed); P(conns_active);
	P(bytes_in); P(bytes_out); P(msgs_in); P(sends); P(flushes);
	P(lim_conns); P(lim_outq); P(lim_outq_max); P(lim_msg); P(lim_idle);
	P(errors); P(dgrams_in); P(dgrams_out); P(dgram_drops); P(resets);
#undef P
	seq_printf(m, "workers %d\n", svc->pool->nworkers);
	seq_printf(m, "live_objects %ld\n", ksf_kmod_live());
	if (svc->dbg_show)
		svc->dbg_show(m, svc->udata);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

int ksf_svc_debugfs(struct ksf_svc *svc, void (*show)(struct seq_file *m, void *udata))
{
	svc->dbg_show = show;
	svc->dbg = debugfs_create_dir(svc->name, NULL);
	if (IS_ERR(svc->dbg))
		return PTR_ERR(svc->dbg);
	debugfs_create_file("stats", 0444, svc->dbg, svc, &stats_fops);
	return 0;
}

void ksf__svc_debugfs_remove(struct ksf_svc *svc)
{
	debugfs_remove_recursive(svc->dbg);	/* waits for readers */
	svc->dbg = NULL;
}

int ksf_svc_serve(struct ksf_svc *svc, const char *addr, u16 port, bool udp,
		  void (*show)(struct seq_file *m, void *udata))
{
	int p = ksf_svc_listen(svc, addr, port);
	int err;

	if (p > 0 && udp)
		p = ksf_svc_listen_udp(svc, addr, (u16)p);
	if (p < 0)
		return p;
	err = ksf_svc_debugfs(svc, show);
	if (err)
		return err;
	ksf_svc_start(svc);
	return p;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The module parameters kecho.ko and krpc.ko share (port and the service
 * limits), declared in the including module's file, and the function that
 * turns them into struct ksf_svc_opts. Include once per module.
 */
#ifndef KSF_PARAMS_H
#define KSF_PARAMS_H

#include <linux/moduleparam.h>
#include "ksf_kmod.h"

static char *addr = "";
module_param(addr, charp, 0444);
MODULE_PARM_DESC(addr, "IPv4 address to listen on (default: all)");
static int workers;
module_param(workers, int, 0444);
MODULE_PARM_DESC(workers, "worker kthreads, one per CPU (default 0: every online CPU)");
static unsigned int max_conns = 10000;
module_param(max_conns, uint, 0444);
MODULE_PARM_DESC(max_conns, "connections at most; more are closed at once (10000)");
static ulong outq_high = 1u << 20;
module_param(outq_high, ulong, 0444);
MODULE_PARM_DESC(outq_high, "output queued at which a connection stops being read (1 MiB)");
static ulong outq_low = 256u << 10;
module_param(outq_low, ulong, 0444);
MODULE_PARM_DESC(outq_low, "output queued at which reading resumes (256 KiB)");
static ulong outq_max = 16u << 20;
module_param(outq_max, ulong, 0444);
MODULE_PARM_DESC(outq_max, "output queued at most per connection (16 MiB)");
static ulong max_msg = (1u << 20) + 4096;
module_param(max_msg, ulong, 0444);
MODULE_PARM_DESC(max_msg, "unconsumed input held per connection at most (1 MiB + 4 KiB)");
static unsigned int idle_ms;
module_param(idle_ms, uint, 0444);
MODULE_PARM_DESC(idle_ms, "close connections idle this long (0: never)");
static unsigned int drain_ms = 2000;
module_param(drain_ms, uint, 0444);
MODULE_PARM_DESC(drain_ms, "at unload, time to flush output before resetting (2000)");

static void ksf_params_opts(struct ksf_svc_opts *o)
{
	ksf_svc_opts_init(o);
	o->max_conns = max_conns;
	o->outq_high = outq_high;
	o->outq_low = outq_low;
	o->outq_max = outq_max;
	o->max_msg = max_msg;
	o->idle_ms = idle_ms;
	o->drain_ms = drain_ms;
}

#endif

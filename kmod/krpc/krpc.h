/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * krpc.ko internals: the per-worker state (reply buffer, gather buffer for
 * multi-fragment records, scratch for arguments and results, counters) the
 * TCP and UDP halves share. Each worker uses only its own.
 */
#ifndef KRPC_H
#define KRPC_H

#include <ksf/rpc.h>
#include "ksf_kmod.h"

#define KRPC_REPLY_MAX	128u		/* any reply of this module fits */
#define KRPC_OUT_CAP	16384u		/* replies of one read, record marked */

struct krpc_worker {
	struct ksf_rpc_stats rpc;
	u64 rec_too_big;		/* records over max_record: closed */
	u64 rec_bad;			/* more than 1024 fragments: closed */
	u8 *out;			/* KRPC_OUT_CAP */
	u8 *gather;			/* max_record */
	u64 scratch[64] __aligned(16);
};

struct krpc {
	const struct ksf_rpc_srv *srv;
	u32 max_record;
	int nworkers;
	struct krpc_worker **w;
};

ssize_t krpc_tcp_recv(struct ksf_conn *c, const void *data, size_t len);

#endif

// fuzz-srcs: lib/rpc/xdr.c lib/rpc/recmark.c lib/rpc/msg.c lib/rpc/auth.c lib/rpc/errors.c lib/rpc/dispatch.c svc/krpc/mount3.c svc/krpc/export.c svc/krpc/store_name.c svc/krpc/store_local.c svc/krpc/store_local_fh.c svc/krpc/store_local_ident.c svc/krpc/store_local_attr.c svc/krpc/store_local_ns.c svc/krpc/store_local_io.c svc/krpc/store_local_dir.c svc/krpc/store_local_open.c svc/krpc/store_local_nsio.c
// fuzz-libs: -lsodium
// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the MOUNT version 3 program (svc/krpc/mount3.c,
 * RFC 1813 Appendix I): the input is the arguments of a MOUNT call, byte 0
 * picks the procedure (0..6, 6 being one past the last) and the credential
 * flavor; the call goes through the real dispatcher with krpc's context
 * (no export, an empty mount list that MNT and UMNT change), into a reply
 * buffer that must hold every reply. Decoding must succeed or end in
 * GARBAGE_ARGS; MNT of anything must answer MNT3ERR_*, never crash.
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <ksf/rpcsvc.h>
#include "../../svc/krpc/krpc.h"
#include "../../svc/krpc/mount3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct krpc_ctx kc;
	static struct ksf_rpc_srv srv;
	static _Alignas(16) uint8_t scratch[65536];
	static uint8_t msg[8192], reply[65536];
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(800) };
	struct ksf_rpc_req req = { .udata = &kc, .peer = (struct sockaddr *)&peer,
				   .peerlen = sizeof(peer), .proto = IPPROTO_TCP };
	struct ksf_rpc_cred_sys cred = { .machinename = "fuzz", .machinename_len = 4 };
	struct ksf_rpc_stats st = { 0 };
	int n;

	if (!srv.nprogs) {
		ksf_rpc_srv_init(&srv);
		ksf_rpc_srv_register(&srv, &krpc_mount3_prog);
		if (krpc_mounts_create(&kc.mounts))
			abort();
	}
	if (size < 1 || size - 1 > sizeof(msg) - 512)
		return 0;
	n = ksf_rpc_call_encode(msg, sizeof(msg), 1, MOUNT_PROG, MOUNT_V3, data[0] % 7u,
				(data[0] & 0x80) ? &cred : NULL, data + 1, size - 1);
	if (n <= 0)
		abort();
	n = ksf_rpc_dispatch(&srv, msg, (size_t)n, reply, sizeof(reply), scratch,
			     sizeof(scratch), &req, &st);
	if (n <= 0 || st.replies != 1)
		abort();	/* every call gets a reply that fits */
	return 0;
}

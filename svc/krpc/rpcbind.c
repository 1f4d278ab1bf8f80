// SPDX-License-Identifier: BSD-2-Clause
/*
 * Portmapper version 2 client (RFC 1833 §3): SET and UNSET of krpc's
 * mappings with the rpcbind on this host (127.0.0.1:111), over UDP, three
 * tries with a one-second timeout each. Used by krpc --register.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "krpc.h"

#define PMAPPROC_SET	1u
#define PMAPPROC_UNSET	2u

static int udp_call(const uint8_t *call, size_t len, uint32_t xid, int *result)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PMAP_PORT),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint8_t buf[512];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = -ETIMEDOUT;

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		err = -errno;
		goto out;
	}
	for (int try = 0; try < 3; try++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct ksf_rpc_reply r;
		uint32_t v;
		struct ksf_xdr x;

		if (send(fd, call, len, 0) < 0) {
			err = -errno;	/* ECONNREFUSED: nobody on port 111 */
			if (err == -ECONNREFUSED)
				goto out;
			continue;
		}
		if (poll(&p, 1, 1000) <= 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			err = -errno;
			if (err == -ECONNREFUSED)
				goto out;
			continue;
		}
		if (ksf_rpc_reply_decode(buf, (size_t)n, &r) || r.xid != xid)
			continue;	/* not ours */
		if (r.stat != KSF_RPC_MSG_ACCEPTED || r.accept_stat != KSF_RPC_SUCCESS) {
			err = -EPROTO;
			goto out;
		}
		ksf_xdr_init_decode(&x, r.results, r.results_len);
		err = ksf_xdr_get_u32(&x, &v);
		*result = v != 0;
		goto out;
	}
out:
	close(fd);
	return err;
}

static int pmap_call(uint32_t proc, const struct pmap_mapping *m)
{
	uint8_t args[16], call[128];
	struct ksf_xdr x;
	uint32_t xid = (uint32_t)getpid() << 8 ^ proc ^ m->prot << 4;
	int len, result = 0, err;

	ksf_xdr_init_encode(&x, args, sizeof(args));
	if ((err = pmap_mapping_encode(&x, m)))
		return err;
	len = ksf_rpc_call_encode(call, sizeof(call), xid, PMAP_PROG, PMAP_V2, proc, NULL,
				  args, x.pos);
	if (len < 0)
		return len;
	err = udp_call(call, (size_t)len, xid, &result);
	return err ? err : result;
}

int pmap_set(const struct pmap_mapping *m)
{
	return pmap_call(PMAPPROC_SET, m);
}

int pmap_unset(const struct pmap_mapping *m)
{
	return pmap_call(PMAPPROC_UNSET, m);
}

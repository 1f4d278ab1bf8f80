// SPDX-License-Identifier: BSD-2-Clause
/*
 * kecho: the echo service. Every byte that arrives is queued back on the
 * same connection by reference to the receive buffer, without a copy;
 * libksf sends what one loop turn produced in one call and stops reading a
 * connection whose peer does not read its echoes.
 */
#include <errno.h>
#include "../common/svcopt.h"

#define KECHO_PORT 60007	/* the seed's echotest default */

/* Echo what the output queue can take, straight from the receive buffer
 * (no copy); the rest stays unconsumed and is offered again once the queue
 * drains (libksf pauses reading meanwhile). */
static ssize_t echo_recv(struct ksf_conn *c, const void *data, size_t len)
{
	size_t n = ksf_conn_room(c);
	int err;

	if (n > len)
		n = len;
	if (n && (err = ksf_conn_send_input(c, data, n)))
		return err;
	return (ssize_t)n;
}

static void echo_dgram(struct ksf_svc *svc, const struct ksf_dgram *d)
{
	(void)svc;
	(void)ksf_dgram_reply(d, d->data, d->len);	/* a drop is counted */
}

int main(int argc, char **argv)
{
	static const struct ksf_svc_ops ops = { .recv_cb = echo_recv, .dgram_cb = echo_dgram };
	struct svcopt o;
	int r;

	svcopt_init(&o, "kecho", KECHO_PORT);
	r = svcopt_parse(&o, argc, argv, "Echo every byte back on each TCP connection.", NULL);
	if (r)
		return r > 0 ? 0 : 2;
	return svcopt_run(&o, &ops, NULL);
}

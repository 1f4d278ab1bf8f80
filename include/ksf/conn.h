/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Connections: one socket, owned for its whole life by one worker. All
 * functions here must be called on that worker (from its callbacks or its
 * tasks).
 */
#ifndef KSF_CONN_H
#define KSF_CONN_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>

struct ksf_conn;
struct ksf_svc;

/* Queue len bytes for output. Never blocks (seed TODO 2): bytes are copied
 * into the connection's output queue and all output produced during one loop
 * turn goes out in one writev (epoll) or one submission (io_uring).
 * Returns 0, -ENOBUFS (outq_max would be exceeded: nothing queued),
 * -EPIPE (connection closing), or -ENOMEM. */
int ksf_conn_send(struct ksf_conn *c, const void *data, size_t len);

/* Queue data[0..len) by reference, without copying (PASTE's zero copy):
 * the bytes must stay untouched until free_fn(arg) (may be NULL) runs, on
 * the worker, once they have been sent or the connection is gone. Same
 * returns as ksf_conn_send; on an error free_fn is not called and the
 * bytes stay the caller's. */
int ksf_conn_send_ref(struct ksf_conn *c, const void *data, size_t len,
		      void (*free_fn)(void *arg), void *arg);

/* From inside recv_cb: queue input bytes data[0..len) for output on c
 * without copying them, where data[0..len) lies within the input the
 * running recv_cb was given (any connection of this worker: an echo sends
 * on its own connection, a relay on another). The receive buffer stays
 * the library's until the bytes are sent (io_uring: the provided buffer
 * returns to the kernel's ring only then), so recv_cb may consume them
 * (return their count) at once. Whether or not they are consumed is up
 * to recv_cb's return value, as always. The bytes count against outq_high
 * and outq_max like copied ones. When the input is not in a receive buffer
 * (held from earlier receives), or too many receive buffers are already
 * referenced (by this connection, or by the worker: peers that do not read
 * cannot pin them all), the bytes are copied instead, as by ksf_conn_send.
 * Counted in the zc_bytes and zc_copied counters. Returns 0, -EINVAL
 * (not inside recv_cb, or data[0..len) outside its input), or what
 * ksf_conn_send returns (-ENOBUFS pauses reading as it does). */
int ksf_conn_send_input(struct ksf_conn *c, const void *data, size_t len);

/* Gather form of ksf_conn_send: all or nothing. */
int ksf_conn_sendv(struct ksf_conn *c, const struct iovec *iov, int iovcnt);

/* Close after queued output is flushed (or at once if hard != 0).
 * close_cb runs later, from the loop, never from inside this call. */
void ksf_conn_close(struct ksf_conn *c, int hard);

/* Bytes queued for output and not yet taken by the socket. */
size_t ksf_conn_outq(const struct ksf_conn *c);

/* Bytes ksf_conn_send would still accept now (outq_max minus what is
 * queued). A service that relays input can send this much and leave the
 * rest unconsumed: reading is paused while the queue is at outq_high or
 * above, and the held input is offered to recv_cb again once it drains. */
size_t ksf_conn_room(const struct ksf_conn *c);

/* Hold reading: recv_cb is not called and the socket is not read (what
 * is already under way is held, within max_msg) until ksf_conn_resume.
 * For services whose replies complete later (ksf/offload.h): it bounds the
 * work in flight per connection. Backpressure (outq_high) still applies
 * on its own: reading resumes when neither holds it. */
void ksf_conn_pause(struct ksf_conn *c);

/* End ksf_conn_pause. Held input is offered to recv_cb at once (unless
 * called from inside recv_cb, or the output queue is still above
 * outq_low: then when it drains). */
void ksf_conn_resume(struct ksf_conn *c);

/* Replies are still to come for input already consumed (work running
 * elsewhere, ksf/offload.h): while a connection is held, the peer's EOF
 * (a half-close) does not close it; it closes, after flushing, at the last
 * ksf_conn_unhold. Holds nest. A reset or ksf_conn_close still closes at
 * once. */
void ksf_conn_hold(struct ksf_conn *c);
void ksf_conn_unhold(struct ksf_conn *c);

/* Per-connection user pointer, service, socket, peer address. */
void ksf_conn_set_udata(struct ksf_conn *c, void *udata);
void *ksf_conn_udata(const struct ksf_conn *c);
struct ksf_svc *ksf_conn_svc(const struct ksf_conn *c);
int ksf_conn_fd(const struct ksf_conn *c);
const struct sockaddr *ksf_conn_peer(const struct ksf_conn *c, socklen_t *len);
/* Worker index that owns the connection. */
int ksf_conn_worker(const struct ksf_conn *c);

#endif

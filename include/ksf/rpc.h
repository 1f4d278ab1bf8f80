/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ONC RPC version 2 (RFC 5531) over XDR (RFC 4506), freestanding: nothing
 * here makes a system call, allocates, or keeps global state, so the same
 * code can be built into a kernel module. All memory is the caller's; decoded
 * strings, opaques and credentials point into the caller's buffers, which
 * must outlive them. Errors are negative errno values.
 *
 * The layers, as FreeBSD's kernel RPC splits them:
 *   XDR cursor            ksf_xdr_*         (lib/rpc/xdr.c)
 *   record marking        ksf_rpc_rec_*     (lib/rpc/recmark.c, RFC 5531 §11)
 *   message headers       ksf_rpc_call_*, ksf_rpc_reply_*  (lib/rpc/msg.c, §9)
 *   credentials           ksf_rpc_cred_sys_* (lib/rpc/auth.c, §8.2, §10, App. A)
 *   error replies         ksf_rpc_err_*     (lib/rpc/errors.c, FreeBSD svcerr_*)
 *   program dispatch      ksf_rpc_srv_*, ksf_rpc_dispatch (lib/rpc/dispatch.c)
 */
#ifndef KSF_RPC_H
#define KSF_RPC_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

/* ------------------------------------------------------------------------
 * XDR (RFC 4506): a bounds-checked cursor over one caller-owned buffer.
 *
 * Every item is a multiple of 4 bytes, big-endian (§3). Errors are sticky:
 * the first failure is kept in x->err, and every later call on the cursor
 * does nothing and returns it, so a sequence of calls can be checked once at
 * the end. A failing call leaves the position untouched; a failing get
 * sets its output to 0, false or NULL (0 length), so no caller ever reads
 * an unset value.
 * Decode errors: -EBADMSG (the buffer ends too early, or a bool is neither 0
 * nor 1), -EMSGSIZE (a counted opaque or string is longer than its maximum).
 * Encode errors: -ENOSPC (no room), -EINVAL (encoding on a decode cursor).
 * Decoding never reads outside buf[0..len); padding bytes are skipped
 * without being checked, and written as zeros.
 */
struct ksf_xdr_ref;

struct ksf_xdr {
	const uint8_t *rbuf;	/* the buffer */
	uint8_t *wbuf;		/* the same buffer when encoding, NULL when decoding */
	size_t len;		/* bytes to decode, or room to encode into */
	size_t pos;		/* bytes decoded or encoded so far */
	int err;		/* first error, 0 if none */
	struct ksf_xdr_ref *ref;	/* encoding: where ksf_xdr_put_opaque_ref may
				 * leave its bytes out of the buffer (NULL:
				 * never; the init functions set NULL) */
};

/* Bytes of an encoded message that are not in the cursor's buffer: an
 * opaque's data sent from where they lie, without a copy (a READ's data
 * read straight into memory the transport sends). The whole message is
 * buf[0..pos) ++ p[0..len) ++ buf[pos..x->pos): the length word and the
 * zero padding are in the buffer, around the hole. The transport that
 * sets x->ref decides what p may be (its own reply buffer, see
 * ksf_rpc_reply_buf in ksf/rpcsvc.h) and copies anything else in. */
struct ksf_xdr_ref {
	const uint8_t *p;	/* NULL: no bytes left out */
	uint32_t len;
	size_t pos;		/* where in the buffer they belong */
	bool copy;		/* the transport cannot send by reference: copy */
	uint64_t copied;	/* bytes ksf_xdr_put_opaque_ref copied (counter) */
};

/* Start decoding buf[0..len) or encoding into buf[0..cap). The cursor
 * borrows buf; nothing is copied. */
void ksf_xdr_init_decode(struct ksf_xdr *x, const void *buf, size_t len);
void ksf_xdr_init_encode(struct ksf_xdr *x, void *buf, size_t cap);

/* Bytes left to decode or room left to encode into. */
static inline size_t ksf_xdr_left(const struct ksf_xdr *x)
{
	return x->len - x->pos;
}

/* Decode one item into *v. Return 0 or the cursor's (sticky) error.
 * u32/i32: unsigned int and int (§4.1, §4.2); u64/i64: unsigned hyper and
 * hyper (§4.5); enum (§4.3): the caller checks the value is one it knows;
 * bool (§4.4): only 0 and 1 are accepted. */
int ksf_xdr_get_u32(struct ksf_xdr *x, uint32_t *v);
int ksf_xdr_get_i32(struct ksf_xdr *x, int32_t *v);
int ksf_xdr_get_u64(struct ksf_xdr *x, uint64_t *v);
int ksf_xdr_get_i64(struct ksf_xdr *x, int64_t *v);
int ksf_xdr_get_enum(struct ksf_xdr *x, int32_t *v);
int ksf_xdr_get_bool(struct ksf_xdr *x, bool *v);

/* Fixed-length opaque (§4.9): n bytes plus padding. *p (may be NULL to just
 * skip) points into the buffer: no copy. Returns 0 or the error. */
int ksf_xdr_get_fixed(struct ksf_xdr *x, size_t n, const uint8_t **p);

/* Variable-length opaque<max> (§4.10) and string<max> (§4.11): a length,
 * then the bytes and padding. *p / *s point into the buffer; a string is NOT
 * NUL-terminated (use *n). A length above max gives -EMSGSIZE. */
int ksf_xdr_get_opaque(struct ksf_xdr *x, uint32_t max, const uint8_t **p, uint32_t *n);
int ksf_xdr_get_string(struct ksf_xdr *x, uint32_t max, const char **s, uint32_t *n);

/* Encode one item. Return 0 or the cursor's (sticky) error. */
int ksf_xdr_put_u32(struct ksf_xdr *x, uint32_t v);
int ksf_xdr_put_i32(struct ksf_xdr *x, int32_t v);
int ksf_xdr_put_u64(struct ksf_xdr *x, uint64_t v);
int ksf_xdr_put_i64(struct ksf_xdr *x, int64_t v);
int ksf_xdr_put_enum(struct ksf_xdr *x, int32_t v);
int ksf_xdr_put_bool(struct ksf_xdr *x, bool v);

/* Fixed-length opaque: copy p[0..n) and zero padding (§4.9). */
int ksf_xdr_put_fixed(struct ksf_xdr *x, const void *p, size_t n);

/* Variable-length opaque and string: the length n, then the bytes and zero
 * padding (§4.10, §4.11). The caller keeps n within the type's maximum. */
int ksf_xdr_put_opaque(struct ksf_xdr *x, const void *p, uint32_t n);
int ksf_xdr_put_string(struct ksf_xdr *x, const char *s, uint32_t n);

/* Variable-length opaque whose data may stay where they are: when
 * x->ref is set, has no bytes recorded yet and is not in copy mode, the
 * length word and the padding are written, p and n are recorded in
 * x->ref (p must stay valid and unchanged until the message is sent), and
 * the room for the data is taken off the buffer's (x->len shrinks by n),
 * so the whole message still fits the cap the cursor was made with.
 * Otherwise exactly ksf_xdr_put_opaque (bytes copied are counted in
 * x->ref->copied when there is a ref). Returns 0 or the cursor's error. */
int ksf_xdr_put_opaque_ref(struct ksf_xdr *x, const void *p, uint32_t n);

/* Forget what ksf_xdr_put_opaque_ref recorded in x->ref (an encoding
 * abandoned: the cursor is rewound), giving the room back. */
void ksf_xdr_ref_drop(struct ksf_xdr *x);

/* Reserve n bytes plus padding (the padding is zeroed) to be filled in
 * place, e.g. by a read straight into the reply. Returns a pointer into the
 * buffer, or NULL with x->err set. */
uint8_t *ksf_xdr_reserve(struct ksf_xdr *x, size_t n);

/* ------------------------------------------------------------------------
 * Constants of RFC 5531 §8.2 and §9.
 */
#define KSF_RPC_VERSION		2u	/* rpcvers, §9 */
#define KSF_RPC_AUTH_MAXBODY	400u	/* opaque_auth body<400>, §8.2 */
#define KSF_RPC_SYS_MAXNAME	255u	/* authsys_parms machinename<255>, App. A */
#define KSF_RPC_SYS_MAXGIDS	16u	/* authsys_parms gids<16>, App. A */

enum ksf_rpc_msg_type { KSF_RPC_CALL = 0, KSF_RPC_REPLY = 1 };
enum ksf_rpc_reply_stat { KSF_RPC_MSG_ACCEPTED = 0, KSF_RPC_MSG_DENIED = 1 };
enum ksf_rpc_accept_stat {
	KSF_RPC_SUCCESS = 0,		/* executed successfully */
	KSF_RPC_PROG_UNAVAIL = 1,	/* program not exported here */
	KSF_RPC_PROG_MISMATCH = 2,	/* version not supported: low, high follow */
	KSF_RPC_PROC_UNAVAIL = 3,	/* procedure not supported */
	KSF_RPC_GARBAGE_ARGS = 4,	/* arguments could not be decoded */
	KSF_RPC_SYSTEM_ERR = 5,		/* e.g. memory allocation failure */
};
enum ksf_rpc_reject_stat { KSF_RPC_RPC_MISMATCH = 0, KSF_RPC_AUTH_ERROR = 1 };
enum ksf_rpc_auth_stat {
	KSF_RPC_AUTH_OK = 0,
	KSF_RPC_AUTH_BADCRED = 1,	/* bad credential (seal broken) */
	KSF_RPC_AUTH_REJECTEDCRED = 2,	/* client must begin a new session */
	KSF_RPC_AUTH_BADVERF = 3,	/* bad verifier (seal broken) */
	KSF_RPC_AUTH_REJECTEDVERF = 4,	/* verifier expired or replayed */
	KSF_RPC_AUTH_TOOWEAK = 5,	/* rejected for security reasons */
	KSF_RPC_AUTH_INVALIDRESP = 6,	/* bogus response verifier */
	KSF_RPC_AUTH_FAILED = 7,	/* reason unknown */
};
enum ksf_rpc_auth_flavor {	/* §8.2 */
	KSF_RPC_AUTH_NONE = 0,
	KSF_RPC_AUTH_SYS = 1,
	KSF_RPC_AUTH_SHORT = 2,
	KSF_RPC_AUTH_DH = 3,
	KSF_RPC_RPCSEC_GSS = 6,
};

/* ------------------------------------------------------------------------
 * Record marking (RFC 5531 §11): on a byte stream, a record (one RPC
 * message) is one or more fragments, each a 4-byte big-endian header (bit 31:
 * last fragment; bits 0-30: length) and that many bytes. These functions are
 * stateless over contiguous bytes: hand them everything not yet consumed.
 */
#define KSF_RPC_REC_HDR		4u
#define KSF_RPC_REC_LAST	0x80000000u
#define KSF_RPC_REC_MAX_FRAGS	1024u			/* per record */
#define KSF_RPC_REC_MAX_DEFAULT	((1u << 20) + 4096u)	/* 1 MiB of data + headers */
#define KSF_RPC_REC_MAX_LIMIT	(1u << 30)		/* max_record is capped here */

struct ksf_rpc_rec {
	uint32_t len;		/* payload bytes: the fragments' data, headers excluded */
	uint32_t nfrags;	/* fragments in the record */
	const uint8_t *payload;	/* nfrags == 1: the payload, inside data; else NULL */
	size_t need;		/* after a 0 return: data must grow to at least this */
};

/* Find the first complete record in data[0..len).
 * Returns the number of bytes it spans (> 0, headers included) and fills
 * *rec; or 0 if more bytes are needed (rec->need says at least how many
 * bytes data must hold before another call can make progress); or
 * -EMSGSIZE as soon as a fragment header makes the record longer than
 * max_record (capped at KSF_RPC_REC_MAX_LIMIT), even before its data arrive;
 * or -EBADMSG when the record has more than KSF_RPC_REC_MAX_FRAGS fragments
 * (zero-length ones count: a flood of empty non-last fragments is refused).
 * On a negative return the stream cannot be resynchronised: close it.
 * Never reads outside data[0..len). */
int ksf_rpc_rec_parse(const uint8_t *data, size_t len, uint32_t max_record,
		      struct ksf_rpc_rec *rec);

/* Copy the payload of the record data[0..span) (span as returned by
 * ksf_rpc_rec_parse) contiguously to out, which must hold rec->len bytes.
 * Returns the number of bytes copied (rec->len). On input that
 * ksf_rpc_rec_parse did not accept it still never reads outside
 * data[0..span) and never writes more than span bytes. */
size_t ksf_rpc_rec_gather(const uint8_t *data, size_t span, uint8_t *out);

/* Write the record mark for a fragment of len bytes (last: the record's
 * last fragment) into hdr. Returns 0, or -EMSGSIZE if len >= 2^31. */
int ksf_rpc_rec_mark(uint8_t hdr[4], uint32_t len, bool last);

/* ------------------------------------------------------------------------
 * Credentials (RFC 5531 §8.2, §10, Appendix A).
 */

/* An opaque_auth (credential or verifier): body points into the message. */
struct ksf_rpc_auth {
	uint32_t flavor;
	uint32_t len;		/* <= KSF_RPC_AUTH_MAXBODY once decoded */
	const uint8_t *body;
};

/* authsys_parms (Appendix A). Decoded: machinename points into the message
 * and is not NUL-terminated. Encoded: the caller's. */
struct ksf_rpc_cred_sys {
	uint32_t stamp;
	const char *machinename;
	uint32_t machinename_len;	/* <= KSF_RPC_SYS_MAXNAME */
	uint32_t uid, gid;
	uint32_t ngids;			/* <= KSF_RPC_SYS_MAXGIDS */
	uint32_t gids[KSF_RPC_SYS_MAXGIDS];
};

/* Parse an AUTH_SYS credential body[0..len) into *c. The body must be
 * exactly one authsys_parms: machinename <= 255 bytes, <= 16 gids, no bytes
 * left over. Returns 0 or -EBADMSG. */
int ksf_rpc_cred_sys_decode(const uint8_t *body, uint32_t len, struct ksf_rpc_cred_sys *c);

/* Encode a whole AUTH_SYS credential (flavor, body length, body) at x.
 * Returns 0, -EINVAL (name or gid list too long), or the cursor's error. */
int ksf_rpc_cred_sys_encode(struct ksf_xdr *x, const struct ksf_rpc_cred_sys *c);

/* ------------------------------------------------------------------------
 * Call and reply headers (RFC 5531 §9).
 */

/* A decoded call. Everything points into the message it was decoded from. */
struct ksf_rpc_call {
	uint32_t xid, rpcvers, prog, vers, proc;
	struct ksf_rpc_auth cred, verf;
	struct ksf_rpc_cred_sys sys;	/* filled when cred.flavor == KSF_RPC_AUTH_SYS
					 * (else zero but gids[], beyond ngids) */
	uint32_t auth_stat;		/* KSF_RPC_AUTH_OK, or why the call is refused */
	struct ksf_xdr args;		/* decode cursor over the arguments */
};

/* Largest call header: 6 words, credential (2 words + the largest AUTH_SYS
 * body, 340 bytes), verifier (2 words). */
#define KSF_RPC_CALL_HDR_MAX	(24u + 8u + 340u + 8u)

/* Server side: decode the call header of msg[0..len). Returns
 *   0                 a valid call; c->args covers the arguments;
 *   -EBADMSG          undecodable: no reply. The message ends before its
 *                     message type, or a CALL header (rpcvers 2) ends
 *                     before the end of its verifier. There is no complete
 *                     call to answer (GARBAGE_ARGS is for arguments that
 *                     follow a complete header); FreeBSD's svc_getreq and
 *                     Linux's svc_process drop such messages too;
 *   -ENOMSG           not a CALL (drop it);
 *   -EPROTONOSUPPORT  rpcvers != 2: reply RPC_MISMATCH (c->xid is set);
 *   -EACCES           reply AUTH_ERROR with c->auth_stat: BADCRED for a
 *                     credential body > 400 bytes or a malformed AUTH_SYS
 *                     one, BADVERF for a verifier body > 400 bytes,
 *                     REJECTEDCRED for AUTH_SHORT (Appendix A: the client
 *                     falls back to AUTH_SYS), TOOWEAK for other flavors.
 * AUTH_NONE credentials are accepted with any body <= 400 bytes (§10.1: its
 * contents are undefined); verifiers of any flavor are accepted. */
int ksf_rpc_call_decode(const uint8_t *msg, size_t len, struct ksf_rpc_call *c);

/* Client side: encode a call header at x, with an AUTH_SYS credential
 * (cred != NULL) or AUTH_NONE, and an AUTH_NONE verifier. The arguments
 * follow at x. Returns 0, -EINVAL (bad cred) or the cursor's error. */
int ksf_rpc_call_hdr(struct ksf_xdr *x, uint32_t xid, uint32_t prog, uint32_t vers,
		     uint32_t proc, const struct ksf_rpc_cred_sys *cred);

/* Client side: a whole call into buf[0..cap): the header as
 * ksf_rpc_call_hdr, then args[0..argslen) (already XDR-encoded; padded
 * with zeros to a multiple of 4). No record mark. Returns the length (> 0),
 * -ENOSPC or -EINVAL. */
int ksf_rpc_call_encode(uint8_t *buf, size_t cap, uint32_t xid, uint32_t prog,
			uint32_t vers, uint32_t proc, const struct ksf_rpc_cred_sys *cred,
			const void *args, size_t argslen);

/* A reply, as decoded by the client or described to ksf_rpc_reply_encode. */
struct ksf_rpc_reply {
	uint32_t xid;
	uint32_t stat;			/* KSF_RPC_MSG_ACCEPTED or KSF_RPC_MSG_DENIED */
	uint32_t accept_stat;		/* accepted: KSF_RPC_SUCCESS, ... */
	uint32_t reject_stat;		/* denied: RPC_MISMATCH or AUTH_ERROR */
	uint32_t auth_stat;		/* denied with AUTH_ERROR */
	uint32_t low, high;		/* PROG_MISMATCH or RPC_MISMATCH */
	struct ksf_rpc_auth verf;	/* accepted: the server's verifier */
	const uint8_t *results;		/* SUCCESS: the rest of the message */
	size_t results_len;
};

/* Longest reply that carries no results (PROG_MISMATCH with an AUTH_NONE
 * verifier): a reply buffer this big always has room for an error. */
#define KSF_RPC_REPLY_ERR_MAX	32u

/* Client side: decode the reply msg[0..len) into *r (pointers into msg).
 * Returns 0, or -EBADMSG if it is truncated, not a REPLY, has an unknown
 * reply_stat or reject_stat, or a verifier over 400 bytes. An unknown
 * accept_stat is decoded (its arm is void, §9). */
int ksf_rpc_reply_decode(const uint8_t *msg, size_t len, struct ksf_rpc_reply *r);

/* Encode the reply *r at x: for SUCCESS, results[0..results_len) (if any)
 * are copied after the header, else the caller encodes them next. Returns 0,
 * -EINVAL (unknown reply_stat or reject_stat) or the cursor's error. */
int ksf_rpc_reply_encode(struct ksf_xdr *x, const struct ksf_rpc_reply *r);

/* ------------------------------------------------------------------------
 * Reply helpers, one per outcome (FreeBSD svcerr_*). Each encodes a whole
 * reply header at x with an AUTH_NONE verifier when accepted, and returns 0
 * or the cursor's error (-ENOSPC).
 */
int ksf_rpc_reply_success(struct ksf_xdr *x, uint32_t xid);	/* results follow */
int ksf_rpc_err_noprog(struct ksf_xdr *x, uint32_t xid);	/* PROG_UNAVAIL */
int ksf_rpc_err_progvers(struct ksf_xdr *x, uint32_t xid, uint32_t low, uint32_t high);
int ksf_rpc_err_noproc(struct ksf_xdr *x, uint32_t xid);	/* PROC_UNAVAIL */
int ksf_rpc_err_decode(struct ksf_xdr *x, uint32_t xid);	/* GARBAGE_ARGS */
int ksf_rpc_err_systemerr(struct ksf_xdr *x, uint32_t xid);	/* SYSTEM_ERR */
int ksf_rpc_err_rpcvers(struct ksf_xdr *x, uint32_t xid);	/* RPC_MISMATCH 2..2 */
int ksf_rpc_err_auth(struct ksf_xdr *x, uint32_t xid, uint32_t auth_stat);

/* ------------------------------------------------------------------------
 * Program dispatch: like svc_register()/svc_getreq(), with no global state.
 */

/* One procedure. decode fills args (args_size bytes, zeroed first) from the
 * call's arguments and returns 0 or < 0 (GARBAGE_ARGS). handle runs the
 * procedure and returns 0, or < 0 for SYSTEM_ERR (positive values are
 * reserved and treated as 0). encode writes res (res_size bytes, zeroed
 * before handle) and returns 0 or < 0; if it fails, or the results do not
 * fit, the reply becomes SYSTEM_ERR. A NULL decode or encode means void
 * (RFC 4506 §4.16); a NULL handle marks a hole in the table
 * (PROC_UNAVAIL). ctx is ksf_rpc_dispatch's. */
struct ksf_rpc_proc {
	const char *name;
	int (*decode)(struct ksf_xdr *x, void *args);
	int (*handle)(const struct ksf_rpc_call *call, void *args, void *res, void *ctx);
	int (*encode)(struct ksf_xdr *x, const void *res);
	size_t args_size, res_size;
	unsigned flags;		/* KSF_RPC_PROC_* */
};

/* Procedure flags, for the transport (ksf/rpcsvc.h); the dispatcher
 * itself ignores them. BLOCKING: the handler may block (disk I/O), so a
 * service with helper threads runs it on one, off the event loop.
 * NONIDEMPOTENT: executing it twice differs from once (CREATE, REMOVE,
 * ...), so a retransmitted call is answered from the duplicate request
 * cache instead of being executed again. */
#define KSF_RPC_PROC_BLOCKING		0x1u
#define KSF_RPC_PROC_NONIDEMPOTENT	0x2u
/* TRY_INLINE (with BLOCKING): the call is first run on the event loop with
 * ksf_rpc_req.nowait set; a handler that would have to wait (data not in
 * memory) returns -EAGAIN having written nothing, and the call then runs on
 * a helper thread as any BLOCKING one (ksf_rpc_dispatch returns -EAGAIN).
 * A handler that started an operation whose completion answers the call
 * (ksf_rpc_defer in ksf/rpcsvc.h) returns -EINPROGRESS, having written
 * nothing (ksf_rpc_dispatch returns -EINPROGRESS). */
#define KSF_RPC_PROC_TRY_INLINE		0x4u

/* One version: procs[i] is procedure number i. */
struct ksf_rpc_vers {
	uint32_t vers;
	const struct ksf_rpc_proc *procs;
	uint32_t nprocs;
};

struct ksf_rpc_prog {
	uint32_t prog;
	const char *name;
	const struct ksf_rpc_vers *vers;
	int nvers;
};

/* The NULL procedure (procedure 0 of every program, §12.1 convention): void
 * arguments, void result, does nothing. Use KSF_RPC_NULL_PROC as procs[0]. */
int ksf_rpc_void_decode(struct ksf_xdr *x, void *args);
int ksf_rpc_void_encode(struct ksf_xdr *x, const void *res);
int ksf_rpc_null_proc(const struct ksf_rpc_call *call, void *args, void *res, void *ctx);
#define KSF_RPC_NULL_PROC \
	{ "NULL", ksf_rpc_void_decode, ksf_rpc_null_proc, ksf_rpc_void_encode, 0, 0, 0 }

#define KSF_RPC_SRV_MAX_PROGS	16

/* A set of registered programs. Caller-owned; it only points at the
 * programs, which must outlive it (static tables are the usual choice).
 * Read-only during dispatch, so workers may share one. */
struct ksf_rpc_srv {
	const struct ksf_rpc_prog *progs[KSF_RPC_SRV_MAX_PROGS];
	int nprogs;
};

/* Counters, owned by the caller (one per worker, summed when shown).
 * calls = replies + nospace + dropped_not_call + garbage, and replies is the
 * sum of the outcome counters rpc_mismatch .. success. */
struct ksf_rpc_stats {
	uint64_t calls;			/* messages given to ksf_rpc_dispatch */
	uint64_t replies;		/* replies written */
	uint64_t nospace;		/* reply did not fit in cap: -ENOSPC */
	uint64_t dropped_not_call;	/* not a CALL: dropped */
	uint64_t garbage;		/* undecodable header: dropped */
	uint64_t rpc_mismatch;		/* outcomes, one per reply written */
	uint64_t auth_err;
	uint64_t prog_unavail;
	uint64_t prog_mismatch;
	uint64_t proc_unavail;
	uint64_t garbage_args;
	uint64_t system_err;		/* handler failed, or results did not encode */
	uint64_t encode_err;		/* of which results did not encode or fit */
	uint64_t success;
};

/* Empty the set. Returns 0. */
int ksf_rpc_srv_init(struct ksf_rpc_srv *s);

/* Add a program (kept by pointer). Its versions must be distinct and have
 * procs for nprocs > 0. Returns 0, -EINVAL, -EEXIST (program number already
 * registered) or -ENOSPC (KSF_RPC_SRV_MAX_PROGS reached). */
int ksf_rpc_srv_register(struct ksf_rpc_srv *s, const struct ksf_rpc_prog *p);

/* Lowest and highest registered version of a program (for PROG_MISMATCH). */
void ksf_rpc_prog_range(const struct ksf_rpc_prog *p, uint32_t *low, uint32_t *high);

/* Handle one RPC message msg[0..len) (one record, without its marks) and
 * write the reply, without a record mark, into reply[0..cap). Every error
 * gets its reply (RFC 5531 §9): RPC_MISMATCH, AUTH_ERROR, PROG_UNAVAIL,
 * PROG_MISMATCH (registered low/high), PROC_UNAVAIL, GARBAGE_ARGS,
 * SYSTEM_ERR, as ksf_rpc_call_decode and struct ksf_rpc_proc describe.
 * scratch[0..scratch_len) holds the procedure's args and res (args first,
 * res at the next multiple of 16): it must be aligned for them, and a
 * procedure needing more gets SYSTEM_ERR. ctx goes to the handler; st (may
 * be NULL) is updated. Returns the reply length (> 0); 0 when no reply is
 * due (not a CALL, or a header that cannot be decoded: see
 * ksf_rpc_call_decode); or -ENOSPC when cap cannot hold the reply header
 * (cap >= KSF_RPC_REPLY_ERR_MAX never gives -ENOSPC; the handler may have
 * run); or -EAGAIN, nothing written or counted, when the handler of a
 * KSF_RPC_PROC_TRY_INLINE procedure returned -EAGAIN; or -EINPROGRESS,
 * likewise, when it returned -EINPROGRESS (its reply is made later). */
int ksf_rpc_dispatch(const struct ksf_rpc_srv *s, const uint8_t *msg, size_t len,
		     uint8_t *reply, size_t cap, void *scratch, size_t scratch_len,
		     void *ctx, struct ksf_rpc_stats *st);

/* As ksf_rpc_dispatch, with an encoder's ksf_xdr_put_opaque_ref able to
 * leave its bytes out of reply (ref: see struct ksf_xdr_ref; p, len and
 * pos are reset here, copy and copied are the caller's). When the return
 * is > 0 and ref->p is set, the reply is reply[0..ref->pos) ++
 * ref->p[0..ref->len) ++ reply[ref->pos..return), ref->len bytes longer
 * than the return, and still within cap; otherwise ref->p is NULL. */
int ksf_rpc_dispatch_ref(const struct ksf_rpc_srv *s, const uint8_t *msg, size_t len,
			 uint8_t *reply, size_t cap, struct ksf_xdr_ref *ref, void *scratch,
			 size_t scratch_len, void *ctx, struct ksf_rpc_stats *st);

/* What a transport needs to know of a call before dispatching it: which
 * procedure it names (for its flags) and where its arguments start. */
struct ksf_rpc_peek {
	uint32_t xid, prog, vers, proc;
	unsigned flags;		/* the procedure's KSF_RPC_PROC_* */
	size_t args_off;	/* offset of the arguments in msg */
};

/* Decode the header of msg[0..len) and find its procedure. Returns 0 with
 * *pk filled; -EBADMSG for anything ksf_rpc_call_decode refuses; -ENOENT
 * when the program, version or procedure is not registered. Either error
 * means ksf_rpc_dispatch answers (or drops) the call without running a
 * handler. */
int ksf_rpc_srv_peek(const struct ksf_rpc_srv *s, const uint8_t *msg, size_t len,
		     struct ksf_rpc_peek *pk);

#endif

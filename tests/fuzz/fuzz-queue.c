// fuzz-srcs: lib/buf.c
// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the byte queues every received and sent byte goes
 * through (lib/buf.c): the input is a script of appends and consumes of
 * fuzzer-chosen sizes and bytes on the output queue and the input buffer,
 * replayed against a flat model; any difference aborts.
 */
#include <stdlib.h>
#include <string.h>
#include "ksf_int.h"

#define MODEL_MAX (4u << 20)

static char model[MODEL_MAX];

static void check_outq(const struct ksf__outq *q, size_t head)
{
	struct iovec iov[KSF_IOV_MAX];
	int n = ksf__outq_iov(q, iov, KSF_IOV_MAX);
	size_t off = head;

	for (int i = 0; i < n; i++) {
		if (memcmp(iov[i].iov_base, model + off, iov[i].iov_len))
			abort();
		off += iov[i].iov_len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksf__worker w;
	struct ksf__outq q = { 0 };
	struct ksf__inbuf in = { 0 };
	size_t head = 0, tail = 0, inlen = 0;

	memset(&w, 0, sizeof(w));
	while (size >= 3) {
		uint8_t op = data[0];
		size_t n = ((size_t)data[1] << 8 | data[2]) << (op >> 6);	/* up to 1.5 MiB */
		data += 3;
		size -= 3;
		switch (op & 3) {
		case 0:	/* append n bytes taken from the input (repeated) */
			if (tail + n > MODEL_MAX || !size)
				break;
			for (size_t i = 0; i < n; i++)
				model[tail + i] = (char)data[i % size];
			if (ksf__outq_append(&w, &q, model + tail, n))
				abort();
			tail += n;
			break;
		case 1:	/* consume */
			n = n > tail - head ? tail - head : n;
			ksf__outq_consume(&w, &q, n);
			head += n;
			break;
		case 2:	/* input buffer: append, then consume part */
			n &= 0xffff;
			if (size < 1 || ksf__inbuf_append(&in, data, n < size ? n : size))
				break;
			inlen += n < size ? n : size;
			ksf__inbuf_consume(&in, data[0] % (inlen + 1));
			inlen = in.len;
			break;
		case 3:
			check_outq(&q, head);
			break;
		}
		if (q.bytes != tail - head || in.len != inlen)
			abort();
	}
	check_outq(&q, head);
	ksf__outq_free(&w, &q);
	ksf__bufpool_fini(&w);
	ksf__inbuf_free(&in);
	return 0;
}

// SPDX-License-Identifier: BSD-2-Clause
/* ksf_strerror: text for a ksf return value (negative errno). */
#include <string.h>
#include <ksf/error.h>

const char *ksf_strerror(int err)
{
	if (err < 0)
		err = -err;
	/* strerror() on glibc is thread-safe for known values and never NULL. */
	return strerror(err);
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Errors. Every ksf function that can fail returns a negative errno value
 * (-EINVAL, -ENOMEM, ...) and never leaves meaning in errno, as the kernel
 * and liburing do. ksf_strerror() turns one into text.
 */
#ifndef KSF_ERROR_H
#define KSF_ERROR_H

/* Text for a ksf return value (negative errno) or a positive errno. Never NULL. */
const char *ksf_strerror(int err);

#endif

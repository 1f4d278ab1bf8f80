/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Strict parsing of numbers from command lines and configuration, shared by
 * the services and the load generators: no sign, no trailing junk, no silent
 * truncation.
 */
#ifndef KSF_PARSE_H
#define KSF_PARSE_H

#include <stdint.h>

/* Decimal integer in [min, max]. Returns 0 or -EINVAL / -ERANGE. */
int ksf_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* A size in bytes with an optional binary suffix: K (KiB), M (MiB), G (GiB),
 * case-insensitive, optionally followed by "i" or "iB" ("64K", "1MiB").
 * Returns 0 or -EINVAL / -ERANGE. */
int ksf_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* A count with an optional decimal suffix: k (10^3), M (10^6), G (10^9)
 * ("3M" = 3000000). Returns 0 or -EINVAL / -ERANGE. */
int ksf_parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif

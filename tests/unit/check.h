/* SPDX-License-Identifier: BSD-2-Clause */
/* Minimal assertions for unit tests: print both values, count failures. */
#ifndef KSF_CHECK_H
#define KSF_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond) do { if (!(cond)) { check_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) { check_failures++; fprintf(stderr, \
	"%s:%d: CHECK_EQ failed: %s == %s: %lld != %lld\n", __FILE__, __LINE__, \
	#a, #b, _a, _b); } } while (0)
#define CHECK_DONE() (check_failures ? (fprintf(stderr, "%d check(s) failed\n", \
	check_failures), 1) : 0)

#endif

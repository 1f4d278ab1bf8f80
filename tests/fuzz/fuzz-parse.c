// fuzz-srcs: lib/parse.c lib/cpulist.c
// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for libksf's option parsers (numbers with suffixes, CPU
 * lists, backend names): never crash, never read past the string, and every
 * accepted value is within the bounds asked for.
 */
#include <stdlib.h>
#include <string.h>
#include <ksf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[64];
	int cpus[16];
	uint64_t v;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (ksf_parse_uint(s, 10, 1000, &v) == 0 && (v < 10 || v > 1000))
		abort();
	if (ksf_parse_size(s, 0, 1ull << 40, &v) == 0 && v > (1ull << 40))
		abort();
	if (ksf_parse_count(s, 5, 5000000, &v) == 0 && (v < 5 || v > 5000000))
		abort();
	int n = ksf_cpulist_parse(s, cpus, 16);
	if (n > 16)
		abort();
	for (int i = 0; i < n; i++)
		if (cpus[i] < 0 || cpus[i] >= 4096)
			abort();
	(void)ksf_backend_parse(s);
	return 0;
}

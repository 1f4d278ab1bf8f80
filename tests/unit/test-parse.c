// SPDX-License-Identifier: BSD-2-Clause
/* Option parsing in libksf: numbers, sizes, counts, CPU lists, backends. */
#include <errno.h>
#include <ksf.h>
#include "check.h"

static void numbers(void)
{
	uint64_t v = 7;

	CHECK_EQ(ksf_parse_uint("42", 0, 100, &v), 0);
	CHECK_EQ(v, 42);
	CHECK_EQ(ksf_parse_uint("101", 0, 100, &v), -ERANGE);
	CHECK_EQ(ksf_parse_uint("-1", 0, 100, &v), -EINVAL);
	CHECK_EQ(ksf_parse_uint("", 0, 100, &v), -EINVAL);
	CHECK_EQ(ksf_parse_uint("12x", 0, 100, &v), -EINVAL);
	CHECK_EQ(ksf_parse_uint("1K", 0, 100000, &v), -EINVAL);
	CHECK_EQ(ksf_parse_uint("99999999999999999999999", 0, UINT64_MAX, &v), -ERANGE);
	CHECK_EQ(ksf_parse_size("64K", 0, UINT64_MAX, &v), 0);
	CHECK_EQ(v, 65536);
	CHECK_EQ(ksf_parse_size("1MiB", 0, UINT64_MAX, &v), 0);
	CHECK_EQ(v, 1 << 20);
	CHECK_EQ(ksf_parse_size("2g", 0, UINT64_MAX, &v), 0);
	CHECK_EQ(v, 2ull << 30);
	CHECK_EQ(ksf_parse_size("1Mx", 0, UINT64_MAX, &v), -EINVAL);
	CHECK_EQ(ksf_parse_size("20000000000G", 0, UINT64_MAX, &v), -ERANGE);
	CHECK_EQ(ksf_parse_count("3M", 0, UINT64_MAX, &v), 0);
	CHECK_EQ(v, 3000000);
	CHECK_EQ(ksf_parse_count("3MiB", 0, UINT64_MAX, &v), -EINVAL);
}

static void cpulists(void)
{
	int cpus[8];

	CHECK_EQ(ksf_cpulist_parse("0-3,6", cpus, 8), 5);
	CHECK_EQ(cpus[3], 3);
	CHECK_EQ(cpus[4], 6);
	CHECK_EQ(ksf_cpulist_parse("1", cpus, 8), 1);
	CHECK_EQ(ksf_cpulist_parse("3-1", cpus, 8), -EINVAL);
	CHECK_EQ(ksf_cpulist_parse("0-8", cpus, 8), -E2BIG);
	CHECK_EQ(ksf_cpulist_parse("1,", cpus, 8), -EINVAL);
	CHECK_EQ(ksf_cpulist_parse("a", cpus, 8), -EINVAL);
	CHECK_EQ(ksf_cpulist_parse("", cpus, 8), -EINVAL);
	CHECK_EQ(ksf_cpulist_parse("99999", cpus, 8), -ERANGE);
}

static void backends(void)
{
	CHECK_EQ(ksf_backend_parse("epoll"), KSF_BACKEND_EPOLL);
	CHECK_EQ(ksf_backend_parse("uring"), KSF_BACKEND_URING);
	CHECK_EQ(ksf_backend_parse("io_uring"), KSF_BACKEND_URING);
	CHECK_EQ(ksf_backend_parse("auto"), KSF_BACKEND_AUTO);
	CHECK_EQ(ksf_backend_parse("kqueue"), -EINVAL);
	CHECK(ksf_strerror(-EINVAL) != NULL);
}

int main(void)
{
	numbers();
	cpulists();
	backends();
	return CHECK_DONE();
}

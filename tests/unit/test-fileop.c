// SPDX-License-Identifier: BSD-2-Clause
/*
 * File operations of a worker (ksf/fileop.h) and the idle hooks of helper
 * threads (ksf_offload_on_idle), on both backends. On a worker: write 64
 * KiB to a scratch file (under /var/tmp: a real file system), fsync its
 * range, read it back, statx it, renameat another, unlinkat it; each
 * completion runs on the submitting worker, after the submit returned,
 * with the right result; on io_uring
 * every operation ran on the ring, on epoll on a helper. Credentials
 * register as a ring personality on io_uring (-EOPNOTSUPP on epoll), and
 * a write issued with one still works. Off a worker, submit is -EINVAL.
 * The name-making kinds, chained the same way in a scratch directory:
 * openat O_CREAT|O_EXCL (a descriptor), ftruncate it, mkdirat, symlinkat,
 * linkat, and openat O_EXCL again (-EEXIST); each on the ring on io_uring
 * (ftruncate only from Linux 6.9: on a helper before), on epoll on a
 * helper, and the file system shows what each made.
 * Then a helper that ran a job and was idle for idle_trim_ms runs the
 * idle hook once, and one that ran none does not.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <ksf.h>
#include "check.h"

#define LEN	65536

static struct ksf_pool *pool;
static struct ksf_offload *helpers;
static atomic_int step;		/* operations done */
static int fd = -1;
static uint8_t wbuf[LEN], rbuf[LEN];
static struct statx stx;
static int expect_ring;

struct op {
	struct ksf_fileop f;
	int in_submit;		/* set while ksf_fileop_submit runs */
	int worker;
};
static struct op ops[7];
static char victim[] = "/var/tmp/ksf-test-unlink.XXXXXX";
static char moved[sizeof(victim) + 2];

static void check_done(struct op *o, int want_res)
{
	CHECK_EQ(o->in_submit, 0);		/* never called from inside submit */
	CHECK_EQ(ksf_worker_self(), o->worker);	/* back on the submitting worker */
	CHECK_EQ(o->f.res, want_res);
	CHECK_EQ(o->f.on_ring, expect_ring);
}

static void start(struct op *o, void (*done)(struct ksf_fileop *))
{
	o->f.done = done;
	o->worker = ksf_worker_self();
	o->in_submit = 1;
	CHECK_EQ(ksf_fileop_submit(helpers, &o->f), 0);
	o->in_submit = 0;
}

static void unlink_done(struct ksf_fileop *f)
{
	check_done((struct op *)f, 0);
	CHECK(access(moved, F_OK) < 0 && errno == ENOENT);
	atomic_fetch_add(&step, 1);
}

static void rename_done(struct ksf_fileop *f)
{
	check_done((struct op *)f, 0);
	CHECK(access(victim, F_OK) < 0 && errno == ENOENT);
	CHECK(access(moved, F_OK) == 0);
	ksf_fileop_unlinkat(&ops[6].f, AT_FDCWD, moved, 0);
	start(&ops[6], unlink_done);
	atomic_fetch_add(&step, 1);
}

static void statx_done(struct ksf_fileop *f)
{
	check_done((struct op *)f, 0);
	CHECK(stx.stx_size == LEN || stx.stx_size == LEN + 4);	/* the tail may be in */
	ksf_fileop_renameat(&ops[5].f, AT_FDCWD, victim, AT_FDCWD, moved, 0);
	start(&ops[5], rename_done);
	atomic_fetch_add(&step, 1);
}

static void read_done(struct ksf_fileop *f)
{
	check_done((struct op *)f, LEN);
	CHECK(memcmp(rbuf, wbuf, LEN) == 0);
	ksf_fileop_statx(&ops[3].f, fd, "", AT_EMPTY_PATH, STATX_SIZE, &stx);
	start(&ops[3], statx_done);
	atomic_fetch_add(&step, 1);
}

static void fsync_done(struct ksf_fileop *f)
{
	check_done((struct op *)f, 0);
	ksf_fileop_read(&ops[2].f, fd, rbuf, LEN, 0);
	start(&ops[2], read_done);
	atomic_fetch_add(&step, 1);
}

static void write_done(struct ksf_fileop *f)
{
	check_done((struct op *)f, LEN);
	ksf_fileop_fsync_range(&ops[1].f, fd, 1, 0, LEN);
	start(&ops[1], fsync_done);
	atomic_fetch_add(&step, 1);
}

static void persona_done(struct ksf_fileop *f)
{
	check_done((struct op *)f, 4);
	if (expect_ring)
		CHECK_EQ(ksf_fileop_creds_unregister(f->personality), 0);
	atomic_fetch_add(&step, 1);
}

/* On worker 0: the chain write, fsync, read, statx, renameat, unlinkat; and a write with a
 * personality of this thread's credentials. */
static void run_task(void *arg)
{
	int id = ksf_fileop_creds_register();

	(void)arg;
	ksf_fileop_write(&ops[0].f, fd, wbuf, LEN, 0, RWF_DSYNC);	/* write, then sync */
	start(&ops[0], write_done);
	CHECK_EQ(id > 0, expect_ring);
	if (!expect_ring)
		CHECK_EQ(id, -EOPNOTSUPP);
	ksf_fileop_write(&ops[4].f, fd, "tail", 4, LEN, 0);
	ops[4].f.personality = id > 0 ? id : 0;
	start(&ops[4], persona_done);
}

static int wait_step(int want, int secs)
{
	time_t end = time(NULL) + secs;

	while (atomic_load(&step) < want && time(NULL) <= end)
		usleep(1000);
	return atomic_load(&step) >= want ? 0 : -ETIMEDOUT;
}

static void fileops(void)
{
	char path[] = "/var/tmp/ksf-test-fileop.XXXXXX";
	struct ksf_fileop off = { 0 };
	struct ksf_fileop_stats st;

	for (int i = 0; i < LEN; i++)
		wbuf[i] = (uint8_t)(i * 7 + 3);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	unlink(path);
	strcpy(victim + strlen(victim) - 6, "XXXXXX");
	CHECK(close(mkstemp(victim)) == 0);
	snprintf(moved, sizeof(moved), "%s.m", victim);
	memset(ops, 0, sizeof(ops));
	atomic_store(&step, 0);
	CHECK_EQ(ksf_task_post_worker(pool, 0, run_task, NULL), 0);
	CHECK_EQ(wait_step(7, 10), 0);
	ksf_fileop_stats(pool, &st);
	CHECK_EQ(expect_ring ? st.ring : st.helper, 7);
	CHECK_EQ(expect_ring ? st.helper : st.ring, 0);
	ksf_fileop_fsync(&off, fd, 0);
	off.done = write_done;
	CHECK_EQ(ksf_fileop_submit(helpers, &off), -EINVAL);	/* not on a worker */
	close(fd);
}

/* ---- the name-making kinds ---- */

static int dirfd = -1, newfd = -1;
static struct op nops[6];
static int expect_ftrunc_ring;	/* the kernel's ring has IORING_OP_FTRUNCATE */

static void name_done(struct op *o, int want_res)
{
	CHECK_EQ(o->in_submit, 0);
	CHECK_EQ(ksf_worker_self(), o->worker);
	CHECK_EQ(o->f.res, want_res);
	CHECK_EQ(o->f.on_ring, o->f.kind == KSF_FILEOP_FTRUNCATE ? expect_ftrunc_ring : expect_ring);
	atomic_fetch_add(&step, 1);
}

static void excl_done(struct ksf_fileop *f)
{
	name_done((struct op *)f, -EEXIST);
}

static void link_done(struct ksf_fileop *f)
{
	struct stat st;

	name_done((struct op *)f, 0);
	CHECK(fstatat(dirfd, "f", &st, 0) == 0 && st.st_nlink == 2);
	ksf_fileop_openat(&nops[5].f, dirfd, "f", O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC, 0600);
	start(&nops[5], excl_done);
}

static void symlink_done(struct ksf_fileop *f)
{
	char buf[8] = { 0 };

	name_done((struct op *)f, 0);
	CHECK(readlinkat(dirfd, "s", buf, sizeof(buf) - 1) == 1 && buf[0] == 'f');
	ksf_fileop_linkat(&nops[4].f, dirfd, "f", dirfd, "l", 0);
	start(&nops[4], link_done);
}

static void mkdir_done(struct ksf_fileop *f)
{
	struct stat st;

	name_done((struct op *)f, 0);
	CHECK(fstatat(dirfd, "d", &st, 0) == 0 && S_ISDIR(st.st_mode));
	ksf_fileop_symlinkat(&nops[3].f, "f", dirfd, "s");
	start(&nops[3], symlink_done);
}

static void ftrunc_done(struct ksf_fileop *f)
{
	struct stat st;

	name_done((struct op *)f, 0);
	CHECK(fstat(newfd, &st) == 0 && st.st_size == 12345);
	ksf_fileop_mkdirat(&nops[2].f, dirfd, "d", 0700);
	start(&nops[2], mkdir_done);
}

static void open_done(struct ksf_fileop *f)
{
	CHECK(f->res >= 0);
	newfd = f->res;
	name_done((struct op *)f, newfd);
	ksf_fileop_ftruncate(&nops[1].f, newfd, 12345);
	start(&nops[1], ftrunc_done);
}

static void names_task(void *arg)
{
	(void)arg;
	ksf_fileop_openat(&nops[0].f, dirfd, "f", O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	start(&nops[0], open_done);
}

/* IORING_OP_FTRUNCATE: Linux 6.9. */
static int kernel_has_ftruncate(void)
{
	struct utsname un;
	int major = 0, minor = 0;

	if (uname(&un) < 0 || sscanf(un.release, "%d.%d", &major, &minor) != 2)
		return 0;
	return major > 6 || (major == 6 && minor >= 9);
}

static void names(void)
{
	char dir[] = "/var/tmp/ksf-test-names.XXXXXX";
	struct ksf_fileop_stats st0, st;

	CHECK(mkdtemp(dir) != NULL);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dirfd >= 0);
	expect_ftrunc_ring = expect_ring && kernel_has_ftruncate();
	memset(nops, 0, sizeof(nops));
	ksf_fileop_stats(pool, &st0);
	atomic_store(&step, 0);
	CHECK_EQ(ksf_task_post_worker(pool, 0, names_task, NULL), 0);
	CHECK_EQ(wait_step(6, 10), 0);
	ksf_fileop_stats(pool, &st);
	CHECK_EQ(st.ring - st0.ring, expect_ring ? 5u + expect_ftrunc_ring : 0u);
	CHECK_EQ(st.helper - st0.helper, expect_ring ? 1u - expect_ftrunc_ring : 6u);
	close(newfd);
	unlinkat(dirfd, "f", 0);
	unlinkat(dirfd, "l", 0);
	unlinkat(dirfd, "s", 0);
	unlinkat(dirfd, "d", AT_REMOVEDIR);
	close(dirfd);
	CHECK(rmdir(dir) == 0);
}

/* ---- idle hooks ---- */

static atomic_int idle_runs;

static void idle_hook(void) { atomic_fetch_add(&idle_runs, 1); }
static void job_run(struct ksf_offload_job *j) { (void)j; }
static void job_done(struct ksf_offload_job *j) { (void)j; atomic_fetch_add(&step, 1); }

static struct ksf_offload_job job = { .run = job_run, .done = job_done };

static void submit_task(void *arg)
{
	(void)arg;
	CHECK_EQ(ksf_offload_submit(helpers, &job), 0);
}

/* Wait up to 10 s for the hook to have run want times, then 300 ms more
 * (idle_trim_ms is 100) to see that it runs no more. */
static int idle_runs_settle(int want)
{
	time_t end = time(NULL) + 10;

	while (atomic_load(&idle_runs) < want && time(NULL) <= end)
		usleep(1000);
	usleep(300 * 1000);
	return atomic_load(&idle_runs);
}

/* A fresh set of helpers with the hook: one job, so one helper trims once;
 * another job, once more. The other helper, which ran nothing, never. */
static void idle(void)
{
	CHECK_EQ(ksf_offload_create(&helpers, pool, 2), 0);
	CHECK_EQ(ksf_offload_on_idle(helpers, idle_hook), 0);
	atomic_store(&idle_runs, 0);
	atomic_store(&step, 0);
	CHECK_EQ(ksf_task_post_worker(pool, 0, submit_task, NULL), 0);
	CHECK_EQ(wait_step(1, 10), 0);
	CHECK_EQ(idle_runs_settle(1), 1);	/* the helper that ran it, once */
	CHECK_EQ(ksf_task_post_worker(pool, 0, submit_task, NULL), 0);
	CHECK_EQ(wait_step(2, 10), 0);
	CHECK_EQ(idle_runs_settle(2), 2);
	ksf_offload_destroy(helpers);
}

int main(void)
{
	struct ksf_pool_opts o;
	int cpus[1] = { 0 };

	ksf_pool_opts_init(&o);
	o.nworkers = 1;
	o.cpus = cpus;
	o.ncpus = 1;
	o.pin = 0;
	o.idle_trim_ms = 100;
	for (int b = 0; b < 2; b++) {
		o.backend = b ? KSF_BACKEND_URING : KSF_BACKEND_EPOLL;
		if (ksf_pool_create(&pool, &o)) {
			fprintf(stderr, "SKIP %s: no pool\n", b ? "uring" : "epoll");
			continue;
		}
		expect_ring = b;
		CHECK_EQ(ksf_offload_create(&helpers, pool, 2), 0);
		fileops();
		names();
		ksf_offload_destroy(helpers);
		idle();
		ksf_pool_destroy(pool);
	}
	return CHECK_DONE();
}

/* Unit tests for src/cgroup.c against a fake cgroup filesystem: a plain
 * directory tree given as the root (cgroup_set_root), whose interface
 * files the test writes as the kernel would and reads back. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "config.h"
#include "log.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	ck_assert_msg(f != NULL, "%s: %s", p, strerror(errno));
	fputs(text, f);
	fclose(f);
}

/* The file's text ("" when missing), in a static buffer. */
static const char *get(const char *rel)
{
	static char buf[1024];
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	buf[0] = '\0';
	FILE *f = fopen(p, "r");
	if (f) {
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

static bool exists(const char *rel)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	return access(p, F_OK) == 0;
}

/* A fresh fake base with these controllers, and cgroup.procs holding procs. */
static void fake_base(const char *controllers, const char *procs)
{
	snprintf(root, sizeof root, "/tmp/muster-check-cgroup-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	put("cgroup.controllers", controllers);
	put("cgroup.procs", procs);
	put("cgroup.subtree_control", "");
	cgroup_set_root(root);
}

static void done(void)
{
	char cmd[128];
	cgroup_teardown();
	cgroup_set_root(NULL);
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
}

static struct svc_conf conf(const char *name)
{
	struct svc_conf c = { 0 };
	c.name = (char *)name;
	c.nice = SVC_NICE_UNSET;
	c.oom_score_adjust = SVC_OOM_UNSET;
	return c;
}

static void quiet(enum log_level level, const char *line, size_t len)
{
	(void)line, (void)len;
}

/* muster moves into BASE/muster; a base shared with other processes
 * gets a base of muster's own below it; no gives no cgroups at all. */
START_TEST(test_setup)
{
	char err[256], want[64];
	fake_base("cpu memory pids\n", "");
	ck_assert_int_eq(cgroup_setup(CGROUPS_YES, err, sizeof err), 0);
	ck_assert(cgroup_enabled());
	ck_assert_str_eq(cgroup_base(), root);
	snprintf(want, sizeof want, "%ld", (long)getpid());
	ck_assert_str_eq(get("muster/cgroup.procs"), want);
	done();
	ck_assert(!exists("muster"));

	fake_base("cpu memory pids\n", "1\n");
	ck_assert_int_eq(cgroup_setup(CGROUPS_AUTO, err, sizeof err), 0);
	char sub[128];
	snprintf(sub, sizeof sub, "%s/muster-%ld", root, (long)getpid());
	ck_assert_str_eq(cgroup_base(), sub);
	snprintf(sub, sizeof sub, "muster-%ld/muster/cgroup.procs", (long)getpid());
	ck_assert_str_eq(get(sub), want);
	done();

	fake_base("", "");
	ck_assert_int_eq(cgroup_setup(CGROUPS_NO, err, sizeof err), 0);
	ck_assert(!cgroup_enabled());
	done();
}
END_TEST

/* No hierarchy: an error under yes, a reason (and no cgroups) under auto. */
START_TEST(test_setup_missing)
{
	char err[256];
	cgroup_set_root("/nonexistent/cgroup");
	ck_assert_int_eq(cgroup_setup(CGROUPS_YES, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "/nonexistent/cgroup"), "%s", err);
	ck_assert(!cgroup_enabled());
	ck_assert_int_eq(cgroup_setup(CGROUPS_AUTO, err, sizeof err), 0);
	ck_assert(!cgroup_enabled());
	ck_assert(err[0]);
	cgroup_set_root(NULL);
}
END_TEST

/* The limits are written to the service's cgroup, each controller
 * enabled in the base's subtree_control first. */
START_TEST(test_limits_written)
{
	char err[256];
	fake_base("cpu memory pids\n", "");
	ck_assert_int_eq(cgroup_setup(CGROUPS_YES, err, sizeof err), 0);
	struct svc_conf c = conf("worker");
	c.memory_max = 512ull << 20;
	c.pids_max = 64;
	c.cpu_weight = 200;
	ck_assert_int_eq(cgroup_check_limits(&c, err, sizeof err), 0);
	int fd = cgroup_create(&c, err, sizeof err);
	ck_assert_msg(fd >= 0, "%s", err);
	close(fd);
	ck_assert_str_eq(get("worker.service/memory.max"), "536870912");
	ck_assert_str_eq(get("worker.service/pids.max"), "64");
	ck_assert_str_eq(get("worker.service/cpu.weight"), "200");
	ck_assert_str_eq(get("cgroup.subtree_control"), "+memory+pids+cpu");
	char buf[256];
	char want[256];
	snprintf(want, sizeof want, "%s/worker.service/cgroup.procs", root);
	ck_assert_str_eq(cgroup_procs_path("worker", buf, sizeof buf), want);
	done();
}
END_TEST

/* A limit whose controller is missing: an error under yes, skipped under
 * auto (main.c warns once). */
START_TEST(test_limit_missing_controller)
{
	char err[256];
	fake_base("cpu\n", "");
	ck_assert_int_eq(cgroup_setup(CGROUPS_YES, err, sizeof err), 0);
	struct svc_conf c = conf("worker");
	c.memory_max = 1 << 20;
	ck_assert_int_eq(cgroup_check_limits(&c, err, sizeof err), -1);
	ck_assert_str_eq(err, "memory-max needs the memory controller, which muster's cgroup does not have");
	ck_assert_int_eq(cgroup_create(&c, err, sizeof err), -1);
	ck_assert_str_eq(err, "memory-max needs the memory controller, which muster's cgroup does not have");
	done();

	fake_base("cpu\n", "");
	ck_assert_int_eq(cgroup_setup(CGROUPS_AUTO, err, sizeof err), 0);
	int fd = cgroup_create(&c, err, sizeof err);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert(!exists("worker.service/memory.max"));
	done();
}
END_TEST

/* SIGKILL is cgroup.kill; without it, freeze, kill each, thaw. */
START_TEST(test_kill)
{
	char err[256];
	fake_base("cpu memory pids\n", "");
	ck_assert_int_eq(cgroup_setup(CGROUPS_YES, err, sizeof err), 0);
	struct svc_conf c = conf("web");
	close(cgroup_create(&c, err, sizeof err));
	put("web.service/cgroup.kill", "");
	ck_assert_int_eq(cgroup_signal("web", SIGKILL), 0);
	ck_assert_str_eq(get("web.service/cgroup.kill"), "1");
	ck_assert_int_eq(unlink(strcat(strcpy(err, root), "/web.service/cgroup.kill")), 0);
	put("web.service/cgroup.procs", "");
	ck_assert_int_eq(cgroup_signal("web", SIGKILL), 0);
	ck_assert_str_eq(get("web.service/cgroup.freeze"), "10");
	done();
}
END_TEST

/* populated, OOM kills, process count and memory, membership. */
START_TEST(test_events_and_stats)
{
	char err[256];
	fake_base("cpu memory pids\n", "");
	put("cgroup.subtree_control", "memory\n"); /* on for the children: memory.events */
	ck_assert_int_eq(cgroup_setup(CGROUPS_YES, err, sizeof err), 0);
	struct svc_conf c = conf("web");
	close(cgroup_create(&c, err, sizeof err));
	ck_assert_int_eq(cgroup_populated("web"), 0); /* what a new cgroup says */
	put("web.service/cgroup.events", "populated 1\nfrozen 0\n");
	ck_assert_int_eq(cgroup_populated("web"), 1);
	ck_assert_int_eq(cgroup_populated("nosuch"), -1);
	ck_assert_uint_eq(cgroup_oom_kills("web"), 0);
	put("web.service/memory.events", "low 0\nhigh 0\nmax 5\noom 2\noom_kill 2\noom_group_kill 0\n");
	ck_assert_uint_eq(cgroup_oom_kills("web"), 2);
	put("web.service/cgroup.procs", "120\n121\n122\n");
	put("web.service/memory.current", "4096\n");
	long procs;
	int64_t mem;
	cgroup_stats("web", &procs, &mem);
	ck_assert_int_eq(procs, 3);
	ck_assert_int_eq(mem, 4096);
	ck_assert(cgroup_has_pid("web", 121));
	ck_assert(!cgroup_has_pid("web", 12));
	ck_assert_int_eq(cgroup_remove("web"), 0);
	ck_assert(!exists("web.service"));
	done();
}
END_TEST

/* Without the memory controller on for the children (the kernel makes no
 * memory.events then) no OOM count is read: a stop reads one file less
 * per service; cgroup.procs is parsed without a trailing newline too. */
START_TEST(test_no_memory_controller)
{
	char err[256];
	fake_base("cpu pids\n", "");
	ck_assert_int_eq(cgroup_setup(CGROUPS_YES, err, sizeof err), 0);
	struct svc_conf c = conf("web");
	close(cgroup_create(&c, err, sizeof err));
	put("web.service/memory.events", "oom_kill 3\n"); /* not the kernel's: not read */
	ck_assert_uint_eq(cgroup_oom_kills("web"), 0);
	put("web.service/cgroup.procs", "120\n121\n122");
	long procs;
	int64_t mem;
	cgroup_stats("web", &procs, &mem);
	ck_assert_int_eq(procs, 3);
	ck_assert(cgroup_has_pid("web", 122));
	done();
}
END_TEST

/* A change of cgroup.events reaches the callback, named. */
static char changed_name[64];
static int changes;

static void changed(const char *name)
{
	snprintf(changed_name, sizeof changed_name, "%s", name);
	changes++;
}

static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w, (void)revents;
	ev_break(loop, EVBREAK_ALL);
}

START_TEST(test_watch)
{
	char err[256];
	struct ev_loop *loop = ev_loop_new(0);
	fake_base("cpu memory pids\n", "");
	ck_assert_int_eq(cgroup_setup(CGROUPS_YES, err, sizeof err), 0);
	cgroup_watch_init(loop, changed);
	struct svc_conf c = conf("web");
	close(cgroup_create(&c, err, sizeof err));
	changes = 0;
	put("web.service/cgroup.events", "populated 0\nfrozen 0\n");
	ev_timer t;
	ev_timer_init(&t, timeout_cb, 10, 0);
	ev_timer_start(loop, &t);
	ev_run(loop, EVRUN_ONCE);
	ck_assert_int_ge(changes, 1);
	ck_assert_str_eq(changed_name, "web");
	ev_timer_stop(loop, &t);
	done();
	ev_loop_destroy(loop);
}
END_TEST

static Suite *cgroup_suite(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc = tcase_create("fake root");
	tcase_add_test(tc, test_setup);
	tcase_add_test(tc, test_setup_missing);
	tcase_add_test(tc, test_limits_written);
	tcase_add_test(tc, test_limit_missing_controller);
	tcase_add_test(tc, test_kill);
	tcase_add_test(tc, test_events_and_stats);
	tcase_add_test(tc, test_no_memory_controller);
	tcase_add_test(tc, test_watch);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	log_sink = quiet;
	unsetenv("MUSTER_CGROUP_ROOT");
	SRunner *sr = srunner_create(cgroup_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

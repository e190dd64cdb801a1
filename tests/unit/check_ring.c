/* Unit tests for src/ring.c: wrap-around, lines larger than the ring,
 * held lines (back-pressure, never loss), history trimmed to keep, and
 * the time-order merge of several rings. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

static uint64_t order;

static uint64_t push(struct ring *r, const char *text, bool held)
{
	struct ring_line l = { .text = text, .len = strlen(text), .time_ns = (int64_t)order * 1000,
			       .order = ++order, .flags = 1 };
	return ring_push(r, &l, held);
}

/* Every line of r, oldest first, joined by '\n', into buf. */
static size_t dump(const struct ring *r, char *buf, size_t len)
{
	struct ring_cursor c;
	struct ring_line l;
	size_t n = 0, lines = 0;
	ring_cursor_last(&c, r, UINT64_MAX);
	buf[0] = '\0';
	while (ring_cursor_next(&c, &l) == 1) {
		n += (size_t)snprintf(buf + n, len - n, "%s%.*s", lines ? "\n" : "", (int)l.len, l.text);
		lines++;
	}
	return lines;
}

START_TEST(test_empty)
{
	struct ring r;
	struct ring_line l;
	ring_init(&r, 1024, 0);
	uint64_t pos = ring_last(&r, 10, NULL);
	ck_assert_int_eq(ring_read(&r, &pos, &l), 0);
	ck_assert_ptr_null(r.buf); /* nothing allocated before the first line */
	ring_free(&r);
}
END_TEST

START_TEST(test_wrap_around)
{
	struct ring r;
	char line[128], buf[1 << 20];
	ring_init(&r, 1, 0); /* the smallest ring: RING_MIN */
	ck_assert_uint_eq(r.max, RING_MIN);
	/* many times the ring: it wraps, the newest lines stay, whole */
	for (int i = 0; i < 100000; i++) {
		snprintf(line, sizeof line, "line %d %.*s", i, i % 97, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
		ck_assert_uint_ne(push(&r, line, false), UINT64_MAX);
		ck_assert_uint_le(r.head - r.tail, r.cap);
	}
	ck_assert_uint_eq(r.cap, RING_MIN); /* never grew: nothing was held */
	ck_assert_uint_lt(r.head, UINT64_MAX);
	ck_assert_uint_gt(r.head, 10 * RING_MIN); /* it went round many times */
	size_t n = dump(&r, buf, sizeof buf);
	ck_assert_uint_eq(n, r.lines);
	ck_assert_uint_eq(r.first + r.lines, 100000);
	/* keep 1: only the newest line stays once older ones are pushed */
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(buf, line);

	/* keep the whole ring: the newest lines, in order, the last one last */
	ring_free(&r);
	ring_init(&r, RING_MIN, 0);
	for (int i = 0; i < 100000; i++) {
		snprintf(line, sizeof line, "%d", i);
		push(&r, line, false);
	}
	n = dump(&r, buf, sizeof buf);
	ck_assert_uint_gt(n, 1000);
	char *last = strrchr(buf, '\n');
	ck_assert_str_eq(last + 1, "99999");
	int prev = -1;
	for (char *p = buf; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		int v = atoi(p);
		if (prev >= 0)
			ck_assert_int_eq(v, prev + 1);
		prev = v;
	}
	ck_assert_int_eq(prev, 99999);
	ring_free(&r);
}
END_TEST

START_TEST(test_line_larger_than_ring)
{
	struct ring r;
	struct ring_line l;
	char *big = malloc(4 * RING_MIN);
	memset(big, 'x', 4 * RING_MIN);
	ring_init(&r, 4096, 0);
	push(&r, "before", false);
	/* longer than the ring can ever hold: refused, the ring unharmed */
	struct ring_line in = { .text = big, .len = 4 * RING_MIN, .order = ++order, .flags = 1 };
	ck_assert_uint_eq(ring_push(&r, &in, false), UINT64_MAX);
	in.len = RING_MIN; /* larger than half the buffer: the same */
	ck_assert_uint_eq(ring_push(&r, &in, false), UINT64_MAX);
	char buf[64];
	ck_assert_uint_eq(dump(&r, buf, sizeof buf), 1);
	ck_assert_str_eq(buf, "before");
	/* larger than keep (4 KiB) but not than the buffer: kept whole, alone */
	in.len = 65536;
	uint64_t pos = ring_push(&r, &in, false);
	ck_assert_uint_ne(pos, UINT64_MAX);
	ck_assert_int_eq(ring_read(&r, &pos, &l), 1);
	ck_assert_uint_eq(l.len, 65536);
	ck_assert(memcmp(l.text, big, 65536) == 0);
	ck_assert_uint_eq(r.lines, 1);
	/* a held line larger than the ring: it grows (to max) rather than lose it */
	ring_free(&r);
	ring_init(&r, 0, 4 * RING_MIN);
	in.len = RING_MIN + 100;
	pos = ring_push(&r, &in, true);
	ck_assert_uint_ne(pos, UINT64_MAX);
	ck_assert_uint_ge(r.cap, 2 * RING_MIN);
	ck_assert_int_eq(ring_read(&r, &pos, &l), 1);
	ck_assert_uint_eq(l.len, RING_MIN + 100);
	free(big);
	ring_free(&r);
}
END_TEST

START_TEST(test_held_lines_are_never_evicted)
{
	struct ring r;
	char line[64];
	uint64_t pos[3000];
	ring_init(&r, 0, 8 * RING_MIN);
	/* held lines fill the ring: it grows, to its maximum, then refuses */
	int n = 0;
	for (; n < 3000; n++) {
		char text[1000];
		memset(text, 'a' + n % 26, sizeof text - 1);
		text[sizeof text - 1] = '\0';
		pos[n] = push(&r, text, true);
		if (pos[n] == UINT64_MAX)
			break;
	}
	ck_assert_int_lt(n, 3000);
	ck_assert_uint_eq(r.cap, 8 * RING_MIN);
	ck_assert_uint_eq(r.first, 0); /* nothing was evicted */
	ck_assert_uint_eq(r.lines, (uint64_t)n);
	/* every held line is still there, intact, after the growth */
	for (int i = 0; i < n; i++) {
		struct ring_line l;
		uint64_t p = pos[i];
		ck_assert_int_eq(ring_read(&r, &p, &l), 1);
		ck_assert_uint_eq(l.len, 999);
		ck_assert_int_eq(l.text[0], 'a' + i % 26);
		ck_assert_int_eq(l.text[998], 'a' + i % 26);
	}
	/* released out of order: the oldest still held keeps the others */
	ring_release(&r, pos[1]);
	ck_assert_uint_eq(r.lines, (uint64_t)n);
	ring_release(&r, pos[0]);
	ck_assert_uint_eq(r.lines, (uint64_t)n - 2); /* keep 0: both go */
	for (int i = 2; i < n; i++)
		ring_release(&r, pos[i]);
	ck_assert_uint_eq(r.lines, 0);
	ck_assert_uint_eq(r.held, 0);
	ck_assert_ptr_null(r.buf); /* keep 0, empty: no memory held */
	/* and it works again afterwards, positions still growing */
	snprintf(line, sizeof line, "again");
	uint64_t p = push(&r, line, false);
	ck_assert_uint_ge(p, pos[n - 1]);
	ring_free(&r);
}
END_TEST

START_TEST(test_reader_overtaken_counts_lost)
{
	struct ring r;
	struct ring_cursor c;
	struct ring_line l;
	char line[32];
	ring_init(&r, RING_MIN, 0);
	push(&r, "first", false);
	ring_cursor_last(&c, &r, 1);
	ck_assert_int_eq(ring_cursor_next(&c, &l), 1);
	ck_assert_int_eq(ring_cursor_next(&c, &l), 0);
	/* the writer goes round the ring several times */
	for (int i = 0; i < 50000; i++) {
		snprintf(line, sizeof line, "%d", i);
		push(&r, line, false);
	}
	ck_assert_int_eq(ring_cursor_next(&c, &l), 1);
	/* it missed exactly the lines evicted since, and reads on from the oldest */
	ck_assert_uint_eq(c.lost, r.first - 1);
	ck_assert_int_eq(atoi(l.text), (int)(r.first - 1));
	uint64_t got = 1;
	while (ring_cursor_next(&c, &l) == 1)
		got++;
	ck_assert_uint_eq(c.lost + got, 50000);
	ring_free(&r);
}
END_TEST

START_TEST(test_merge_in_order)
{
	struct ring r[3];
	struct ring_cursor c[3];
	struct ring_line l;
	char line[32];
	order = 0;
	for (int i = 0; i < 3; i++)
		ring_init(&r[i], RING_MIN, 0);
	/* 3000 lines spread unevenly over three rings */
	for (int i = 0; i < 3000; i++) {
		int k = i % 7 == 0 ? 0 : i % 3 == 0 ? 1 : 2;
		snprintf(line, sizeof line, "%d", i);
		push(&r[k], line, false);
	}
	/* the 100 newest of all, in order: the newest 100 of each, merged, the first skipped */
	uint64_t total = 0;
	for (int i = 0; i < 3; i++)
		total += ring_cursor_last(&c[i], &r[i], 100);
	ck_assert_uint_eq(total, 300);
	int prev = -1, n = 0;
	long k;
	while ((k = ring_merge_next(c, 3, &l)) >= 0) {
		int v = atoi(l.text);
		ck_assert_int_gt(v, prev);
		ck_assert_uint_eq(l.order, (uint64_t)v + 1);
		if (++n > 200)
			ck_assert_int_eq(v, prev + 1); /* the newest 100 of all: every one */
		prev = v;
	}
	ck_assert_int_eq(n, 300);
	ck_assert_int_eq(prev, 2999);
	/* until: a snapshot ends where it was taken */
	for (int i = 0; i < 3; i++) {
		ring_cursor_last(&c[i], &r[i], UINT64_MAX);
		c[i].until = order - 10;
	}
	n = 0;
	while (ring_merge_next(c, 3, &l) >= 0)
		prev = atoi(l.text), n++;
	ck_assert_int_eq(prev, 2989);
	for (int i = 0; i < 3; i++)
		ring_free(&r[i]);
}
END_TEST

START_TEST(test_keep_changes)
{
	struct ring r;
	char line[32];
	ring_init(&r, RING_MIN, 0);
	for (int i = 0; i < 10000; i++) {
		snprintf(line, sizeof line, "%d", i);
		push(&r, line, false);
	}
	ck_assert_uint_gt(r.lines, 5000);
	ring_set_keep(&r, 1000);
	ck_assert_uint_le(r.head - r.tail, 1000);
	ck_assert_uint_gt(r.lines, 10);
	ring_set_keep(&r, 0);
	ck_assert_uint_eq(r.lines, 0);
	ck_assert_ptr_null(r.buf);
	ring_free(&r);
}
END_TEST

static Suite *ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_wrap_around);
	tcase_add_test(tc, test_line_larger_than_ring);
	tcase_add_test(tc, test_held_lines_are_never_evicted);
	tcase_add_test(tc, test_reader_overtaken_counts_lost);
	tcase_add_test(tc, test_merge_in_order);
	tcase_add_test(tc, test_keep_changes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ring_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

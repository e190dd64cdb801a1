/* Unit tests for src/graph.c: levels, cycles, and deep graphs walked
 * without recursion. */
#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

static void edge(struct graph *g, size_t from, size_t to)
{
	ck_assert_int_eq(graph_add_edge(g, from, to), 0);
}

START_TEST(test_empty_graph)
{
	struct graph g;
	int levels[1] = { 42 };
	size_t path[1];
	ck_assert_int_eq(graph_init(&g, 0), 0);
	ck_assert_int_eq(graph_levels(&g, levels), 0);
	ck_assert_uint_eq(graph_find_cycle(&g, NULL, path), 0);
	graph_free(&g);
	graph_free(&g); /* freeing twice is harmless: graph_free clears it */
}
END_TEST

START_TEST(test_independent_nodes)
{
	struct graph g;
	int levels[5];
	ck_assert_int_eq(graph_init(&g, 5), 0);
	memset(levels, 0x55, sizeof levels);
	ck_assert_int_eq(graph_levels(&g, levels), 1);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(levels[i], 0);
	graph_free(&g);
}
END_TEST

START_TEST(test_chain)
{
	/* 3 waits for 2 waits for 1 waits for 0 */
	struct graph g;
	int levels[4];
	ck_assert_int_eq(graph_init(&g, 4), 0);
	edge(&g, 3, 2);
	edge(&g, 2, 1);
	edge(&g, 1, 0);
	ck_assert_int_eq(graph_levels(&g, levels), 4);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(levels[i], i);
	graph_free(&g);

	/* the same chain with its indices reversed: 0 waits for 1 ... */
	ck_assert_int_eq(graph_init(&g, 4), 0);
	edge(&g, 0, 1);
	edge(&g, 1, 2);
	edge(&g, 2, 3);
	ck_assert_int_eq(graph_levels(&g, levels), 4);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(levels[i], 3 - i);
	graph_free(&g);
}
END_TEST

START_TEST(test_diamond)
{
	/* d waits for b and c; b and c wait for a */
	enum { A, B, C, D };
	struct graph g;
	int levels[4];
	ck_assert_int_eq(graph_init(&g, 4), 0);
	edge(&g, D, B);
	edge(&g, D, C);
	edge(&g, B, A);
	edge(&g, C, A);
	ck_assert_int_eq(graph_levels(&g, levels), 3);
	ck_assert_int_eq(levels[A], 0);
	ck_assert_int_eq(levels[B], 1);
	ck_assert_int_eq(levels[C], 1);
	ck_assert_int_eq(levels[D], 2);
	ck_assert_uint_eq(graph_find_cycle(&g, NULL, (size_t[5]){ 0 }), 0);
	graph_free(&g);
}
END_TEST

START_TEST(test_level_is_longest_path)
{
	/* x waits for a (level 0) and for the end of a chain of 3: level 3 */
	enum { X, A, C0, C1, C2, LONE };
	struct graph g;
	int levels[6];
	ck_assert_int_eq(graph_init(&g, 6), 0);
	edge(&g, X, A);
	edge(&g, X, C2);
	edge(&g, C2, C1);
	edge(&g, C1, C0);
	ck_assert_int_eq(graph_levels(&g, levels), 4);
	ck_assert_int_eq(levels[X], 3);
	ck_assert_int_eq(levels[A], 0);
	ck_assert_int_eq(levels[C0], 0);
	ck_assert_int_eq(levels[C1], 1);
	ck_assert_int_eq(levels[C2], 2);
	ck_assert_int_eq(levels[LONE], 0);
	graph_free(&g);
}
END_TEST

START_TEST(test_duplicate_edges)
{
	struct graph g;
	int levels[2];
	ck_assert_int_eq(graph_init(&g, 2), 0);
	edge(&g, 1, 0);
	edge(&g, 1, 0);
	edge(&g, 1, 0);
	ck_assert_uint_eq(g.nout[1], 1);
	ck_assert_uint_eq(g.out[1][0], 0);
	ck_assert_int_eq(graph_levels(&g, levels), 2);
	ck_assert_int_eq(levels[1], 1);
	graph_free(&g);
}
END_TEST

START_TEST(test_many_edges_grow)
{
	/* one node waits for 100 others: the edge array grows */
	struct graph g;
	int levels[101];
	ck_assert_int_eq(graph_init(&g, 101), 0);
	for (size_t i = 1; i <= 100; i++)
		edge(&g, 0, i);
	ck_assert_uint_eq(g.nout[0], 100);
	for (size_t i = 1; i <= 100; i++)
		ck_assert_uint_eq(g.out[0][i - 1], i);
	ck_assert_int_eq(graph_levels(&g, levels), 2);
	ck_assert_int_eq(levels[0], 1);
	for (size_t i = 1; i <= 100; i++)
		ck_assert_int_eq(levels[i], 0);
	graph_free(&g);
}
END_TEST

START_TEST(test_cycle_levels_fail)
{
	struct graph g;
	int levels[4];
	ck_assert_int_eq(graph_init(&g, 4), 0);
	edge(&g, 0, 1);
	edge(&g, 1, 2);
	edge(&g, 2, 0);
	ck_assert_int_eq(graph_levels(&g, levels), -1);
	graph_free(&g);
}
END_TEST

START_TEST(test_find_cycle_three)
{
	/* a -> b -> c -> a */
	struct graph g;
	size_t path[4] = { 99, 99, 99, 99 };
	ck_assert_int_eq(graph_init(&g, 3), 0);
	edge(&g, 0, 1);
	edge(&g, 1, 2);
	edge(&g, 2, 0);
	ck_assert_uint_eq(graph_find_cycle(&g, NULL, path), 4);
	ck_assert_uint_eq(path[0], 0);
	ck_assert_uint_eq(path[1], 1);
	ck_assert_uint_eq(path[2], 2);
	ck_assert_uint_eq(path[3], 0);
	graph_free(&g);
}
END_TEST

START_TEST(test_find_cycle_self)
{
	struct graph g;
	size_t path[3];
	ck_assert_int_eq(graph_init(&g, 2), 0);
	edge(&g, 1, 1);
	int levels[2];
	ck_assert_int_eq(graph_levels(&g, levels), -1);
	ck_assert_uint_eq(graph_find_cycle(&g, NULL, path), 2);
	ck_assert_uint_eq(path[0], 1);
	ck_assert_uint_eq(path[1], 1);
	graph_free(&g);
}
END_TEST

START_TEST(test_find_cycle_excludes_lead_in)
{
	/* 0 -> 1 -> 2 -> 3 -> 1: the path is the cycle only, 1 2 3 1 */
	struct graph g;
	size_t path[5];
	ck_assert_int_eq(graph_init(&g, 4), 0);
	edge(&g, 0, 1);
	edge(&g, 1, 2);
	edge(&g, 2, 3);
	edge(&g, 3, 1);
	ck_assert_uint_eq(graph_find_cycle(&g, NULL, path), 4);
	ck_assert_uint_eq(path[0], 1);
	ck_assert_uint_eq(path[1], 2);
	ck_assert_uint_eq(path[2], 3);
	ck_assert_uint_eq(path[3], 1);
	/* every step of the path is an edge of the graph */
	for (size_t k = 0; k + 1 < 4; k++) {
		bool found = false;
		for (size_t i = 0; i < g.nout[path[k]]; i++)
			found |= g.out[path[k]][i] == path[k + 1];
		ck_assert_msg(found, "no edge %zu -> %zu", path[k], path[k + 1]);
	}
	graph_free(&g);
}
END_TEST

START_TEST(test_find_cycle_none_in_dag)
{
	/* a diamond plus a shared node reached twice: visited, not a cycle */
	struct graph g;
	size_t path[6];
	ck_assert_int_eq(graph_init(&g, 5), 0);
	edge(&g, 0, 1);
	edge(&g, 0, 2);
	edge(&g, 1, 3);
	edge(&g, 2, 3);
	edge(&g, 4, 3);
	edge(&g, 4, 0);
	ck_assert_uint_eq(graph_find_cycle(&g, NULL, path), 0);
	graph_free(&g);
}
END_TEST

START_TEST(test_find_cycle_done_marks)
{
	/* two disjoint cycles: 0 <-> 1 and 2 -> 3 -> 4 -> 2 */
	struct graph g;
	size_t path[6];
	unsigned char done[5] = { 0 };
	ck_assert_int_eq(graph_init(&g, 5), 0);
	edge(&g, 0, 1);
	edge(&g, 1, 0);
	edge(&g, 2, 3);
	edge(&g, 3, 4);
	edge(&g, 4, 2);

	size_t len = graph_find_cycle(&g, done, path);
	ck_assert_uint_eq(len, 3);
	ck_assert_uint_eq(path[0], 0);
	ck_assert_uint_eq(path[1], 1);
	ck_assert_uint_eq(path[2], 0);
	for (size_t k = 0; k < len; k++)
		done[path[k]] = 1;

	len = graph_find_cycle(&g, done, path);
	ck_assert_uint_eq(len, 4);
	ck_assert_uint_eq(path[0], 2);
	ck_assert_uint_eq(path[1], 3);
	ck_assert_uint_eq(path[2], 4);
	ck_assert_uint_eq(path[3], 2);
	for (size_t k = 0; k < len; k++)
		done[path[k]] = 1;

	ck_assert_uint_eq(graph_find_cycle(&g, done, path), 0);
	graph_free(&g);
}
END_TEST

/* ---- deep graphs: run on a small thread stack, so that a recursive walk
 * (some 10000 frames deep) would crash the test ---------------------------- */

#define DEEP 10000
#define SMALL_STACK (64 * 1024)

struct deep_result {
	int nlevels;
	bool levels_ok;
	size_t acyclic_len;
	size_t cycle_len;
	bool cycle_path_ok;
};

static void *deep_worker(void *arg)
{
	struct deep_result *r = arg;
	struct graph g;
	int *levels = malloc(DEEP * sizeof *levels);
	size_t *path = malloc((DEEP + 1) * sizeof *path);

	if (!levels || !path || graph_init(&g, DEEP))
		return NULL;
	/* node i waits for node i - 1, added in an order that is not the
	 * topological one */
	for (size_t i = DEEP - 1; i > 0; i--)
		if (graph_add_edge(&g, i, i - 1))
			return NULL;
	r->nlevels = graph_levels(&g, levels);
	r->levels_ok = true;
	for (size_t i = 0; i < DEEP; i++)
		if (levels[i] != (int)i)
			r->levels_ok = false;
	r->acyclic_len = graph_find_cycle(&g, NULL, path);

	/* close the chain into one cycle of DEEP nodes: 0 waits for DEEP-1 */
	if (graph_add_edge(&g, 0, DEEP - 1))
		return NULL;
	r->cycle_len = graph_find_cycle(&g, NULL, path);
	r->cycle_path_ok = r->cycle_len == DEEP + 1 && path[0] == path[DEEP];
	for (size_t k = 0; r->cycle_path_ok && k < DEEP; k++) {
		bool found = false;
		for (size_t i = 0; i < g.nout[path[k]]; i++)
			found |= g.out[path[k]][i] == path[k + 1];
		r->cycle_path_ok = found;
	}
	graph_free(&g);
	free(levels);
	free(path);
	return r;
}

START_TEST(test_deep_chain_no_recursion)
{
	pthread_attr_t attr;
	pthread_t t;
	struct deep_result r = { .nlevels = -2 };
	void *ret = NULL;

	ck_assert_int_eq(pthread_attr_init(&attr), 0);
	ck_assert_int_eq(pthread_attr_setstacksize(&attr, SMALL_STACK), 0);
	ck_assert_int_eq(pthread_create(&t, &attr, deep_worker, &r), 0);
	ck_assert_int_eq(pthread_join(t, &ret), 0);
	pthread_attr_destroy(&attr);
	ck_assert_ptr_eq(ret, &r);
	ck_assert_int_eq(r.nlevels, DEEP);
	ck_assert(r.levels_ok);
	ck_assert_uint_eq(r.acyclic_len, 0);
	ck_assert_uint_eq(r.cycle_len, DEEP + 1);
	ck_assert(r.cycle_path_ok);
}
END_TEST

START_TEST(test_wide_graph)
{
	/* 10000 nodes all waiting for node 0, and node 0 waiting for nothing */
	struct graph g;
	int *levels = malloc(DEEP * sizeof *levels);
	ck_assert_int_eq(graph_init(&g, DEEP), 0);
	for (size_t i = 1; i < DEEP; i++)
		edge(&g, i, 0);
	ck_assert_int_eq(graph_levels(&g, levels), 2);
	ck_assert_int_eq(levels[0], 0);
	for (size_t i = 1; i < DEEP; i++)
		ck_assert_int_eq(levels[i], 1);
	graph_free(&g);
	free(levels);
}
END_TEST

static Suite *graph_suite(void)
{
	Suite *s = suite_create("graph");
	TCase *tc;

	tc = tcase_create("levels");
	tcase_add_test(tc, test_empty_graph);
	tcase_add_test(tc, test_independent_nodes);
	tcase_add_test(tc, test_chain);
	tcase_add_test(tc, test_diamond);
	tcase_add_test(tc, test_level_is_longest_path);
	tcase_add_test(tc, test_duplicate_edges);
	tcase_add_test(tc, test_many_edges_grow);
	suite_add_tcase(s, tc);

	tc = tcase_create("cycles");
	tcase_add_test(tc, test_cycle_levels_fail);
	tcase_add_test(tc, test_find_cycle_three);
	tcase_add_test(tc, test_find_cycle_self);
	tcase_add_test(tc, test_find_cycle_excludes_lead_in);
	tcase_add_test(tc, test_find_cycle_none_in_dag);
	tcase_add_test(tc, test_find_cycle_done_marks);
	suite_add_tcase(s, tc);

	tc = tcase_create("deep");
	tcase_add_test(tc, test_deep_chain_no_recursion);
	tcase_add_test(tc, test_wide_graph);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(graph_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

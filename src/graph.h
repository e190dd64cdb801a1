/* The dependency graph: nodes are service indices, an edge a -> b means
 * "a waits for b".  Pure: no I/O, no knowledge of services or config.
 * Walks use explicit work queues, never recursion, so deep graphs cannot
 * overflow the stack.
 */
#ifndef MUSTER_GRAPH_H
#define MUSTER_GRAPH_H

#include <stddef.h>

struct graph {
	size_t n;
	size_t **out;   /* out[a]: the nodes a waits for */
	size_t *nout;
	size_t *capout;
};

int graph_init(struct graph *g, size_t n);
void graph_free(struct graph *g);
int graph_add_edge(struct graph *g, size_t from, size_t to);

/* Levels: 0 for a node with no edges, else 1 + the highest level among the
 * nodes it waits for.  Fills levels[n]; returns the number of levels, or -1
 * when the graph has a cycle (see graph_find_cycle). */
int graph_levels(const struct graph *g, int *levels);

/* Find one cycle among the nodes not marked done[] (may be NULL).  On
 * success fills path with the nodes of the cycle in edge order, the first
 * node repeated at the end (a -> b -> a is {a, b, a}), and returns its
 * length; returns 0 when there is no cycle.  path must hold n + 1 entries. */
size_t graph_find_cycle(const struct graph *g, const unsigned char *done, size_t *path);

#endif

/* The dependency graph: edges between service indices, start levels, and
 * the path of a cycle; pure.
 */
#include "graph.h"

#include <stdlib.h>
#include <string.h>

int graph_init(struct graph *g, size_t n)
{
	memset(g, 0, sizeof *g);
	g->n = n;
	if (n == 0)
		return 0;
	g->out = calloc(n, sizeof *g->out);
	g->nout = calloc(n, sizeof *g->nout);
	g->capout = calloc(n, sizeof *g->capout);
	if (!g->out || !g->nout || !g->capout) {
		graph_free(g);
		return -1;
	}
	return 0;
}

void graph_free(struct graph *g)
{
	for (size_t i = 0; g->out && i < g->n; i++)
		free(g->out[i]);
	free(g->out);
	free(g->nout);
	free(g->capout);
	memset(g, 0, sizeof *g);
}

int graph_add_edge(struct graph *g, size_t from, size_t to)
{
	for (size_t i = 0; i < g->nout[from]; i++)
		if (g->out[from][i] == to)
			return 0;
	if (g->nout[from] == g->capout[from]) {
		size_t ncap = g->capout[from] ? g->capout[from] * 2 : 4;
		size_t *p = realloc(g->out[from], ncap * sizeof *p);
		if (!p)
			return -1;
		g->out[from] = p;
		g->capout[from] = ncap;
	}
	g->out[from][g->nout[from]++] = to;
	return 0;
}

int graph_levels(const struct graph *g, int *levels)
{
	size_t n = g->n, head = 0, tail = 0, placed = 0;
	size_t *pending = calloc(n ? n : 1, sizeof *pending);
	size_t *queue = malloc((n ? n : 1) * sizeof *queue);
	size_t *rstart = calloc(n + 1, sizeof *rstart);
	size_t *redge = NULL;
	int nlevels = 0;

	if (!pending || !queue || !rstart)
		goto fail;
	/* reverse edges in CSR form: who waits for node b */
	size_t edges = 0;
	for (size_t a = 0; a < n; a++) {
		edges += g->nout[a];
		for (size_t i = 0; i < g->nout[a]; i++)
			rstart[g->out[a][i] + 1]++;
	}
	for (size_t b = 0; b < n; b++)
		rstart[b + 1] += rstart[b];
	redge = malloc((edges ? edges : 1) * sizeof *redge);
	if (!redge)
		goto fail;
	size_t *fill = pending; /* reuse as a cursor, reset below */
	for (size_t a = 0; a < n; a++)
		for (size_t i = 0; i < g->nout[a]; i++) {
			size_t b = g->out[a][i];
			redge[rstart[b] + fill[b]++] = a;
		}
	for (size_t a = 0; a < n; a++) {
		pending[a] = g->nout[a];
		levels[a] = 0;
		if (pending[a] == 0)
			queue[tail++] = a;
	}
	while (head < tail) {
		size_t b = queue[head++];
		placed++;
		if (levels[b] + 1 > nlevels)
			nlevels = levels[b] + 1;
		for (size_t i = rstart[b]; i < rstart[b + 1]; i++) {
			size_t a = redge[i];
			if (levels[a] < levels[b] + 1)
				levels[a] = levels[b] + 1;
			if (--pending[a] == 0)
				queue[tail++] = a;
		}
	}
	free(pending);
	free(queue);
	free(rstart);
	free(redge);
	return placed == n ? nlevels : -1;
fail:
	free(pending);
	free(queue);
	free(rstart);
	free(redge);
	return -1;
}

size_t graph_find_cycle(const struct graph *g, const unsigned char *done, size_t *path)
{
	size_t n = g->n;
	/* 0 = unvisited, 1 = on the current path, 2 = finished */
	unsigned char *color = calloc(n ? n : 1, 1);
	size_t *edge = calloc(n ? n : 1, sizeof *edge);
	size_t *stack = malloc((n ? n : 1) * sizeof *stack);
	size_t len = 0;

	if (!color || !edge || !stack)
		goto out;
	for (size_t root = 0; root < n && !len; root++) {
		if (color[root] || (done && done[root]))
			continue;
		size_t sp = 0;
		stack[sp++] = root;
		color[root] = 1;
		while (sp && !len) {
			size_t a = stack[sp - 1];
			if (edge[a] == g->nout[a]) {
				color[a] = 2;
				sp--;
				continue;
			}
			size_t b = g->out[a][edge[a]++];
			if (done && done[b])
				continue;
			if (color[b] == 0) {
				color[b] = 1;
				stack[sp++] = b;
			} else if (color[b] == 1) {
				size_t from = 0;
				while (stack[from] != b)
					from++;
				for (size_t i = from; i < sp; i++)
					path[len++] = stack[i];
				path[len++] = b;
			}
		}
	}
out:
	free(color);
	free(edge);
	free(stack);
	return len;
}

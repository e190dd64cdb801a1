/* A service's lines in memory: one ring buffer of whole lines, each with
 * its time, stream and order; the one place a line lives once read.
 *
 * Records are laid out one after the other in a power-of-two buffer,
 * addressed by a logical position that only grows (the byte offset is the
 * position modulo the capacity); a record never straddles the end of the
 * buffer (a pad record fills the gap).  A reader's position stays valid
 * until its record is evicted: then ring_read() says so (the reader fell
 * a ring behind) instead of returning another line.
 *
 * A record pushed "held" (not yet written to muster's output) is never
 * evicted: when the ring has no room for a new line but held ones, it
 * grows (up to its maximum) instead -- back-pressure is the caller's,
 * loss is not the ring's.  Released records stay as history while the
 * ring holds at most `keep` bytes; `keep` 0 keeps nothing once released
 * (and frees the buffer when it is empty).
 *
 * Pure: no system call but malloc; unit-tested in tests/unit/check_ring.c.
 */
#ifndef MUSTER_RING_H
#define MUSTER_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A line's flags (struct ring_line.flags) */
#define RING_STREAM(f) ((f) & 3u)       /* 1 stdout, 2 stderr */
#define RING_CONT 0x04u                 /* a piece after the first of a long line */
#define RING_PART 0x08u                 /* the line goes on in the next piece */
#define RING_LEVEL_SHIFT 4              /* muster's own lines: its level + 1 */
#define RING_LEVEL(f) ((int)(((f) >> RING_LEVEL_SHIFT) & 7u) - 1)

#define RING_HDR 24             /* bytes of a record before its text */
#define RING_MIN (256 * 1024)   /* the smallest buffer: two 64 KiB pieces fit */

struct ring_line {
	const char *text;       /* into the ring: valid until the next push */
	size_t len;
	int64_t time_ns;        /* CLOCK_REALTIME */
	uint64_t order;         /* the caller's: lines of all rings sorted by it */
	unsigned flags;
};

struct ring {
	char *buf;              /* NULL until the first push */
	size_t cap;             /* a power of two (0: no buffer) */
	size_t keep;            /* bytes of released lines kept */
	size_t max;             /* the buffer never grows past this */
	uint64_t tail, head;    /* logical positions of the oldest record, the end */
	uint64_t first;         /* number of the line at tail (lines evicted so far) */
	uint64_t lines;         /* lines in the ring */
	size_t held;            /* bytes of held records */
};

/* An empty ring keeping keep bytes of history, never larger than max
 * (max is raised to what keep needs). */
void ring_init(struct ring *r, size_t keep, size_t max);
void ring_free(struct ring *r);

/* Change how much history is kept (a reload): trims at once. */
void ring_set_keep(struct ring *r, size_t keep);

/* Append a line (its text copied in), held or not.  Returns its position,
 * or UINT64_MAX when there is no room: the line is longer than the ring
 * can ever hold, or the held lines fill it at its maximum size, or no
 * memory.  Older released lines are evicted to make room. */
uint64_t ring_push(struct ring *r, const struct ring_line *line, bool held);

/* The line held at pos is written: it may go (as history allows). */
void ring_release(struct ring *r, uint64_t pos);

/* The line at *pos (which must be a position ring_push() or ring_read()
 * gave), *pos moved to the next.  1: a line; 0: none yet (*pos is the
 * end); -1: the line was evicted (*pos moved to the oldest line). */
int ring_read(const struct ring *r, uint64_t *pos, struct ring_line *out);

/* The position of the n-th newest line (the oldest when there are fewer);
 * *count (may be NULL) the number of lines from there to the end. */
uint64_t ring_last(const struct ring *r, uint64_t n, uint64_t *count);

/* ---- several rings in order ---------------------------------------------- */

/* A reader of one ring.  ring_cursor_last() sets it on the n newest
 * lines; nr is the number of the line at pos (lines ever evicted before
 * it + its index), so that a reader overtaken by evictions knows how many
 * lines it missed. */
struct ring_cursor {
	const struct ring *r;
	uint64_t pos;
	uint64_t nr;
	uint64_t until;         /* only lines of order <= until */
	uint64_t lost;          /* lines evicted under the cursor, counted */
};

/* Set c on r's n newest lines (until: UINT64_MAX); returns their count. */
uint64_t ring_cursor_last(struct ring_cursor *c, const struct ring *r, uint64_t n);

/* Set c at r's end: the lines pushed from now on. */
void ring_cursor_end(struct ring_cursor *c, const struct ring *r);

/* The next line of one cursor: 1 (c moved past it), 0 at its end; lines
 * evicted under it are skipped and counted in c->lost. */
int ring_cursor_next(struct ring_cursor *c, struct ring_line *out);

/* The next line of the cursors, lowest order first: the index of its
 * cursor (advanced past it), or -1 when every cursor is at its end. */
long ring_merge_next(struct ring_cursor *c, size_t n, struct ring_line *out);

#endif

/* The line ring: records in a power-of-two buffer at growing logical
 * positions, held records never evicted, history trimmed to `keep`.
 * See ring.h.
 */
#include "ring.h"

#include <stdlib.h>
#include <string.h>

/* A record: u32 len (a pad: its whole size), u32 meta, i64 time, u64
 * order, then the text, the whole rounded up to 8 bytes.  A pad (the gap
 * before the end of the buffer) has only len and meta, so it fits even
 * in 8 bytes. */
#define META_PAD 0x80000000u
#define META_HELD 0x40000000u
#define META_FLAGS 0x0000ffffu
#define RING_NONE UINT64_MAX

struct rec {
	uint32_t len;
	uint32_t meta;
	int64_t time_ns;
	uint64_t order;
};
_Static_assert(sizeof(struct rec) == RING_HDR, "the record header is RING_HDR bytes");

static size_t rec_size(size_t len)
{
	return (RING_HDR + len + 7) & ~(size_t)7;
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 8;
	while (p < n)
		p *= 2;
	return p;
}

static char *at(const struct ring *r, uint64_t pos)
{
	return r->buf + (pos & (r->cap - 1));
}

static void get_head(const struct ring *r, uint64_t pos, uint32_t *len, uint32_t *meta)
{
	memcpy(len, at(r, pos), sizeof *len);
	memcpy(meta, at(r, pos) + 4, sizeof *meta);
}

/* Bytes from the record at pos to the next one. */
static size_t step(uint32_t len, uint32_t meta)
{
	return meta & META_PAD ? len : rec_size(len);
}

static size_t base_cap(const struct ring *r)
{
	size_t b = pow2_at_least(r->keep > RING_MIN ? r->keep : RING_MIN);
	return b < r->max ? b : r->max;
}

void ring_init(struct ring *r, size_t keep, size_t max)
{
	memset(r, 0, sizeof *r);
	r->keep = keep;
	r->max = pow2_at_least(max);
	size_t b = pow2_at_least(keep > RING_MIN ? keep : RING_MIN);
	if (r->max < b)
		r->max = b;
}

void ring_free(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
	r->first += r->lines;
	r->lines = 0;
	r->held = 0;
	r->tail = r->head;
}

/* Drop the oldest record if it may go: false when the ring is empty or
 * the oldest is held. */
static bool evict_one(struct ring *r)
{
	uint32_t len, meta;
	if (r->tail == r->head)
		return false;
	get_head(r, r->tail, &len, &meta);
	if (meta & META_HELD)
		return false;
	r->tail += step(len, meta);
	if (!(meta & META_PAD)) {
		r->first++;
		r->lines--;
	}
	return true;
}

/* History beyond keep goes (all of it with keep 0); with spare, the
 * newest line stays whatever keep says (the caller reads it back). */
static void trim(struct ring *r, bool spare)
{
	while (r->head - r->tail > r->keep && (!spare || r->lines > 1) && evict_one(r))
		;
	while (r->tail != r->head && r->lines == 0 && evict_one(r))
		; /* a pad alone */
	if (r->tail == r->head && r->keep == 0 && r->buf) {
		free(r->buf);
		r->buf = NULL;
		r->cap = 0;
	}
}

void ring_set_keep(struct ring *r, size_t keep)
{
	r->keep = keep;
	if (r->max < pow2_at_least(keep))
		r->max = pow2_at_least(keep);
	trim(r, false);
}

/* Double the buffer, positions kept: a record that did not straddle a
 * multiple of the old capacity does not straddle one of the new. */
static int grow(struct ring *r)
{
	size_t ncap = r->cap ? r->cap * 2 : base_cap(r);
	if (ncap > r->max)
		return -1;
	char *nb = malloc(ncap);
	if (!nb)
		return -1;
	for (uint64_t p = r->tail; p < r->head;) {
		size_t oo = (size_t)(p & (r->cap - 1)), no = (size_t)(p & (ncap - 1));
		size_t n = (size_t)(r->head - p);
		if (n > r->cap - oo)
			n = r->cap - oo;
		if (n > ncap - no)
			n = ncap - no;
		memcpy(nb + no, r->buf + oo, n);
		p += n;
	}
	free(r->buf);
	r->buf = nb;
	r->cap = ncap;
	return 0;
}

uint64_t ring_push(struct ring *r, const struct ring_line *line, bool held)
{
	size_t need = rec_size(line->len);

	if (line->len > UINT32_MAX / 2 || need > r->max / 2)
		return RING_NONE; /* would not fit even in an empty ring at its largest */
	for (;;) {
		size_t off = r->cap ? (size_t)(r->head & (r->cap - 1)) : 0;
		size_t want = r->cap - off < need ? r->cap - off + need : need;
		if (r->cap && r->cap - (size_t)(r->head - r->tail) >= want)
			break;
		if (r->cap && evict_one(r))
			continue;
		if (grow(r) < 0)
			return RING_NONE;
	}
	size_t off = (size_t)(r->head & (r->cap - 1));
	if (r->cap - off < need) {
		uint32_t pad[2] = { (uint32_t)(r->cap - off), META_PAD };
		memcpy(r->buf + off, pad, sizeof pad);
		r->head += r->cap - off;
	}
	uint64_t pos = r->head;
	struct rec h = {
		.len = (uint32_t)line->len,
		.meta = (line->flags & META_FLAGS) | (held ? META_HELD : 0),
		.time_ns = line->time_ns,
		.order = line->order,
	};
	char *p = at(r, pos);
	memcpy(p, &h, sizeof h);
	if (line->len)
		memcpy(p + RING_HDR, line->text, line->len);
	r->head += need;
	r->lines++;
	if (held)
		r->held += need;
	trim(r, true);
	return pos;
}

void ring_release(struct ring *r, uint64_t pos)
{
	uint32_t len, meta;
	if (pos < r->tail || pos >= r->head)
		return;
	get_head(r, pos, &len, &meta);
	if (!(meta & META_HELD) || (meta & META_PAD))
		return;
	meta &= ~META_HELD;
	memcpy(at(r, pos) + 4, &meta, sizeof meta);
	r->held -= rec_size(len);
	trim(r, false);
}

int ring_read(const struct ring *r, uint64_t *pos, struct ring_line *out)
{
	if (*pos < r->tail) {
		*pos = r->tail;
		return -1;
	}
	while (*pos < r->head) {
		struct rec h;
		memcpy(&h, at(r, *pos), 8);
		if (h.meta & META_PAD) {
			*pos += h.len;
			continue;
		}
		memcpy(&h, at(r, *pos), sizeof h);
		out->text = at(r, *pos) + RING_HDR;
		out->len = h.len;
		out->time_ns = h.time_ns;
		out->order = h.order;
		out->flags = h.meta & META_FLAGS;
		*pos += rec_size(h.len);
		return 1;
	}
	return 0;
}

uint64_t ring_last(const struct ring *r, uint64_t n, uint64_t *count)
{
	uint64_t skip = r->lines > n ? r->lines - n : 0, pos = r->tail;
	struct ring_line l;
	for (uint64_t i = 0; i < skip; i++)
		ring_read(r, &pos, &l);
	if (count)
		*count = r->lines - skip;
	return pos;
}

uint64_t ring_cursor_last(struct ring_cursor *c, const struct ring *r, uint64_t n)
{
	uint64_t count;
	c->r = r;
	c->pos = ring_last(r, n, &count);
	c->nr = r->first + (r->lines - count);
	c->until = UINT64_MAX;
	c->lost = 0;
	return count;
}

void ring_cursor_end(struct ring_cursor *c, const struct ring *r)
{
	c->r = r;
	c->pos = r->head;
	c->nr = r->first + r->lines;
	c->until = UINT64_MAX;
	c->lost = 0;
}

/* Lines evicted under c: counted, c moved to the oldest line. */
static void catch_up(struct ring_cursor *c)
{
	if (c->pos >= c->r->tail)
		return;
	c->lost += c->r->first - c->nr;
	c->nr = c->r->first;
	c->pos = c->r->tail;
}

int ring_cursor_next(struct ring_cursor *c, struct ring_line *out)
{
	catch_up(c);
	uint64_t pos = c->pos;
	if (ring_read(c->r, &pos, out) != 1 || out->order > c->until)
		return 0;
	c->pos = pos;
	c->nr++;
	return 1;
}

long ring_merge_next(struct ring_cursor *c, size_t n, struct ring_line *out)
{
	long best = -1;
	struct ring_line l;
	for (size_t i = 0; i < n; i++) {
		catch_up(&c[i]);
		uint64_t pos = c[i].pos;
		if (ring_read(c[i].r, &pos, &l) == 1 && l.order <= c[i].until &&
		    (best < 0 || l.order < out->order)) {
			best = (long)i;
			*out = l;
		}
	}
	if (best >= 0)
		ring_cursor_next(&c[best], out);
	return best;
}

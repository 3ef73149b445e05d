#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

#define ARENA_BLOCK 16384
#define ARENA_ALIGN 16

struct block {
	struct block *next;
	size_t used, size;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	arena_cleanup_fn fn;
	void *p;
};

struct arena {
	struct block *head;       /* current block first */
	struct cleanup *cleanups; /* newest first */
};

static void *
xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		fputs("callboard: out of memory\n", stderr);
		abort();
	}
	return p;
}

static struct block *
block_new(size_t size)
{
	struct block *b = xmalloc(sizeof(*b) + size);

	b->next = NULL;
	b->used = 0;
	b->size = size;
	return b;
}

struct arena *
arena_new(void)
{
	struct arena *a = xmalloc(sizeof(*a));

#ifdef CB_ARENA_MALLOC
	a->head = NULL;
#else
	a->head = block_new(ARENA_BLOCK);
#endif
	a->cleanups = NULL;
	return a;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct block *b;
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	if (need < n) {
		fputs("callboard: arena overflow\n", stderr);
		abort();
	}
#ifdef CB_ARENA_MALLOC
	b = block_new(n);
	b->next = a->head;
	a->head = b;
	memset(b->data, 0, n);
	return b->data;
#else
	b = a->head;
	if (b->size - b->used < need) {
		if (need > ARENA_BLOCK / 4) {
			/* Large: its own block, behind the current one, so the
			 * current block's free space is not wasted. */
			b = block_new(need);
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b = block_new(ARENA_BLOCK);
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = b->data + b->used;
	b->used += need;
	memset(p, 0, n);
	return p;
#endif
}

void *
arena_grow(struct arena *a, void *p, size_t n, size_t *cap, size_t sz)
{
	size_t ncap = *cap ? 2 * *cap : 8;
	void *g;

	if (n < *cap)
		return p;
	if (sz != 0 && ncap > (size_t)-1 / sz) {
		fputs("callboard: arena overflow\n", stderr);
		abort();
	}
	g = arena_alloc(a, ncap * sz);
	if (n)
		memcpy(g, p, n * sz);
	*cap = ncap;
	return g;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return arena_strdup(a, "");
	p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_cleanup_add(struct arena *a, arena_cleanup_fn fn, void *p)
{
	struct cleanup *c = arena_alloc(a, sizeof(*c));

	c->fn = fn;
	c->p = p;
	c->next = a->cleanups;
	a->cleanups = c;
}

void
arena_reset(struct arena *a)
{
	struct cleanup *c;
	struct block *b, *next, *keep = NULL;

	/* Cleanups live in the arena: run them all before freeing blocks. */
	for (c = a->cleanups; c; c = c->next)
		c->fn(c->p);
	a->cleanups = NULL;
	for (b = a->head; b; b = next) {
		next = b->next;
#ifndef CB_ARENA_MALLOC
		if (keep == NULL && b->size == ARENA_BLOCK) {
			keep = b;
			continue;
		}
#endif
		free(b);
	}
	if (keep) {
		keep->used = 0;
		keep->next = NULL;
	}
	a->head = keep;
#ifndef CB_ARENA_MALLOC
	if (a->head == NULL)
		a->head = block_new(ARENA_BLOCK);
#endif
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->head);
	free(a);
}

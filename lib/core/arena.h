/* Per-request arena with cleanup hooks (STYLE §2.6, nginx ngx_pool_t).
 * Everything a request allocates lives here and is released by one
 * arena_reset() after the response is sent. Objects owned by libraries
 * (MYSQL_STMT, json_object, curl handles) register a cleanup hook instead.
 * With CB_ARENA_MALLOC (sanitizer builds) every allocation is its own
 * malloc so ASan sees overflows. Allocation failure aborts: a FastCGI
 * process that cannot get memory is restarted by its supervisor. */
#ifndef CB_CORE_ARENA_H
#define CB_CORE_ARENA_H

#include <stddef.h>

struct arena;
typedef void (*arena_cleanup_fn)(void *);

struct arena *arena_new(void);
/* Zeroed memory, aligned for any type; owned by the arena. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Room for one more element in the arena array p of n elements of sz
 * bytes, *cap of them allocated: p itself, or when full a copy with twice
 * the room (*cap updated; the old copy goes at the arena's reset). */
void *arena_grow(struct arena *a, void *p, size_t n, size_t *cap,
    size_t sz);
/* fn(p) runs at arena_reset(), in reverse order of registration. */
void arena_cleanup_add(struct arena *a, arena_cleanup_fn fn, void *p);
/* Runs cleanups and releases everything but the first block. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

#endif

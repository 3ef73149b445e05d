/* The history page's lists, kept per process (see calllists.h). One copy
 * per process, outside any request: it holds rows every user may see (the
 * selects list every user and integration), and a user's own saved filters
 * only in that user's slot, so no request can see another's state. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "db/call.h"
#include "db/calllists.h"
#include "db/savedfilter.h"

/* Users whose saved filters are kept at once. A miss costs one indexed
 * query (the user's first page after a change or after being pushed out),
 * so a handful of slots is plenty; each slot's memory is its own arena,
 * given back when the slot is reused. */
#define SAVED_SLOTS 8

struct item_vec {
	struct call_list_item *v;
	size_t n, cap;
};

struct saved_slot {
	int64_t user_id;             /* 0: empty */
	struct arena *arena;
	struct item_vec filters;
};

static struct {
	uint64_t version;            /* 0: nothing kept */
	struct arena *arena;         /* users and integrations */
	struct item_vec users, integrations;
	struct call_list_item *users_by_id, *integrations_by_id;
	struct saved_slot saved[SAVED_SLOTS];
	unsigned next_slot;          /* the next slot to reuse, round robin */
	struct call_lists out;       /* what db_call_lists_get() hands out */
} copy;

static void
vec_push(struct arena *a, struct item_vec *vec, struct db_stmt *st,
    unsigned col)
{
	struct call_list_item *it;
	const char *s;

	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 16;
		struct call_list_item *v = arena_alloc(a, cap * sizeof(*v));
		if (vec->n)
			memcpy(v, vec->v, vec->n * sizeof(*v));
		vec->v = v;
		vec->cap = cap;
	}
	it = &vec->v[vec->n++];
	it->id = db_col_i64(st, col);
	it->name = (s = db_col(st, col + 1, NULL)) ? arena_strdup(a, s) : NULL;
	it->extra = (s = db_col(st, col + 2, NULL)) ? arena_strdup(a, s) :
	    NULL;
}

static int
item_cmp_id(const void *a, const void *b)
{
	int64_t x = ((const struct call_list_item *)a)->id;
	int64_t y = ((const struct call_list_item *)b)->id;

	return x < y ? -1 : x > y;
}

static struct call_list_item *
sorted_by_id(struct arena *a, const struct item_vec *vec)
{
	struct call_list_item *v;

	if (vec->n == 0)
		return NULL;
	v = arena_alloc(a, vec->n * sizeof(*v));
	memcpy(v, vec->v, vec->n * sizeof(*v));
	qsort(v, vec->n, sizeof(*v), item_cmp_id);
	return v;
}

static void
slot_empty(struct saved_slot *s)
{
	s->user_id = 0;
	memset(&s->filters, 0, sizeof(s->filters));
	arena_reset(s->arena);
}

/* Drops everything: the next page reads the lists again. */
static void
forget(void)
{
	unsigned i;

	copy.version = 0;
	arena_reset(copy.arena);
	memset(&copy.users, 0, sizeof(copy.users));
	memset(&copy.integrations, 0, sizeof(copy.integrations));
	copy.users_by_id = copy.integrations_by_id = NULL;
	for (i = 0; i < SAVED_SLOTS; i++)
		slot_empty(&copy.saved[i]);
}

static struct saved_slot *
slot_find(int64_t user_id)
{
	unsigned i;

	for (i = 0; i < SAVED_SLOTS; i++)
		if (copy.saved[i].user_id == user_id)
			return &copy.saved[i];
	return NULL;
}

static struct saved_slot *
slot_take(int64_t user_id)
{
	struct saved_slot *s = &copy.saved[copy.next_slot];

	copy.next_slot = (copy.next_slot + 1) % SAVED_SLOTS;
	slot_empty(s);
	s->user_id = user_id;
	return s;
}

/* Every list in one query (db_call_page_lists). The version was read
 * before this query, so the rows are at least that new: a change that
 * commits in between is kept under the older number and read again on
 * the next page, never the other way round. */
static enum cb_err
reload(struct db *db, uint64_t version, int64_t saved_user_id,
    struct saved_slot **slot)
{
	struct db_stmt *st;
	enum cb_err rc;

	forget();
	*slot = saved_user_id ? slot_take(saved_user_id) : NULL;
	if ((rc = db_call_page_lists(db, saved_user_id, &st)) != CB_OK)
		goto fail;
	while ((rc = db_fetch(st)) == CB_OK) {
		int64_t kind = db_col_i64(st, 0);
		if (kind == CALL_LIST_MANAGER)
			vec_push(copy.arena, &copy.users, st, 1);
		else if (kind == CALL_LIST_INTEGRATION)
			vec_push(copy.arena, &copy.integrations, st, 1);
		else if (kind == CALL_LIST_SAVED && *slot &&
		    (*slot)->filters.n < CALL_LIST_SAVED_MAX)
			vec_push((*slot)->arena, &(*slot)->filters, st, 1);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND)
		goto fail;
	copy.users_by_id = sorted_by_id(copy.arena, &copy.users);
	copy.integrations_by_id = sorted_by_id(copy.arena,
	    &copy.integrations);
	copy.version = version;
	return CB_OK;
fail:
	forget();
	*slot = NULL;
	return rc;
}

/* The lists are current; only this user's saved filters are missing. */
static enum cb_err
load_saved(struct db *db, int64_t user_id, struct saved_slot **slot)
{
	struct saved_slot *s = slot_take(user_id);
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = db_savedfilter_list(db, user_id, "calls", &st)) != CB_OK)
		goto fail;
	while ((rc = db_fetch(st)) == CB_OK)
		if (s->filters.n < CALL_LIST_SAVED_MAX)
			vec_push(s->arena, &s->filters, st, 0);
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND)
		goto fail;
	*slot = s;
	return CB_OK;
fail:
	slot_empty(s);
	return rc;
}

enum cb_err
db_call_lists_get(struct db *db, uint64_t version, int64_t saved_user_id,
    const struct call_lists **out)
{
	struct saved_slot *slot = NULL;
	enum cb_err rc;
	unsigned i;

	if (copy.arena == NULL) {
		copy.arena = arena_new();
		for (i = 0; i < SAVED_SLOTS; i++)
			copy.saved[i].arena = arena_new();
	}
	if (version == 0 || version != copy.version)
		rc = reload(db, version, saved_user_id, &slot);
	else if (saved_user_id == 0 ||
	    (slot = slot_find(saved_user_id)) != NULL)
		rc = CB_OK;
	else
		rc = load_saved(db, saved_user_id, &slot);
	if (rc != CB_OK)
		return rc;
	copy.out.users = (struct call_list){ copy.users.v, copy.users.n };
	copy.out.integrations = (struct call_list){ copy.integrations.v,
	    copy.integrations.n };
	copy.out.users_by_id = copy.users_by_id;
	copy.out.integrations_by_id = copy.integrations_by_id;
	copy.out.saved = slot ? (struct call_list){ slot->filters.v,
	    slot->filters.n } : (struct call_list){ NULL, 0 };
	*out = &copy.out;
	return CB_OK;
}

static const struct call_list_item *
find(const struct call_list_item *by_id, size_t n, int64_t id)
{
	struct call_list_item key = { id, NULL, NULL };

	if (n == 0)
		return NULL;
	return bsearch(&key, by_id, n, sizeof(*by_id), item_cmp_id);
}

const struct call_list_item *
call_lists_user(const struct call_lists *lists, int64_t id)
{
	return find(lists->users_by_id, lists->users.n, id);
}

const struct call_list_item *
call_lists_integration(const struct call_lists *lists, int64_t id)
{
	return find(lists->integrations_by_id, lists->integrations.n, id);
}

void
db_call_lists_free(void)
{
	unsigned i;

	if (copy.arena == NULL)
		return;
	arena_free(copy.arena);
	for (i = 0; i < SAVED_SLOTS; i++)
		arena_free(copy.saved[i].arena);
	memset(&copy, 0, sizeof(copy));
}

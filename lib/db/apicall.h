/* Calls as the JSON API returns them (issue 3 §7), customers created
 * through the API, and relinking calls stored before their customer
 * existed. */
#ifndef CB_DB_APICALL_H
#define CB_DB_APICALL_H

#include <stdint.h>

#include <json-c/json.h>

#include "db/call.h"
#include "db/db.h"

struct api_call_filter {
	const char *integration;   /* slug or NULL */
	const char *external_id;   /* or NULL */
	const char *digits_rev;    /* reversed digits of a number, or NULL */
	/* reversed digits of a "contains" fragment, CALL_GRAM_LEN or more
	 * (db/call.h db_call_grams_on), or NULL. With it the calls come newest
	 * first by start time (call_number_grams' order) and before_id is that
	 * call's position in it. */
	const char *contains_rev;
	/* How the grams are read (as struct call_filter number_plan;
	 * db_api_calls() sets it). */
	struct call_contains_plan contains_plan;
	uint64_t kept_version;     /* as struct call_filter's; 0: read it */
	/* Words said (issue 22): a BOOLEAN MODE query over the transcripts'
	 * FULLTEXT index (transcript_said_query()), or NULL. With it the
	 * index drives (contains then narrows by LIKE, no grams) and each
	 * call gets "summary": its transcript's summary_head, which the
	 * caller removes where its reader may not read it. */
	const char *said;
	int64_t manager_id;        /* only this manager's calls (0 = any) */
	int64_t before_id;         /* keyset: id < before_id (0 = newest) */
	unsigned limit;            /* 1..500 */
};

/* The list query of f, before it runs (as db_call_list_query(); tests
 * EXPLAIN it through tests/explain/history_sql api=1). buf_free(&q->sql)
 * afterwards, also on error. */
enum cb_err db_api_calls_query(const struct api_call_filter *f,
    struct call_query *q);

/* Appends one JSON object per call to arr (newest first); *last_id is the
 * smallest id returned (the next cursor), 0 if none. */
enum cb_err db_api_calls(struct db *db, const struct api_call_filter *f,
    struct json_object *arr, int64_t *last_id);

enum cb_err db_customer_create(struct db *db, const char *name,
    const char *email, int64_t manager_id, const char *external_id,
    int64_t *id);
/* CB_DUPLICATE when the customer already has this phone. */
enum cb_err db_customer_add_phone(struct db *db, int64_t customer_id,
    const char *phone, const char *digits_rev);
enum cb_err db_user_id_by_login(struct db *db, const char *login, int64_t *id);
/* Calls from this number (its reversed digits) with no customer yet: their
 * ids and whether their integration links to leads (max n). */
enum cb_err db_unlinked_calls(struct db *db, const char *digits_rev,
    int64_t *ids, int *to_leads, unsigned n, unsigned *got);

#endif

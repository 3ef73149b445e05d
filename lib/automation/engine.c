#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "automation/autolead.h"
#include "automation/engine.h"
#include "automation/missed_task.h"
#include "automation/transfer.h"
#include "automation/triggers.h"
#include "core/log.h"
#include "db/automation.h"

bool
engine_is_missed(const char *direction, const char *result)
{
	/* Only what the provider said: 'unknown' is never guessed to be
	 * missed, and 'failed' (the call never reached us: a network or
	 * number error) is nobody's missed call. */
	return strcmp(direction, "in") == 0 && (strcmp(result, "missed") == 0 ||
	    strcmp(result, "no_answer") == 0 || strcmp(result, "busy") == 0);
}

bool
engine_is_reached(const char *direction, const char *result)
{
	return (strcmp(direction, "in") == 0 || strcmp(direction, "out") == 0)
	    && strcmp(result, "answered") == 0;
}

static int64_t
payload_call_id(const struct job *j)
{
	struct json_object *o = json_tokener_parse(j->payload), *v;
	int64_t id = 0;

	if (o != NULL && json_object_object_get_ex(o, "call_id", &v) &&
	    json_object_is_type(v, json_type_int))
		id = json_object_get_int64(v);
	json_object_put(o);
	return id;
}

typedef enum cb_err (*step_fn)(struct db *db, const struct cb_config *cfg,
    struct auto_call *c);

static enum cb_err
step_new(struct db *db, const struct cb_config *cfg, struct auto_call *c)
{
	return triggers_run(db, "new_call", c, cfg->public_url);
}

static enum cb_err
step_ended(struct db *db, const struct cb_config *cfg, struct auto_call *c)
{
	enum cb_err rc;
	unsigned closed;
	int64_t id;

	if (engine_is_reached(c->direction, c->result)) {
		if ((rc = db_task_close_reached(db, c->client_number, c->id,
		    &closed)) != CB_OK)
			return rc;
		if (closed)
			log_info("call %lld reached %s: %u task(s) closed",
			    (long long)c->id, c->client_number, closed);
		/* The rule picks incoming, outgoing or all calls; then the
		 * call's lead follows a manual transfer (issue 19 §2, §3). */
		if ((rc = autolead_apply(db, c, false, &id)) != CB_OK)
			return rc;
		return transfer_apply(db, c, &id);
	}
	if (!engine_is_missed(c->direction, c->result))
		return CB_OK;
	if ((rc = missed_task_apply(db, c, &id)) != CB_OK ||
	    (rc = autolead_apply(db, c, true, &id)) != CB_OK)
		return rc;
	return triggers_run(db, "missed_call", c, cfg->public_url);
}

/* Runs in the worker's transaction: the caller marks the job done in it
 * and commits, so the writes and the "done" land together or not at all. */
static enum cb_err
run(struct db *db, const struct cb_config *cfg, const struct job *j,
    step_fn step, char *err, size_t errsz)
{
	int64_t call_id = payload_call_id(j);
	struct auto_call c;
	enum cb_err rc;

	if (call_id <= 0) {
		snprintf(err, errsz, "payload has no call_id");
		return CB_EINVAL;
	}
	rc = db_auto_call(db, call_id, &c);
	if (rc == CB_ENOTFOUND)
		return CB_OK;   /* the call was deleted: nothing to do */
	if (rc == CB_OK && strcmp(c.direction, "internal") != 0 &&
	    !c.own_number)
		rc = step(db, cfg, &c);
	if (rc == CB_OK)
		return CB_OK;
	snprintf(err, errsz, "call %lld: %s", (long long)call_id,
	    rc == CB_EDB ? db_error(db) : cb_strerror(rc));
	/* Errors here are the database's: worth another attempt. */
	return rc == CB_EINVAL || rc == CB_ENOTFOUND ? CB_EDB : rc;
}

enum cb_err
engine_call_new(struct db *db, const struct cb_config *cfg,
    const struct job *j, char *err, size_t errsz)
{
	enum cb_err rc;
	bool any;

	/* Most installations have no new-call trigger: then the call need
	 * not even be read (the worker caches the trigger list per batch). */
	if ((rc = db_auto_any_triggers(db, "new_call", &any)) != CB_OK) {
		snprintf(err, errsz, "%s", db_error(db));
		return rc;
	}
	return any ? run(db, cfg, j, step_new, err, errsz) : CB_OK;
}

enum cb_err
engine_call_ended(struct db *db, const struct cb_config *cfg,
    const struct job *j, char *err, size_t errsz)
{
	return run(db, cfg, j, step_ended, err, errsz);
}

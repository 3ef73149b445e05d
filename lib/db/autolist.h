/* Automation data as the JSON API lists it (GET /api/v1/tasks, /leads,
 * /notifications, /trigger-runs): one JSON object per row, built by the
 * server (JSON_OBJECT) so nested lists (a task's assignees and calls) come
 * in the same query. Newest first. */
#ifndef CB_DB_AUTOLIST_H
#define CB_DB_AUTOLIST_H

#include <stdint.h>

#include <json-c/json.h>

#include "db/db.h"

/* 0 / NULL = no filter on that field. */
struct autolist_filter {
	int64_t call_id;           /* tasks: any call gathered into the task */
	const char *phone;         /* E.164 */
	int64_t user_id;           /* tasks: an assignee; notifications: to */
	int64_t trigger_id;        /* trigger runs */
	const char *state;         /* tasks: open, done, cancelled */
	unsigned limit;            /* 1..500 */
};

enum cb_err db_autolist_tasks(struct db *db, const struct autolist_filter *f,
    struct json_object *arr);
enum cb_err db_autolist_leads(struct db *db, const struct autolist_filter *f,
    struct json_object *arr);
enum cb_err db_autolist_notifications(struct db *db,
    const struct autolist_filter *f, struct json_object *arr);
enum cb_err db_autolist_trigger_runs(struct db *db,
    const struct autolist_filter *f, struct json_object *arr);

#endif

/* The recording columns of calls (issue 3 §6): what the recording.fetch
 * job reads about a call and the three ways it ends. One named function
 * per statement, each a prepared statement (STYLE §2.13). */
#ifndef CB_DB_RECORDING_H
#define CB_DB_RECORDING_H

#include <stdint.h>

#include <json-c/json.h>

#include "db/db.h"

/* A call's recording reference and its integration's settings. */
struct recording_source {
	int64_t call_id;
	char state[16];             /* calls.recording_state */
	char url[1025];             /* calls.recording_url: a URL or "ref:<id>";
	                             * "" when NULL */
	char day[11];               /* started_at (UTC) as "YYYY/MM/DD" */
	char kind[16];              /* integrations.kind */
	/* integrations.config and .secrets parsed; NULL when absent or not a
	 * JSON object. Owned by the struct: db_recording_source_free(). */
	struct json_object *config;
	struct json_object *secrets;
};

/* Loads the call and its integration. CB_ENOTFOUND when there is no such
 * call. */
enum cb_err db_recording_source(struct db *db, int64_t call_id,
    struct recording_source *out);
/* Releases the JSON objects (safe on a zeroed struct). */
void db_recording_source_free(struct recording_source *src);

/* recording_state = 'stored', recording_path = path (relative to
 * recordings_dir). */
enum cb_err db_recording_stored(struct db *db, int64_t call_id,
    const char *path);
/* recording_state = 'unavailable': the provider says there is no file.
 * Never downgrades a stored recording. */
enum cb_err db_recording_unavailable(struct db *db, int64_t call_id);
/* recording_state = 'failed': the worker gave up on the job. Only a
 * pending (or already failed) recording changes; stored and unavailable
 * stay. */
enum cb_err db_recording_failed(struct db *db, int64_t call_id);
/* Why the call's recording is not there yet (or gave up): the newest
 * last_error of its recording.fetch jobs into out, "" when none.
 * CB_ENOTFOUND when no job said anything. */
enum cb_err db_recording_last_error(struct db *db, int64_t call_id,
    char *out, size_t outsz);

#endif

/* SMS gateway accounts and the SMS outbox (migration 0024, lib/sms/).
 * Statements are owned by the connection; readers hand back a statement
 * with its rows buffered (db_fetch(), db_col() by the enums below,
 * db_stmt_done()). */
#ifndef CB_DB_SMS_H
#define CB_DB_SMS_H

#include <stdint.h>

#include "db/db.h"

enum sms_gw_col { SG_ID, SG_KIND, SG_NAME, SG_SETTINGS, SG_SECRETS,
	SG_UPDATED_AT, SG_COL__MAX };

/* All accounts by name. */
enum cb_err db_sms_gateways(struct db *db, struct db_stmt **out);
/* One, fetched already; CB_ENOTFOUND when none. */
enum cb_err db_sms_gateway_get(struct db *db, int64_t id,
    struct db_stmt **out);
/* Inserts (*id == 0) or updates *id; secrets is the sealed text.
 * CB_ENOTFOUND: no such account. */
enum cb_err db_sms_gateway_save(struct db *db, int64_t *id, const char *kind,
    const char *name, const char *settings, const char *secrets);
enum cb_err db_sms_gateway_delete(struct db *db, int64_t id);

struct sms_msg_new {
	int64_t run_id, trigger_id, call_id, gateway_id;
	const char *recipient;    /* E.164 */
	const char *text;
	unsigned segments;
};
/* CB_DUPLICATE when this run already has a message to this recipient. */
enum cb_err db_sms_message_add(struct db *db, const struct sms_msg_new *m,
    int64_t *id);

enum sms_msg_col { SM_ID, SM_RUN_ID, SM_GATEWAY_ID, SM_RECIPIENT, SM_TEXT,
	SM_STATE, SM_ATTEMPTS, SM_COL__MAX };
/* One message, fetched already; CB_ENOTFOUND when none. */
enum cb_err db_sms_message_get(struct db *db, int64_t id,
    struct db_stmt **out);
/* queued → sending, committed before the request goes out (autocommit):
 * *claimed is false when the row was not queued. */
enum cb_err db_sms_claim(struct db *db, int64_t id, bool *claimed);
/* The final or retry state; message_id and error may be NULL. */
enum cb_err db_sms_finish(struct db *db, int64_t id, const char *state,
    const char *message_id, const char *error);

/* A user's display name into out ("" when none). */
enum cb_err db_sms_user_name(struct db *db, int64_t id, char *out,
    size_t outsz);

#endif

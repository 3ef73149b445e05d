/* The three automation rules of Settings › Telephony › Automation
 * (automation_rules, one row per kind; the contract in docs/settings.md):
 * read as a whole, written as a whole in one transaction. */
#ifndef CB_DB_SETTINGS_AUTOMATION_H
#define CB_DB_SETTINGS_AUTOMATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

#define AUTOMATION_MAX_ASSIGNEES 50
#define AUTOMATION_LEAD_TYPE_MAX 40   /* leads.lead_type */
#define AUTOMATION_MAX_OFFSET_MINUTES (365 * 24 * 60)
#define AUTOMATION_ORIGIN_MAX 60      /* leads.origin, characters */

enum automation_kind {
	RULE_MISSED_TASK = 0,   /* 'missed_call_task' */
	RULE_LEAD_RECEIVED,     /* 'lead_on_received' */
	RULE_LEAD_MISSED,       /* 'lead_on_missed' */
	RULE__MAX
};

struct automation_rule {
	bool enabled;
	/* The first is the tasks' author. */
	int64_t assignees[AUTOMATION_MAX_ASSIGNEES];
	size_t nassignees;
	bool each;                       /* task_mode 'each' */
	unsigned due_offset_minutes;
	char lead_type[4 * AUTOMATION_LEAD_TYPE_MAX + 1];
	int64_t lead_manager_id;         /* 0 = none */
	bool even_if_open_order;
	bool even_if_open_lead;
	char directions[4];              /* 'in', 'out', 'all' (leads) */
	char lead_origin[4 * AUTOMATION_ORIGIN_MAX + 1];   /* "" = none */
};

/* An integration's "the lead follows a manual transfer" (issue 19 §2). */
struct automation_follow {
	int64_t integration_id;
	bool on;
};

/* The column value of a kind ("missed_call_task", ...). */
const char *automation_kind_name(enum automation_kind k);
/* Fills all three; a kind without a row gets the table's defaults. */
enum cb_err db_automation_load(struct db *db,
    struct automation_rule rules[RULE__MAX]);
/* Writes all three, and each integration's follow setting, in one
 * transaction (rules inserted when absent). */
enum cb_err db_automation_save(struct db *db,
    const struct automation_rule rules[RULE__MAX],
    const struct automation_follow *follow, size_t nfollow, int64_t user_id);

/* Active users for the pickers, by name: columns id, name, login. */
enum cb_err db_automation_users(struct db *db, struct db_stmt **out);

#endif

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
};

/* The column value of a kind ("missed_call_task", ...). */
const char *automation_kind_name(enum automation_kind k);
/* Fills all three; a kind without a row gets the table's defaults. */
enum cb_err db_automation_load(struct db *db,
    struct automation_rule rules[RULE__MAX]);
/* Writes all three in one transaction (inserted when absent). */
enum cb_err db_automation_save(struct db *db,
    const struct automation_rule rules[RULE__MAX], int64_t user_id);

/* Active users for the pickers, by name: columns id, name, login. */
enum cb_err db_automation_users(struct db *db, struct db_stmt **out);

#endif

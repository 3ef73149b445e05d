/* The trigger action "send SMS" (issue 19 §4): {"type":"sms",
 * "gateway_id":N, "text":"<template>", "time_zone":"Europe/Kyiv"
 * (optional, for {time}; UTC when absent), "retries", "retry_after_seconds"
 * (like webhooks)}. In the trigger's transaction it renders the text for
 * the call, formats the caller's number for the gateway and writes one
 * sms_messages row per (run, recipient); the worker's job SMS_JOB_KIND
 * sends it (lib/sms/outbox.h). */
#ifndef CB_AUTOMATION_SMS_ACTION_H
#define CB_AUTOMATION_SMS_ACTION_H

#include <json-c/json.h>

#include "db/automation.h"

#define SMS_JOB_KIND "sms.send"

/* *result is "queued" with *job_payload set (caller puts it), or
 * "failed"/"skipped" with err set; a database error is returned as is
 * (the caller decides whether the job retries). */
enum cb_err sms_action_queue(struct db *db, int64_t trigger_id,
    int64_t run_id, struct json_object *a, const struct auto_call *c,
    const char **result, char *err, size_t errsz,
    struct json_object **job_payload);

#endif

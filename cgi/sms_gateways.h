/* Settings › SMS gateways (issue 19 §4), part of callboard-automation:
 *   GET  /settings/sms              the accounts, and "add" per gateway
 *   GET  /settings/sms/new?kind=K   the form for a new account of kind K
 *   POST /settings/sms/new          create (PRG to its page)
 *   GET  /settings/sms/<id>         edit form
 *   POST /settings/sms/<id>         save (an empty secret keeps the stored)
 *   POST /settings/sms/<id>/delete
 * Secrets are sealed (core/secretbox.h) and shown back only masked. */
#ifndef CB_CGI_SMS_GATEWAYS_H
#define CB_CGI_SMS_GATEWAYS_H

#include "http/app.h"

enum cb_err sms_page_list(struct ctx *ctx);
enum cb_err sms_page_new(struct ctx *ctx);
enum cb_err sms_post_new(struct ctx *ctx);
enum cb_err sms_page_edit(struct ctx *ctx);
enum cb_err sms_post_edit(struct ctx *ctx);
enum cb_err sms_post_delete(struct ctx *ctx);

/* The accounts as <select> options [{value, label, selected}] for the
 * trigger form (selected: value == chosen). */
enum cb_err sms_gateway_options(struct ctx *ctx, const char *chosen,
    struct json_object **out);

#endif

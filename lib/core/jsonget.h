/* Reading members of json-c objects without the four-line dance each
 * time. Returned strings are owned by the object. */
#ifndef CB_CORE_JSONGET_H
#define CB_CORE_JSONGET_H

#include <json-c/json.h>

/* The string member key of o, or NULL (o NULL, no such key, not a string). */
const char *json_member_str(struct json_object *o, const char *key);
/* The same, but an integer member is given as its decimal text. */
const char *json_member_text(struct json_object *o, const char *key);

#endif

/* Strict UTF-8 (RFC 3629 §4: no overlong forms, no surrogates, nothing
 * above U+10FFFF): what MariaDB's utf8mb4 columns accept. */
#ifndef CB_CORE_UTF8_H
#define CB_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Code points in s[0..len), or -1 when it is not well-formed UTF-8. */
long utf8_chars(const char *s, size_t len);
bool utf8_valid(const char *s, size_t len);

#endif

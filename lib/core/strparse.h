/* Range-checked number parsing (STYLE §2.10; cgit's atoi is the
 * counter-example). The whole input must be the number: no sign for
 * unsigned, no spaces, no trailing bytes. */
#ifndef CB_CORE_STRPARSE_H
#define CB_CORE_STRPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* CB_EINVAL unless s[0..len) is a decimal integer within [min, max]. */
enum cb_err strparse_i64(const char *s, size_t len, int64_t min, int64_t max,
    int64_t *out);
/* NUL-terminated convenience form. */
enum cb_err strparse_i64z(const char *s, int64_t min, int64_t max,
    int64_t *out);
/* true if s has an embedded NUL within len (form values must not). */
bool str_has_nul(const char *s, size_t len);

#endif

/* Password hashing with yescrypt through libxcrypt (DESIGN §5). */
#ifndef CB_AUTH_PASSWORD_H
#define CB_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define PASSWORD_HASH_MAX 256

/* Writes a "$y$..." hash of password into out. */
enum cb_err password_hash(const char *password, char *out, size_t outsz);
/* Constant-time check. A NULL or malformed hash still costs one hash
 * computation, so response time does not reveal whether a login exists. */
bool password_verify(const char *password, const char *hash);

#endif

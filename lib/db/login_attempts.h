/* Failed logins per source address and per (address, login): the rows of
 * login_attempts (0016_login_attempts.sql). The policy (how many are free,
 * how long a block lasts) is lib/auth/throttle.c's; this file only stores
 * and reads. */
#ifndef CB_DB_LOGIN_ATTEMPTS_H
#define CB_DB_LOGIN_ATTEMPTS_H

#include <stdint.h>

#include "db/db.h"

/* Seconds (rounded up) until addr, or addr with login, may try again; 0
 * when neither is blocked. */
enum cb_err db_login_blocked(struct db *db, const char *addr,
    const char *login, int64_t *wait_s);
/* Counts one more failure for (addr, login) and for addr. A count that
 * reaches free_pair / free_addr blocks for 2^(count - free) seconds (1, 2,
 * 4...), at most max_s. A count whose previous failure is older than forget_s
 * starts again at 1. Old rows are
 * deleted by the worker's housekeeping (lib/db/housekeeping.c). */
enum cb_err db_login_failed(struct db *db, const char *addr,
    const char *login, unsigned free_pair, unsigned free_addr,
    unsigned max_s, unsigned forget_s);
/* A successful login forgets the failures of (addr, login); the
 * address's own count stays (one valid account must not reset a
 * spraying address). */
enum cb_err db_login_succeeded(struct db *db, const char *addr,
    const char *login);

#endif

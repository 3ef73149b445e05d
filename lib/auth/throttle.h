/* Login throttling (issue 16 item 5). Two separate limits:
 *
 * Guessing: failed logins are counted per source address and per (address,
 * login) (lib/db/login_attempts.c). After THROTTLE_FREE_PAIR failures of
 * one login from one address, or THROTTLE_FREE_ADDR from one address over
 * all logins, each failure blocks that pair (or address) for 1, 2, 4...
 * seconds, at most THROTTLE_MAX_S. While
 * blocked, a try is answered 429 with Retry-After at once, without hashing
 * the password and without counting. Never per login alone: someone
 * guessing from elsewhere cannot lock the real user out, and a block
 * ends by itself (counts are forgotten THROTTLE_FORGET_S after the last
 * failure; a success clears its pair).
 *
 * Hashing: a yescrypt check costs ~100-200 ms of one core and 16 MiB.
 * At most throttle_hash_slots() run at once across every process of the
 * stack (flock on files in spool_dir); a login that finds them all busy
 * is answered 503 with Retry-After: 1 at once, never queued behind them,
 * so a flood of logins leaves the admin program's other routes (/healthz)
 * and the other programs a core of their own.
 *
 * In front of both, nginx limits POST /login to 20 a second per client
 * address (burst 40; etc/nginx/callboard.conf), so a flood from one
 * address does not even reach the program. */
#ifndef CB_AUTH_THROTTLE_H
#define CB_AUTH_THROTTLE_H

#include <stdint.h>

#include "core/conf.h"
#include "db/db.h"

#define THROTTLE_FREE_PAIR 5
#define THROTTLE_FREE_ADDR 40
#define THROTTLE_MAX_S 900          /* 15 minutes */
#define THROTTLE_FORGET_S 3600

/* Seconds until addr may try login again; 0 = go ahead. */
enum cb_err throttle_wait(struct db *db, const char *addr, const char *login,
    int64_t *wait_s);
/* After a wrong password (or unknown login), and after a success. */
enum cb_err throttle_failed(struct db *db, const char *addr,
    const char *login);
enum cb_err throttle_succeeded(struct db *db, const char *addr,
    const char *login);

/* How many password checks may run at once: half the cores, at least 1. */
unsigned throttle_hash_slots(void);
/* Takes a hashing slot: a descriptor to pass to throttle_hash_release(),
 * -1 when every slot is busy. When the lock files cannot be made (no
 * spool_dir) the check is not limited: -2, which release ignores. */
int throttle_hash_take(const struct cb_config *cfg);
void throttle_hash_release(int fd);

#endif

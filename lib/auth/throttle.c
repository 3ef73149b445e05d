#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "auth/throttle.h"
#include "core/log.h"
#include "db/login_attempts.h"

enum cb_err
throttle_wait(struct db *db, const char *addr, const char *login,
    int64_t *wait_s)
{
	return db_login_blocked(db, addr, login, wait_s);
}

enum cb_err
throttle_failed(struct db *db, const char *addr, const char *login)
{
	return db_login_failed(db, addr, login, THROTTLE_FREE_PAIR,
	    THROTTLE_FREE_ADDR, THROTTLE_MAX_S, THROTTLE_FORGET_S);
}

enum cb_err
throttle_succeeded(struct db *db, const char *addr, const char *login)
{
	return db_login_succeeded(db, addr, login);
}

unsigned
throttle_hash_slots(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n >= 4 ? (unsigned)(n / 2) : 1;
}

/* A lock file per slot, in the stack's own spool folder: flock() is
 * released by the kernel when a process dies, so a crash never leaks a
 * slot. */
int
throttle_hash_take(const struct cb_config *cfg)
{
	static int warned;
	char path[1100];
	unsigned i, n = throttle_hash_slots();
	int fd;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/.login-hash-%u.lock",
		    cfg->spool_dir, i);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			if (!warned++)
				log_warn("login: cannot open %s: password "
				    "checks are not limited", path);
			return -2;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		close(fd);
	}
	return -1;
}

void
throttle_hash_release(int fd)
{
	if (fd >= 0)
		close(fd);   /* drops the lock */
}

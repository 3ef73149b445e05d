/* See fcgi_keep.h. Why this is safe, case by case:
 *
 * - A process blocks only in poll() here (woken by a request on its kept
 *   connection or by any connection waiting to be accepted), in libfcgi's
 *   accept() (holding no connection), or reading a request that is already
 *   on its way: a connection waiting in the listen queue was opened by
 *   nginx for a request it sends at once (nginx caches a connection only
 *   after a response on it, so never one that no process has accepted).
 *   So no process sits on an idle connection while another one waits.
 * - Closing an idle kept connection races with nginx sending a request on
 *   it. nginx then sees the connection fail before any answer and, because
 *   it came from its cache, tries again on another connection without
 *   counting a failure (ngx_http_upstream_next: peer.cached) — for methods
 *   it may repeat. A POST that was sent is not repeated (502), so keep
 *   connections only in locations that serve GET (etc/nginx/callboard.conf).
 * - Several processes wake for one waiting connection; each closes its kept
 *   connection and all but one then block in accept(). That costs nginx a
 *   new connection later, never a wait.
 *
 * This reads two fields of FCGX_Request that fcgiapp.h marks internal
 * (ipcFd, listen_sock) and closes ipcFd: FCGX_Accept_r() accepts when
 * ipcFd < 0 (libfcgi 2.4.2, fcgiapp.c). tests/http/fcgi_keepalive.test.js
 * runs it under load. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "http/fcgi_keep.h"

bool
fcgi_keep_wait(FCGX_Request *fr, volatile sig_atomic_t *stop)
{
	struct pollfd p[2];

	while (fr->ipcFd >= 0 && !*stop) {
		p[0].fd = fr->ipcFd;
		p[0].events = POLLIN;
		p[1].fd = fr->listen_sock;
		p[1].events = POLLIN;
		p[0].revents = p[1].revents = 0;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return true;    /* let libfcgi read and fail */
		}
		if (p[0].revents)
			return true;    /* a request, the end, or an error */
		if (p[1].revents) {     /* waiting, or a broken socket */
			close(fr->ipcFd);
			fr->ipcFd = -1;
			return true;
		}
	}
	return !*stop;
}

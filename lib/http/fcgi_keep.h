/* Kept FastCGI connections (nginx "fastcgi_keep_conn on" + upstream
 * "keepalive N") without the stall they cause with libfcgi.
 *
 * libfcgi 2.4.2 honours FCGI_KEEP_CONN: FCGX_Finish_r() leaves the
 * connection open and the next FCGX_Accept_r() reads the next request from
 * it, blocking. A single-threaded process blocked there on an idle kept
 * connection cannot accept another one: when every process of a program is
 * held that way by connections idle in one nginx worker's cache, a request
 * another worker sends on a new connection waits in the listen queue until
 * nginx drops an idle one (keepalive_timeout). fcgi_keep_wait() runs between
 * FCGX_Finish_r() and FCGX_Accept_r() instead: a process keeps an idle
 * connection only while no other connection is waiting to be accepted. */
#ifndef CB_HTTP_FCGI_KEEP_H
#define CB_HTTP_FCGI_KEEP_H

#include <signal.h>
#include <stdbool.h>

#include <fcgiapp.h>

/* After FCGX_Finish_r(fr): when the connection was kept, waits until it has
 * a request (or nginx closed it: libfcgi sees the end and accepts anew) or
 * until another connection waits in the listen queue, in which case the
 * kept one is closed so that FCGX_Accept_r() accepts the waiting one.
 * Returns false when *stop was set while waiting. */
bool fcgi_keep_wait(FCGX_Request *fr, volatile sig_atomic_t *stop);

#endif

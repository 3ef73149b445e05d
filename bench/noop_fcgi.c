/* noop_fcgi: the benchmark's ceiling 2 (bench/webhook.sh). A FastCGI
 * responder that reads nothing it does not have to and answers every
 * request 200 "ok": what nginx -> FastCGI -> a C process costs by itself.
 * Started by spawn-fcgi, which hands it the listening socket as fd 0.
 *
 *   cc -O2 -o noop_fcgi noop_fcgi.c -lfcgi
 */
#include <signal.h>
#include <stdio.h>

#include <fcgiapp.h>

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

int
main(void)
{
	static const char answer[] =
	    "Status: 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 3\r\n\r\nok\n";
	FCGX_Request r;
	char sink[4096];

	signal(SIGTERM, on_term);
	if (FCGX_Init() != 0)
		return 1;
	FCGX_InitRequest(&r, 0, 0);
	while (!stopping && FCGX_Accept_r(&r) >= 0) {
		/* Drain a body, as a real responder must before answering. */
		while (FCGX_GetStr(sink, sizeof(sink), r.in) > 0)
			;
		FCGX_PutStr(answer, sizeof(answer) - 1, r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}

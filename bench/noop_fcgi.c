/* noop_fcgi: the benchmark's ceiling 2 (bench/webhook.sh). A FastCGI
 * responder that reads nothing it does not have to and answers every
 * request 200 "ok": what nginx -> FastCGI -> a C process costs by itself.
 * Started by spawn-fcgi, which hands it the listening socket as fd 0.
 * No signal handling: SIGTERM's default action ends it at once, and it
 * has nothing to finish (a handler would not even interrupt accept(), which
 * libfcgi restarts).
 *
 *   cc -O2 -o noop_fcgi noop_fcgi.c -lfcgi
 */
#include <stdio.h>

#include <fcgiapp.h>

int
main(void)
{
	static const char answer[] =
	    "Status: 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 3\r\n\r\nok\n";
	FCGX_Request r;
	char sink[4096];

	if (FCGX_Init() != 0)
		return 1;
	FCGX_InitRequest(&r, 0, 0);
	while (FCGX_Accept_r(&r) >= 0) {
		/* Drain a body, as a real responder must before answering. */
		while (FCGX_GetStr(sink, sizeof(sink), r.in) > 0)
			;
		FCGX_PutStr(answer, sizeof(answer) - 1, r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}

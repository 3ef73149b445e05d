/* A whole response as FastCGI stdout records in one writev(), instead of
 * FCGX_PutStr()'s copies into libfcgi's 8 KB stream buffer, each full
 * buffer one write() and one wake-up of nginx: a 55 KB history page was
 * seven system calls, and on this virtual machine every one is expensive. */
#ifndef CB_HTTP_FCGI_OUT_H
#define CB_HTTP_FCGI_OUT_H

#include <stddef.h>

#include <fcgiapp.h>

#include "core/err.h"

/* Writes a then b (either may be empty) on fr's connection as FCGI_STDOUT
 * records (FastCGI 1.0 §5.3), after whatever fr->out holds is flushed; the
 * stream's end and FCGI_END_REQUEST stay libfcgi's (FCGX_Finish_r). On a
 * write error the connection is not kept (its records may be cut) and the
 * result is CB_EIO. */
enum cb_err fcgi_out_write(FCGX_Request *fr, const void *a, size_t alen,
    const void *b, size_t blen);
/* The same for a whole response, and the same writev ends the request:
 * the empty FCGI_STDOUT record and FCGI_END_REQUEST that FCGX_Finish_r()
 * would write with one more system call, after which nginx is woken once
 * more. libfcgi's streams are then closed as FCGX_FClose() closes them, so
 * FCGX_Finish_r() only frees the request. Nothing may be written to fr
 * afterwards. */
enum cb_err fcgi_out_finish(FCGX_Request *fr, const void *a, size_t alen,
    const void *b, size_t blen);

#endif

/* See fcgi_out.h. The record layout is the FastCGI 1.0 specification's
 * (§3.3 FCGI_Header: version, type, request id, content length, padding
 * length, all big-endian bytes); no padding (§3.3: "recommended", not
 * required; nginx reads any). Writing on the connection directly uses two
 * fields fcgiapp.h marks internal (ipcFd, keepConnection), as
 * http/fcgi_keep.c does; FCGX_FFlush() first keeps the order with anything
 * already written through the stream. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

#include "http/fcgi_out.h"

#define FCGI_VERSION_1 1
#define FCGI_END_REQUEST 3
#define FCGI_STDOUT 6
#define FCGI_REQUEST_COMPLETE 0
#define RECORD_MAX 65535        /* the content length is 16 bits */
#define BATCH_RECORDS 32        /* records per writev: 2 MB */

struct record_head {
	unsigned char b[8];
};

static void
head_type_set(struct record_head *h, unsigned char type, int request_id,
    size_t len)
{
	h->b[0] = FCGI_VERSION_1;
	h->b[1] = type;
	h->b[2] = (unsigned char)((request_id >> 8) & 0xff);
	h->b[3] = (unsigned char)(request_id & 0xff);
	h->b[4] = (unsigned char)((len >> 8) & 0xff);
	h->b[5] = (unsigned char)(len & 0xff);
	h->b[6] = 0;                  /* padding length */
	h->b[7] = 0;
}

static void
head_set(struct record_head *h, int request_id, size_t len)
{
	head_type_set(h, FCGI_STDOUT, request_id, len);
}

/* The stream's end (an empty FCGI_STDOUT record, §5.3) and
 * FCGI_END_REQUEST (§5.5: appStatus, FCGI_REQUEST_COMPLETE): the bytes
 * libfcgi's WriteCloseRecords() writes when FCGX_Finish_r() closes the
 * output stream. */
struct request_end {
	struct record_head eof, end;
	unsigned char body[8];
};

static void
request_end_set(struct request_end *e, const FCGX_Request *fr)
{
	uint32_t status = (uint32_t)fr->appStatus;

	head_set(&e->eof, fr->requestId, 0);
	head_type_set(&e->end, FCGI_END_REQUEST, fr->requestId,
	    sizeof(e->body));
	e->body[0] = (unsigned char)(status >> 24);
	e->body[1] = (unsigned char)(status >> 16);
	e->body[2] = (unsigned char)(status >> 8);
	e->body[3] = (unsigned char)status;
	e->body[4] = FCGI_REQUEST_COMPLETE;
	e->body[5] = e->body[6] = e->body[7] = 0;
}

/* All of iov[0..n) or an error; a short write moves on from where it
 * stopped (a signal, a full socket buffer). */
static enum cb_err
writev_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return CB_EIO;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return CB_OK;
}

/* a then b as FCGI_STDOUT records; with end, the request's end records
 * ride in the last writev. */
static enum cb_err
out_records(FCGX_Request *fr, const void *a, size_t alen, const void *b,
    size_t blen, const struct request_end *end)
{
	struct record_head heads[BATCH_RECORDS];
	struct iovec iov[BATCH_RECORDS * 3 + 1];
	const char *part[2] = { a, b };
	size_t left[2] = { alen, blen };
	unsigned p = 0;

	do {
		int n = 0, r;
		for (r = 0; r < BATCH_RECORDS && left[0] + left[1] > 0; r++) {
			size_t room = RECORD_MAX, len = 0;
			int h = n++;
			while (room > 0 && p < 2) {
				size_t take = left[p] < room ? left[p] : room;
				if (take > 0) {
					iov[n].iov_base = (void *)part[p];
					iov[n++].iov_len = take;
					part[p] += take;
					left[p] -= take;
					room -= take;
					len += take;
				}
				if (left[p] == 0)
					p++;
			}
			head_set(&heads[r], fr->requestId, len);
			iov[h].iov_base = heads[r].b;
			iov[h].iov_len = sizeof(heads[r].b);
		}
		if (end != NULL && left[0] + left[1] == 0) {
			iov[n].iov_base = (void *)end;
			iov[n++].iov_len = sizeof(*end);
		}
		if (n > 0 && writev_all(fr->ipcFd, iov, n) != CB_OK)
			return CB_EIO;
	} while (left[0] + left[1] > 0);
	return CB_OK;
}

enum cb_err
fcgi_out_write(FCGX_Request *fr, const void *a, size_t alen, const void *b,
    size_t blen)
{
	if ((fr->out && FCGX_FFlush(fr->out) != 0) ||
	    out_records(fr, a, alen, b, blen, NULL) != CB_OK) {
		fr->keepConnection = 0;
		return CB_EIO;
	}
	return CB_OK;
}

enum cb_err
fcgi_out_finish(FCGX_Request *fr, const void *a, size_t alen, const void *b,
    size_t blen)
{
	struct request_end end;

	/* libfcgi's own order: the error stream closes first (records only
	 * if something was written to it), leaving the output stream as
	 * the last writer, whose close ends the request. */
	if (fr->out == NULL || fr->err == NULL || FCGX_FFlush(fr->out) != 0 ||
	    FCGX_FClose(fr->err) != 0)
		goto fail;
	if (fr->nWriters != 1)
		return fcgi_out_write(fr, a, alen, b, blen);
	request_end_set(&end, fr);
	if (out_records(fr, a, alen, b, blen, &end) != CB_OK)
		goto fail;
	/* What FCGX_FClose() would have done, so that FCGX_Finish_r()
	 * writes nothing more. */
	fr->out->wasFCloseCalled = 1;
	fr->out->isClosed = 1;
	fr->out->rdNext = fr->out->stop = fr->out->wrNext;
	fr->nWriters--;
	return CB_OK;
fail:
	fr->keepConnection = 0;
	return CB_EIO;
}

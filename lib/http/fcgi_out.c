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
#define FCGI_STDOUT 6
#define RECORD_MAX 65535        /* the content length is 16 bits */
#define BATCH_RECORDS 32        /* records per writev: 2 MB */

struct record_head {
	unsigned char b[8];
};

static void
head_set(struct record_head *h, int request_id, size_t len)
{
	h->b[0] = FCGI_VERSION_1;
	h->b[1] = FCGI_STDOUT;
	h->b[2] = (unsigned char)((request_id >> 8) & 0xff);
	h->b[3] = (unsigned char)(request_id & 0xff);
	h->b[4] = (unsigned char)((len >> 8) & 0xff);
	h->b[5] = (unsigned char)(len & 0xff);
	h->b[6] = 0;                  /* padding length */
	h->b[7] = 0;
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

enum cb_err
fcgi_out_write(FCGX_Request *fr, const void *a, size_t alen, const void *b,
    size_t blen)
{
	struct record_head heads[BATCH_RECORDS];
	struct iovec iov[BATCH_RECORDS * 3];
	const char *part[2] = { a, b };
	size_t left[2] = { alen, blen };
	unsigned p = 0;

	if (fr->out && FCGX_FFlush(fr->out) != 0)
		goto fail;
	while (left[0] + left[1] > 0) {
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
		if (writev_all(fr->ipcFd, iov, n) != CB_OK)
			goto fail;
	}
	return CB_OK;
fail:
	fr->keepConnection = 0;
	return CB_EIO;
}

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "calls/spool.h"
#include "core/buf.h"
#include "core/log.h"
#include "net/sig.h"

#define SPOOL_FILE "events.jsonl"
#define SPOOL_MAX_LINE (4u * 1024 * 1024)

static void
add(struct json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_string(v));
}

struct json_object *
spool_record(const struct spool_rec *r)
{
	struct json_object *o = json_object_new_object(), *h;
	char *b64;
	char **e;

	if (o == NULL)
		return NULL;
	add(o, "slug", r->slug);
	add(o, "method", r->method);
	add(o, "url", r->url);
	add(o, "request_uri", r->request_uri);
	add(o, "query", r->query);
	add(o, "content_type", r->content_type);
	add(o, "remote_addr", r->remote_addr);
	json_object_object_add(o, "received_ms",
	    json_object_new_int64(r->received_ms));
	json_object_object_add(o, "verified",
	    json_object_new_boolean(r->verified));
	if ((b64 = malloc(4 * ((r->body_len + 2) / 3) + 1)) == NULL) {
		json_object_put(o);
		return NULL;
	}
	sig_base64((const unsigned char *)r->body, r->body_len, b64);
	add(o, "body", b64);
	free(b64);
	/* Signature headers are needed to verify at replay; cookies never. */
	h = json_object_new_object();
	for (e = r->envp; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (strncmp(*e, "HTTP_", 5) != 0 || eq == NULL ||
		    strncmp(*e, "HTTP_COOKIE=", 12) == 0)
			continue;
		{
			char key[128];
			size_t kl = (size_t)(eq - *e);
			if (kl >= sizeof(key))
				continue;
			memcpy(key, *e, kl);
			key[kl] = '\0';
			add(h, key, eq + 1);
		}
	}
	json_object_object_add(o, "headers", h);
	return o;
}

enum cb_err
spool_append(const char *dir, const struct spool_rec *r)
{
	struct json_object *o = spool_record(r);
	char path[1200];
	const char *line;
	size_t n;
	int fd, ok;

	if (o == NULL)
		return CB_ENOMEM;
	line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	n = strlen(line);
	snprintf(path, sizeof(path), "%s/" SPOOL_FILE, dir);
	mkdir(dir, 0750);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) <
	    0) {
		log_error("spool: cannot open %s: %s", path, strerror(errno));
		json_object_put(o);
		return CB_EIO;
	}
	ok = flock(fd, LOCK_EX) == 0 &&
	    write(fd, line, n) == (ssize_t)n && write(fd, "\n", 1) == 1 &&
	    fsync(fd) == 0;
	if (!ok)
		log_error("spool: cannot write %s: %s", path, strerror(errno));
	close(fd);
	json_object_put(o);
	return ok ? CB_OK : CB_EIO;
}

char *
spool_body(struct json_object *rec, size_t *len)
{
	struct json_object *v;
	const char *b64 = "";
	size_t n;
	char *out;
	int got;

	if (json_object_object_get_ex(rec, "body", &v))
		b64 = json_object_get_string(v);
	n = strlen(b64);
	if ((out = malloc(n / 4 * 3 + 4)) == NULL)
		return NULL;
	got = n ? EVP_DecodeBlock((unsigned char *)out,
	    (const unsigned char *)b64, (int)n) : 0;
	if (got < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts padding bytes as data: take them off. */
	if (n >= 1 && b64[n - 1] == '=')
		got--;
	if (n >= 2 && b64[n - 2] == '=')
		got--;
	out[got] = '\0';
	*len = (size_t)got;
	return out;
}

enum cb_err
spool_replay(const char *dir, spool_fn fn, void *ctx, unsigned *done,
    unsigned *kept)
{
	char path[1200], work[1300];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int fd;

	*done = *kept = 0;
	snprintf(path, sizeof(path), "%s/" SPOOL_FILE, dir);
	snprintf(work, sizeof(work), "%s/replaying.jsonl", dir);
	/* A replay file left by a killed worker is finished first. */
	if (access(work, F_OK) != 0) {
		if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
			return errno == ENOENT ? CB_OK : CB_EIO;
		/* Take the file away from writers atomically, under their
		 * lock, so no append lands in a file we are deleting. */
		flock(fd, LOCK_EX);
		if (rename(path, work) != 0) {
			close(fd);
			return CB_EIO;
		}
		close(fd);
	}
	if ((f = fopen(work, "r")) == NULL)
		return CB_EIO;
	while ((n = getline(&line, &cap, f)) > 0) {
		struct json_object *rec;
		enum cb_err rc;

		if ((size_t)n > SPOOL_MAX_LINE ||
		    (rec = json_tokener_parse(line)) == NULL) {
			log_error("spool: dropping an unreadable record");
			continue;
		}
		rc = fn(ctx, rec);
		if (rc == CB_EDB) {
			/* Still no database: back into the spool, as it was. */
			size_t len = strlen(line);
			int wfd = open(path, O_WRONLY | O_APPEND | O_CREAT |
			    O_CLOEXEC, 0640);
			if (wfd < 0 || flock(wfd, LOCK_EX) != 0 ||
			    write(wfd, line, len) != (ssize_t)len ||
			    fsync(wfd) != 0) {
				log_error("spool: cannot put a record back: %s",
				    strerror(errno));
				if (wfd >= 0)
					close(wfd);
				json_object_put(rec);
				fclose(f);
				free(line);
				return CB_EIO; /* keep the replay file */
			}
			close(wfd);
			(*kept)++;
		} else
			(*done)++;
		json_object_put(rec);
	}
	free(line);
	fclose(f);
	unlink(work);
	return CB_OK;
}

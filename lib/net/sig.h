/* Signatures: HMAC, digests, base64 and constant-time comparison, all over
 * OpenSSL libcrypto (DESIGN §6). Used by provider adapters to verify
 * webhooks and to sign API requests and our own outgoing webhooks. */
#ifndef CB_NET_SIG_H
#define CB_NET_SIG_H

#include <stdbool.h>
#include <stddef.h>

#define SIG_SHA1_LEN 20
#define SIG_SHA256_LEN 32
#define SIG_MD5_LEN 16

/* HMAC into out (SIG_SHA1_LEN / SIG_SHA256_LEN bytes). */
void sig_hmac_sha1(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[SIG_SHA1_LEN]);
void sig_hmac_sha256(const void *key, size_t klen, const void *msg,
    size_t mlen, unsigned char out[SIG_SHA256_LEN]);
void sig_sha256(const void *msg, size_t len, unsigned char out[SIG_SHA256_LEN]);
void sig_md5(const void *msg, size_t len, unsigned char out[SIG_MD5_LEN]);
/* Lowercase hex: out has 2n+1 bytes. */
void sig_hex(const unsigned char *in, size_t n, char *out);
/* Standard base64 with padding: out has 4*((n+2)/3)+1 bytes. Returns the
 * length written (without the NUL). */
size_t sig_base64(const unsigned char *in, size_t n, char *out);
/* Constant-time equality of two strings; false if either is NULL or the
 * lengths differ (the length is not secret). */
bool sig_equal(const char *a, const char *b);

#endif

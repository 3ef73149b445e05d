#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "net/sig.h"

void
sig_hmac_sha1(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[SIG_SHA1_LEN])
{
	unsigned int n = SIG_SHA1_LEN;

	HMAC(EVP_sha1(), key, (int)klen, msg, mlen, out, &n);
}

void
sig_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[SIG_SHA256_LEN])
{
	unsigned int n = SIG_SHA256_LEN;

	HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &n);
}

void
sig_sha256(const void *msg, size_t len, unsigned char out[SIG_SHA256_LEN])
{
	unsigned int n = SIG_SHA256_LEN;

	EVP_Digest(msg, len, out, &n, EVP_sha256(), NULL);
}

void
sig_md5(const void *msg, size_t len, unsigned char out[SIG_MD5_LEN])
{
	unsigned int n = SIG_MD5_LEN;

	EVP_Digest(msg, len, out, &n, EVP_md5(), NULL);
}

void
sig_hex(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

size_t
sig_base64(const unsigned char *in, size_t n, char *out)
{
	return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

bool
sig_equal(const char *a, const char *b)
{
	size_t n;

	if (a == NULL || b == NULL)
		return false;
	n = strlen(a);
	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

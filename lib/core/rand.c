#include "config.h"

#include <openssl/rand.h>

#include "core/rand.h"

enum cb_err
rand_bytes(void *out, size_t n)
{
	if (n > (size_t)INT32_MAX || RAND_bytes(out, (int)n) != 1)
		return CB_EIO;
	return CB_OK;
}

size_t
base64url_encode(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)in[i] << 16;
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
	} else if (n - i == 2) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
	}
	out[o] = '\0';
	return o;
}

enum cb_err
rand_token(char *out, size_t outsz)
{
	unsigned char raw[32];

	if (outsz <= RAND_TOKEN_LEN || rand_bytes(raw, sizeof(raw)) != CB_OK)
		return CB_EIO;
	base64url_encode(raw, sizeof(raw), out);
	return CB_OK;
}

enum cb_err
rand_hex(char *out, size_t outsz, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[64];
	size_t i;

	if (n > sizeof(raw) || outsz < 2 * n + 1 ||
	    rand_bytes(raw, n) != CB_OK)
		return CB_EIO;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * n] = '\0';
	return CB_OK;
}

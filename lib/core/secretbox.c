#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/secretbox.h"

static const char prefix[] = "v1:";
#define PREFIX_LEN (sizeof(prefix) - 1)

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum cb_err
secretbox_key(const char *key_hex, unsigned char key[SECRETBOX_KEY_LEN])
{
	size_t i;

	if (key_hex == NULL || strlen(key_hex) != 2 * SECRETBOX_KEY_LEN)
		return CB_EINVAL;
	for (i = 0; i < SECRETBOX_KEY_LEN; i++) {
		int hi = hexval(key_hex[2 * i]), lo = hexval(key_hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			OPENSSL_cleanse(key, SECRETBOX_KEY_LEN);
			return CB_EINVAL;
		}
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	return CB_OK;
}

bool
secretbox_is_sealed(const char *stored)
{
	return stored != NULL && strncmp(stored, prefix, PREFIX_LEN) == 0;
}

enum cb_err
secretbox_seal(const char *key_hex, const char *plain, size_t len,
    char **out)
{
	unsigned char key[SECRETBOX_KEY_LEN], *raw = NULL;
	EVP_CIPHER_CTX *c = NULL;
	size_t rawlen = SECRETBOX_NONCE_LEN + len + SECRETBOX_TAG_LEN;
	enum cb_err rc = CB_EINVAL;
	char *text = NULL;
	int n, fin;

	*out = NULL;
	if (len > SECRETBOX_MAX_PLAIN)
		return CB_ETOOBIG;
	if (secretbox_key(key_hex, key) != CB_OK)
		return CB_EINVAL;
	if ((raw = malloc(rawlen)) == NULL ||
	    (text = malloc(PREFIX_LEN + 4 * ((rawlen + 2) / 3) + 1)) == NULL ||
	    (c = EVP_CIPHER_CTX_new()) == NULL) {
		rc = CB_ENOMEM;
		goto out;
	}
	if (RAND_bytes(raw, SECRETBOX_NONCE_LEN) != 1 ||
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN,
	    SECRETBOX_NONCE_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex(c, NULL, NULL, key, raw) != 1 ||
	    EVP_EncryptUpdate(c, raw + SECRETBOX_NONCE_LEN, &n,
	    (const unsigned char *)plain, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(c, raw + SECRETBOX_NONCE_LEN + n, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SECRETBOX_TAG_LEN,
	    raw + SECRETBOX_NONCE_LEN + len) != 1) {
		rc = CB_EIO;
		goto out;
	}
	memcpy(text, prefix, PREFIX_LEN);
	EVP_EncodeBlock((unsigned char *)text + PREFIX_LEN, raw, (int)rawlen);
	*out = text;
	text = NULL;
	rc = CB_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	EVP_CIPHER_CTX_free(c);
	free(raw);
	free(text);
	return rc;
}

/* A copy of a legacy plaintext value. */
static enum cb_err
open_legacy(const char *stored, size_t len, char **out, size_t *outlen)
{
	char *p;

	if ((p = malloc(len + 1)) == NULL)
		return CB_ENOMEM;
	memcpy(p, stored, len);
	p[len] = '\0';
	*out = p;
	if (outlen)
		*outlen = len;
	return CB_OK;
}

enum cb_err
secretbox_open(const char *key_hex, const char *stored, size_t len,
    char **out, size_t *outlen)
{
	unsigned char key[SECRETBOX_KEY_LEN], *raw = NULL;
	EVP_CIPHER_CTX *c = NULL;
	const char *b64;
	size_t i, b64len, rawlen, ctlen, pad = 0;
	enum cb_err rc;
	char *plain = NULL;
	int n, dec;

	*out = NULL;
	if (outlen)
		*outlen = 0;
	for (i = 0; i < len && (stored[i] == ' ' || stored[i] == '\t' ||
	    stored[i] == '\n' || stored[i] == '\r'); i++)
		;
	if (i < len && stored[i] == '{')
		return open_legacy(stored, len, out, outlen);
	if (len < PREFIX_LEN || memcmp(stored, prefix, PREFIX_LEN) != 0)
		return CB_EINVAL;
	b64 = stored + PREFIX_LEN;
	b64len = len - PREFIX_LEN;
	if (b64len == 0 || b64len % 4 != 0 || b64len > 2 * SECRETBOX_MAX_PLAIN)
		return CB_EINVAL;
	if (b64[b64len - 1] == '=')
		pad = b64[b64len - 2] == '=' ? 2 : 1;
	rawlen = b64len / 4 * 3 - pad;
	if (rawlen < SECRETBOX_NONCE_LEN + SECRETBOX_TAG_LEN)
		return CB_EINVAL;
	ctlen = rawlen - SECRETBOX_NONCE_LEN - SECRETBOX_TAG_LEN;
	if (secretbox_key(key_hex, key) != CB_OK)
		return CB_EINVAL;
	rc = CB_ENOMEM;
	if ((raw = malloc(b64len / 4 * 3)) == NULL ||
	    (plain = malloc(ctlen + 1)) == NULL ||
	    (c = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	/* EVP_DecodeBlock refuses bad characters; it counts the padding as
	 * zero bytes, which the length above already removed. */
	rc = CB_EINVAL;
	if ((dec = EVP_DecodeBlock(raw, (const unsigned char *)b64,
	    (int)b64len)) < 0 || (size_t)dec != b64len / 4 * 3)
		goto out;
	rc = CB_EDENIED;
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN,
	    SECRETBOX_NONCE_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(c, NULL, NULL, key, raw) != 1 ||
	    EVP_DecryptUpdate(c, (unsigned char *)plain, &n,
	    raw + SECRETBOX_NONCE_LEN, (int)ctlen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SECRETBOX_TAG_LEN,
	    raw + SECRETBOX_NONCE_LEN + ctlen) != 1 ||
	    EVP_DecryptFinal_ex(c, (unsigned char *)plain + n, &dec) != 1)
		goto out;
	plain[ctlen] = '\0';
	*out = plain;
	plain = NULL;
	if (outlen)
		*outlen = ctlen;
	rc = CB_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	EVP_CIPHER_CTX_free(c);
	free(raw);
	if (plain) {
		OPENSSL_cleanse(plain, ctlen + 1);
		free(plain);
	}
	return rc;
}

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <crypt.h>
#include <openssl/crypto.h>

#include "auth/password.h"

/* A real yescrypt hash, made once per process: verified against when the
 * user does not exist, to spend the same time as a real check. */
static char dummy_hash[PASSWORD_HASH_MAX];

enum cb_err
password_hash(const char *password, char *out, size_t outsz)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data cd;
	const char *h;

	/* count 0 = libxcrypt's recommended cost for yescrypt. */
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL)
		return CB_EIO;
	memset(&cd, 0, sizeof(cd));
	h = crypt_r(password, salt, &cd);
	if (h == NULL || h[0] == '*' || strlen(h) >= outsz)
		return CB_EIO;
	strcpy(out, h);
	return CB_OK;
}

bool
password_verify(const char *password, const char *hash)
{
	struct crypt_data *cd;
	const char *h, *want;
	size_t n;
	bool ok;

	if (dummy_hash[0] == '\0' &&
	    password_hash("callboard-dummy", dummy_hash,
	    sizeof(dummy_hash)) != CB_OK)
		return false;
	want = (hash && hash[0] == '$') ? hash : dummy_hash;
	/* struct crypt_data is large (~32 KiB): keep it off the stack. */
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return false;
	h = crypt_r(password, want, cd);
	n = strlen(want);
	ok = h != NULL && h[0] != '*' && strlen(h) == n &&
	    CRYPTO_memcmp(h, want, n) == 0 && want != dummy_hash;
	free(cd);
	return ok;
}

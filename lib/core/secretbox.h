/* Secrets at rest (integrations.secrets): AES-256-GCM (OpenSSL EVP) with
 * the config's secret_key, a random 12-byte nonce per value, stored as the
 * text "v1:" + base64(nonce | ciphertext | 16-byte tag). The version prefix
 * lets a later scheme or key rotation sit beside this one. Values written
 * before encryption existed are plaintext JSON (they start with '{') and
 * are still read, so an upgrade never locks a provider out. */
#ifndef CB_CORE_SECRETBOX_H
#define CB_CORE_SECRETBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define SECRETBOX_KEY_LEN 32      /* AES-256 */
#define SECRETBOX_NONCE_LEN 12    /* the GCM nonce NIST SP 800-38D prefers */
#define SECRETBOX_TAG_LEN 16
#define SECRETBOX_MAX_PLAIN 65536 /* integrations.secrets is a TEXT column */

/* key_hex: exactly 64 hex digits (the config's secret_key). CB_EINVAL
 * otherwise. */
enum cb_err secretbox_key(const char *key_hex,
    unsigned char key[SECRETBOX_KEY_LEN]);
/* Encrypts len bytes of plain. *out is a NUL-terminated "v1:..." string;
 * caller frees it with free(). */
enum cb_err secretbox_seal(const char *key_hex, const char *plain,
    size_t len, char **out);
/* Opens a stored value: "v1:..." is decrypted and authenticated (a wrong
 * key or any changed byte is CB_EDENIED); legacy plaintext JSON (first
 * non-space byte '{') is returned as it is; anything else is CB_EINVAL.
 * *out is NUL-terminated, *outlen (may be NULL) its length; caller frees
 * with free(), which it should do soon: it is a secret. */
enum cb_err secretbox_open(const char *key_hex, const char *stored,
    size_t len, char **out, size_t *outlen);
/* true when stored is already "v1:" (nothing to encrypt). */
bool secretbox_is_sealed(const char *stored);

#endif

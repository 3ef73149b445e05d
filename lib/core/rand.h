/* Randomness for secrets comes only from OpenSSL's CSPRNG (STYLE §3.5). */
#ifndef CB_CORE_RAND_H
#define CB_CORE_RAND_H

#include <stddef.h>

#include "core/err.h"

#define RAND_TOKEN_LEN 43 /* base64url of 32 bytes, no padding */

enum cb_err rand_bytes(void *out, size_t n);
/* Writes RAND_TOKEN_LEN chars + NUL into out (size > RAND_TOKEN_LEN). */
enum cb_err rand_token(char *out, size_t outsz);
/* Lowercase hex of n random bytes: 2n chars + NUL. */
enum cb_err rand_hex(char *out, size_t outsz, size_t n);
/* base64url without padding; out needs 4*ceil(n/3)+1 bytes. */
size_t base64url_encode(const unsigned char *in, size_t n, char *out);

#endif

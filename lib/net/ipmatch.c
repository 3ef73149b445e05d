#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "core/strparse.h"
#include "net/ipmatch.h"

bool
ip_parse(const char *s, unsigned char a[16], bool *v4)
{
	struct in_addr in4;

	if (inet_pton(AF_INET, s, &in4) == 1) {
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
		memcpy(a + 12, &in4, 4);
		*v4 = true;
		return true;
	}
	*v4 = false;
	return inet_pton(AF_INET6, s, a) == 1;
}

bool
ip_match(const char *entry, const unsigned char addr[16])
{
	unsigned char net[16];
	char host[INET6_ADDRSTRLEN];
	const char *slash;
	size_t hl, i;
	int64_t bits;
	bool v4;

	slash = strchr(entry, '/');
	hl = slash ? (size_t)(slash - entry) : strlen(entry);
	if (hl == 0 || hl >= sizeof(host))
		return false;
	memcpy(host, entry, hl);
	host[hl] = '\0';
	if (!ip_parse(host, net, &v4))
		return false;
	if (slash == NULL)
		bits = 128;
	else if (strparse_i64z(slash + 1, 0, v4 ? 32 : 128, &bits) != CB_OK)
		return false;
	else if (v4)
		bits += 96;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (net[i] != addr[i])
			return false;
	return bits == 0 ||
	    ((net[i] ^ addr[i]) & (0xff00 >> bits) & 0xff) == 0;
}

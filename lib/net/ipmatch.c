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

/* An IPv4 address (4 bytes) that is not public, or NULL. */
static const char *
v4_not_public(const unsigned char *a)
{
	static const struct { unsigned char net[4]; unsigned bits;
	    const char *why; } r[] = {
		{ { 0, 0, 0, 0 }, 8, "unspecified (this network)" },
		{ { 10, 0, 0, 0 }, 8, "private" },
		{ { 100, 64, 0, 0 }, 10, "carrier-grade NAT" },
		{ { 127, 0, 0, 0 }, 8, "loopback" },
		{ { 169, 254, 0, 0 }, 16, "link-local (cloud metadata)" },
		{ { 172, 16, 0, 0 }, 12, "private" },
		{ { 192, 0, 0, 0 }, 24, "reserved (IETF)" },
		{ { 192, 0, 2, 0 }, 24, "documentation" },
		{ { 192, 168, 0, 0 }, 16, "private" },
		{ { 198, 18, 0, 0 }, 15, "benchmarking" },
		{ { 198, 51, 100, 0 }, 24, "documentation" },
		{ { 203, 0, 113, 0 }, 24, "documentation" },
		{ { 224, 0, 0, 0 }, 4, "multicast" },
		{ { 240, 0, 0, 0 }, 4, "reserved" },
	};
	uint32_t x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	    (uint32_t)a[2] << 8 | a[3];
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		uint32_t n = (uint32_t)r[i].net[0] << 24 |
		    (uint32_t)r[i].net[1] << 16 | (uint32_t)r[i].net[2] << 8 |
		    r[i].net[3];
		uint32_t mask = 0xffffffffu << (32 - r[i].bits);

		if ((x & mask) == n)
			return r[i].why;
	}
	return NULL;
}

const char *
ip_not_public(const unsigned char a[16])
{
	static const unsigned char zero[12];
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };

	/* ::a.b.c.d (the deprecated IPv4-compatible form, :: and ::1 among
	 * them), ::ffff:a.b.c.d and 64:ff9b::a.b.c.d carry a v4 address that
	 * decides. */
	if (memcmp(a, zero, 12) == 0) {
		if (memcmp(a + 12, "\0\0\0\0", 4) == 0)
			return "unspecified";
		if (memcmp(a + 12, "\0\0\0\1", 4) == 0)
			return "loopback";
		return "reserved (IPv4-compatible)";
	}
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return v4_not_public(a + 12);
	if ((a[0] & 0xfe) == 0xfc)
		return "private (unique local)";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "link-local";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return "private (site-local)";
	if (a[0] == 0xff)
		return "multicast";
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return "documentation";
	return NULL;
}

/* IP allow-lists for provider callbacks (providers.md §2.2, §3.2). */
#ifndef CB_NET_IPMATCH_H
#define CB_NET_IPMATCH_H

#include <stdbool.h>

/* An address as 16 bytes, IPv4 as ::ffff:a.b.c.d so either spelling of a
 * v4 peer matches a v4 entry. false when s is not an address. */
bool ip_parse(const char *s, unsigned char a[16], bool *v4);
/* entry is "a.b.c.d", "a.b.c.d/n", an IPv6 address or prefix. A malformed
 * entry matches nothing. */
bool ip_match(const char *entry, const unsigned char addr[16]);

#endif

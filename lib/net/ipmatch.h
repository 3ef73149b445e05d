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

/* Why addr (as ip_parse() writes it) is not a public Internet address —
 * "loopback", "private", "link-local", "carrier-grade NAT", "multicast",
 * "unspecified", "reserved", … (static text) — or NULL when it is one.
 * The ranges are those of the IANA special-purpose registries (RFC 6890)
 * that a server must not be sent to by someone else's URL: RFC 1122
 * (0/8, 127/8), RFC 1918, RFC 6598 (100.64/10, also where some clouds
 * keep their metadata service), RFC 3927 (169.254/16: the AWS, GCP and
 * Azure metadata address 169.254.169.254), RFC 5737, RFC 2544, 224/4,
 * 240/4, and for IPv6 ::, ::1, fc00::/7 (AWS fd00:ec2::254), fe80::/10,
 * fec0::/10, ff00::/8, 2001:db8::/32, and the v4 address inside
 * ::/96, ::ffff:0:0/96 and 64:ff9b::/96 (NAT64, RFC 6052). */
const char *ip_not_public(const unsigned char addr[16]);

#endif

/* SPDX-License-Identifier: MIT */
/* minios: the tiny IPv4 stack (see net.h).  Every length is checked
 * against the frame before a header is read. */
#include "console.h"
#include "net.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define IP_HLEN 20
#define UDP_HLEN 8
#define GEN_BURST 32u

static uint8_t txbuf[NETIF_MAX_FRAME];
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
    for (; len > 1; p += 2, len -= 2)
        sum += get16(p);
    if (len)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int net_ip_parse(const char *s, uint32_t *ip)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        uint32_t part = 0;
        int digits = 0;

        while (*s >= '0' && *s <= '9' && digits < 3) {
            part = part * 10 + (uint32_t)(*s++ - '0');
            digits++;
        }
        if (!digits || part > 255 || *s != (i == 3 ? 0 : '.'))
            return -1;
        s++;
        v = v << 8 | part;
    }
    *ip = v;
    return 0;
}

static void send_frame(struct net *n, uint32_t len)
{
    if (len < 60) { /* pad to the Ethernet minimum */
        memset(txbuf + len, 0, 60 - len);
        len = 60;
    }
    if (xnf_send(n->nf->dev, txbuf, len, NULL) == -11) { /* EAGAIN */
        xnf_poll(n->nf->dev);
        xnf_send(n->nf->dev, txbuf, len, NULL);
    }
}

static void eth_header(struct net *n, const uint8_t *dst, uint16_t type)
{
    memcpy(txbuf, dst, 6);
    memcpy(txbuf + 6, n->nf->mac, 6);
    put16(txbuf + 12, type);
}

static void arp_send(struct net *n, uint16_t op, const uint8_t *tha,
                     uint32_t tip)
{
    uint8_t *a = txbuf + ETH_HLEN;

    eth_header(n, op == 1 ? bcast : tha, ETH_P_ARP);
    put16(a, 1);
    put16(a + 2, ETH_P_IP);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, n->nf->mac, 6);
    put32(a + 14, n->ip);
    memcpy(a + 18, op == 1 ? (const uint8_t *)"\0\0\0\0\0\0" : tha, 6);
    put32(a + 24, tip);
    send_frame(n, ETH_HLEN + 28);
}

static void arp_input(struct net *n, const uint8_t *a, uint32_t len)
{
    uint32_t sip, tip;

    if (len < 28 || get16(a) != 1 || get16(a + 2) != ETH_P_IP || a[4] != 6 ||
        a[5] != 4)
        return;
    sip = get32(a + 14);
    tip = get32(a + 24);
    if (get16(a + 6) == 2 && sip == n->peer_ip && n->peer_ip) {
        memcpy(n->peer_mac, a + 8, 6);
        n->peer_known = true;
    }
    if (get16(a + 6) == 1 && tip == n->ip) {
        arp_send(n, 2, a + 8, sip);
        n->arp_replies++;
    }
}

/* An IPv4 header for @plen payload bytes to @dst, in txbuf. */
static void ip_header(struct net *n, uint32_t dst, uint8_t proto,
                      uint32_t plen)
{
    uint8_t *ip = txbuf + ETH_HLEN;

    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(IP_HLEN + plen));
    put16(ip + 4, 0);
    put16(ip + 6, 0x4000); /* DF */
    ip[8] = 64;
    ip[9] = proto;
    put16(ip + 10, 0);
    put32(ip + 12, n->ip);
    put32(ip + 16, dst);
    put16(ip + 10, csum_fold(csum_add(0, ip, IP_HLEN)));
}

static void icmp_input(struct net *n, const uint8_t *eth, uint32_t src,
                       const uint8_t *icmp, uint32_t len)
{
    uint8_t *out = txbuf + ETH_HLEN + IP_HLEN;

    if (len < 8 || icmp[0] != 8 || icmp[1] != 0)
        return;
    eth_header(n, eth + 6, ETH_P_IP);
    ip_header(n, src, 1, len);
    memcpy(out, icmp, len);
    out[0] = 0; /* echo reply */
    put16(out + 2, 0);
    put16(out + 2, csum_fold(csum_add(0, out, len)));
    send_frame(n, ETH_HLEN + IP_HLEN + len);
    n->icmp_replies++;
}

/* UDP with its checksum over the pseudo-header. */
static void udp_send(struct net *n, const uint8_t *dmac, uint32_t dst,
                     uint16_t sport, uint16_t dport, const uint8_t *data,
                     uint32_t dlen)
{
    uint8_t *u = txbuf + ETH_HLEN + IP_HLEN;
    uint32_t sum;
    uint16_t c;

    eth_header(n, dmac, ETH_P_IP);
    ip_header(n, dst, 17, UDP_HLEN + dlen);
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(UDP_HLEN + dlen));
    put16(u + 6, 0);
    if (data != u + UDP_HLEN)
        memcpy(u + UDP_HLEN, data, dlen);
    sum = csum_add(0, txbuf + ETH_HLEN + 12, 8); /* source, destination */
    sum += 17 + UDP_HLEN + dlen;
    c = csum_fold(csum_add(sum, u, UDP_HLEN + dlen));
    put16(u + 6, c ? c : 0xffff);
    send_frame(n, ETH_HLEN + IP_HLEN + UDP_HLEN + dlen);
}

static void udp_input(struct net *n, const uint8_t *eth, uint32_t src,
                      const uint8_t *u, uint32_t len)
{
    uint32_t ulen;

    if (len < UDP_HLEN)
        return;
    ulen = get16(u + 4);
    if (ulen < UDP_HLEN || ulen > len)
        return;
    if (get16(u + 2) == NET_PORT_ECHO) {
        udp_send(n, eth + 6, src, NET_PORT_ECHO, get16(u), u + UDP_HLEN,
                 ulen - UDP_HLEN);
        n->udp_echoes++;
    } else if (get16(u + 2) == NET_PORT_DISCARD) {
        n->sink_packets++;
        n->sink_bytes += ulen - UDP_HLEN;
    }
}

static void ip_input(struct net *n, const uint8_t *eth, const uint8_t *ip,
                     uint32_t len)
{
    uint32_t hl, tot;

    if (len < IP_HLEN || (ip[0] >> 4) != 4)
        return;
    hl = (ip[0] & 0xfu) * 4u;
    tot = get16(ip + 2);
    if (hl < IP_HLEN || tot < hl || tot > len || get32(ip + 16) != n->ip ||
        (get16(ip + 6) & 0x3fff) != 0) /* no fragments */
        return;
    if (csum_fold(csum_add(0, ip, hl)) != 0)
        return;
    if (ip[9] == 1)
        icmp_input(n, eth, get32(ip + 12), ip + hl, tot - hl);
    else if (ip[9] == 17)
        udp_input(n, eth, get32(ip + 12), ip + hl, tot - hl);
}

void net_input(struct net *n, const uint8_t *f, uint32_t len)
{
    if (len < ETH_HLEN || (memcmp(f, n->nf->mac, 6) != 0 &&
                           memcmp(f, bcast, 6) != 0)) {
        n->rx_dropped++;
        return;
    }
    switch (get16(f + 12)) {
    case ETH_P_ARP:
        arp_input(n, f + ETH_HLEN, len - ETH_HLEN);
        break;
    case ETH_P_IP:
        ip_input(n, f, f + ETH_HLEN, len - ETH_HLEN);
        break;
    default:
        n->rx_dropped++;
    }
}

bool net_generate(struct net *n)
{
    static uint64_t arp_wait;
    uint8_t *payload = txbuf + ETH_HLEN + IP_HLEN + UDP_HLEN;

    if (!n->gen_left)
        return false;
    if (!n->peer_known) {
        if (arp_wait++ % 1000 == 0)
            arp_send(n, 1, bcast, n->peer_ip);
        return true;
    }
    for (unsigned i = 0; i < GEN_BURST && n->gen_left; i++) {
        if (xnf_tx_slots_free(n->nf->dev) < 1 && xnf_poll(n->nf->dev) == 0 &&
            xnf_tx_slots_free(n->nf->dev) < 1)
            break;
        memset(payload, 0, 8);
        put32(payload, (uint32_t)(n->gen_sent >> 32));
        put32(payload + 4, (uint32_t)n->gen_sent);
        udp_send(n, n->peer_mac, n->peer_ip, 9000, n->peer_port, payload,
                 n->gen_size);
        n->gen_sent++;
        n->gen_left--;
    }
    xnf_flush(n->nf->dev);
    return true;
}

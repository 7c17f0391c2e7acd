/* Dotted-quad parsing and printing (lib/ipv4_addr.h). */
#include "lib/ipv4_addr.h"

int ipv4_parse(const char *s, uint32_t *out) {
    uint32_t ip = 0;
    for (int field = 0; field < 4; field++) {
        if (field && *s++ != '.') return -1;
        if (*s < '0' || *s > '9') return -1;
        if (s[0] == '0' && s[1] >= '0' && s[1] <= '9') return -1;   /* 010 would read as octal elsewhere */
        uint32_t v = 0;
        for (int digits = 0; *s >= '0' && *s <= '9'; digits++, s++) {
            if (digits == 3) return -1;
            v = v * 10 + (uint32_t)(*s - '0');
        }
        if (v > 255) return -1;
        ip = ip << 8 | v;
    }
    if (*s) return -1;
    *out = ip;
    return 0;
}

void ipv4_format(uint32_t ip, char out[16]) {
    char *p = out;
    for (int shift = 24; shift >= 0; shift -= 8) {
        unsigned v = (ip >> shift) & 0xff;
        char d[3];
        int n = 0;
        do { d[n++] = (char)('0' + v % 10); v /= 10; } while (v);
        while (n) *p++ = d[--n];
        if (shift) *p++ = '.';
    }
    *p = 0;
}

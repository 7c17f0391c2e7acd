/* A minimal HTTP/1.0 GET over lwIP's raw TCP API: the first real TCP
 * client on SECoS, and the transfer tools/bench measures. The body is
 * hashed as it arrives (SHA-256), never stored, so its size is bounded only
 * by time. The response header must end within 4 KiB. */
#include "netd.h"
#include "lib/sha256.h"
#include "lwip/tcp.h"
#include "lwip/sys.h"
#include <stdio.h>
#include <string.h>

static struct tcp_pcb *pcb;
static char request[512];
static char header[4096];
static size_t header_len;
static int in_body, status, finished, failed;
static uint64_t body_bytes;
static struct sha256 hash;
static u32_t started;

static void finish(int ok) {
    if (finished) return;
    finished = 1;
    failed = !ok;
    if (pcb) {
        tcp_arg(pcb, 0);
        tcp_recv(pcb, 0);
        tcp_err(pcb, 0);
        if (tcp_close(pcb) != ERR_OK) tcp_abort(pcb);
        pcb = 0;
    }
    if (!ok) return;
    uint8_t d[32];
    char hex[65];
    sha256_final(&hash, d);
    sha256_hex(d, hex);
    u32_t ms = sys_now() - started;
    printf("netd: GET status %d, %llu bytes in %u ms, sha256 %s\n", status, (unsigned long long)body_bytes,
           (unsigned)ms, hex);
}

/* Takes header bytes until the blank line; the rest of the segment is body. */
static void take(const uint8_t *p, size_t n) {
    if (in_body) {
        sha256_update(&hash, p, n);
        body_bytes += n;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (header_len == sizeof header - 1) { fprintf(stderr, "netd: GET: response header over 4 KiB\n"); finish(0); return; }
        header[header_len++] = (char)p[i];
        if (header_len >= 4 && memcmp(header + header_len - 4, "\r\n\r\n", 4) == 0) {
            header[header_len] = 0;
            if (sscanf(header, "HTTP/%*d.%*d %d", &status) != 1) { fprintf(stderr, "netd: GET: not HTTP\n"); finish(0); return; }
            in_body = 1;
            take(p + i + 1, n - i - 1);
            return;
        }
    }
}

static err_t on_recv(void *arg, struct tcp_pcb *tpcb, struct pbuf *p, err_t err) {
    (void)arg;
    if (!p || err != ERR_OK) {
        if (p) pbuf_free(p);
        if (!in_body) fprintf(stderr, "netd: GET: connection closed before the header ended\n");
        finish(in_body);
        return ERR_OK;
    }
    for (struct pbuf *q = p; q && !finished; q = q->next) take(q->payload, q->len);
    tcp_recved(tpcb, p->tot_len);
    pbuf_free(p);
    return finished ? ERR_ABRT : ERR_OK;
}

static void on_err(void *arg, err_t err) {
    (void)arg;
    pcb = 0;   /* lwIP has freed it */
    fprintf(stderr, "netd: GET: connection failed (lwIP error %d)\n", (int)err);
    finish(0);
}

static err_t on_connected(void *arg, struct tcp_pcb *tpcb, err_t err) {
    (void)arg;
    if (err != ERR_OK) return err;
    if (tcp_write(tpcb, request, (u16_t)strlen(request), TCP_WRITE_FLAG_COPY) != ERR_OK || tcp_output(tpcb) != ERR_OK) {
        fprintf(stderr, "netd: GET: cannot send the request\n");
        finish(0);
        return ERR_ABRT;
    }
    return ERR_OK;
}

int http_get_start(const ip4_addr_t *ip, uint16_t port, const char *path) {
    if (strlen(path) > 256 || path[0] != '/') return -1;
    snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: %s:%u\r\nUser-Agent: netd\r\n\r\n", path,
             ip4addr_ntoa(ip), port);
    sha256_init(&hash);
    pcb = tcp_new();
    if (!pcb) return -1;
    tcp_arg(pcb, 0);
    tcp_recv(pcb, on_recv);
    tcp_err(pcb, on_err);
    ip_addr_t dst;
    ip_addr_copy_from_ip4(dst, *ip);
    started = sys_now();
    if (tcp_connect(pcb, &dst, port, on_connected) != ERR_OK) return -1;
    return 0;
}

int http_get_done(void) { return finished; }
int http_get_failed(void) { return failed; }

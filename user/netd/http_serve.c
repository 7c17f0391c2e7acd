/* A small HTTP/1.0 file server over lwIP's raw TCP API: GET of a path
 * under the document root, streamed from the file as the send buffer
 * drains (tcp_sent), never read whole into memory. One request per
 * connection; at most HTTP_MAX_CONN at once (more are refused at accept).
 *
 * What it accepts: "GET <path> HTTP/1.x" with the header ending within
 * 2 KiB; a path of [A-Za-z0-9._/-] only, no "..", at most 200 bytes.
 * Anything else: 400; a missing or unreadable file: 404. */
#include "netd.h"
#include "lwip/tcp.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HTTP_MAX_CONN 56    /* below MEMP_NUM_TCP_PCB: room for netd's own connections */
#define HTTP_REQ_MAX  2048

struct conn {
    struct tcp_pcb *pcb;
    char req[HTTP_REQ_MAX];
    size_t req_len;
    int fd;                 /* the file being sent, -1 before and after */
    int responded;
    char head[160];         /* the response header, until lwIP took it: it goes out before any body byte */
    int head_len;
};

static struct tcp_pcb *listener;
static const char *docroot;
static int conns, served;

/* ERR_ABRT when the pcb had to be aborted (a callback must then return
 * ERR_ABRT to lwIP), else ERR_OK. */
static err_t conn_close(struct conn *c) {
    err_t r = ERR_OK;
    if (c->fd >= 0) close(c->fd);
    if (c->pcb) {
        tcp_arg(c->pcb, 0);
        tcp_recv(c->pcb, 0);
        tcp_sent(c->pcb, 0);
        tcp_err(c->pcb, 0);
        tcp_poll(c->pcb, 0, 0);
        if (tcp_close(c->pcb) != ERR_OK) {
            tcp_abort(c->pcb);
            r = ERR_ABRT;
        }
    }
    free(c);
    conns--;
    return r;
}

/* Queues the pending header, then fills the send buffer from the file.
 * A write lwIP refuses for lack of memory is retried on the next ack or
 * poll, in order. */
static void pump(struct conn *c) {
    char buf[TCP_MSS];
    if (c->head_len) {
        if (tcp_write(c->pcb, c->head, (u16_t)c->head_len, TCP_WRITE_FLAG_COPY) != ERR_OK) {
            tcp_output(c->pcb);
            return;
        }
        c->head_len = 0;
    }
    while (c->fd >= 0) {
        u16_t room = tcp_sndbuf(c->pcb);
        if (room < sizeof buf && room < 512) break;
        size_t want = room < sizeof buf ? room : sizeof buf;
        ssize_t n = read(c->fd, buf, want);
        if (n <= 0) {
            close(c->fd);
            c->fd = -1;
            served++;
            break;
        }
        if (tcp_write(c->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) {
            lseek(c->fd, -n, SEEK_CUR);   /* out of segments: try again on the next ack */
            break;
        }
    }
    tcp_output(c->pcb);
}

static int path_ok(const char *p) {
    if (p[0] != '/' || strlen(p) > 200 || strstr(p, "..")) return 0;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '/' || *p == '-'))
            return 0;
    return 1;
}

static void reply_status(struct conn *c, int code, const char *text) {
    c->head_len = snprintf(c->head, sizeof c->head, "HTTP/1.0 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                           code, text);
    pump(c);
}

static void respond(struct conn *c) {
    c->responded = 1;
    char path[256];
    if (sscanf(c->req, "GET %255s HTTP/1.%*d", path) != 1 || !path_ok(path)) { reply_status(c, 400, "Bad Request"); return; }
    char full[512];
    snprintf(full, sizeof full, "%s%s", docroot, path);
    struct stat st;
    int fd = open(full, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        reply_status(c, 404, "Not Found");
        return;
    }
    c->head_len = snprintf(c->head, sizeof c->head, "HTTP/1.0 200 OK\r\nContent-Length: %lld\r\nConnection: close\r\n\r\n",
                           (long long)st.st_size);
    c->fd = fd;
    pump(c);
}

/* Every second: a connection whose last tcp_write found lwIP's memory
 * full has nothing in flight, so no ack would ever call pump again. */
static err_t on_poll(void *arg, struct tcp_pcb *pcb) {
    (void)pcb;
    struct conn *c = arg;
    if (c && (c->fd >= 0 || c->head_len)) pump(c);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len) {
    (void)pcb; (void)len;
    struct conn *c = arg;
    if (c->fd >= 0 || c->head_len) pump(c);
    else if (c->responded && tcp_sndqueuelen(c->pcb) == 0) return conn_close(c);
    return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    struct conn *c = arg;
    if (!p || err != ERR_OK) {          /* the client closed (or failed) */
        if (p) pbuf_free(p);
        return conn_close(c);
    }
    if (!c->responded) {
        size_t room = sizeof c->req - 1 - c->req_len;
        size_t n = p->tot_len < room ? p->tot_len : room;
        pbuf_copy_partial(p, c->req + c->req_len, (u16_t)n, 0);
        c->req_len += n;
        c->req[c->req_len] = 0;
        if (strstr(c->req, "\r\n\r\n")) respond(c);
        else if (c->req_len == sizeof c->req - 1) {
            c->responded = 1;
            reply_status(c, 400, "Bad Request");
        }
    }
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static void on_err(void *arg, err_t err) {
    (void)err;
    struct conn *c = arg;
    if (!c) return;
    c->pcb = 0;                          /* lwIP freed it */
    (void)conn_close(c);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err) {
    (void)arg;
    if (err != ERR_OK || !pcb) return ERR_VAL;
    struct conn *c = conns < HTTP_MAX_CONN ? calloc(1, sizeof *c) : 0;
    if (!c) { tcp_abort(pcb); return ERR_ABRT; }
    conns++;
    c->pcb = pcb;
    c->fd = -1;
    tcp_arg(pcb, c);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
    tcp_poll(pcb, on_poll, 2);
    return ERR_OK;
}

int http_serve_start(uint16_t port, const char *root) {
    docroot = root;
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb || tcp_bind(pcb, IP_ADDR_ANY, port) != ERR_OK) return -1;
    listener = tcp_listen_with_backlog(pcb, 16);
    if (!listener) return -1;
    tcp_accept(listener, on_accept);
    printf("netd: serving %s on port %u\n", root, port);
    return 0;
}

int http_served(void) { return served; }

#include "lib/printf.h"
#include "lib/string.h"
#include "lib/escape.h"
#include <stdint.h>

struct spec {
    int left, zero, plus, space, alt;
    int width, prec; /* prec < 0: none */
    int len;         /* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t */
};

static int emit_n(printf_emit_fn emit, void *ctx, char c, int n) {
    for (int i = 0; i < n; i++) emit(c, ctx);
    return n > 0 ? n : 0;
}

static int emit_str(printf_emit_fn emit, void *ctx, const char *s, int n) {
    for (int i = 0; i < n; i++) emit(s[i], ctx);
    return n;
}

static int format_uint(printf_emit_fn emit, void *ctx, uint64_t v, int neg, unsigned base,
                       int upper, const struct spec *sp, int is_ptr, int is_signed) {
    char digits[24];
    const char *tab = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int nd = 0, out = 0;
    if (v == 0 && sp->prec == 0) nd = 0;
    else do { digits[nd++] = tab[v % base]; v /= base; } while (v);

    const char *prefix = "";
    if (neg) prefix = "-";
    else if (sp->plus && is_signed) prefix = "+";   /* '+' and ' ' are for signed conversions only */
    else if (sp->space && is_signed) prefix = " ";
    else if ((sp->alt || is_ptr) && base == 16) prefix = upper ? "0X" : "0x";
    int plen = (int)strlen(prefix);
    int zeros = sp->prec > nd ? sp->prec - nd : 0;
    int body = plen + zeros + nd;
    int pad = sp->width > body ? sp->width - body : 0;

    if (!sp->left && !(sp->zero && sp->prec < 0)) out += emit_n(emit, ctx, ' ', pad);
    out += emit_str(emit, ctx, prefix, plen);
    if (!sp->left && sp->zero && sp->prec < 0) out += emit_n(emit, ctx, '0', pad);
    out += emit_n(emit, ctx, '0', zeros);
    while (nd) { emit(digits[--nd], ctx); out++; }
    if (sp->left) out += emit_n(emit, ctx, ' ', pad);
    return out;
}

int kvcprintf(printf_emit_fn emit, void *ctx, const char *fmt, va_list ap) {
    int out = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') { emit(*fmt, ctx); out++; continue; }
        struct spec sp = {0};
        sp.prec = -1;
        for (;; fmt++) {
            char f = fmt[1];
            if (f == '-') sp.left = 1;
            else if (f == '0') sp.zero = 1;
            else if (f == '+') sp.plus = 1;
            else if (f == ' ') sp.space = 1;
            else if (f == '#') sp.alt = 1;
            else break;
        }
        fmt++;
        if (*fmt == '*') {
            int w = va_arg(ap, int);
            if (w < 0) { sp.left = 1; w = w < -PRINTF_MAX_FIELD ? PRINTF_MAX_FIELD : -w; }
            sp.width = w;
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9') {
                if (sp.width <= PRINTF_MAX_FIELD) sp.width = sp.width * 10 + (*fmt - '0');
                fmt++;
            }
        }
        if (sp.width > PRINTF_MAX_FIELD) sp.width = PRINTF_MAX_FIELD;
        if (*fmt == '.') {
            fmt++;
            sp.prec = 0;
            if (*fmt == '*') { sp.prec = va_arg(ap, int); if (sp.prec < 0) sp.prec = -1; fmt++; }
            else while (*fmt >= '0' && *fmt <= '9') {
                if (sp.prec <= PRINTF_MAX_FIELD) sp.prec = sp.prec * 10 + (*fmt - '0');
                fmt++;
            }
            if (sp.prec > PRINTF_MAX_FIELD) sp.prec = PRINTF_MAX_FIELD;
        }
        if (*fmt == 'l') { sp.len = 1; fmt++; if (*fmt == 'l') { sp.len = 2; fmt++; } }
        else if (*fmt == 'z') { sp.len = 3; fmt++; }
        else if (*fmt == 'h') { sp.len = -1; fmt++; if (*fmt == 'h') { sp.len = -2; fmt++; } }

        switch (*fmt) {
        case 'd': case 'i': {
            int64_t v;
            if (sp.len == 1) v = va_arg(ap, long);
            else if (sp.len == 2) v = va_arg(ap, long long);
            else if (sp.len == 3) v = (int64_t)va_arg(ap, size_t);
            else if (sp.len == -1) v = (short)va_arg(ap, int);
            else if (sp.len == -2) v = (signed char)va_arg(ap, int);
            else v = va_arg(ap, int);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            out += format_uint(emit, ctx, mag, v < 0, 10, 0, &sp, 0, 1);
            break;
        }
        case 'u': case 'x': case 'X': case 'o': {
            uint64_t v;
            if (sp.len == 1) v = va_arg(ap, unsigned long);
            else if (sp.len == 2) v = va_arg(ap, unsigned long long);
            else if (sp.len == 3) v = va_arg(ap, size_t);
            else if (sp.len == -1) v = (unsigned short)va_arg(ap, unsigned);
            else if (sp.len == -2) v = (unsigned char)va_arg(ap, unsigned);
            else v = va_arg(ap, unsigned);
            unsigned base = *fmt == 'o' ? 8 : (*fmt == 'u' ? 10 : 16);
            out += format_uint(emit, ctx, v, 0, base, *fmt == 'X', &sp, 0, 0);
            break;
        }
        case 'p': {
            if (fmt[1] == 'E') { /* %pE: an untrusted string, escaped (lib/escape.h); width and precision as %s */
                fmt++;
                const char *s = va_arg(ap, const char *);
                if (!s) s = "(null)";
                size_t n = sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) : strlen(s);
                size_t w = escape_untrusted(s, n, 0, 0);
                int pad = sp.width > 0 && (size_t)sp.width > w ? sp.width - (int)w : 0;
                if (!sp.left) out += emit_n(emit, ctx, ' ', pad);
                out += (int)escape_untrusted(s, n, emit, ctx);
                if (sp.left) out += emit_n(emit, ctx, ' ', pad);
                break;
            }
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            out += format_uint(emit, ctx, v, 0, 16, 0, &sp, 1, 0);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            int n = sp.prec >= 0 ? (int)strnlen(s, (size_t)sp.prec) : (int)strlen(s);
            int pad = sp.width > n ? sp.width - n : 0;
            if (!sp.left) out += emit_n(emit, ctx, ' ', pad);
            out += emit_str(emit, ctx, s, n);
            if (sp.left) out += emit_n(emit, ctx, ' ', pad);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            int pad = sp.width > 1 ? sp.width - 1 : 0;
            if (!sp.left) out += emit_n(emit, ctx, ' ', pad);
            emit(c, ctx);
            out++;
            if (sp.left) out += emit_n(emit, ctx, ' ', pad);
            break;
        }
        case '%': emit('%', ctx); out++; break;
        case '\0': return out; /* a lone '%' at the end: stop */
        default: /* unknown conversion: print it literally */
            emit('%', ctx); emit(*fmt, ctx); out += 2; break;
        }
    }
    return out;
}

struct buf_ctx { char *buf; size_t size, pos; };

static void buf_emit(char c, void *p) {
    struct buf_ctx *b = p;
    if (b->size && b->pos < b->size - 1) b->buf[b->pos] = c;
    b->pos++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
    struct buf_ctx b = { buf, size, 0 };
    int n = kvcprintf(buf_emit, &b, fmt, ap);
    if (size) buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

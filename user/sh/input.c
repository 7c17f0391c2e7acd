/* Reading commands typed at a terminal. On a terminal that has termios the
 * line is edited in raw mode by lib/lineedit.c (the kernel console's own
 * editor: arrows, Home/End, Ctrl-U/K/W, history on Up/Down); the terminal's
 * settings are put back before anything runs, so programs see the
 * terminal as the shell found it. Without termios (no tty, or a kernel
 * terminal without TCGETS) lines are read as they come, with the
 * terminal's own echo. */
#include "sh.h"
#include "lib/lineedit.h"
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

static struct line_editor editor;
static struct termios saved;   /* the terminal as the shell found it */
static int have_termios;
/* A character device without termios (SECoS's console before it has a line
 * discipline) does not echo what is typed: the shell shows it itself. */
static int echo_plain;
static int after_cr;           /* a CR ended the last line: skip its LF */

void input_init(void) {
    line_editor_init(&editor);
    have_termios = tcgetattr(0, &saved) == 0;
    struct stat st;
    echo_plain = !have_termios && fstat(0, &st) == 0 && S_ISCHR(st.st_mode);
}

void input_restore_terminal(void) {
    if (have_termios) tcsetattr(0, TCSADRAIN, &saved);
}

void input_history_add(const char *line) {
    if (strlen(line) <= LINE_MAX_LEN && !strchr(line, '\n')) line_editor_history_add(&editor, line);
}

static void put(const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = write(2, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

/* One byte from fd 0: 1, 0 at end of input, -1 on error. */
static int get_byte(unsigned char *c) {
    for (;;) {
        ssize_t n = read(0, c, 1);
        if (n < 0 && errno == EINTR) continue;
        return n > 0 ? 1 : n == 0 ? 0 : -1;
    }
}

/* A line ends at LF, CR or CR LF (a serial terminal sends CR for Enter). */
static char *read_plain(void) {
    struct strbuf b = {0};
    unsigned char c;
    int r;
    while ((r = get_byte(&c)) == 1) {
        int skip = after_cr && c == '\n' && b.len == 0;
        after_cr = 0;
        if (skip) continue;
        if (c == '\r' || c == '\n') {
            after_cr = c == '\r';
            if (echo_plain) put("\n", 1);
            break;
        }
        if (echo_plain) {
            if (c == 0x7f || c == '\b') { /* erase what the terminal cannot */
                if (b.len) { b.s[--b.len] = '\0'; put("\b \b", 3); }
                continue;
            }
            put((const char *)&c, 1);
        }
        sb_putc(&b, (char)c);
    }
    if (r != 1 && b.len == 0) {
        free(sb_take(&b));
        return NULL;
    }
    return sb_take(&b);
}

char *input_read_line(const char *prompt) {
    if (!have_termios) {
        put(prompt, strlen(prompt));
        return read_plain();
    }
    /* Raw mode: bytes one at a time, no echo, Ctrl-C / Ctrl-Z as bytes
     * (the editor cancels the line on Ctrl-C). Output processing stays on,
     * so "\n" is still a new line. The prompt comes after the switch:
     * a Ctrl-D typed as soon as it shows must arrive as the byte 4, and in
     * canonical mode the terminal would have turned it into an end-of-file
     * mark (read later as a NUL byte, and the shell would never end). */
    struct termios raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
    raw.c_iflag &= ~(tcflag_t)(ICRNL | IXON);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    tcsetattr(0, TCSADRAIN, &raw);
    put(prompt, strlen(prompt));
    line_editor_reset(&editor);
    char *line = NULL;
    for (;;) {
        unsigned char c;
        if (get_byte(&c) != 1) break;
        if (c == 4 && editor.len == 0) { /* Ctrl-D on an empty line: end of input */
            put("\n", 1);
            break;
        }
        enum line_event ev = line_editor_feed(&editor, c);
        put(editor.out, editor.out_len);
        if (ev == LINE_DONE) {
            put("\n", 1);
            line = xstrdup(editor.buf);
            break;
        }
        if (ev == LINE_TOO_LONG) {
            put("\n", 1);
            sh_error("line too long (at most %d characters)", LINE_MAX_LEN);
            line_editor_reset(&editor);
            put(prompt, strlen(prompt));
        } else if (ev == LINE_CANCEL) {
            put("\n", 1);
            line_editor_reset(&editor);
            sh.last_status = 130;
            put(prompt, strlen(prompt));
        }
    }
    input_restore_terminal();
    return line;
}

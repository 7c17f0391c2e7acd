/* The interactive loop and the line parser. */
#include "kernel/shell.h"
#include "kernel/console.h"
#include "lib/lineedit.h"
#include "lib/string.h"
#include "kernel/shell_parse.h"

extern const struct shell_command __shell_cmds_start[], __shell_cmds_end[];
void shell_reap_children(void);

const struct shell_command *shell_find(const char *name) {
    for (const struct shell_command *c = __shell_cmds_start; c < __shell_cmds_end; c++)
        if (strcmp(c->name, name) == 0) return c;
    return 0;
}

int shell_commands_sorted(const struct shell_command **out, int max) {
    int n = 0;
    for (const struct shell_command *c = __shell_cmds_start; c < __shell_cmds_end && n < max; c++) {
        int i = n++;
        while (i > 0 && strcmp(out[i - 1]->name, c->name) > 0) {
            out[i] = out[i - 1];
            i--;
        }
        out[i] = c;
    }
    return n;
}

int shell_run_line(const char *line) {
    char buf[LINE_MAX_LEN + 1];
    char *argv[SHELL_MAX_ARGS + 1];
    int argc;
    switch (shell_split_line(line, buf, sizeof buf, argv, &argc)) {
    case SHELL_SPLIT_TOO_LONG:
        kprintf("error: line too long (max %d characters)\n", LINE_MAX_LEN);
        return -1;
    case SHELL_SPLIT_TOO_MANY:
        kprintf("error: too many arguments (max %d)\n", SHELL_MAX_ARGS - 1);
        return -1;
    }
    if (argc == 0 || argv[0][0] == '#') return 0; /* blank line or comment */
    const struct shell_command *cmd = shell_find(argv[0]);
    if (!cmd) {
        kprintf("unknown command: %pE (try 'help')\n", argv[0]);
        return -1;
    }
    return cmd->run(argc, argv);
}

void shell_main(void) {
    static struct line_editor le;
    line_editor_init(&le);
    console_marker("[SHELL] ready\n");
    kprintf("secos> ");
    for (;;) {
        uint8_t c = console_getc();
        switch (line_editor_feed(&le, c)) {
        case LINE_NONE:
            break;
        case LINE_ECHO:
            console_putc((char)c);
            break;
        case LINE_ERASE:
            console_write("\b \b", 3);
            break;
        case LINE_DONE:
            console_putc('\n');
            shell_run_line(le.buf);
            shell_reap_children();
            line_editor_reset(&le);
            kprintf("secos> ");
            break;
        case LINE_TOO_LONG:
            console_putc('\n');
            kprintf("error: line too long (max %d characters); ignored\n", LINE_MAX_LEN);
            line_editor_reset(&le);
            kprintf("secos> ");
            break;
        }
    }
}

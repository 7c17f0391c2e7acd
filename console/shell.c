/* The interactive loop and the line parser. */
#include "console/shell.h"
#include "lib/console_out.h"
#include "kernel/input.h"
#include "lib/lineedit.h"
#include "lib/string.h"
#include "console/shell_parse.h"

extern const struct shell_command __shell_cmds_start[], __shell_cmds_end[];

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

/* The prompt stays readable when a background program prints while the
 * console waits for a line: the output starts on a line of its own, and once
 * it ends with a newline the prompt and the partly typed line come back. */
static struct line_editor editor;
static int prompt_visible;   /* the prompt (and editor's line) is the last thing shown */
static int redraw_wanted;    /* program output covered it */
static char last_program_byte = '\n';

static void program_output_before(void) {
    if (prompt_visible) {
        console_putc('\n');
        prompt_visible = 0;
        redraw_wanted = 1;
    }
}

static void program_output_after(char last) {
    last_program_byte = last;
    if (redraw_wanted && last == '\n') console_input_kick();
}

static const struct console_program_observer program_observer = {
    .before = program_output_before, .after = program_output_after,
};

static void show_prompt(void) {
    char line[2 * LINE_MAX_LEN];
    kprintf("%s", SHELL_PROMPT);
    console_write(line, line_editor_render(&editor, line, sizeof line));
    prompt_visible = 1;
    redraw_wanted = 0;
}

static void redraw_if_covered(void) {
    if (!redraw_wanted) return;
    if (last_program_byte != '\n') console_putc('\n');
    show_prompt();
}

static void finish_line(void) {
    line_editor_reset(&editor);
    show_prompt();
}

void shell_main(void) {
    line_editor_init(&editor);
    console_set_program_observer(&program_observer);
    console_marker("[SHELL] ready\n");
    show_prompt();
    for (;;) {
        uint8_t c;
        if (!console_wait_input(&c)) { /* program output covered the prompt */
            if (last_program_byte == '\n') redraw_if_covered();
            continue;
        }
        redraw_if_covered();
        enum line_event ev = line_editor_feed(&editor, c);
        console_write(editor.out, editor.out_len);
        switch (ev) {
        case LINE_NONE:
            break;
        case LINE_DONE:
            console_putc('\n');
            prompt_visible = 0;
            line_editor_history_add(&editor, editor.buf);
            shell_run_line(editor.buf);
            shell_reap_children();
            finish_line();
            break;
        case LINE_TOO_LONG:
            console_putc('\n');
            prompt_visible = 0;
            kprintf("error: line too long (max %d characters); ignored\n", LINE_MAX_LEN);
            finish_line();
            break;
        case LINE_CANCEL:
            console_putc('\n');
            prompt_visible = 0;
            finish_line();
            break;
        }
    }
}

/* Splitting a shell line into words: pure, so the host fuzzer can hammer it. */
#ifndef CONSOLE_SHELL_PARSE_H
#define CONSOLE_SHELL_PARSE_H
#include <stddef.h>

#define SHELL_MAX_ARGS 16

enum shell_split_result {
    SHELL_SPLIT_OK = 0,
    SHELL_SPLIT_TOO_LONG = -1,   /* the line does not fit in buf */
    SHELL_SPLIT_TOO_MANY = -2,   /* more than SHELL_MAX_ARGS words (a command and SHELL_MAX_ARGS - 1 arguments) */
};

/* Copies line into buf (size bytes) and splits it at spaces and tabs;
 * argv[0..*argc-1] point into buf and argv[*argc] is NULL. argv must hold
 * SHELL_MAX_ARGS + 1 pointers. */
int shell_split_line(const char *line, char *buf, size_t size, char **argv, int *argc);

#endif

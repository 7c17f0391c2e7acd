/* Forced (-include) into every lwIP source of the fuzz target: lwIP's
 * global and static variables go to two sections of their own, which the
 * harness saves before the first input and restores after each one, so
 * every input starts from the state of a freshly started program. */
#pragma clang section bss = "fz_lwip_bss" data = "fz_lwip_data"

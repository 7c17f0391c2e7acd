/* poweroff: switch the machine off (user/musl/power.h says how).
 *   usage: poweroff [-f] */
#include "power.h"

int main(int argc, char **argv) { return power_main(argc, argv, "poweroff", SIGUSR2, RB_POWER_OFF); }

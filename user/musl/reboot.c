/* reboot: restart the machine (user/musl/power.h says how).
 *   usage: reboot [-f] */
#include "power.h"

int main(int argc, char **argv) { return power_main(argc, argv, "reboot", SIGTERM, RB_AUTOBOOT); }

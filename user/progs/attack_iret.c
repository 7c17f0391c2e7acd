/* attack_iret: attack_sysret with `int $0x80` as the last two bytes of the
 * user half, so the return goes through IRETQ instead of SYSRET. */
#define ATTACK_TOP_INT80 1
#include "attack_sysret.c"

#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H
/* Generated at build time into build/gen/version.c. */
extern const char secos_build_time[];
extern const char secos_git_hash[];
#endif

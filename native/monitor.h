/* jrun-monitor's two modes and what they share (native/monitor.c, native/attach.c). */
#ifndef JRUN_MONITOR_H
#define JRUN_MONITOR_H

/* Says what failed on stderr and exits 125 (jrun's own error). */
_Noreturn void die(const char *what);

/* A descriptor number or count from the command line Java wrote; anything else dies. */
int int_arg(const char *s);

int attach(int argc, char **argv);

#include <sys/types.h>

/* Forks the network helper the monitor owns (native/helper.c); its PID, or 0 for none. */
pid_t fork_helper(char **argv, int nargs, const int *fds, int nfds, int start_fd);

#endif

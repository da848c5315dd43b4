/*
 * The network helper that jrun-monitor owns (pasta: `run --helper-arg ARGV... --helper-fd FD
 * --helper-start FD`). Forked before the container exists, so that it is the monitor's child and
 * dies with it, also when the monitor is killed (PR_SET_PDEATHSIG; the monitor is
 * single-threaded, so "the thread that created it" is the monitor, prctl(2)). It waits on the
 * start pipe for the container's PID, which Java sends once the ID maps are written (EOF: no
 * container, exit), appends it to its argv and execs. The monitor SIGKILLs it when the
 * container has ended. Java decided the argv and the descriptors; this only carries them out.
 */
#define _GNU_SOURCE
#include "monitor.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* argv has room for two more entries: the PID and NULL. Returns the helper's PID, 0 for none. */
pid_t fork_helper(char **argv, int nargs, const int *fds, int nfds, int start_fd) {
    if (nargs == 0) return 0;
    pid_t monitor = getpid();
    pid_t pid = fork();
    if (pid < 0) die("fork the network helper");
    if (pid > 0) {
        /* Its descriptors are its own: Java sees EOF on them when it ends. */
        for (int i = 0; i < nfds; i++) close(fds[i]);
        close(start_fd);
        return pid;
    }
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != monitor) _exit(125);
    /* The monitor blocks the signals it reads through a signalfd; a blocked mask survives
     * execve (sigprocmask(2), signalfd(2)), and pasta must get its signals. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* 0 and 1 are /dev/null already; Java numbered its descriptors above all of these. */
    for (int i = 0; i < nfds; i++) if (dup2(fds[i], 2 + i) < 0) _exit(125);
    int start = 2 + nfds;
    if (dup2(start_fd, start) < 0) _exit(125);
    /* Nothing else of the monitor's (the container's error pipe above all: its EOF is how the
     * monitor learns the clone went through). close_range(2) can fail (ENOSYS before Linux 5.9,
     * or a seccomp filter): then the helper does not run rather than hold them. */
    if (syscall(SYS_close_range, (unsigned) start + 1, ~0U, 0) != 0) _exit(125);
    int32_t container = 0;
    ssize_t n;
    do n = read(start, &container, sizeof container); while (n < 0 && errno == EINTR);
    if (n != (ssize_t) sizeof container) _exit(0);
    close(start);
    char pid_text[16];
    snprintf(pid_text, sizeof pid_text, "%d", (int) container);
    argv[nargs] = pid_text;
    argv[nargs + 1] = NULL;
    execv(argv[0], argv);
    _exit(127);
}

/*
 * jrun-monitor attach MONITOR_PID TTY(0|1) PARENT_FD: what a foreground `jrun run` (or exec)
 * becomes, by execve from the JVM with the same PID, so the caller's signals and exit status
 * stay the caller's. It forwards the caller's signals to the monitor (its child), keeps the
 * caller's terminal raw while a -t container runs, and exits with the monitor's status, which
 * is the container's. It holds PARENT_FD: its end closing tells the monitor we are gone.
 */
#define _GNU_SOURCE
#include "monitor.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t monitor_pid;

static void forward_to_monitor(int sig) {
    int saved = errno;
    if (monitor_pid > 0) kill(monitor_pid, sig);
    errno = saved;
}

int attach(int argc, char **argv) {
    if (argc < 3) { errno = EINVAL; die("attach MONITOR_PID TTY PARENT_FD"); }
    monitor_pid = int_arg(argv[0]);
    int tty = int_arg(argv[1]);
    int parent_fd = int_arg(argv[2]);
    /* Everything the JVM left open goes, but the pipe whose closing tells the monitor that we
     * are gone (then it ends the container: a killed `jrun run` leaves nothing running). */
    if (parent_fd > 3) syscall(SYS_close_range, 3, parent_fd - 1, 0);
    syscall(SYS_close_range, parent_fd >= 3 ? parent_fd + 1 : 3, ~0U, 0);

    struct termios saved;
    int raw = tty && isatty(0) && tcgetattr(0, &saved) == 0;
    if (raw) {
        struct termios t = saved;
        cfmakeraw(&t);
        tcsetattr(0, TCSANOW, &t);
    }
    struct sigaction sa = { 0 };
    sa.sa_handler = forward_to_monitor;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH };
    for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) sigaction(forwarded[i], &sa, NULL);
    /* The JVM blocked these around its execve so none could end us before the handlers. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    int status = 0;
    pid_t w;
    do w = waitpid(monitor_pid, &status, 0); while (w < 0 && errno == EINTR);
    if (raw) tcsetattr(0, TCSANOW, &saved);
    if (w < 0) return 125;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

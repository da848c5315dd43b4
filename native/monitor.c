/*
 * jrun-monitor: what stays beside a running container instead of a JVM (podman leaves conmon).
 *
 * Java decides everything; this program carries it out. Its command line names descriptors
 * Java prepared and files Java chose. Two modes:
 *
 *   jrun-monitor run OPTIONS [-- CLEANUP ARGV...]
 *     1. become a child subreaper (orphans of the container's tree are reaped here);
 *     2. read the operation list (OpEncoder's relocatable buffer), fork the network helper Java
 *        asked for (native/helper.c; pasta starts once Java sends the container's PID), join the namespaces Java
 *        opened (--join: another container's user and network namespace), and spawn the container with
 *        libjrun's jrun_spawn, exactly as the JVM would; Java writes the ID maps meanwhile;
 *     3. report {-2, pid} ("started") or the child's {op index, errno} on the status pipe;
 *     4. relay stdio: the container's pipes (or its terminal) to the attached caller and to a
 *        log in podman's k8s-file format; the caller's stdin to the container;
 *     5. forward signals; after a stop signal, SIGKILL once the stop timeout has passed;
 *     6. when the container's main process ends: close what it held for the container (--hold:
 *        a network helper's exit pipe), SIGKILL the helper it forked, write the exit status atomically, run the cleanup Java
 *        planned (in the container's user namespace), exit with the status.
 *        With --parent-fd, the end of that pipe (the JVM that started us died) SIGKILLs the
 *        container; --cleanup-if-orphaned 1 runs the cleanup only then (a library's container,
 *        which its JVM removes itself when it lives to do so).
 *
 *   jrun-monitor attach MONITOR_PID TTY(0|1) PARENT_FD    (native/attach.c)
 *     What a foreground `jrun run` becomes (execve from the JVM, same PID): forwards the
 *     caller's signals to the monitor, keeps the caller's terminal raw while a -t container
 *     runs, and exits with the monitor's status, which is the container's.
 *
 * The container never gets one of the caller's descriptors: without -t it has pipes, with -t
 * a terminal of its own devpts (a caller's terminal in a container can be read from or pushed
 * keystrokes into; cf. CVE-2017-5226).
 */
#define _GNU_SOURCE
#include "jrun.h"
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 32
#define MAX_ARGS 512
#define BUF_SIZE 65536

_Noreturn void die(const char *what) {
    dprintf(2, "jrun-monitor: %s: %s\n", what, strerror(errno));
    _exit(125);
}

static int write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

static ssize_t read_retry(int fd, void *buf, size_t len) {
    ssize_t n;
    do n = read(fd, buf, len); while (n < 0 && errno == EINTR);
    return n;
}

int int_arg(const char *s) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < -1 || v > 1 << 30) {
        errno = EINVAL;
        die(s);
    }
    return (int) v;
}

/* ---------------------------------------------------------------- k8s-file log */

static int log_fd = -1;
static const char *log_path;
static int log_failed;
static int notice_fd = -1;     /* where to say once that logging stopped: the caller's stderr */

static void log_broken(void) {
    if (log_failed) return;
    log_failed = 1;
    int saved = errno;
    /* The container keeps running; only the log stops. Said once, where someone may read it. */
    char path[4096];
    snprintf(path, sizeof path, "%s.error", log_path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        dprintf(fd, "writing the log stopped: %s\n", strerror(saved));
        close(fd);
    }
    if (notice_fd >= 0) dprintf(notice_fd, "jrun: the container's log %s stopped: %s\n", log_path, strerror(saved));
}

/* One record per line, "TIMESTAMP STREAM F|P TEXT\n" (F: full line, P: partial), as conmon. */
static void log_chunk(const char *stream, const char *data, size_t len) {
    if (log_fd < 0 || log_failed) return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char prefix[96];
    int plen = snprintf(prefix, sizeof prefix, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ %s ",
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                        tm.tm_sec, ts.tv_nsec, stream);
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t line = nl ? (size_t) (nl - data) : len;
        if (write_all(log_fd, prefix, (size_t) plen) < 0
                || write_all(log_fd, nl ? "F " : "P ", 2) < 0
                || write_all(log_fd, data, line) < 0
                || write_all(log_fd, "\n", 1) < 0) {
            log_broken();
            return;
        }
        size_t used = nl ? line + 1 : line;
        data += used;
        len -= used;
    }
}

/* ---------------------------------------------------------------- run */

struct relay {
    int from;                  /* read end: a container pipe, its terminal, or the caller's stdin */
    int to;                    /* where the bytes go, or -1 */
    const char *stream;        /* "stdout"/"stderr" to log, or NULL */
};

static struct {
    int ops_fd;
    long long ns_flags;
    int pid_w, go_r, err_r, err_w, status_w;
    int stdin_from, stdin_to, stdout_from, stdout_to, stderr_from, stderr_to;
    int tty_socket, ns_socket, parent_fd, main_pid_fd;
    const char *exit_path;
    int stop_timeout, stop_signal;
    int cleanup_if_orphaned, orphaned;
    int close_fds[MAX_FDS], nclose;
    int hold_fds[MAX_FDS], nhold;
    int join_fds[MAX_FDS], join_types[MAX_FDS], njoin, njoin_types;
    char *helper_argv[MAX_ARGS + 2];   /* + the container's PID + NULL */
    int nhelper_args;
    int helper_fds[MAX_FDS], nhelper_fds, helper_start;
    char **cleanup;
} o = { .ops_fd = -1, .pid_w = -1, .go_r = -1, .err_r = -1, .err_w = -1, .status_w = -1,
        .stdin_from = -1, .stdin_to = -1, .stdout_from = -1, .stdout_to = -1,
        .stderr_from = -1, .stderr_to = -1, .tty_socket = -1, .ns_socket = -1,
        .parent_fd = -1, .main_pid_fd = -1, .stop_timeout = 10, .stop_signal = SIGTERM, .helper_start = -1 };

static void parse_run(int argc, char **argv) {
    for (int i = 0; i < argc; i++) {
        const char *k = argv[i];
        if (strcmp(k, "--") == 0) {
            o.cleanup = &argv[i + 1];
            return;
        }
        if (i + 1 >= argc) { errno = EINVAL; die(k); }
        const char *v = argv[++i];
        if (!strcmp(k, "--ops")) o.ops_fd = int_arg(v);
        else if (!strcmp(k, "--ns-flags")) o.ns_flags = strtoll(v, NULL, 10);
        else if (!strcmp(k, "--pid-w")) o.pid_w = int_arg(v);
        else if (!strcmp(k, "--go-r")) o.go_r = int_arg(v);
        else if (!strcmp(k, "--err-r")) o.err_r = int_arg(v);
        else if (!strcmp(k, "--err-w")) o.err_w = int_arg(v);
        else if (!strcmp(k, "--status")) o.status_w = int_arg(v);
        else if (!strcmp(k, "--stdin-from")) o.stdin_from = int_arg(v);
        else if (!strcmp(k, "--stdin-to")) o.stdin_to = int_arg(v);
        else if (!strcmp(k, "--stdout-from")) o.stdout_from = int_arg(v);
        else if (!strcmp(k, "--stdout-to")) o.stdout_to = int_arg(v);
        else if (!strcmp(k, "--stderr-from")) o.stderr_from = int_arg(v);
        else if (!strcmp(k, "--stderr-to")) o.stderr_to = int_arg(v);
        else if (!strcmp(k, "--tty-socket")) o.tty_socket = int_arg(v);
        else if (!strcmp(k, "--ns-socket")) o.ns_socket = int_arg(v);
        else if (!strcmp(k, "--parent-fd")) o.parent_fd = int_arg(v);
        else if (!strcmp(k, "--main-pid-fd")) o.main_pid_fd = int_arg(v);
        else if (!strcmp(k, "--log")) log_path = v;
        else if (!strcmp(k, "--exit-file")) o.exit_path = v;
        else if (!strcmp(k, "--stop-timeout")) o.stop_timeout = int_arg(v);
        else if (!strcmp(k, "--stop-signal")) o.stop_signal = int_arg(v);
        else if (!strcmp(k, "--cleanup-if-orphaned")) o.cleanup_if_orphaned = int_arg(v);
        else if (!strcmp(k, "--close")) {
            if (o.nclose == MAX_FDS) { errno = E2BIG; die(k); }
            o.close_fds[o.nclose++] = int_arg(v);
        } else if (!strcmp(k, "--hold")) {
            if (o.nhold == MAX_FDS) { errno = E2BIG; die(k); }
            o.hold_fds[o.nhold++] = int_arg(v);
        } else if (!strcmp(k, "--helper-arg")) {
            if (o.nhelper_args == MAX_ARGS) { errno = E2BIG; die(k); }
            o.helper_argv[o.nhelper_args++] = (char *) v;
        } else if (!strcmp(k, "--helper-fd")) {
            if (o.nhelper_fds == MAX_FDS) { errno = E2BIG; die(k); }
            o.helper_fds[o.nhelper_fds++] = int_arg(v);
        } else if (!strcmp(k, "--helper-start")) {
            o.helper_start = int_arg(v);
        } else if (!strcmp(k, "--join")) {
            if (o.njoin == MAX_FDS) { errno = E2BIG; die(k); }
            o.join_fds[o.njoin++] = int_arg(v);
        } else if (!strcmp(k, "--join-type")) {
            if (o.njoin_types == MAX_FDS) { errno = E2BIG; die(k); }
            o.join_types[o.njoin_types++] = (int) strtoll(v, NULL, 10);   /* CLONE_NEW* flags */
        } else {
            errno = EINVAL;
            die(k);
        }
    }
}

static void *read_ops(int fd, size_t *size) {
    size_t cap = 1 << 16, len = 0;
    char *buf = aligned_alloc(8, cap);
    if (!buf) die("allocate the operation list");
    for (;;) {
        if (len == cap) {
            char *bigger = aligned_alloc(8, cap * 2);
            if (!bigger) die("allocate the operation list");
            memcpy(bigger, buf, len);
            free(buf);
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read_retry(fd, buf + len, cap - len);
        if (n < 0) die("read the operation list");
        if (n == 0) break;
        len += (size_t) n;
    }
    close(fd);
    *size = len;
    return buf;
}

static int recv_fd_or_none(int sock) {
    if (sock < 0) return -1;
    int fd = jrun_recv_fd(sock);
    close(sock);
    return fd < 0 ? -1 : fd;
}

/* "exitCode finishedAtSeconds.nanos" (+ signal), written beside and renamed over: readers see
 * the old file or the whole new one. */
static void write_exit_file(int status) {
    if (!o.exit_path) return;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", o.exit_path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    int written = dprintf(fd, "{\"exitCode\":%d,\"signal\":%d,\"finishedAt\":%lld.%09ld}\n", code, sig,
                          (long long) ts.tv_sec, ts.tv_nsec);
    /* A full disk must not leave an empty status in place: without one the container shows
     * as exited with its status unknown, which is the truth. */
    if (written <= 0 || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, o.exit_path) != 0) unlink(tmp);
}

static void run_cleanup(int userns_fd) {
    if (!o.cleanup || !o.cleanup[0]) return;
    /* A library's container: its JVM removes it, unless that JVM died first. */
    if (o.cleanup_if_orphaned && !o.orphaned) return;
    pid_t pid = fork();
    if (pid < 0) return;
    if (pid == 0) {
        /* In the container's user namespace we are its root over the files it wrote, which
         * belong to subordinate IDs that we cannot remove on the host (user_namespaces(7)). */
        if (userns_fd >= 0 && setns(userns_fd, CLONE_NEWUSER) != 0) _exit(126);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) { dup2(null, 0); dup2(null, 1); }
        execv(o.cleanup[0], o.cleanup);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
}

static int copy_winsize(int from, int to) {
    struct winsize ws;
    if (from < 0 || to < 0 || ioctl(from, TIOCGWINSZ, &ws) != 0) return -1;
    return ioctl(to, TIOCSWINSZ, &ws);
}

static int run(int argc, char **argv) {
    parse_run(argc, argv);
    notice_fd = o.stderr_to;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) die("become a subreaper");

    sigset_t mask;
    sigemptyset(&mask);
    int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD, SIGPIPE };
    for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) sigaddset(&mask, forwarded[i]);
    /* Blocked before the container exists, so no signal is lost or acted on by default. */
    if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0) die("block signals");
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) die("signalfd");

    if (log_path) {
        log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (log_fd < 0) die(log_path);
    }
    size_t size;
    void *blob = read_ops(o.ops_fd, &size);
    pid_t helper_pid = fork_helper(o.helper_argv, o.nhelper_args, o.helper_fds, o.nhelper_fds, o.helper_start);
    /* --join FD --join-type CLONE_NEW*, in order (--network container:, ns:): the container is
     * cloned inside namespaces that exist (setns(2)); the user namespace first, which gives us
     * the capabilities its network namespace asks for. {-4, errno}: Java names what failed. */
    /* Each namespace with the type Java checked: setns(2) with 0 would take any type. */
    if (o.njoin != o.njoin_types) { errno = EINVAL; die("--join and --join-type must come in pairs"); }
    for (int i = 0; i < o.njoin; i++) {
        if (setns(o.join_fds[i], o.join_types[i]) != 0) {
            int32_t failed[2] = { -4, (int32_t) errno };
            write_all(o.status_w, (const char *) failed, sizeof failed);
            return 125;
        }
        close(o.join_fds[i]);
    }
    long spawned = jrun_spawn_blob(blob, (int64_t) size, o.ns_flags, o.pid_w, o.go_r, -1, o.err_w);
    free(blob);
    /* Our copies of the container's ends go now, so EOF means what it should. */
    for (int i = 0; i < o.nclose; i++) close(o.close_fds[i]);
    /* {-3, errno}: clone itself failed (Java names the sysctl); {-2, pid}: started. */
    int32_t report[2] = { -3, spawned < 0 ? (int32_t) -spawned : 0 };
    if (spawned >= 0) {
        ssize_t n = read_retry(o.err_r, report, sizeof report);
        if (n != (ssize_t) sizeof report) { report[0] = -2; report[1] = (int32_t) spawned; }
    }
    close(o.err_r);
    pid_t main_pid = (pid_t) spawned;
    if (report[0] == -2 && o.main_pid_fd >= 0) {
        /* An exec session: the spawned process forked into the PID namespace and exited;
         * its child, now ours as subreaper, is the one to wait for. */
        int32_t grandchild = 0;
        if (read_retry(o.main_pid_fd, &grandchild, sizeof grandchild) == (ssize_t) sizeof grandchild) {
            main_pid = grandchild;
            report[1] = grandchild;
        } else {
            report[0] = -1;
            report[1] = EIO;
        }
        close(o.main_pid_fd);
    }
    write_all(o.status_w, (const char *) report, sizeof report);
    close(o.status_w);
    if (report[0] != -2) {
        /* Java reports the failure and removes what it created. */
        if (spawned > 0) while (waitpid((pid_t) spawned, NULL, 0) < 0 && errno == EINTR) {}
        return 125;
    }
    int userns_fd = recv_fd_or_none(o.ns_socket);
    int master = recv_fd_or_none(o.tty_socket);
    if (master >= 0) {
        o.stdout_from = master;
        o.stdin_to = dup(master);
        copy_winsize(o.stdout_to, master);
    }

    struct relay relays[3] = {
        { o.stdout_from, o.stdout_to, "stdout" },
        { o.stderr_from, o.stderr_to, "stderr" },
        { o.stdin_from, o.stdin_to, NULL },
    };
    static char buf[BUF_SIZE];
    int main_status = 0, main_done = 0;
    struct timespec stop_deadline = { 0, 0 };
    struct timespec drain_deadline = { 0, 0 };

    for (;;) {
        struct pollfd p[6];
        int n = 0;
        p[n++] = (struct pollfd) { sfd, POLLIN, 0 };
        for (int i = 0; i < 3; i++) p[n++] = (struct pollfd) { relays[i].from, POLLIN, 0 };
        p[n++] = (struct pollfd) { main_done ? -1 : o.parent_fd, POLLIN, 0 };
        int outputs_open = relays[0].from >= 0 || relays[1].from >= 0;
        if (main_done && !outputs_open) break;

        int timeout = -1;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        struct timespec *deadline = main_done ? &drain_deadline : (stop_deadline.tv_sec ? &stop_deadline : NULL);
        if (deadline) {
            long long ms = (deadline->tv_sec - now.tv_sec) * 1000LL + (deadline->tv_nsec - now.tv_nsec) / 1000000;
            if (ms <= 0) {
                if (main_done) break;   /* something in the container still holds the pipes */
                kill(main_pid, SIGKILL);
                stop_deadline.tv_sec = 0;
                continue;
            }
            timeout = (int) ms;
        }
        int ready = poll(p, (nfds_t) n, timeout);
        if (ready < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        if (p[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) == (ssize_t) sizeof si) {
                int sig = (int) si.ssi_signo;
                if (sig == SIGCHLD) {
                    int status;
                    pid_t w;
                    while ((w = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
                        if (w == helper_pid) helper_pid = 0;   /* its PID is no longer ours to signal */
                        if (w == main_pid && !main_done) {
                            main_done = 1;
                            main_status = status;
                            clock_gettime(CLOCK_MONOTONIC, &drain_deadline);
                            drain_deadline.tv_sec += 1;
                        }
                    }
                } else if (sig == SIGPIPE) {
                    /* a reader of the caller's side went away: its relay stops below */
                } else if (sig == SIGWINCH) {
                    if (master >= 0) copy_winsize(o.stdout_to, master);
                } else if (!main_done) {
                    kill(main_pid, sig);
                    /* PID 1 of a namespace ignores signals it has no handler for: a stop
                     * request that does nothing ends in SIGKILL, as podman stop does. */
                    if ((sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT)
                            && stop_deadline.tv_sec == 0) {
                        clock_gettime(CLOCK_MONOTONIC, &stop_deadline);
                        stop_deadline.tv_sec += o.stop_timeout;
                    }
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            struct relay *r = &relays[i];
            short ev = p[1 + i].revents;
            if (r->from < 0 || !(ev & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t got = read_retry(r->from, buf, sizeof buf);
            if (got <= 0) {
                /* EOF (or EIO from a terminal whose last user left): this stream is done. */
                close(r->from);
                r->from = -1;
                if (i == 2 && r->to >= 0 && r->to != master) { close(r->to); r->to = -1; }
                continue;
            }
            if (r->stream) log_chunk(r->stream, buf, (size_t) got);
            if (r->to >= 0 && write_all(r->to, buf, (size_t) got) < 0) {
                if (i == 2) {
                    /* the container closed its stdin */
                    close(r->from);
                    r->from = -1;
                } else if (errno == EPIPE) {
                    /* The caller's reader went away (jrun run ... | head -1): the container's
                     * next write gets EPIPE/SIGPIPE, as if it wrote to that pipe itself. */
                    close(r->from);
                    r->from = -1;
                } else {
                    r->to = -1;   /* the caller's stream failed otherwise: keep logging */
                }
            }
        }
        if (p[4].fd >= 0 && (p[4].revents & (POLLIN | POLLHUP | POLLERR))) {
            /* The JVM that started us is gone (a test JVM killed with -9): the container goes too. */
            kill(main_pid, SIGKILL);
            close(o.parent_fd);
            o.parent_fd = -1;
            o.orphaned = 1;
        }
    }
    /* What lives exactly as long as the container (a network helper, its exit pipe) ends now. */
    for (int i = 0; i < o.nhold; i++) close(o.hold_fds[i]);
    if (helper_pid > 0) kill(helper_pid, SIGKILL);
    write_exit_file(main_status);
    if (log_fd >= 0) close(log_fd);
    run_cleanup(userns_fd);
    return WIFEXITED(main_status) ? WEXITSTATUS(main_status) : 128 + WTERMSIG(main_status);
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "run") == 0) return run(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "attach") == 0) return attach(argc - 2, argv + 2);
    dprintf(2, "jrun-monitor: started by jrun only (jrun run, jrun exec)\n");
    return 125;
}

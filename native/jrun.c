/*
 * The child side of a jrun launch.
 *
 * jrun_spawn() works like glibc's posix_spawn: clone(CLONE_VM|CLONE_VFORK) on a
 * private stack with every signal blocked, plus the namespace flags Java chose.
 * The child shares the JVM's memory until it execs, so it may only make system
 * calls: no malloc, no stdio, no locks, nothing that touches the JVM.
 *
 * The child script, in order:
 *   1. reset every signal disposition to SIG_DFL and unblock all signals, so no
 *      JVM handler can ever run in it;
 *   2. mark every fd >= 3 close-on-exec (close_range(2)), so nothing the JVM has
 *      open leaks into the container;
 *   3. write its host PID on pid_fd and wait for one byte on go_fd: the launcher
 *      writes the ID maps (newuidmap(1)) in between;
 *   4. carry out the operation list; on the first failure write
 *      {index, errno} to err_fd (close-on-exec) and exit.
 * EOF on err_fd therefore means execve() succeeded.
 */
#define _GNU_SOURCE
#include "jrun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(sizeof(struct jrun_op) == 72, "jrun_op layout is shared with Java");

#define CHILD_STACK_SIZE (256 * 1024)
#define KERNEL_SIGSET_SIZE 8

struct kernel_sigaction {     /* all-zero is SIG_DFL with an empty mask */
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

struct open_how_v0 {          /* openat2(2) */
    uint64_t flags, mode, resolve;
};

struct mount_attr_v0 {        /* mount_setattr(2) */
    uint64_t attr_set, attr_clr, propagation, userns_fd;
};

struct spawn_args {
    const struct jrun_op *ops;
    int32_t nops;
    int32_t pid_fd, go_fd, go_writer_fd, err_fd;
    volatile pid_t host_pid;  /* written by the kernel: CLONE_PARENT_SETTID */
};

static void write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        p += n;
        len -= (size_t) n;
    }
}

static _Noreturn void fail(const struct spawn_args *a, int32_t index, int error) {
    struct jrun_failure f = { index, error };
    write_all(a->err_fd, &f, sizeof f);
    _exit(127);
}

/* Puts a new descriptor at the number Java chose for it; 0 on success, as every operation. */
static int move_fd(int fd, int target) {
    if (fd < 0) return -1;
    if (fd == target) return 0;
    int r = dup3(fd, target, O_CLOEXEC);
    int saved = errno;
    close(fd);
    errno = saved;
    return r < 0 ? -1 : 0;
}

static int send_fd(int sock, int fd) {
    char byte = 0;
    struct iovec iov = { &byte, 1 };
    union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    *(int *) CMSG_DATA(c) = fd;
    return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static int do_exec(const struct jrun_op *op) {
    char *const *candidates = (char *const *) op->s0;
    int first_error = ENOENT;
    int saw_eacces = 0;
    for (; *candidates; candidates++) {
        syscall(SYS_execve, *candidates, op->s1, op->s2);
        /* As execvp(3): keep looking past missing files, remember EACCES. */
        if (errno == EACCES) saw_eacces = 1;
        else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE) return -1;
        if (first_error == ENOENT) first_error = errno;
    }
    errno = saw_eacces ? EACCES : first_error;
    return -1;
}

static int run_op(const struct jrun_op *op) {
    switch (op->code) {
    case JRUN_OP_MOUNT:
        return mount(op->s0, op->s1, op->s2, (unsigned long) op->n0, op->s3);
    case JRUN_OP_UMOUNT2:
        return umount2(op->s0, (int) op->n0);
    case JRUN_OP_OPEN_TREE:
        return move_fd((int) syscall(SYS_open_tree, AT_FDCWD, op->s0, (unsigned) op->n0), (int) op->n1);
    case JRUN_OP_MOVE_MOUNT:
        return (int) syscall(SYS_move_mount, (int) op->n0, "", AT_FDCWD, op->s0, (unsigned) op->n1);
    case JRUN_OP_MOUNT_SETATTR: {
        struct mount_attr_v0 attr = { (uint64_t) op->n2, (uint64_t) op->n3, 0, 0 };
        return (int) syscall(SYS_mount_setattr, (int) op->n0, op->s0, (unsigned) op->n1, &attr, sizeof attr);
    }
    case JRUN_OP_MKDIR:
        return mkdir(op->s0, (mode_t) op->n0);
    case JRUN_OP_CREATE_FILE: {
        /* O_NONBLOCK: a FIFO planted at a mount point fails (ENXIO) instead of hanging the launch. */
        int fd = open(op->s0, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, (mode_t) op->n0);
        return fd < 0 ? -1 : close(fd);
    }
    case JRUN_OP_WRITE_FILE: {
        int fd = open(op->s0, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, (mode_t) op->n0);
        if (fd < 0) return -1;
        const char *p = op->s1;
        size_t left = (size_t) op->n1;
        while (left > 0) {
            ssize_t n = write(fd, p, left);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) { int saved = errno; close(fd); errno = saved; return -1; }
            p += n;
            left -= (size_t) n;
        }
        return close(fd);
    }
    case JRUN_OP_SYMLINK:
        return symlink(op->s0, op->s1);
    case JRUN_OP_CHDIR:
        return chdir(op->s0);
    case JRUN_OP_PIVOT_ROOT:
        return (int) syscall(SYS_pivot_root, op->s0, op->s1);
    case JRUN_OP_SETHOSTNAME:
        return sethostname(op->s0, (size_t) op->n0);
    case JRUN_OP_SETGROUPS:
        /* The raw system call: glibc's wrapper would signal every thread of the JVM. */
        return (int) syscall(SYS_setgroups, (size_t) op->n0, op->s0);
    case JRUN_OP_SETRESGID:
        return (int) syscall(SYS_setresgid, (gid_t) op->n0, (gid_t) op->n0, (gid_t) op->n0);
    case JRUN_OP_SETRESUID:
        return (int) syscall(SYS_setresuid, (uid_t) op->n0, (uid_t) op->n0, (uid_t) op->n0);
    case JRUN_OP_CAPBSET_DROP:
        return prctl(PR_CAPBSET_DROP, (unsigned long) op->n0, 0, 0, 0);
    case JRUN_OP_SETSID:
        return setsid() < 0 ? -1 : 0;
    case JRUN_OP_DUP2:
        return dup2((int) op->n0, (int) op->n1) < 0 ? -1 : 0;
    case JRUN_OP_IOCTL:
    {
        int r = op->s0 ? ioctl((int) op->n0, (unsigned long) op->n1, op->s0)
                       : ioctl((int) op->n0, (unsigned long) op->n1, (unsigned long) op->n2);
        if (op->n3) return move_fd(r, (int) op->n3);
        return r < 0 ? -1 : 0;
    }
    case JRUN_OP_PDEATHSIG:
        return prctl(PR_SET_PDEATHSIG, (unsigned long) op->n0, 0, 0, 0);
    case JRUN_OP_OPENAT2: {
        struct open_how_v0 how = { (uint64_t) op->n1, 0, (uint64_t) op->n2 };
        return move_fd((int) syscall(SYS_openat2, (int) op->n0, op->s0, &how, sizeof how), (int) op->n3);
    }
    case JRUN_OP_FCHOWNAT:
        return fchownat((int) op->n0, op->s0, (uid_t) op->n1, (gid_t) op->n2, (int) op->n3);
    case JRUN_OP_FCHMODAT:
        return fchmodat((int) op->n0, op->s0, (mode_t) op->n1, 0);
    case JRUN_OP_CLOSE:
        return close((int) op->n0);
    case JRUN_OP_EXEC:
        return do_exec(op);
    case JRUN_OP_EXIT:
        _exit((int) op->n0);
    case JRUN_OP_SET_NO_NEW_PRIVS:
        return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    case JRUN_OP_UNLINKAT:
        return unlinkat((int) op->n0, op->s0, (int) op->n1);
    case JRUN_OP_SOCKET:
        return move_fd(socket((int) op->n0, (int) op->n1, (int) op->n2), (int) op->n3);
    case JRUN_OP_SEND_FD:
        return send_fd((int) op->n0, (int) op->n1);
    case JRUN_OP_FSOPEN:
        return move_fd((int) syscall(SYS_fsopen, op->s0, (unsigned) op->n0), (int) op->n1);
    case JRUN_OP_FSCONFIG:
        return (int) syscall(SYS_fsconfig, (int) op->n0, (unsigned) op->n1, op->s0, op->s1, (int) op->n2);
    case JRUN_OP_FSMOUNT:
        return move_fd((int) syscall(SYS_fsmount, (int) op->n0, (unsigned) op->n1, (unsigned) op->n2), (int) op->n3);
    case JRUN_OP_CLOSE_RANGE:
        return (int) syscall(SYS_close_range, (unsigned) op->n0, (unsigned) op->n1, (unsigned) op->n2);
    case JRUN_OP_SETNS:
        return setns((int) op->n0, (int) op->n1);
    case JRUN_OP_FORK: {
        /* setns(CLONE_NEWPID) moves only our children into the namespace (setns(2)), so the
         * process that execs must be a child. The raw system call: glibc's fork() would run
         * atfork handlers and take locks this vfork child must not touch. */
        long pid = syscall(SYS_clone, (unsigned long) SIGCHLD, 0, 0, 0, 0);
        if (pid < 0) return -1;
        if (pid > 0) {
            int32_t child = (int32_t) pid;
            if (op->n0 >= 0) write_all((int) op->n0, &child, sizeof child);
            _exit(0);
        }
        return 0;
    }
    case JRUN_OP_SECCOMP: {
        struct sock_fprog prog = { (unsigned short) op->n0, (struct sock_filter *) op->s0 };
        return (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned) op->n1, &prog);
    }
    case JRUN_OP_JOIN_SESSION_KEYRING:
        /* Returns the new keyring's serial number. */
        return syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, (char *) NULL) < 0 ? -1 : 0;
    default:
        /* Java and C disagree about the protocol: refuse to guess, stop here. */
        return -2;
    }
}

static int child_main(void *arg) {
    const struct spawn_args *a = arg;

    /* 1. Nothing of the JVM's signal handling may survive into the child. */
    static const struct kernel_sigaction dfl;
    for (int sig = 1; sig < _NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP)
            syscall(SYS_rt_sigaction, sig, &dfl, NULL, KERNEL_SIGSET_SIZE);
    }
    uint64_t none = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, KERNEL_SIGSET_SIZE);

    /* 2. No JVM descriptor may reach the container (cf. CVE-2024-21626, runc's leaked fd). The
     *    script closes them for good (CLOSE_RANGE ops) once the sync below is done. Our copy of
     *    the go pipe's write end goes now, so that jrun's death or its giving up is EOF here. */
    if (syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) != 0) fail(a, -1, errno);
    close(a->go_writer_fd);

    /* 3. Sync point: tell the launcher who we are, wait until our ID maps are written. */
    int32_t pid = a->host_pid;
    write_all(a->pid_fd, &pid, sizeof pid);
    char go;
    ssize_t n;
    do n = read(a->go_fd, &go, 1); while (n < 0 && errno == EINTR);
    if (n != 1) _exit(126);   /* the launcher gave up; it reports why */

    /* 4. The container set-up, exactly as Java planned it. */
    for (int32_t i = 0; i < a->nops; i++) {
        const struct jrun_op *op = &a->ops[i];
        int r = run_op(op);
        if (r == 0) continue;
        if (r == -2) fail(a, i, JRUN_UNKNOWN_OP);
        if ((op->flags & JRUN_OPF_IGNORE_EEXIST) && errno == EEXIST) continue;
        if ((op->flags & JRUN_OPF_IGNORE_ENOENT) && errno == ENOENT) continue;
        if ((op->flags & JRUN_OPF_IGNORE_ENOTDIR) && errno == ENOTDIR) continue;
        if ((op->flags & JRUN_OPF_IGNORE_ENOSYS) && errno == ENOSYS) continue;
        fail(a, i, errno);
    }
    fail(a, a->nops, 0);     /* a plan must end in exec or exit */
}

/* Launcher side of JRUN_OP_SEND_FD: the descriptor, or -errno. */
int32_t jrun_recv_fd(int32_t socket_fd) {
    char byte;
    struct iovec iov = { &byte, 1 };
    union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    ssize_t n;
    do n = recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (n == 0 || c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) return -EBADMSG;
    return *(int *) CMSG_DATA(c);
}

int32_t jrun_pidfd_open(int32_t pid) {
    long fd = syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? -errno : (int32_t) fd;
}

int32_t jrun_pidfd_send_signal(int32_t pidfd, int32_t signal) {
    return syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0) < 0 ? -errno : 0;
}

/* execve(2) with the descriptors in keep made inheritable first; returns -errno on failure. */
int32_t jrun_exec(const char *path, char *const *argv, char *const *envp, const int32_t *keep, int32_t nkeep) {
    for (int32_t i = 0; i < nkeep; i++) {
        int flags = fcntl(keep[i], F_GETFD);
        if (flags < 0 || fcntl(keep[i], F_SETFD, flags & ~FD_CLOEXEC) < 0) return -errno;
    }
    /* Held pending across execve (the mask survives it) until the new program has handlers. */
    sigset_t forwarded, old;
    sigemptyset(&forwarded);
    int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaddset(&forwarded, sigs[i]);
    pthread_sigmask(SIG_BLOCK, &forwarded, &old);
    execve(path, argv, envp);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return -saved;
}

const struct jrun_op *jrun_blob_relocate(void *blob, uint64_t size, int32_t *nops) {
    /* The buffer comes from jrun's own JVM, but it is checked like input: a bad offset must
     * fail here rather than send the child through a wild pointer. */
    struct jrun_blob_header h;
    if (size < sizeof h || ((uintptr_t) blob & 7)) goto bad;
    memcpy(&h, blob, sizeof h);
    uint64_t relocs_end = sizeof h + (uint64_t) h.nrelocs * 8;
    uint64_t ops_end = (uint64_t) h.ops_offset + (uint64_t) h.nops * sizeof(struct jrun_op);
    if (h.magic != JRUN_BLOB_MAGIC || relocs_end > size || h.ops_offset < relocs_end
            || (h.ops_offset & 7) || ops_end > size || h.nops > 100000) goto bad;
    char *base = blob;
    const uint64_t *relocs = (const uint64_t *) (base + sizeof h);
    for (uint32_t i = 0; i < h.nrelocs; i++) {
        uint64_t slot = relocs[i], target;
        if (slot < relocs_end || (slot & 7) || slot + 8 > size) goto bad;
        memcpy(&target, base + slot, 8);
        if (target >= size) goto bad;
        uintptr_t absolute = (uintptr_t) base + target;
        memcpy(base + slot, &absolute, 8);
    }
    *nops = (int32_t) h.nops;
    return (const struct jrun_op *) (base + h.ops_offset);
bad:
    errno = EINVAL;
    return NULL;
}

long jrun_spawn_blob(void *blob, int64_t size, int64_t ns_flags,
                     int32_t pid_fd, int32_t go_fd, int32_t go_writer_fd, int32_t err_fd) {
    int32_t nops;
    const struct jrun_op *ops = jrun_blob_relocate(blob, (uint64_t) size, &nops);
    if (ops == NULL) return -EINVAL;
    return jrun_spawn(ops, nops, ns_flags, pid_fd, go_fd, go_writer_fd, err_fd);
}

int32_t jrun_op_size(void) {
    return (int32_t) sizeof(struct jrun_op);
}

long jrun_spawn(const struct jrun_op *ops, int32_t nops, int64_t ns_flags,
                int32_t pid_fd, int32_t go_fd, int32_t go_writer_fd, int32_t err_fd) {
    char *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -errno;

    struct spawn_args args = { ops, nops, pid_fd, go_fd, go_writer_fd, err_fd, 0 };

    /* Block everything (raw call: glibc would keep its internal signals open) so no
     * JVM handler can run on the child's stack between clone and the reset. */
    uint64_t all = ~(uint64_t) 0, old;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, KERNEL_SIGSET_SIZE);

    int flags = (int) ns_flags | CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID | SIGCHLD;
    pid_t pid = clone(child_main, stack + CHILD_STACK_SIZE, flags, &args, &args.host_pid);
    long result = pid < 0 ? -errno : pid;

    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, KERNEL_SIGSET_SIZE);
    munmap(stack, CHILD_STACK_SIZE);  /* vfork: the child has exec'd or exited by now */
    return result;
}

/* Signal forwarding: the container is not in jrun's process group when it has a
 * tty, and PID 1 of a namespace only gets what is sent to it explicitly. */
static volatile sig_atomic_t forward_pid;
static volatile sig_atomic_t forward_notify_fd = -1;

static void forward(int sig) {
    int saved = errno;
    if (forward_pid > 0) kill(forward_pid, sig);
    if (forward_notify_fd >= 0) {
        unsigned char b = (unsigned char) sig;
        (void) !write(forward_notify_fd, &b, 1);
    }
    errno = saved;
}

int32_t jrun_forward_signals(int32_t pid, const int32_t *signals, int32_t count, int32_t notify_fd) {
    forward_pid = pid;
    forward_notify_fd = notify_fd;
    struct sigaction sa = { 0 };
    sa.sa_handler = forward;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int32_t i = 0; i < count; i++) {
        if (sigaction(signals[i], &sa, NULL) != 0) return -errno;
    }
    return 0;
}

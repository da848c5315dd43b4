/*
 * jrun native half: the part of a container launch that must happen in the new
 * process. Java (dev.jrun.sys.OpEncoder) writes an array of struct jrun_op; this
 * library carries it out literally. It applies no defaults and reads no config.
 */
#ifndef JRUN_H
#define JRUN_H

#include <stdint.h>

/* Operation codes. Keep in sync with dev.jrun.sys.OpCode (OpCodeTest compares them by name). */
enum jrun_opcode {
    JRUN_OP_MOUNT = 1,        /* mount(s0, s1, s2, n0, s3) */
    JRUN_OP_UMOUNT2,          /* umount2(s0, n0) */
    JRUN_OP_OPEN_TREE,        /* open_tree(AT_FDCWD, s0, n0) moved to fd n1 */
    JRUN_OP_MOVE_MOUNT,       /* move_mount(n0, "", AT_FDCWD, s0, n1) */
    JRUN_OP_MOUNT_SETATTR,    /* mount_setattr(n0, s0, n1, {n2 set, n3 clear}) */
    JRUN_OP_MKDIR,            /* mkdir(s0, n0) */
    JRUN_OP_CREATE_FILE,      /* open(s0, O_WRONLY|O_CREAT|O_NOFOLLOW|O_NONBLOCK, n0) + close */
    JRUN_OP_WRITE_FILE,       /* open(s0, O_WRONLY|O_CREAT|O_TRUNC|O_NOFOLLOW, n0); write(s1, n1) */
    JRUN_OP_SYMLINK,          /* symlink(s0, s1) */
    JRUN_OP_CHDIR,            /* chdir(s0) */
    JRUN_OP_PIVOT_ROOT,       /* pivot_root(s0, s1) */
    JRUN_OP_SETHOSTNAME,      /* sethostname(s0, n0) */
    JRUN_OP_SETGROUPS,        /* setgroups(n0, (gid_t *) s0) */
    JRUN_OP_SETRESGID,        /* setresgid(n0, n0, n0) */
    JRUN_OP_SETRESUID,        /* setresuid(n0, n0, n0) */
    JRUN_OP_CAPBSET_DROP,     /* prctl(PR_CAPBSET_DROP, n0) */
    JRUN_OP_SETSID,           /* setsid() */
    JRUN_OP_DUP2,             /* dup2(n0, n1) */
    JRUN_OP_IOCTL,            /* ioctl(n0, n1, s0 ? s0 : n2); if n3, the result is an fd moved to n3 */
    JRUN_OP_PDEATHSIG,        /* prctl(PR_SET_PDEATHSIG, n0) */
    JRUN_OP_OPENAT2,          /* openat2(n0, s0, {n1 flags, 0, n2 resolve}) moved to fd n3 */
    JRUN_OP_FCHOWNAT,         /* fchownat(n0, s0, n1, n2, n3) */
    JRUN_OP_FCHMODAT,         /* fchmodat(n0, s0, n1, 0) */
    JRUN_OP_CLOSE,            /* close(n0) */
    JRUN_OP_EXEC,             /* execve each of (char **) s0 with argv s1, envp s2 */
    JRUN_OP_EXIT,             /* _exit(n0) */
    JRUN_OP_SET_NO_NEW_PRIVS, /* prctl(PR_SET_NO_NEW_PRIVS, 1) */
    JRUN_OP_UNLINKAT,         /* unlinkat(n0, s0, n1) */
    JRUN_OP_SOCKET,           /* socket(n0, n1, n2) moved to fd n3 */
    JRUN_OP_FSOPEN,           /* fsopen(s0, n0) moved to fd n1 */
    JRUN_OP_FSCONFIG,         /* fsconfig(n0, n1, s0, s1, n2) */
    JRUN_OP_FSMOUNT,          /* fsmount(n0, n1, n2) moved to fd n3 */
    JRUN_OP_SEND_FD,          /* sendmsg(n0) of fd n1 with SCM_RIGHTS */
    JRUN_OP_CLOSE_RANGE,      /* close_range(n0, n1, n2) */
    JRUN_OP_SETNS,            /* setns(n0, n1) */
    JRUN_OP_FORK,             /* fork(); the parent writes the child's PID on fd n0 and exits 0 */
    JRUN_OP_SECCOMP,          /* seccomp(SECCOMP_SET_MODE_FILTER, n1, {n0 instructions, s0}) */
    JRUN_OP_JOIN_SESSION_KEYRING, /* keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL) */
};

/* Per-operation flags: which errno values count as success. */
#define JRUN_OPF_IGNORE_EEXIST 1
#define JRUN_OPF_IGNORE_ENOENT 2
#define JRUN_OPF_IGNORE_ENOTDIR 4
#define JRUN_OPF_IGNORE_ENOSYS 8

struct jrun_op {              /* 72 bytes, little and big endian alike */
    int32_t code;
    int32_t flags;
    int64_t n0, n1, n2, n3;
    const char *s0, *s1, *s2, *s3;
};

/* What the child reports on its error pipe before it exits. EOF instead means exec succeeded. */
struct jrun_failure {
    int32_t index;            /* operation index, or -1 before the first operation */
    int32_t error;            /* errno, or JRUN_UNKNOWN_OP */
};

/* The error reported for an operation code this library does not know (never a real errno). */
#define JRUN_UNKNOWN_OP (-1)

/*
 * An operation list in one relocatable buffer, as Java's OpEncoder writes it: this header,
 * then nrelocs 64-bit offsets of pointer slots, then the ops, then the strings and arrays.
 * Every pointer slot listed holds an offset from the start of the buffer until relocated.
 */
struct jrun_blob_header {
    uint32_t magic;           /* JRUN_BLOB_MAGIC */
    uint32_t nops;
    uint32_t nrelocs;
    uint32_t ops_offset;
};
#define JRUN_BLOB_MAGIC 0x4a4f5053u   /* "JOPS" */

/* Relocates a blob in place; the ops, or NULL (errno EINVAL) when it is malformed. */
const struct jrun_op *jrun_blob_relocate(void *blob, uint64_t size, int32_t *nops);

long jrun_spawn_blob(void *blob, int64_t size, int64_t ns_flags,
                     int32_t pid_fd, int32_t go_fd, int32_t go_writer_fd, int32_t err_fd);
long jrun_spawn(const struct jrun_op *ops, int32_t nops, int64_t ns_flags,
                int32_t pid_fd, int32_t go_fd, int32_t go_writer_fd, int32_t err_fd);
int32_t jrun_forward_signals(int32_t pid, const int32_t *signals, int32_t count, int32_t notify_fd);
int32_t jrun_op_size(void);
int32_t jrun_recv_fd(int32_t socket_fd);
int32_t jrun_pidfd_open(int32_t pid);
int32_t jrun_pidfd_send_signal(int32_t pidfd, int32_t signal);
int32_t jrun_exec(const char *path, char *const *argv, char *const *envp, const int32_t *keep, int32_t nkeep);

#endif

/*
 * A probe for the hardening tests, built static by the tests (gcc -static) and run inside
 * containers. Each mode prints one line per check, "NAME ERRNO" (0: the call was allowed).
 *   probe calls              the calls podman's seccomp profile refuses
 *   probe keys SERIAL        what the session keyring holds; whether key SERIAL can be read
 *   probe addkey CMD ARGS... a new session keyring holding one key (its serial on stdout), then
 *                            exec CMD with each argument "KEY" replaced by the key's serial
 *   probe threads            start and join 4 threads
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *name, long r) {
    printf("%s %d\n", name, r < 0 ? errno : 0);
}

static int calls(void) {
    char params[120] = {0};   /* struct io_uring_params */
    report("io_uring_setup", syscall(SYS_io_uring_setup, 1, params));
    report("userfaultfd", syscall(SYS_userfaultfd, 0));
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.size = sizeof attr;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.exclude_kernel = 1;
    report("perf_event_open", syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
    report("add_key", syscall(SYS_add_key, "user", "probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
    report("keyctl", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
    report("netlink_audit", socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT));
    return 0;
}

static int keys(long serial) {
    int32_t ids[64];
    long n = syscall(SYS_keyctl, KEYCTL_READ, KEY_SPEC_SESSION_KEYRING, ids, sizeof ids);
    report("session_read", n);
    int found = 0;
    for (long i = 0; i < n / 4 && i < 64; i++) if (ids[i] == serial) found = 1;
    printf("session_has_key %d\n", found);
    char buf[64];
    report("key_read", syscall(SYS_keyctl, KEYCTL_READ, serial, buf, sizeof buf));
    return 0;
}

static int addkey(char **argv) {
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "probe") < 0) { perror("join"); return 1; }
    long serial = syscall(SYS_add_key, "user", "jrun-test-secret", "hunter2", 7, KEY_SPEC_SESSION_KEYRING);
    if (serial < 0) { perror("add_key"); return 1; }
    /* The key is readable here (possessed through our session keyring): the test's baseline. */
    char buf[16];
    if (syscall(SYS_keyctl, KEYCTL_READ, serial, buf, sizeof buf) < 0) { perror("read key"); return 1; }
    static char number[24];
    snprintf(number, sizeof number, "%ld", serial);
    for (char **a = argv; *a; a++) if (strcmp(*a, "KEY") == 0) *a = number;
    printf("%s\n", number);
    fflush(stdout);
    execvp(argv[0], argv);
    perror("exec");
    return 127;
}

static void *work(void *arg) {
    return arg;
}

static int threads(void) {
    pthread_t t[4];
    for (int i = 0; i < 4; i++) if (pthread_create(&t[i], NULL, work, NULL) != 0) { puts("threads failed"); return 1; }
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    puts("threads 0");
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "calls") == 0) return calls();
    if (argc >= 3 && strcmp(argv[1], "keys") == 0) return keys(atol(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "addkey") == 0) return addkey(argv + 2);
    if (argc >= 2 && strcmp(argv[1], "threads") == 0) return threads();
    fprintf(stderr, "usage: probe calls | keys SERIAL | addkey CMD ARGS... | threads\n");
    return 2;
}

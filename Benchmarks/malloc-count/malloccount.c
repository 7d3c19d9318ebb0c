// malloccount: an LD_PRELOAD shim that counts heap allocations of one process, for
// Benchmarks/allocations.sh.
//
// Counted: malloc, calloc, realloc (every call that returns memory), posix_memalign, aligned_alloc,
// memalign, valloc, pvalloc; and free (non-NULL). Bytes: the size asked for (realloc: the new size).
// The calls go straight to glibc's __libc_* entry points, so there is no dlsym() (and no dlsym ->
// calloc recursion) and no allocation of our own. Counters are process-wide relaxed atomics.
//
// Snapshots: set MALLOCCOUNT_FILE=<path>. A thread started by the constructor checks every 10 ms
// whether <path>.req exists; if so it writes one line to <path> (write to <path>.tmp, rename) and
// then removes <path>.req. So a reader creates <path>.req and waits until it is gone. The line is:
//   mallocs=N callocs=N reallocs=N aligned=N frees=N bytes=N
// The thread uses only system calls (open, write, rename, unlink, nanosleep), never malloc.
// At exit the same line is written to <path>.exit.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static _Atomic uint64_t n_malloc, n_calloc, n_realloc, n_aligned, n_free, n_bytes;

#define COUNT(counter, size) \
    do { \
        atomic_fetch_add_explicit(&(counter), 1, memory_order_relaxed); \
        atomic_fetch_add_explicit(&n_bytes, (uint64_t)(size), memory_order_relaxed); \
    } while (0)

void *malloc(size_t size) {
    COUNT(n_malloc, size);
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    COUNT(n_calloc, count * size);
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    COUNT(n_realloc, size);
    return __libc_realloc(pointer, size);
}

void free(void *pointer) {
    if (pointer) atomic_fetch_add_explicit(&n_free, 1, memory_order_relaxed);
    __libc_free(pointer);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    COUNT(n_aligned, size);
    void *pointer = __libc_memalign(alignment, size);
    if (!pointer) return ENOMEM;
    *out = pointer;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    COUNT(n_aligned, size);
    return __libc_memalign(alignment, size);
}

void *memalign(size_t alignment, size_t size) {
    COUNT(n_aligned, size);
    return __libc_memalign(alignment, size);
}

void *valloc(size_t size) {
    COUNT(n_aligned, size);
    return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

void *pvalloc(size_t size) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size = (size + page - 1) & ~(page - 1);
    COUNT(n_aligned, size);
    return __libc_memalign(page, size);
}

// --- snapshots ------------------------------------------------------------------------------------

static char out_path[4096], tmp_path[4200], req_path[4200], exit_path[4200];

static size_t put_u64(char *p, uint64_t v) {
    char digits[24];
    size_t n = 0;
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (size_t i = 0; i < n; i++) p[i] = digits[n - 1 - i];
    return n;
}

static size_t put_str(char *p, const char *s) {
    size_t n = strlen(s);
    memcpy(p, s, n);
    return n;
}

static void write_line(const char *path, const char *final_path) {
    char line[256];
    size_t n = 0;
    n += put_str(line + n, "mallocs="); n += put_u64(line + n, atomic_load(&n_malloc));
    n += put_str(line + n, " callocs="); n += put_u64(line + n, atomic_load(&n_calloc));
    n += put_str(line + n, " reallocs="); n += put_u64(line + n, atomic_load(&n_realloc));
    n += put_str(line + n, " aligned="); n += put_u64(line + n, atomic_load(&n_aligned));
    n += put_str(line + n, " frees="); n += put_u64(line + n, atomic_load(&n_free));
    n += put_str(line + n, " bytes="); n += put_u64(line + n, atomic_load(&n_bytes));
    line[n++] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;
    ssize_t ignored = write(fd, line, n);
    (void)ignored;
    close(fd);
    if (final_path) rename(path, final_path);
}

static void *poll_thread(void *unused) {
    (void)unused;
    const struct timespec tick = {0, 10 * 1000 * 1000};
    for (;;) {
        if (access(req_path, F_OK) == 0) {
            write_line(tmp_path, out_path);
            unlink(req_path);
        }
        nanosleep(&tick, NULL);
    }
    return NULL;
}

__attribute__((constructor)) static void malloccount_start(void) {
    const char *path = getenv("MALLOCCOUNT_FILE");
    if (!path || !*path || strlen(path) >= sizeof(out_path)) return;
    strcpy(out_path, path);
    snprintf(tmp_path, sizeof(tmp_path), "%s.tmp", path);
    snprintf(req_path, sizeof(req_path), "%s.req", path);
    snprintf(exit_path, sizeof(exit_path), "%s.exit", path);
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(&thread, &attr, poll_thread, NULL);
    pthread_attr_destroy(&attr);
}

__attribute__((destructor)) static void malloccount_stop(void) {
    if (out_path[0]) write_line(exit_path, NULL);
}

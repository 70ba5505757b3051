/* choicestore.c - the math choices kept beside the disk cache.  See
 * choicestore.h.
 *
 * One file per target, named by a hash of its header,
 * "choices-<16 hex digits>.jxc", of strict text:
 *
 *     JXCHOICES 2
 *     jitexpr 0.9.0
 *     build 0a1b...                the code's build id (jx_disk_build_id)
 *     target LLVM 19.1.7 znver5 +avx,... libmvec:avx512 sleef:no mathlib:auto
 *     sin/64=own 0.4 0.5 0.5 0.6  one line per choice (jx_jit_export_choices):
 *     log/32=lib - - - -          ns/element of ours and of the library's,
 *                                 in cache and from memory (jit/calib.c)
 *     sum 0123456789abcdef        FNV-1a of every byte before this line
 *
 * A reader takes it only when it is a regular file of this user that
 * nobody else may write (jx_disk_read_own), the header is this process's
 * byte for byte, the checksum agrees and every line parses; anything else
 * is ignored and counted as rejected (the next write replaces it).  A
 * writer first reads the file again and takes what another process added
 * meanwhile, then writes all its choices to a temporary file and renames
 * it: concurrent writers each leave a whole, valid file (the last rename
 * wins; a choice only it measured is measured again by a later process).
 *
 * The state is one object under a mutex, held across the file I/O (it
 * runs once per process, or once per new measurement); pthread_atfork
 * keeps it usable in a forked child.  The lock order is this lock, then
 * the disk cache's and the JIT's. */
#include "choicestore.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diskcache.h"

#define MAGIC "JXCHOICES"
#define MAX_FILE (64u << 10) /* larger files are not ours */

static struct {
    pthread_mutex_t lock;
    char loaded[PATH_MAX]; /* the directory whose file was read, or "" */
    uint64_t saved;        /* measurements written so far (counts) */
    uint64_t writes;       /* files written */
} cst = {.lock = PTHREAD_MUTEX_INITIALIZER};

static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void fork_prepare(void) { pthread_mutex_lock(&cst.lock); }
static void fork_release(void) { pthread_mutex_unlock(&cst.lock); }
/* Handlers run in the reverse order of registration: the JIT's and the
 * disk cache's are registered first, so that cst.lock is taken first. */
static void register_fork(void)
{
    char dir[PATH_MAX];
    (void)jx_jit_target_id();
    (void)jx_disk_dir(dir);
    pthread_atfork(fork_prepare, fork_release, fork_release);
}

static void lock_cst(void)
{
    pthread_once(&fork_once, register_fork);
    pthread_mutex_lock(&cst.lock);
}

/* The file's header (malloc'd) and its path in dir; NULL when out of
 * memory or the path does not fit. */
static char *header(const char *dir, char path[PATH_MAX])
{
    jx_buf b = {0};
    jx_buf_printf(&b, MAGIC " %d\njitexpr %s\nbuild %s\ntarget %s\n",
                  JX_CSTORE_FORMAT, JITEXPR_VERSION, jx_disk_build_id(),
                  jx_jit_target_id());
    char *h = jx_buf_take(&b);
    if (h == NULL)
        return NULL;
    uint64_t sum = jx_hash_bytes(h, strlen(h), JX_HASH_SEED);
    if ((size_t)snprintf(path, PATH_MAX, "%s/choices-%016llx" JX_DISK_CHOICES_SUFFIX,
                         dir, (unsigned long long)sum) >= PATH_MAX) {
        free(h);
        return NULL;
    }
    return h;
}

/* The choice lines of the file at path (malloc'd; "" when there is no
 * file), or NULL when it was rejected (counted) or out of memory. */
static char *read_lines(const char *path, const char *head)
{
    size_t size;
    bool missing;
    char *buf = jx_disk_read_own(path, MAX_FILE, &size, NULL, &missing);
    if (buf == NULL)
        return missing ? calloc(1, 1) : (jx_disk_count_rejected(), NULL);
    size_t hn = strlen(head);
    const char *sum = NULL; /* the start of the last line */
    if (size > hn && strlen(buf) == size && buf[size - 1] == '\n' &&
        memcmp(buf, head, hn) == 0) {
        buf[size - 1] = '\0';
        const char *nl = strrchr(buf, '\n');
        buf[size - 1] = '\n';
        sum = nl && (size_t)(nl + 1 - buf) >= hn ? nl + 1 : NULL;
    }
    char want[32];
    if (sum != NULL)
        snprintf(want, sizeof want, "sum %016llx\n",
                 (unsigned long long)jx_hash_bytes(buf, (size_t)(sum - buf),
                                                   JX_HASH_SEED));
    if (sum == NULL || strcmp(sum, want) != 0) {
        free(buf);
        jx_disk_count_rejected();
        return NULL;
    }
    size_t n = (size_t)(sum - buf) - hn;
    memmove(buf, buf + hn, n);
    buf[n] = '\0';
    return buf;
}

/* Reads dir's file and takes its choices; lock held.  Returns 0, or -1
 * when it was rejected (a malformed line too). */
static int load_locked(const char *dir)
{
    char path[PATH_MAX];
    char *head = header(dir, path);
    char *lines = head ? read_lines(path, head) : NULL;
    int rc = lines != NULL && jx_jit_adopt_stored(lines) >= 0 ? 0 : -1;
    if (lines != NULL && rc != 0)
        jx_disk_count_rejected();
    free(lines);
    free(head);
    return rc;
}

void jx_cstore_before_compile(void)
{
    char dir[PATH_MAX];
    if (!jx_disk_dir(dir))
        return;
    lock_cst();
    if (strcmp(cst.loaded, dir) != 0) {
        memcpy(cst.loaded, dir, PATH_MAX);
        load_locked(dir);
    }
    pthread_mutex_unlock(&cst.lock);
}

/* Writes this process's choices to dir's file; lock held. */
static void save_locked(const char *dir)
{
    char path[PATH_MAX];
    load_locked(dir); /* what others stored meanwhile; ours stay */
    char *head = header(dir, path);
    if (head == NULL)
        return;
    jx_buf b = {0};
    jx_buf_printf(&b, "%s", head);
    jx_jit_export_choices(&b);
    if (b.s != NULL && !b.failed)
        jx_buf_printf(&b, "sum %016llx\n",
                      (unsigned long long)jx_hash_bytes(b.s, b.len, JX_HASH_SEED));
    size_t len = b.len;
    char *text = jx_buf_take(&b);
    const void *parts[1] = {text};
    if (text != NULL && jx_disk_write_parts(dir, path, parts, &len, 1) == 0)
        cst.writes++;
    free(text);
    free(head);
}

void jx_cstore_after_compile(void)
{
    uint64_t measured, stored;
    jx_jit_choice_counts(&measured, &stored);
    char dir[PATH_MAX];
    lock_cst();
    if (measured > cst.saved && jx_disk_dir(dir)) {
        cst.saved = measured;
        save_locked(dir);
    }
    pthread_mutex_unlock(&cst.lock);
}

void jx_cstore_stats(jx_stats *st)
{
    uint64_t measured, stored;
    jx_jit_choice_counts(&measured, &stored);
    lock_cst();
    st->calibrations = measured;
    st->choices_loaded = stored;
    st->choices_writes = cst.writes;
    pthread_mutex_unlock(&cst.lock);
}

char *jx_cstore_read(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    if (!jx_disk_dir(dir))
        return NULL;
    char *head = header(dir, path);
    char *lines = head ? read_lines(path, head) : NULL;
    free(head);
    return lines;
}

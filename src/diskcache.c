/* diskcache.c - the disk cache of compiled kernels.  See diskcache.h.
 *
 * A file per kernel, named by a 128-bit hash of its full key (two
 * different 64-bit hashes, 32 hex digits, ".jxk"):
 *
 *     header   magic "JXKCACHE", format, lengths, checksums (jx_disk_head)
 *     key      the full key: jitexpr's version, the build id of the code
 *              that compiles (jx_disk_build_id), the file format, the
 *              target id (jx_jit_target_id: LLVM, CPU, features, vector
 *              math library and variant, JITEXPR_MATHLIB), the
 *              canonical IR text '#' layout
 *     choices  the math implementations the code calls (jx_jit_object)
 *     object   the object file
 *
 * A reader checks all of it: the size, the magic and format, the key byte
 * for byte, the header's and the object's checksums; anything else is
 * rejected (counted), and the fresh compile that follows replaces the
 * file.  A writer writes a temporary file in the same directory (mkstemp)
 * and renames it over the name, so readers see a whole file or none, and
 * two processes storing the same kernel both succeed (the last rename
 * wins; both files are good).
 *
 * Eviction needs no lock between processes: a hit sets the file's mtime
 * to now (at most once a minute), and a process scans the directory every
 * JX_DISK_SCAN_EVERY writes (from a random start, so that many short
 * processes share the work) or when its estimate of the total passes the
 * limit; a scan over the limit deletes the oldest files until the total is
 * under 90% of it.  Two processes evicting at once delete a few more
 * files than needed; unlinking a file gone already is harmless.
 *
 * The settings and counters are one object under a mutex, held only
 * briefly (never across file I/O); pthread_atfork keeps it usable in a
 * forked child. */
#define _GNU_SOURCE
#include "diskcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "JXKCACHE"
#define SUFFIX ".jxk"
#define TMP_PREFIX ".tmp-"
#define MAX_FILE (1ull << 30)  /* larger files are not ours */
#define TOUCH_AFTER 60         /* seconds: a hit refreshes an older mtime */
#define STALE_TMP 3600         /* seconds: a temporary file left by a crash */

/* The fixed part of a file, before the key, choices and object. */
typedef struct jx_disk_head {
    char magic[8];         /* MAGIC, no terminator */
    uint32_t format;       /* JX_DISK_FORMAT */
    uint32_t key_len;      /* bytes of the full key that follow */
    uint32_t choices_len;  /* bytes of the choices after the key */
    uint32_t reserved;     /* 0 */
    uint64_t obj_len;      /* bytes of the object after the choices */
    uint64_t obj_sum;      /* checksum of the object */
    uint64_t head_sum;     /* checksum of the fields above, key, choices */
} jx_disk_head;

/* The process's disk cache settings and counters; every field is guarded
 * by lock. */
static struct {
    pthread_mutex_t lock;
    bool configured;        /* dir and limit chosen (environment or API) */
    bool enabled;           /* the directory is usable */
    bool limit_set;         /* limit came from jx_set_cache_size */
    char dir[PATH_MAX];     /* the directory, or "" */
    uint64_t limit;         /* bytes */
    int64_t est_bytes;      /* the directory's total as last seen, -1 */
    unsigned since_scan;    /* writes since the last scan */
    uint64_t hits, misses, writes, rejected, unavailable;
} disk = {.lock = PTHREAD_MUTEX_INITIALIZER, .est_bytes = -1};

static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void fork_prepare(void) { pthread_mutex_lock(&disk.lock); }
static void fork_release(void) { pthread_mutex_unlock(&disk.lock); }
static void register_fork(void)
{
    pthread_atfork(fork_prepare, fork_release, fork_release);
}

/* Takes disk.lock, with the fork handlers registered before it is ever
 * held: a fork while another thread holds it must wait for it, or the
 * child would start with it locked for good. */
static void lock_disk(void)
{
    pthread_once(&fork_once, register_fork);
    pthread_mutex_lock(&disk.lock);
}

/* ---- hashing ---------------------------------------------------------- */

/* A second 64-bit hash, unlike jx_hash_bytes (FNV-1a): a multiply-xorshift
 * over 8-byte words, finalised as splitmix64. */
static uint64_t hash2(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    h ^= n * 0x9e3779b97f4a7c15ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    uint64_t w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

static uint64_t head_checksum(const jx_disk_head *h, const char *key,
                              const char *choices)
{
    uint64_t s = hash2(h, offsetof(jx_disk_head, head_sum), 1);
    s = hash2(key, h->key_len, s);
    return hash2(choices, h->choices_len, s);
}

/* ---- configuration ---------------------------------------------------- */

/* mkdir -p path (mode 0700 for what it creates).  Returns 0 or -1. */
static int make_dirs(const char *path)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return -1;
    /* The files hold machine code this process will run: the directory
     * must be ours and writable by nobody else, or another user could put
     * code there (a shared JITEXPR_CACHE_DIR, a planted ~/.cache). */
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return -1;
    return access(buf, R_OK | W_OK | X_OK) == 0 ? 0 : -1;
}

/* The directory the environment names, into buf; false for none ("off",
 * or no home). */
static bool env_dir(char *buf, size_t size)
{
    const char *d = getenv("JITEXPR_CACHE_DIR");
    if (d != NULL && *d != '\0') {
        if (strcmp(d, "off") == 0)
            return false;
        return (size_t)snprintf(buf, size, "%s", d) < size;
    }
    const char *x = getenv("XDG_CACHE_HOME");
    if (x != NULL && x[0] == '/')
        return (size_t)snprintf(buf, size, "%s/jitexpr", x) < size;
    const char *home = getenv("HOME");
    if (home != NULL && home[0] == '/')
        return (size_t)snprintf(buf, size, "%s/.cache/jitexpr", home) < size;
    return false;
}

/* JITEXPR_CACHE_SIZE: bytes, with an optional K, M or G (powers of 1024);
 * 0 when unset or unreadable. */
static uint64_t env_limit(void)
{
    const char *s = getenv("JITEXPR_CACHE_SIZE");
    if (s == NULL || *s < '0' || *s > '9')
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s)
        return 0;
    int shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    }
    if (*end == 'i' && shift != 0)
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end != '\0' || v > (UINT64_MAX >> shift))
        return 0;
    return (uint64_t)v << shift;
}

/* Sets dir (NULL: off) and whether it is usable; lock held. */
static void use_dir_locked(const char *dir)
{
    disk.configured = true;
    disk.enabled = false;
    disk.est_bytes = -1;
    /* A random start, so that short processes do not all scan first. */
    disk.since_scan = (unsigned)(getpid() ^ time(NULL)) % JX_DISK_SCAN_EVERY;
    if (dir == NULL) {
        disk.dir[0] = '\0';
        return;
    }
    snprintf(disk.dir, sizeof disk.dir, "%s", dir);
    if (make_dirs(disk.dir) == 0)
        disk.enabled = true;
    else
        disk.unavailable++;
}

/* The limit from the environment unless the API set one; lock held. */
static void configure_limit_locked(void)
{
    if (disk.limit == 0 || (!disk.configured && !disk.limit_set)) {
        disk.limit = env_limit();
        if (disk.limit == 0)
            disk.limit = JX_DISK_DEFAULT_LIMIT;
    }
}

/* Reads the environment once; lock held. */
static void configure_locked(void)
{
    configure_limit_locked();
    if (disk.configured)
        return;
    char buf[PATH_MAX];
    use_dir_locked(env_dir(buf, sizeof buf) ? buf : NULL);
}

/* A copy of the directory, or false when the cache is off. */
static bool snapshot(char dir[PATH_MAX], uint64_t *limit)
{
    lock_disk();
    configure_locked();
    bool on = disk.enabled;
    if (on)
        memcpy(dir, disk.dir, PATH_MAX);
    if (limit != NULL)
        *limit = disk.limit;
    pthread_mutex_unlock(&disk.lock);
    return on;
}

/* ---- keys and files --------------------------------------------------- */

/* The GNU build id of the object that holds this code, in hex: found once
 * by dl_iterate_phdr (the object whose loaded segment holds
 * jx_disk_build_id). */
static struct {
    pthread_once_t once;
    char hex[2 * 64 + 1];
} build = {.once = PTHREAD_ONCE_INIT};

static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size, (void)data;
    uintptr_t self = (uintptr_t)&jx_disk_build_id;
    bool mine = false;
    for (int i = 0; i < info->dlpi_phnum && !mine; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        mine = ph->p_type == PT_LOAD && self >= lo && self < lo + ph->p_memsz;
    }
    if (!mine)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
        const char *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
            const char *name = p + sizeof *nh;
            const unsigned char *desc =
                (const unsigned char *)name + ((nh->n_namesz + 3) & ~3u);
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
                memcmp(name, "GNU", 4) == 0 && nh->n_descsz <= 64) {
                for (unsigned k = 0; k < nh->n_descsz; k++)
                    snprintf(build.hex + 2 * k, 3, "%02x", desc[k]);
                return 1;
            }
            p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
        }
    }
    return 1;
}

static void build_id_once(void)
{
    snprintf(build.hex, sizeof build.hex, "none");
    dl_iterate_phdr(find_build_id, NULL);
}

const char *jx_disk_build_id(void)
{
    pthread_once(&build.once, build_id_once);
    return build.hex;
}

/* The full key of the in-memory key: malloc'd, NULL when out of memory. */
static char *full_key(const char *key, size_t *len)
{
    const char *target = jx_jit_target_id();
    size_t n = strlen(key) + strlen(target) + 256;
    char *s = malloc(n);
    if (s == NULL)
        return NULL;
    int w = snprintf(s, n, "jitexpr %s\nbuild %s\nformat %d\ntarget %s\nkernel %s",
                     JITEXPR_VERSION, jx_disk_build_id(), JX_DISK_FORMAT, target,
                     key);
    if (w < 0 || (size_t)w >= n) {
        free(s);
        return NULL;
    }
    *len = (size_t)w;
    return s;
}

/* dir/<hash>.jxk into path; false when it does not fit. */
static bool file_path(char *path, size_t size, const char *dir,
                      const char *fkey, size_t len)
{
    uint64_t a = jx_hash_bytes(fkey, len, JX_HASH_SEED);
    uint64_t b = hash2(fkey, len, 0x6a09e667f3bcc908ull);
    return (size_t)snprintf(path, size, "%s/%016llx%016llx" SUFFIX, dir,
                            (unsigned long long)a,
                            (unsigned long long)b) < size;
}

static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);
    return n > m && strcmp(name + n - m, suffix) == 0;
}

/* Reads all of fd (size bytes) into a new buffer, or NULL. */
static char *read_all(int fd, size_t size)
{
    char *buf = malloc(size + 1); /* and a NUL (jx_disk_read_own) */
    if (buf == NULL)
        return NULL;
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(buf);
            return NULL;
        }
        got += (size_t)r;
    }
    return buf;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static void count(uint64_t *counter)
{
    lock_disk();
    (*counter)++;
    pthread_mutex_unlock(&disk.lock);
}

void jx_disk_count_rejected(void)
{
    count(&disk.rejected);
}

bool jx_disk_dir(char dir[PATH_MAX])
{
    return snapshot(dir, NULL);
}

char *jx_disk_read_own(const char *path, size_t max, size_t *size,
                       struct stat *st, bool *missing)
{
    struct stat own;
    if (st == NULL)
        st = &own;
    *size = 0;
    *missing = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        *missing = errno == ENOENT;
        return NULL;
    }
    char *buf = NULL;
    if (fstat(fd, st) == 0 && S_ISREG(st->st_mode) && st->st_uid == geteuid() &&
        (st->st_mode & (S_IWGRP | S_IWOTH)) == 0 && (uint64_t)st->st_size <= max) {
        buf = read_all(fd, (size_t)st->st_size);
        if (buf != NULL) {
            *size = (size_t)st->st_size;
            buf[*size] = '\0';
        }
    }
    close(fd);
    return buf;
}

int jx_disk_write_parts(const char *dir, const char *path,
                        const void *const *parts, const size_t *lens, int n)
{
    char tmp[PATH_MAX];
    const char *base = strrchr(path, '/');
    if ((size_t)snprintf(tmp, sizeof tmp, "%s/" TMP_PREFIX "%s-XXXXXX", dir,
                         base ? base + 1 : path) >= sizeof tmp)
        return -1;
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = write_all(fd, parts[i], lens[i]);
    if (close(fd) != 0)
        rc = -1;
    if (rc == 0)
        rc = rename(tmp, path);
    if (rc != 0)
        unlink(tmp);
    return rc;
}

/* The parts of a stored file buf of size bytes when it is whole and for
 * fkey; NULL object otherwise. */
static const char *verify(const char *buf, size_t size, const char *fkey,
                          size_t len, const char **choices, size_t *obj_len)
{
    jx_disk_head h;
    if (size < sizeof h)
        return NULL;
    memcpy(&h, buf, sizeof h);
    if (memcmp(h.magic, MAGIC, 8) != 0 || h.format != JX_DISK_FORMAT ||
        h.key_len != len || h.choices_len >= JX_JIT_CHOICES ||
        (uint64_t)sizeof h + h.key_len + h.choices_len > size ||
        h.obj_len != size - sizeof h - h.key_len - h.choices_len)
        return NULL;
    const char *key = buf + sizeof h;
    const char *ch = key + h.key_len;
    const char *obj = ch + h.choices_len;
    if (memcmp(key, fkey, len) != 0 ||
        head_checksum(&h, key, ch) != h.head_sum ||
        hash2(obj, h.obj_len, 7) != h.obj_sum)
        return NULL;
    *choices = ch;
    *obj_len = h.obj_len;
    return obj;
}

int jx_disk_load(const char *key, jx_jit_code *code)
{
    char dir[PATH_MAX], path[PATH_MAX];
    if (!snapshot(dir, NULL))
        return 0;
    size_t len;
    char *fkey = full_key(key, &len);
    if (fkey == NULL || !file_path(path, sizeof path, dir, fkey, len)) {
        free(fkey);
        count(&disk.misses);
        return 0;
    }
    /* Only a file of ours (mkostemp's 0600, renamed) is read: one of
     * another user's is rejected and replaced, like a corrupt one. */
    struct stat st;
    size_t size = 0;
    bool missing = false;
    char *buf = jx_disk_read_own(path, MAX_FILE, &size, &st, &missing);
    if (missing) {
        free(fkey);
        count(&disk.misses);
        return 0;
    }
    const char *choices = NULL;
    size_t obj_len = 0;
    const char *obj = buf ? verify(buf, size, fkey, len,
                                   &choices, &obj_len)
                          : NULL;
    free(fkey);
    int rc = 0;
    bool rejected = obj == NULL;
    if (obj != NULL) {
        /* The choices, terminated (they sit before the object). */
        char text[JX_JIT_CHOICES];
        size_t cn = (size_t)(obj - choices);
        memcpy(text, choices, cn);
        text[cn] = '\0';
        jx_error err;
        if (jx_jit_adopt_choices(text) != 0)
            rc = 0; /* made with other math: a miss, replaced */
        else if (jx_jit_load(obj, obj_len, code, &err) == 0)
            rc = 1;
        else
            rejected = true;
    }
    free(buf);
    lock_disk();
    if (rc == 1)
        disk.hits++;
    else
        disk.misses++;
    if (rejected)
        disk.rejected++;
    pthread_mutex_unlock(&disk.lock);
    if (rc == 1 && time(NULL) - st.st_mtime >= TOUCH_AFTER)
        utimensat(AT_FDCWD, path, NULL, 0); /* most recently used */
    return rc;
}

/* ---- eviction --------------------------------------------------------- */

typedef struct jx_disk_file {
    char name[64];   /* within the directory */
    uint64_t size;   /* bytes */
    struct timespec mtime; /* last use */
} jx_disk_file;

static int older_first(const void *pa, const void *pb)
{
    const jx_disk_file *a = pa, *b = pb;
    if (a->mtime.tv_sec != b->mtime.tv_sec)
        return a->mtime.tv_sec < b->mtime.tv_sec ? -1 : 1;
    if (a->mtime.tv_nsec != b->mtime.tv_nsec)
        return a->mtime.tv_nsec < b->mtime.tv_nsec ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* Scans dir: the kernel files' total size and count; over limit (when
 * limit is not 0) deletes the least recently used until under 90% of it;
 * deletes temporary files older than STALE_TMP.  Returns the total
 * after, or -1 when the directory cannot be read. */
static int64_t scan(const char *dir, uint64_t limit, uint64_t *files)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    jx_disk_file *list = NULL;
    size_t n = 0, cap = 0;
    uint64_t total = 0, nfiles = 0;
    time_t now = time(NULL);
    char path[PATH_MAX];
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        bool tmp = strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0;
        if ((!tmp && !has_suffix(e->d_name, SUFFIX)) ||
            strlen(e->d_name) >= sizeof list->name)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        if (tmp) {
            if (now - st.st_mtime > STALE_TMP)
                unlinkat(dirfd(d), e->d_name, 0);
            continue;
        }
        total += (uint64_t)st.st_size;
        nfiles++;
        if (limit == 0)
            continue;
        if (n == cap) {
            size_t c = cap ? 2 * cap : 256;
            jx_disk_file *l = realloc(list, c * sizeof *l);
            if (l == NULL)
                continue; /* evicts less this time */
            list = l;
            cap = c;
        }
        snprintf(list[n].name, sizeof list[n].name, "%s", e->d_name);
        list[n].size = (uint64_t)st.st_size;
        list[n].mtime = st.st_mtim;
        n++;
    }
    if (files != NULL)
        *files = nfiles;
    if (limit != 0 && total > limit) {
        qsort(list, n, sizeof *list, older_first);
        uint64_t goal = limit / 10 * 9;
        for (size_t i = 0; i < n && total > goal; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, list[i].name);
            if (unlink(path) == 0 || errno == ENOENT) /* gone: another did */
                total -= list[i].size;
        }
    }
    closedir(d);
    free(list);
    return (int64_t)total;
}

/* After a write of `bytes`: a scan when it is time (see the top). */
static void after_write(const char *dir, uint64_t bytes)
{
    lock_disk();
    disk.writes++;
    if (disk.est_bytes >= 0)
        disk.est_bytes += (int64_t)bytes;
    bool due = ++disk.since_scan >= JX_DISK_SCAN_EVERY ||
               (disk.est_bytes >= 0 && (uint64_t)disk.est_bytes > disk.limit);
    uint64_t limit = disk.limit;
    if (due)
        disk.since_scan = 0;
    pthread_mutex_unlock(&disk.lock);
    if (!due)
        return;
    int64_t total = scan(dir, limit, NULL);
    lock_disk();
    disk.est_bytes = total;
    pthread_mutex_unlock(&disk.lock);
}

void jx_disk_store(const char *key, const jx_jit_object *obj)
{
    char dir[PATH_MAX], path[PATH_MAX];
    if (!obj->storable || !snapshot(dir, NULL))
        return;
    size_t len;
    char *fkey = full_key(key, &len);
    if (fkey == NULL || !file_path(path, sizeof path, dir, fkey, len)) {
        free(fkey);
        return;
    }
    jx_disk_head h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MAGIC, 8);
    h.format = JX_DISK_FORMAT;
    h.key_len = (uint32_t)len;
    h.choices_len = (uint32_t)strlen(obj->choices);
    h.obj_len = obj->size;
    h.obj_sum = hash2(obj->data, obj->size, 7);
    h.head_sum = head_checksum(&h, fkey, obj->choices);
    const void *parts[4] = {&h, fkey, obj->choices, obj->data};
    size_t lens[4] = {sizeof h, len, h.choices_len, obj->size};
    int rc = jx_disk_write_parts(dir, path, parts, lens, 4);
    free(fkey);
    if (rc == 0)
        after_write(dir, sizeof h + len + h.choices_len + obj->size);
}

void jx_disk_stats(jx_stats *st)
{
    lock_disk();
    st->disk_hits = disk.hits;
    st->disk_misses = disk.misses;
    st->disk_writes = disk.writes;
    st->disk_rejected = disk.rejected;
    st->disk_unavailable = disk.unavailable;
    pthread_mutex_unlock(&disk.lock);
}

long jx_disk_clear(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    if (!snapshot(dir, NULL))
        return 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        bool choices = has_suffix(e->d_name, JX_DISK_CHOICES_SUFFIX);
        if (!choices && !has_suffix(e->d_name, SUFFIX) &&
            strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
            continue;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) <
                sizeof path &&
            unlink(path) == 0)
            n += !choices; /* kernel and temporary files */
    }
    closedir(d);
    lock_disk();
    disk.est_bytes = 0;
    pthread_mutex_unlock(&disk.lock);
    return n;
}

/* ---- the public interface --------------------------------------------- */

int jx_set_cache_dir(const char *dir)
{
    lock_disk();
    configure_limit_locked(); /* the environment's directory: not made */
    use_dir_locked(dir == NULL || strcmp(dir, "off") == 0 || *dir == '\0'
                       ? NULL
                       : dir);
    int rc = disk.enabled ? 0 : -1;
    pthread_mutex_unlock(&disk.lock);
    return rc;
}

int jx_set_cache_size(uint64_t bytes)
{
    char dir[PATH_MAX];
    lock_disk();
    configure_locked();
    disk.limit = bytes ? bytes : JX_DISK_DEFAULT_LIMIT;
    disk.limit_set = true;
    uint64_t limit = disk.limit;
    bool on = disk.enabled;
    if (on)
        memcpy(dir, disk.dir, PATH_MAX);
    pthread_mutex_unlock(&disk.lock);
    if (!on)
        return -1;
    int64_t total = scan(dir, limit, NULL);
    lock_disk();
    disk.est_bytes = total;
    disk.since_scan = 0;
    pthread_mutex_unlock(&disk.lock);
    return 0;
}

void jx_get_cache_info(jx_cache_info *info)
{
    if (info == NULL)
        return;
    memset(info, 0, sizeof *info);
    char dir[PATH_MAX];
    lock_disk();
    configure_locked();
    snprintf(info->dir, sizeof info->dir, "%s", disk.dir);
    info->enabled = disk.enabled;
    info->size_limit = disk.limit;
    memcpy(dir, disk.dir, PATH_MAX);
    pthread_mutex_unlock(&disk.lock);
    if (!info->enabled)
        return;
    uint64_t files = 0;
    int64_t total = scan(dir, 0, &files);
    info->bytes = total > 0 ? (uint64_t)total : 0;
    info->files = files;
}

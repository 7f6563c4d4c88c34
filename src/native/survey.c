// The tree survey of source/tree.ts (WorkTree.survey), in C: the same walk, the same lines, so the same
// digest — at the cost of the system calls alone. Node spends several times a call's own cost on each
// lstat of a fresh process, and a plan of an unchanged tree is mostly that walk (see cli/answer.ts).
// Built by scripts/native.mjs where a C compiler is at hand; without it assetctl walks in JavaScript.
//
// survey(root: string): string — the SHA-256 (hex) of the lines WorkTree.survey hashes; surveyNewest(root)
// gives it followed by a space and the survey's newestNs (the newest mtime or ctime of a file, decimal
// nanoseconds), what a run that keeps its result needs besides. The digest is
// OpenSSL's, which Node carries and exports to addons; loading fails where it does not, and then
// assetctl walks in JavaScript. sha256(text) gives the digest of a text alike.
//
// syncFilesystem(dir: string): Promise<boolean> — on Linux, syncfs(2) of the filesystem holding `dir`, off
// the main thread: every file and folder written on it before the call is durable once it resolves true.
// It resolves false, having done nothing, on a filesystem not known to be local (the caller then syncs
// file by file), and rejects with the errno of a failed open or sync.
#ifdef __linux__
#define _GNU_SOURCE
#include <linux/magic.h>
#include <sys/vfs.h>
#endif
#define NAPI_VERSION 8
#include <node_api.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

// OpenSSL's one-shot digest (EVP_Digest, EVP_sha256: stable since 0.9.7), resolved in Node's own binary.
typedef struct evp_md_st EVP_MD;
typedef struct engine_st ENGINE;
extern int EVP_Digest(const void* data, size_t count, unsigned char* md, unsigned int* size, const EVP_MD* type, ENGINE* impl);
extern const EVP_MD* EVP_sha256(void);

typedef struct {
  char* data;
  size_t length;
  size_t capacity;
  int failed;
  // The newest mtime or ctime (ns) of any entry that is not a folder, as Survey.newestNs.
  uint64_t newest;
} Text;

static void append(Text* text, const char* bytes, size_t length) {
  if (text->failed) return;
  if (text->length + length > text->capacity) {
    size_t capacity = text->capacity * 2 + length;
    char* data = realloc(text->data, capacity);
    if (data == NULL) {
      text->failed = 1;
      return;
    }
    text->data = data;
    text->capacity = capacity;
  }
  memcpy(text->data + text->length, bytes, length);
  text->length += length;
}

#define MAX_DEPTH 256

static int skipped(const char* name) {
  return strcmp(name, ".git") == 0 || strcmp(name, "node_modules") == 0 || strcmp(name, ".assetctl") == 0;
}

static const char* type_of(mode_t mode) {
  if (S_ISLNK(mode)) return "symlink";
  if (S_ISREG(mode)) return "file";
  if (S_ISDIR(mode)) return "dir";
  return "other";
}

// A folder's entries, each as one allocation: its type (a d_type) in the first byte, then its name.
typedef struct {
  char** entries;
  size_t count;
  size_t capacity;
} Listing;

static int add_entry(Listing* listing, const char* name, unsigned char type) {
  if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return 1;
  if (listing->count == listing->capacity) {
    size_t capacity = listing->capacity == 0 ? 64 : listing->capacity * 2;
    char** entries = realloc(listing->entries, capacity * sizeof(char*));
    if (entries == NULL) return 0;
    listing->entries = entries;
    listing->capacity = capacity;
  }
  size_t length = strlen(name);
  char* entry = malloc(length + 2);
  if (entry == NULL) return 0;
  entry[0] = (char)type;
  memcpy(entry + 1, name, length + 1);
  listing->entries[listing->count++] = entry;
  return 1;
}

static void free_listing(Listing* listing) {
  for (size_t i = 0; i < listing->count; i++) free(listing->entries[i]);
  free(listing->entries);
}

#ifdef __linux__
#include <sys/syscall.h>
// Linux: getdents64 on the open folder, without the fstat and fcntl calls of fdopendir — a third fewer
// system calls per folder.
struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

#define LISTING_BUFFER 32768

// The buffer is on the heap: walk recurses, and one on the stack would be in every level's frame.
static int list_folder(int fd, Listing* listing) {
  char* buffer = malloc(LISTING_BUFFER);
  if (buffer == NULL) return 0;
  int ok = 1;
  for (;;) {
    long read = syscall(SYS_getdents64, fd, buffer, LISTING_BUFFER);
    if (read <= 0) {
      ok = read == 0;
      break;
    }
    for (long offset = 0; ok && offset < read;) {
      struct linux_dirent64* entry = (struct linux_dirent64*)(buffer + offset);
      ok = add_entry(listing, entry->d_name, entry->d_type);
      offset += entry->d_reclen;
    }
    if (!ok) break;
  }
  free(buffer);
  return ok;
}
#else
static int list_folder(int fd, Listing* listing) {
  int copy = dup(fd);
  DIR* dir = copy < 0 ? NULL : fdopendir(copy);
  if (dir == NULL) {
    if (copy >= 0) close(copy);
    return 0;
  }
  struct dirent* entry;
  int ok = 1;
  errno = 0;
  while (ok && (entry = readdir(dir)) != NULL) ok = add_entry(listing, entry->d_name, entry->d_type);
  if (ok && errno != 0) ok = 0;
  closedir(dir);
  return ok;
}
#endif

static int by_name(const void* a, const void* b) {
  return strcmp(*(char* const*)a + 1, *(char* const*)b + 1);
}

// `at`/`name_in_at`: the folder, as a name in an open folder (openat: no path walked from the root for
// each entry); `rel`: its repository-relative path ("" at the root).
static void walk(int at, const char* name_in_at, const char* rel, Text* text, int depth) {
  // Deeper than any tree of assets: given up (the caller walks in JavaScript) before the stack or the
  // descriptors this keeps open, one a level, run short.
  if (depth > MAX_DEPTH) {
    text->failed = 1;
    return;
  }
  int fd = openat(at, name_in_at, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  Listing listing = {NULL, 0, 0};
  if (fd < 0 || !list_folder(fd, &listing)) {
    if (fd >= 0) close(fd);
    free_listing(&listing);
    append(text, rel, strlen(rel));
    append(text, "\0unlisted\n", 10);
    return;
  }
  // Byte order, as WorkTree.survey sorts.
  qsort(listing.entries, listing.count, sizeof(char*), by_name);
  size_t rel_length = strlen(rel);
  for (size_t i = 0; i < listing.count && !text->failed; i++) {
    const char* name = listing.entries[i] + 1;
    unsigned char type = (unsigned char)listing.entries[i][0];
    size_t name_length = strlen(name);
    if (rel_length + 1 + name_length + 1 > PATH_MAX) {
      text->failed = 1;
      break;
    }
    char child[PATH_MAX];
    if (rel_length == 0) memcpy(child, name, name_length + 1);
    else {
      memcpy(child, rel, rel_length);
      child[rel_length] = '/';
      memcpy(child + rel_length + 1, name, name_length + 1);
    }
    struct stat st;
    int have_stat = 0;
    if (type == DT_UNKNOWN) {
      // As Node does for a filesystem that does not say: ask lstat.
      have_stat = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
      if (have_stat && S_ISDIR(st.st_mode)) type = DT_DIR;
    }
    if (type == DT_DIR) {
      if (!skipped(name)) {
        append(text, child, strlen(child));
        append(text, "\0dir\n", 5);
        walk(fd, name, child, text, depth + 1);
      }
      continue;
    }
    if (!have_stat && fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue; // gone since the listing
    uint64_t mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec;
    uint64_t ctime = (uint64_t)st.st_ctim.tv_sec * 1000000000ull + (uint64_t)st.st_ctim.tv_nsec;
    if (mtime > text->newest) text->newest = mtime;
    if (ctime > text->newest) text->newest = ctime;
    char line[256];
    int length = snprintf(line, sizeof line, "%s%c%u%c%llu:%llu:%lld:%llu:%llu\n", type_of(st.st_mode), 0, (unsigned)st.st_mode, 0,
                          (unsigned long long)st.st_dev, (unsigned long long)st.st_ino, (long long)st.st_size, (unsigned long long)mtime,
                          (unsigned long long)ctime);
    append(text, child, strlen(child));
    append(text, "\0", 1);
    append(text, line, (size_t)length);
  }
  close(fd);
  free_listing(&listing);
}

// The SHA-256 of `length` bytes, as a hex string; NULL (undefined in JavaScript) when it cannot be made.
static napi_value hex_sha256(napi_env env, const char* data, size_t length) {
  unsigned char md[32];
  unsigned int md_length = 0;
  if (EVP_Digest(data, length, md, &md_length, EVP_sha256(), NULL) != 1 || md_length != 32) return NULL;
  char hex[65];
  for (unsigned int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
  napi_value result;
  return napi_create_string_latin1(env, hex, 64, &result) == napi_ok ? result : NULL;
}

// The survey of the folder named by the call's first argument: its digest, and with `with_newest` a space
// and the newest timestamp after it; NULL when the walk failed.
static napi_value survey_of(napi_env env, napi_callback_info info, int with_newest) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  char abs[PATH_MAX];
  size_t abs_length;
  if (napi_get_value_string_utf8(env, argv[0], abs, sizeof abs, &abs_length) != napi_ok || abs_length + 1 >= sizeof abs) return NULL;
  while (abs_length > 1 && abs[abs_length - 1] == '/') abs[--abs_length] = '\0';
  Text text = {malloc(1 << 16), 0, 1 << 16, 0, 0};
  if (text.data == NULL) return NULL;
  walk(AT_FDCWD, abs, "", &text, 0);
  napi_value result = text.failed ? NULL : hex_sha256(env, text.data, text.length);
  free(text.data);
  if (result == NULL || !with_newest) return result;
  char digest[65];
  size_t digest_length;
  if (napi_get_value_string_latin1(env, result, digest, sizeof digest, &digest_length) != napi_ok) return NULL;
  char line[96];
  int length = snprintf(line, sizeof line, "%s %llu", digest, (unsigned long long)text.newest);
  return napi_create_string_latin1(env, line, (size_t)length, &result) == napi_ok ? result : NULL;
}

static napi_value Survey(napi_env env, napi_callback_info info) {
  return survey_of(env, info, 0);
}

static napi_value SurveyNewest(napi_env env, napi_callback_info info) {
  return survey_of(env, info, 1);
}

// sha256(text: string): string — the SHA-256 (hex) of the text's UTF-8, as node:crypto gives it; for a
// process that would load node:crypto for nothing else (cli/replay.ts).
static napi_value Sha256(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  size_t length;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &length) != napi_ok) return NULL;
  char* bytes = malloc(length + 1);
  if (bytes == NULL) return NULL;
  napi_value result = napi_get_value_string_utf8(env, argv[0], bytes, length + 1, &length) == napi_ok ? hex_sha256(env, bytes, length) : NULL;
  free(bytes);
  return result;
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char dir[PATH_MAX];
  int synced;
  int error;
} SyncWork;

// A local filesystem whose syncfs writes back every dirty file, folder and its journal before returning.
static int known_local(long type) {
#ifdef __linux__
  switch (type) {
    case EXT4_SUPER_MAGIC: // ext2, ext3 and ext4 share it
    case XFS_SUPER_MAGIC:
    case BTRFS_SUPER_MAGIC:
    case F2FS_SUPER_MAGIC:
    case TMPFS_MAGIC: // nothing to write back: fsync does nothing there either
      return 1;
  }
#endif
  (void)type;
  return 0;
}

static void sync_execute(napi_env env, void* data) {
  (void)env;
  SyncWork* work = data;
#ifdef __linux__
  int fd = open(work->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    work->error = errno;
    return;
  }
  struct statfs info;
  if (fstatfs(fd, &info) != 0) work->error = errno;
  else if (known_local((long)info.f_type)) {
    if (syncfs(fd) != 0) work->error = errno;
    else work->synced = 1;
  }
  close(fd);
#else
  (void)work;
#endif
}

static void sync_complete(napi_env env, napi_status status, void* data) {
  SyncWork* work = data;
  napi_value value;
  if (status != napi_ok || work->error != 0) {
    napi_value message, error, code;
    const char* text = status != napi_ok ? "the sync did not run" : strerror(work->error);
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_create_int32(env, status != napi_ok ? 0 : work->error, &code);
    napi_set_named_property(env, error, "errno", code);
    napi_reject_deferred(env, work->deferred, error);
  } else {
    napi_get_boolean(env, work->synced != 0, &value);
    napi_resolve_deferred(env, work->deferred, value);
  }
  napi_delete_async_work(env, work->work);
  free(work);
}

static napi_value SyncFilesystem(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  SyncWork* work = calloc(1, sizeof(SyncWork));
  if (work == NULL) return NULL;
  size_t length;
  napi_value promise, name;
  if (napi_get_value_string_utf8(env, argv[0], work->dir, sizeof work->dir, &length) != napi_ok || length + 1 >= sizeof work->dir ||
      napi_create_promise(env, &work->deferred, &promise) != napi_ok) {
    free(work);
    return NULL;
  }
  napi_create_string_utf8(env, "assetctl-syncfs", NAPI_AUTO_LENGTH, &name);
  if (napi_create_async_work(env, NULL, name, sync_execute, sync_complete, work, &work->work) != napi_ok ||
      napi_queue_async_work(env, work->work) != napi_ok) {
    // The promise is never settled; the caller treats a missing answer as no sync and syncs file by file.
    free(work);
    return NULL;
  }
  return promise;
}

NAPI_MODULE_INIT() {
  napi_value sync_filesystem;
  if (napi_create_function(env, "syncFilesystem", NAPI_AUTO_LENGTH, SyncFilesystem, NULL, &sync_filesystem) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "syncFilesystem", sync_filesystem) != napi_ok) return NULL;
  napi_value survey, survey_newest, sha256;
  if (napi_create_function(env, "survey", NAPI_AUTO_LENGTH, Survey, NULL, &survey) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "survey", survey) != napi_ok) return NULL;
  if (napi_create_function(env, "surveyNewest", NAPI_AUTO_LENGTH, SurveyNewest, NULL, &survey_newest) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "surveyNewest", survey_newest) != napi_ok) return NULL;
  if (napi_create_function(env, "sha256", NAPI_AUTO_LENGTH, Sha256, NULL, &sha256) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "sha256", sha256) != napi_ok) return NULL;
  return exports;
}

/* SPDX-License-Identifier: MIT */
/*
 * The path context: every file apctl reads or writes goes through it, with
 * two root prefixes so tests (and apsim) can stand in for the real system:
 *
 *   sysfs  $SYSFS_ROOT (secure_getenv), else <root>/sys, else "/sys"
 *   root   --root DIR, else $APCTL_ROOT, else "/"   (for /etc, /run, /proc)
 *
 * Helpers read a small file in one go, list a directory, write a buffer with
 * exactly one write(2), and count what they do (ap_path_stats).
 *
 * Error convention: 0 on success, else a positive errno value.
 */
#ifndef APCTL_SYS_PATH_H
#define APCTL_SYS_PATH_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* largest file ap_path_read() accepts (sysfs files are at most 4 KiB) */
#define AP_PATH_READ_MAX (64 * 1024)

enum ap_base {
	AP_SYSFS,	/* relative to the sysfs mount point */
	AP_ROOT,	/* relative to apctl's root (etc/..., run/..., proc/...) */
};

/* what went through the context (reads and listings count attempts, also failed ones) */
struct ap_path_stats {
	unsigned long files_read;	/* files opened for reading */
	unsigned long dirs_listed;	/* directories listed */
	unsigned long links_read;	/* readlink() calls */
	unsigned long writes;		/* write(2) calls through ap_path_write() */
};

struct ap_path {
	char *sysfs;		/* no trailing '/'; "" never: "/" stays "/" */
	char *root;		/* "" for "/", else without trailing '/' */
	struct ap_path_stats stats;
	FILE *trace;		/* -V: each read, listing and write is printed here */
};

/* One directory listing: names without "." and "..", sorted (strcmp). */
struct ap_dirlist {
	char **names;
	size_t n;
};

/*
 * Set up the context.  root: the --root option or NULL (then $APCTL_ROOT,
 * then "/").  Returns 0 or ENOMEM/EINVAL (a relative or empty root).
 */
int ap_path_init(struct ap_path *p, const char *root);
void ap_path_fini(struct ap_path *p);

/* true when apctl works on the real system (root "/" and sysfs "/sys") */
bool ap_path_is_real(const struct ap_path *p);

/*
 * Compose "<base>/<printf(fmt)>" into out.  fmt must not start with '/'.
 * Returns 0 or ENAMETOOLONG.
 */
int ap_path_fmt(const struct ap_path *p, enum ap_base base, char *out, size_t outsz,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int ap_path_vfmt(const struct ap_path *p, enum ap_base base, char *out, size_t outsz,
		 const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/*
 * Read a whole file (one open, read until EOF, at most AP_PATH_READ_MAX
 * bytes) into a malloc'd, NUL-terminated buffer.  *len excludes the NUL.
 * Returns 0, ENOENT when the file does not exist, EFBIG when it is larger
 * than the limit, or another errno.  On error *buf is NULL.
 */
int ap_path_read(struct ap_path *p, const char *path, char **buf, size_t *len);

/* does the path exist (stat, following links)?  Not counted. */
bool ap_path_exists(const struct ap_path *p, const char *path);

/* List a directory.  Returns 0, ENOENT, ENOTDIR, ENOMEM or another errno. */
int ap_path_list(struct ap_path *p, const char *path, struct ap_dirlist *l);
void ap_dirlist_free(struct ap_dirlist *l);
/* binary search in a sorted listing */
bool ap_dirlist_has(const struct ap_dirlist *l, const char *name);

/*
 * Write len bytes with a single write(2) on a descriptor opened O_WRONLY
 * (no O_CREAT, no O_TRUNC: sysfs attributes).  A short write is EIO.
 */
int ap_path_write(struct ap_path *p, const char *path, const void *buf, size_t len);

/* basename of a symlink's target into out ("cex4queue").  0, ENOENT, EINVAL
 * (not a link), ENAMETOOLONG or another errno. */
int ap_path_readlink_base(struct ap_path *p, const char *path, char *out, size_t outsz);

/*
 * Config files (not sysfs): replace path atomically with buf.  A temporary
 * file "<dir>/.<name>.XXXXXX" in the same directory gets the data and mode,
 * is fsync'ed and renamed over path; then the directory is fsync'ed.  With
 * mkdirs, missing parent directories are created (0755), starting below the
 * root: path must then lie below it (else EXDEV), and nothing at or above
 * the root is created.  On failure the temporary file is removed and path
 * is unchanged.
 */
int ap_path_write_atomic(struct ap_path *p, const char *path, const void *buf, size_t len,
			 unsigned int mode, bool mkdirs);
/*
 * Is the directory of path below the root, once symbolic links are
 * resolved?  0 (always for the root "/"), EXDEV when a link leads out of
 * the root, or the errno of resolving it (ENOENT: it does not exist).
 * ap_path_write_atomic() and ap_path_unlink() check it before they touch
 * anything, and for every directory they create.
 */
int ap_path_below_root(const struct ap_path *p, const char *path);

/* unlink path and fsync its directory.  0, ENOENT, EXDEV or another errno. */
int ap_path_unlink(struct ap_path *p, const char *path);

#endif

/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "sys/path.h"

/* -V: one line per access, "apctl: <what>" */
__attribute__((format(printf, 2, 3)))
static void trace(const struct ap_path *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->trace)
		return;
	fputs("apctl: ", p->trace);
	va_start(ap, fmt);
	vfprintf(p->trace, fmt, ap);
	va_end(ap);
	fputc('\n', p->trace);
}

/* strip trailing slashes, keep "/" itself */
static char *dup_dir(const char *s)
{
	size_t n = strlen(s);
	char *r;

	while (n > 1 && s[n - 1] == '/')
		n--;
	r = strndup(s, n);
	return r;
}

int ap_path_init(struct ap_path *p, const char *root)
{
	const char *sysfs = secure_getenv("SYSFS_ROOT");

	memset(p, 0, sizeof(*p));
	if (!root || !*root) {
		root = secure_getenv("APCTL_ROOT");
		if (root && !*root)
			root = NULL;
	}
	if (!root)
		root = "/";
	if (root[0] != '/')
		return EINVAL;

	p->root = dup_dir(root);
	if (!p->root)
		return ENOMEM;
	if (strcmp(p->root, "/") == 0)
		p->root[0] = '\0';	/* "" + "/etc/..." */

	if (sysfs && *sysfs) {
		if (sysfs[0] != '/') {
			ap_path_fini(p);
			return EINVAL;
		}
		p->sysfs = dup_dir(sysfs);
	} else {
		size_t n = strlen(p->root) + sizeof("/sys");

		p->sysfs = malloc(n);
		if (p->sysfs)
			snprintf(p->sysfs, n, "%s/sys", p->root);
	}
	if (!p->sysfs) {
		ap_path_fini(p);
		return ENOMEM;
	}
	return 0;
}

void ap_path_fini(struct ap_path *p)
{
	free(p->sysfs);
	free(p->root);
	p->sysfs = NULL;
	p->root = NULL;
}

bool ap_path_is_real(const struct ap_path *p)
{
	return p->root[0] == '\0' && strcmp(p->sysfs, "/sys") == 0;
}

int ap_path_vfmt(const struct ap_path *p, enum ap_base base, char *out, size_t outsz,
		 const char *fmt, va_list ap)
{
	const char *pre = base == AP_SYSFS ? p->sysfs : p->root;
	size_t n = strlen(pre);
	int r;

	/* "/" as sysfs prefix: avoid "//x" */
	if (n == 1 && pre[0] == '/')
		n = 0;
	if (n + 2 > outsz)
		return ENAMETOOLONG;
	memcpy(out, pre, n);
	out[n] = '/';
	r = vsnprintf(out + n + 1, outsz - n - 1, fmt, ap);
	if (r < 0 || (size_t)r >= outsz - n - 1)
		return ENAMETOOLONG;
	return 0;
}

int ap_path_fmt(const struct ap_path *p, enum ap_base base, char *out, size_t outsz,
		const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ap_path_vfmt(p, base, out, outsz, fmt, ap);
	va_end(ap);
	return r;
}

int ap_path_read(struct ap_path *p, const char *path, char **buf, size_t *len)
{
	size_t cap = 4096 + 1, n = 0;
	char *b = NULL;
	int fd, err = 0;

	*buf = NULL;
	*len = 0;
	p->stats.files_read++;
	trace(p, _("read %s"), path);
	/* O_NONBLOCK: a FIFO (or a device) where a file is expected must not
	 * hang a reader; sysfs and regular files ignore it */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno;
	b = malloc(cap);
	if (!b) {
		close(fd);
		return ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (n + 1 == cap) {
			char *nb;

			if (cap > AP_PATH_READ_MAX) {
				err = EFBIG;
				break;
			}
			cap = cap * 2 > AP_PATH_READ_MAX + 2 ? AP_PATH_READ_MAX + 2 : cap * 2;
			nb = realloc(b, cap);
			if (!nb) {
				err = ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > AP_PATH_READ_MAX) {
			err = EFBIG;
			break;
		}
	}
	close(fd);
	if (err) {
		free(b);
		return err;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

bool ap_path_exists(const struct ap_path *p, const char *path)
{
	struct stat st;

	(void)p;
	return stat(path, &st) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ap_dirlist_free(struct ap_dirlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	l->names = NULL;
	l->n = 0;
}

int ap_path_list(struct ap_path *p, const char *path, struct ap_dirlist *l)
{
	struct dirent *de;
	size_t cap = 0;
	DIR *d;
	int err = 0;

	l->names = NULL;
	l->n = 0;
	p->stats.dirs_listed++;
	trace(p, _("list %s"), path);
	d = opendir(path);
	if (!d)
		return errno;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			err = errno;
			break;
		}
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
					     (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (l->n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			char **nn = realloc(l->names, nc * sizeof(*nn));

			if (!nn) {
				err = ENOMEM;
				break;
			}
			l->names = nn;
			cap = nc;
		}
		l->names[l->n] = strdup(de->d_name);
		if (!l->names[l->n]) {
			err = ENOMEM;
			break;
		}
		l->n++;
	}
	closedir(d);
	if (err) {
		ap_dirlist_free(l);
		return err;
	}
	if (l->n > 1)
		qsort(l->names, l->n, sizeof(*l->names), cmp_names);
	return 0;
}

bool ap_dirlist_has(const struct ap_dirlist *l, const char *name)
{
	if (!l->n)
		return false;
	return bsearch(&name, l->names, l->n, sizeof(*l->names), cmp_names) != NULL;
}

int ap_path_write(struct ap_path *p, const char *path, const void *buf, size_t len)
{
	ssize_t r;
	int fd, err = 0;

	trace(p, _("write \"%.*s\" to %s"),
	      (int)(len && ((const char *)buf)[len - 1] == '\n' ? len - 1 : len),
	      (const char *)buf, path);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno;
	p->stats.writes++;
	do {
		r = write(fd, buf, len);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		err = errno;
	else if ((size_t)r != len)
		err = EIO;
	if (close(fd) < 0 && !err && errno != EINTR)
		err = errno;
	return err;
}

int ap_path_readlink_base(struct ap_path *p, const char *path, char *out, size_t outsz)
{
	char target[4096];
	const char *base;
	ssize_t r;
	size_t n;

	p->stats.links_read++;
	r = readlink(path, target, sizeof(target) - 1);
	if (r < 0)
		return errno;
	target[r] = '\0';
	while (r > 1 && target[r - 1] == '/')
		target[--r] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	n = strlen(base);
	if (n + 1 > outsz)
		return ENAMETOOLONG;
	memcpy(out, base, n + 1);
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd, err = 0;

	if (!slash)
		return EINVAL;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir))
		return ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (fsync(fd) < 0)
		err = errno;
	close(fd);
	return err;
}

int ap_path_below_root(const struct ap_path *p, const char *path)
{
	char dir[4096], *rd, *rr;
	const char *slash = strrchr(path, '/');
	size_t n;
	int err = 0;

	if (!p->root[0])
		return 0;	/* everything is below "/" */
	if (!slash)
		return EINVAL;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir))
		return ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	rd = realpath(dir, NULL);
	if (!rd)
		return errno;
	rr = realpath(p->root, NULL);
	if (!rr) {
		err = errno;
		free(rd);
		return err;
	}
	n = strlen(rr);
	if (strncmp(rd, rr, n) != 0 || (rd[n] != '/' && rd[n] != '\0' && strcmp(rr, "/") != 0))
		err = EXDEV;
	free(rd);
	free(rr);
	return err;
}

/*
 * Create the missing parent directories of path, which must lie below the
 * root: creation starts at the first component after the root, so nothing
 * at or above the root is ever created (or even tried).  EXDEV when path is
 * not below the root.
 */
static int mkdir_parents(const struct ap_path *p, const char *path)
{
	size_t rl = strlen(p->root), n = strlen(path);
	char buf[4096];
	int err;

	if (n >= sizeof(buf))
		return ENAMETOOLONG;
	if (strncmp(path, p->root, rl) != 0 || path[rl] != '/' || path[rl + 1] == '/' ||
	    path[rl + 1] == '\0')
		return EXDEV;
	memcpy(buf, path, n + 1);
	for (char *s = buf + rl + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		/* the directory it is made in must not lead out of the root */
		err = ap_path_below_root(p, buf);
		if (err)
			return err;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return errno;
		*s = '/';
	}
	return 0;
}

int ap_path_write_atomic(struct ap_path *p, const char *path, const void *buf, size_t len,
			 unsigned int mode, bool mkdirs)
{
	char tmp[4096];
	const char *slash = strrchr(path, '/');
	const char *b = buf;
	int fd, err = 0;

	if (!slash || !slash[1])
		return EINVAL;
	if (snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - path), path,
		     slash + 1) >= (int)sizeof(tmp))
		return ENAMETOOLONG;
	if (mkdirs) {
		err = mkdir_parents(p, path);
		if (err)
			return err;
	}
	err = ap_path_below_root(p, path);
	if (err)
		return err;
	trace(p, _("replace %s (%zu bytes)"), path, len);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return errno;
	p->stats.writes++;
	if (fchmod(fd, (mode_t)mode) < 0)
		err = errno;
	while (!err && len) {
		ssize_t r = write(fd, b, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
		} else {
			b += r;
			len -= (size_t)r;
		}
	}
	if (!err && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) < 0)
		err = errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	return fsync_dir_of(path);
}

int ap_path_unlink(struct ap_path *p, const char *path)
{
	int err = ap_path_below_root(p, path);

	if (err)
		return err;
	trace(p, _("delete %s"), path);
	if (unlink(path) < 0)
		return errno;
	return fsync_dir_of(path);
}

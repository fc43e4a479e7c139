/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "sys/journal.h"

int ap_proc_start(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return EIO;
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold blanks and ')': the
	 * fields after it start at the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return EIO;
	/* field 3 is the state; the start time is field 22 */
	for (field = 2; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field != 22 || sscanf(p, "%llu", &v) != 1)
		return EIO;
	*start = v;
	return 0;
}

bool ap_proc_alive(long pid, unsigned long long start)
{
	unsigned long long s;

	if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
		return false;
	if (ap_proc_start((pid_t)pid, &s))
		return true;	/* it exists; its age cannot be told */
	return s == start;
}

char *ap_proc_cmdline(void)
{
	char buf[4096], *first, *base;
	ssize_t n;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return strdup("apctl");
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return strdup("apctl");
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0' || (unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = ' ';
	buf[n] = '\0';
	/* the program by its name, not the path it was started by */
	first = strchr(buf, ' ');
	if (first)
		*first = '\0';
	base = strrchr(buf, '/');
	if (first)
		*first = ' ';
	return strdup(base ? base + 1 : buf);
}

static int jpath(struct ap_path *p, char *buf, size_t size)
{
	return ap_path_fmt(p, AP_ROOT, buf, size, "%s", AP_JOURNAL_PATH);
}

/* the journal's directory must be a directory (not a link to elsewhere) */
static int check_dir(struct ap_path *p)
{
	char dir[4096];
	struct stat st;
	int err = ap_path_fmt(p, AP_ROOT, dir, sizeof(dir), "%s", AP_JOURNAL_DIR);

	if (err)
		return err;
	if (lstat(dir, &st) < 0)
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	return 0;
}

static int open_append(struct ap_jfile *f)
{
	struct stat st;

	f->fd = open(f->path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (f->fd < 0)
		return errno;
	if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(f->fd);
		f->fd = -1;
		return EINVAL;
	}
	return 0;
}

int ap_jfile_create(struct ap_jfile *f, struct ap_path *p, const struct ap_journal *j)
{
	char *text;
	int err;

	f->fd = -1;
	f->p = p;
	err = jpath(p, f->path, sizeof(f->path));
	if (err)
		return err;
	text = ap_journal_encode(j);
	if (!text)
		return ENOMEM;
	err = ap_path_write_atomic(p, f->path, text, strlen(text), 0644, true);
	free(text);
	if (!err)
		err = check_dir(p);
	if (!err)
		err = open_append(f);
	if (err && f->fd < 0)
		unlink(f->path);
	return err;
}

int ap_jfile_open(struct ap_jfile *f, struct ap_path *p)
{
	int err;

	f->fd = -1;
	f->p = p;
	err = jpath(p, f->path, sizeof(f->path));
	if (!err)
		err = check_dir(p);
	return err ? err : open_append(f);
}

int ap_jfile_append(struct ap_jfile *f, const char *line)
{
	size_t len = strlen(line);
	ssize_t n;

	if (f->fd < 0)
		return EBADF;
	do {
		n = write(f->fd, line, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	if ((size_t)n != len)
		return EIO;
	if (fdatasync(f->fd) < 0)
		return errno;
	return 0;
}

void ap_jfile_close(struct ap_jfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

int ap_jfile_remove(struct ap_jfile *f)
{
	ap_jfile_close(f);
	return ap_path_unlink(f->p, f->path);
}

int ap_journal_discard(struct ap_path *p)
{
	char path[4096];
	int err = jpath(p, path, sizeof(path));

	return err ? err : ap_path_unlink(p, path);
}

/* ---- probe ---- */

static int bad(struct ap_journal_probe *pr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int bad(struct ap_journal_probe *pr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&pr->error, fmt, ap) < 0)
		pr->error = NULL;
	va_end(ap);
	pr->found = AP_JOURNAL_BAD;
	return pr->error ? 0 : ENOMEM;
}

static int read_raw(struct ap_journal_probe *pr)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(pr->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return EINVAL;
	}
	if (st.st_size > AP_JOURNAL_MAX) {
		close(fd);
		return EFBIG;
	}
	pr->raw = malloc((size_t)st.st_size + 1);
	if (!pr->raw) {
		close(fd);
		return ENOMEM;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, pr->raw + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	pr->raw[len] = '\0';
	pr->raw_len = len;
	return 0;
}

static int probe_once(struct ap_path *p, struct ap_journal_probe *pr, struct stat *seen)
{
	const char *why;
	size_t line, step, len;
	struct stat st;
	int err;

	memset(pr, 0, sizeof(*pr));
	ap_journal_init(&pr->j);
	err = jpath(p, pr->path, sizeof(pr->path));
	if (err)
		return err;
	if (lstat(pr->path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;	/* AP_JOURNAL_NONE */
		return bad(pr, _("cannot read the change journal %s: %s"), pr->path,
			   strerror(errno));
	}
	*seen = st;
	err = check_dir(p);
	if (err == ENOTDIR)
		return bad(pr, _("the directory of the change journal %s is not a directory "
				 "(a symbolic link?)"), pr->path);
	if (S_ISLNK(st.st_mode))
		return bad(pr, _("the change journal %s is a symbolic link, not a file apctl "
				 "wrote"), pr->path);
	if (!S_ISREG(st.st_mode))
		return bad(pr, _("the change journal %s is not a regular file"), pr->path);
	err = read_raw(pr);
	if (err == ENOMEM)
		return err;
	if (err == EFBIG)
		return bad(pr, _("the change journal %s is larger than any journal apctl "
				 "writes"), pr->path);
	if (err)
		return bad(pr, _("cannot read the change journal %s: %s"), pr->path,
			   strerror(err));
	/* a line being appended by a running owner may be seen half written:
	 * judge the complete lines, and the half line only if the owner is gone */
	len = pr->raw_len;
	if (len && pr->raw[len - 1] != '\n') {
		const char *nl = memrchr(pr->raw, '\n', len);

		if (nl && !ap_journal_decode(pr->raw, (size_t)(nl - pr->raw) + 1, &pr->j, &why,
					     &line) &&
		    !ap_journal_check(&pr->j, &why, &step) &&
		    ap_proc_alive(pr->j.repair_pid ? pr->j.repair_pid : pr->j.pid,
				  pr->j.repair_pid ? pr->j.repair_start : pr->j.start)) {
			pr->owner = pr->j.repair_pid ? pr->j.repair_pid : pr->j.pid;
			pr->found = AP_JOURNAL_LIVE;
			return 0;
		}
		ap_journal_free(&pr->j);
	}
	if (ap_journal_decode(pr->raw, pr->raw_len, &pr->j, &why, &line)) {
		if (line)
			return bad(pr, _("the change journal %s is malformed: line %zu: %s"),
				   pr->path, line, why);
		return bad(pr, _("the change journal %s is malformed: %s"), pr->path, why);
	}
	if (ap_journal_check(&pr->j, &why, &step)) {
		if (step)
			return bad(pr, _("the change journal %s is not apctl's: step %zu: %s"),
				   pr->path, step, why);
		return bad(pr, _("the change journal %s is not apctl's: %s"), pr->path, why);
	}
	pr->owner = pr->j.repair_pid ? pr->j.repair_pid : pr->j.pid;
	if (pr->j.repair_pid ? ap_proc_alive(pr->j.repair_pid, pr->j.repair_start)
			     : ap_proc_alive(pr->j.pid, pr->j.start))
		pr->found = AP_JOURNAL_LIVE;
	else
		pr->found = AP_JOURNAL_INTERRUPTED;
	return 0;
}

/*
 * A change that ends removes its journal before its process exits.  So a
 * journal whose owner looks gone is interrupted only if it is still there,
 * the same file, after the owner was found gone: otherwise a change that
 * ended between our read and the liveness test would be reported as
 * interrupted (seen with concurrent creates).  Read again when the file went
 * away or was replaced meanwhile; a bounded number of times.
 */
int ap_journal_probe(struct ap_path *p, struct ap_journal_probe *pr)
{
	for (int tries = 0;; tries++) {
		struct stat seen, now;
		int err;

		memset(&seen, 0, sizeof(seen));
		err = probe_once(p, pr, &seen);
		if (err || pr->found == AP_JOURNAL_NONE || pr->found == AP_JOURNAL_LIVE ||
		    tries == 4)
			return err;
		if (lstat(pr->path, &now) == 0 && now.st_ino == seen.st_ino &&
		    now.st_dev == seen.st_dev && now.st_size == seen.st_size &&
		    now.st_mtim.tv_sec == seen.st_mtim.tv_sec &&
		    now.st_mtim.tv_nsec == seen.st_mtim.tv_nsec)
			return 0;
		ap_journal_probe_free(pr);
	}
}

void ap_journal_probe_free(struct ap_journal_probe *pr)
{
	ap_journal_free(&pr->j);
	free(pr->raw);
	free(pr->error);
	memset(pr, 0, sizeof(*pr));
}

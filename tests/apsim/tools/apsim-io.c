/* SPDX-License-Identifier: MIT */
/*
 * apsim-io: perform exactly one system call of a kind on a (simulated) sysfs
 * file and report the result in a form that shell tests can compare exactly.
 *
 *   apsim-io write FILE DATA [OFFSET]   one open(O_WRONLY) + one write(2)/pwrite(2)
 *   apsim-io writes FILE DATA...        one open, one write(2) per DATA argument
 *   apsim-io read FILE [CHUNK]          read(2) in CHUNK-byte pieces until EOF
 *   apsim-io open FILE r|w|rw|trunc|creat
 *   apsim-io stat FILE                  "<size> <mode in octal>" (lstat: "link" for links)
 *   apsim-io mkdir|rmdir|unlink PATH
 *   apsim-io rename OLD NEW
 *   apsim-io symlink TARGET PATH
 *   apsim-io snapshot FILE N CMD...     read N bytes, run CMD, read the rest
 *   apsim-io reread FILE CMD...         read all, run CMD, pread from offset 0 again
 *   apsim-io stale FILE read|write [DATA] CMD...
 *                                       open, run CMD, then one read or write
 *   apsim-io writelines FILE            one open, one write(2) per line of stdin
 *                                       (the line including its \n)
 *   apsim-io len DATA                   print the length of DATA after unescaping
 *   apsim-io unescape DATA              print DATA after unescaping
 *   apsim-io spawn CMD...               new session, SIGINT/SIGQUIT reset to
 *                                       default, exec CMD (for signal tests)
 *
 * DATA understands the escapes \n \r \t \\ \0 and \xHH; everything else is taken
 * literally.  Results:
 *   write/writes: "OK <n>" or the errno name (e.g. "EINVAL"), one line per write
 *   read:         the bytes exactly; on failure "read: ENODEV" (exit status 1)
 *   open failure: "open: EACCES" (exit status 1)
 *   other calls:  "OK" or the errno name
 * Exit status: 0 if every call succeeded, 1 if a call failed, 2 on usage errors.
 * CMD runs with its standard output on /dev/null so that it cannot mix with
 * the bytes this program prints (its standard error is kept).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct errname {
	int num;
	const char *name;
};

#define E(x) { x, #x }
static const struct errname errnames[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT),
	E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR),
	E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(ETXTBSY), E(EFBIG), E(ENOSPC),
	E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK),
	E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG),
	E(EIDRM), E(ENODATA), E(ETIME), E(ENOLINK), E(EPROTO), E(EBADMSG),
	E(EOVERFLOW), E(EILSEQ), E(EUSERS), E(ENOTSOCK), E(EDESTADDRREQ),
	E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT),
	E(EOPNOTSUPP), E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL),
	E(ENETDOWN), E(ENETUNREACH), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS),
	E(EISCONN), E(ENOTCONN), E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTUNREACH),
	E(EALREADY), E(EINPROGRESS), E(ESTALE), E(EDQUOT), E(ECANCELED),
	E(EOWNERDEAD), E(ENOTRECOVERABLE),
};
#undef E

static const char *errname(int num)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].num == num)
			return errnames[i].name;
	snprintf(buf, sizeof(buf), "errno%d", num);
	return buf;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the escapes of DATA into a new buffer; returns its length. */
static size_t unescape(const char *s, char **out)
{
	size_t len = strlen(s), n = 0;
	char *buf = malloc(len + 1);

	if (!buf) {
		perror("apsim-io");
		exit(2);
	}
	while (*s) {
		if (*s != '\\' || !s[1]) {
			buf[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n':
			buf[n++] = '\n';
			s++;
			break;
		case 'r':
			buf[n++] = '\r';
			s++;
			break;
		case 't':
			buf[n++] = '\t';
			s++;
			break;
		case '\\':
			buf[n++] = '\\';
			s++;
			break;
		case '0':
			buf[n++] = '\0';
			s++;
			break;
		case 'x':
			if (hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
				buf[n++] = (char)(hexval(s[1]) * 16 + hexval(s[2]));
				s += 3;
				break;
			}
			/* fall through - not a valid \xHH, kept literally */
		default:
			buf[n++] = '\\';
			break;
		}
	}
	buf[n] = '\0';
	*out = buf;
	return n;
}

static int usage(void)
{
	fputs("usage: apsim-io write FILE DATA [OFFSET] | writes FILE DATA... |\n"
	      "       read FILE [CHUNK] | open FILE r|w|rw|trunc|creat | stat FILE |\n"
	      "       mkdir|rmdir|unlink PATH | rename OLD NEW | symlink TARGET PATH |\n"
	      "       snapshot FILE N CMD... | reread FILE CMD... |\n"
	      "       stale FILE read|write [DATA] CMD... | writelines FILE |\n"
	      "       len DATA | unescape DATA | spawn CMD...\n", stderr);
	return 2;
}

static int open_or_report(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd < 0)
		printf("open: %s\n", errname(errno));
	return fd;
}

static int write_all_stdout(const char *buf, size_t len)
{
	fflush(stdout);
	while (len) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One write(2) (or pwrite(2) if off >= 0); prints "OK n" or the errno name. */
static int one_write(int fd, const char *data, off_t off)
{
	char *buf;
	size_t len = unescape(data, &buf);
	ssize_t n;

	if (off >= 0)
		n = pwrite(fd, buf, len, off);
	else
		n = write(fd, buf, len);
	free(buf);
	if (n < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	printf("OK %zd\n", n);
	return 0;
}

/* read(2) in pieces of chunk bytes until EOF; prints bytes or "read: ERR". */
static int read_rest(int fd, size_t chunk)
{
	char *buf = malloc(chunk);
	int rc = 0;

	if (!buf) {
		perror("apsim-io");
		return 2;
	}
	for (;;) {
		ssize_t n = read(fd, buf, chunk);

		if (n < 0) {
			printf("read: %s\n", errname(errno));
			rc = 1;
			break;
		}
		if (n == 0)
			break;
		if (write_all_stdout(buf, (size_t)n) < 0) {
			rc = 2;
			break;
		}
	}
	free(buf);
	return rc;
}

static int run_cmd(char **argv)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("apsim-io: fork");
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "apsim-io: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "apsim-io: command %s failed\n", argv[0]);
		return -1;
	}
	return 0;
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0)
		return -1;
	*out = v;
	return 0;
}

static int cmd_write(int argc, char **argv)
{
	off_t off = -1;
	int fd, rc;

	if (argc != 2 && argc != 3)
		return usage();
	if (argc == 3) {
		char *end;

		off = (off_t)strtoll(argv[2], &end, 10);
		if (*end || off < 0)
			return usage();
	}
	fd = open_or_report(argv[0], O_WRONLY);
	if (fd < 0)
		return 1;
	rc = one_write(fd, argv[1], off);
	close(fd);
	return rc;
}

static int cmd_writes(int argc, char **argv)
{
	int fd, i, rc = 0;

	if (argc < 2)
		return usage();
	fd = open_or_report(argv[0], O_WRONLY);
	if (fd < 0)
		return 1;
	for (i = 1; i < argc; i++)
		rc |= one_write(fd, argv[i], -1);
	close(fd);
	return rc;
}

static int cmd_read(int argc, char **argv)
{
	size_t chunk = 65536;
	int fd, rc;

	if (argc != 1 && argc != 2)
		return usage();
	if (argc == 2 && parse_size(argv[1], &chunk) < 0)
		return usage();
	fd = open_or_report(argv[0], O_RDONLY);
	if (fd < 0)
		return 1;
	rc = read_rest(fd, chunk);
	close(fd);
	return rc;
}

static int cmd_open(int argc, char **argv)
{
	int flags, fd;

	if (argc != 2)
		return usage();
	if (!strcmp(argv[1], "r"))
		flags = O_RDONLY;
	else if (!strcmp(argv[1], "w"))
		flags = O_WRONLY;
	else if (!strcmp(argv[1], "rw"))
		flags = O_RDWR;
	else if (!strcmp(argv[1], "trunc"))
		flags = O_WRONLY | O_TRUNC;
	else if (!strcmp(argv[1], "creat"))
		flags = O_WRONLY | O_CREAT;
	else
		return usage();
	fd = open(argv[0], flags, 0644);
	if (fd < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	close(fd);
	printf("OK\n");
	return 0;
}

static int cmd_stat(int argc, char **argv)
{
	struct stat st;

	if (argc != 1)
		return usage();
	if (lstat(argv[0], &st) < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	if (S_ISLNK(st.st_mode))
		printf("link\n");
	else if (S_ISDIR(st.st_mode))
		printf("dir %04o\n", (unsigned int)(st.st_mode & 07777));
	else
		printf("%lld %04o\n", (long long)st.st_size,
		       (unsigned int)(st.st_mode & 07777));
	return 0;
}

static int report(int r)
{
	if (r < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	printf("OK\n");
	return 0;
}

static int cmd_snapshot(int argc, char **argv)
{
	size_t first;
	char *buf;
	ssize_t n;
	int fd, rc;

	if (argc < 3 || parse_size(argv[1], &first) < 0)
		return usage();
	fd = open_or_report(argv[0], O_RDONLY);
	if (fd < 0)
		return 1;
	buf = malloc(first);
	if (!buf) {
		close(fd);
		return 2;
	}
	n = read(fd, buf, first);
	if (n < 0) {
		printf("read: %s\n", errname(errno));
		free(buf);
		close(fd);
		return 1;
	}
	write_all_stdout(buf, (size_t)n);
	free(buf);
	if (run_cmd(argv + 2) < 0) {
		close(fd);
		return 2;
	}
	rc = read_rest(fd, 65536);
	close(fd);
	return rc;
}

static int cmd_reread(int argc, char **argv)
{
	char buf[8192];
	ssize_t n;
	int fd, rc;

	if (argc < 2)
		return usage();
	fd = open_or_report(argv[0], O_RDONLY);
	if (fd < 0)
		return 1;
	/* the first read is consumed and not printed */
	do
		n = read(fd, buf, sizeof(buf));
	while (n > 0);
	if (n < 0) {
		printf("read: %s\n", errname(errno));
		close(fd);
		return 1;
	}
	if (run_cmd(argv + 1) < 0) {
		close(fd);
		return 2;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		printf("lseek: %s\n", errname(errno));
		close(fd);
		return 1;
	}
	rc = read_rest(fd, 65536);
	close(fd);
	return rc;
}

static int cmd_writelines(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int fd, rc = 0;

	if (argc != 1)
		return usage();
	fd = open_or_report(argv[0], O_WRONLY);
	if (fd < 0)
		return 1;
	while ((len = getline(&line, &cap, stdin)) > 0) {
		ssize_t n = write(fd, line, (size_t)len);

		if (n < 0) {
			printf("%s\n", errname(errno));
			rc = 1;
		} else {
			printf("OK %zd\n", n);
		}
	}
	free(line);
	close(fd);
	return rc;
}

static int cmd_spawn(char **argv)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	setsid();
	execvp(argv[0], argv);
	fprintf(stderr, "apsim-io: %s: %s\n", argv[0], strerror(errno));
	return 127;
}

static int cmd_stale(int argc, char **argv)
{
	int is_write, fd, rc, ncmd;

	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "read")) {
		is_write = 0;
		ncmd = 2;
	} else if (!strcmp(argv[1], "write")) {
		is_write = 1;
		ncmd = 3;
		if (argc < 4)
			return usage();
	} else {
		return usage();
	}
	fd = open_or_report(argv[0], is_write ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return 1;
	if (run_cmd(argv + ncmd) < 0) {
		close(fd);
		return 2;
	}
	if (is_write)
		rc = one_write(fd, argv[2], -1);
	else
		rc = read_rest(fd, 65536);
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	const char *op;
	int rc;

	if (argc < 3)
		return usage();
	op = argv[1];
	if (!strcmp(op, "spawn"))
		return cmd_spawn(argv + 2);
	if (!strcmp(op, "len") || !strcmp(op, "unescape")) {
		char *buf;
		size_t len;

		if (argc != 3)
			return usage();
		len = unescape(argv[2], &buf);
		if (!strcmp(op, "len"))
			printf("%zu\n", len);
		else
			write_all_stdout(buf, len);
		free(buf);
		return 0;
	}
	argc -= 2;
	argv += 2;
	if (!strcmp(op, "write"))
		rc = cmd_write(argc, argv);
	else if (!strcmp(op, "writes"))
		rc = cmd_writes(argc, argv);
	else if (!strcmp(op, "read"))
		rc = cmd_read(argc, argv);
	else if (!strcmp(op, "open"))
		rc = cmd_open(argc, argv);
	else if (!strcmp(op, "stat"))
		rc = cmd_stat(argc, argv);
	else if (!strcmp(op, "mkdir") && argc == 1)
		rc = report(mkdir(argv[0], 0755));
	else if (!strcmp(op, "rmdir") && argc == 1)
		rc = report(rmdir(argv[0]));
	else if (!strcmp(op, "unlink") && argc == 1)
		rc = report(unlink(argv[0]));
	else if (!strcmp(op, "rename") && argc == 2)
		rc = report(rename(argv[0], argv[1]));
	else if (!strcmp(op, "symlink") && argc == 2)
		rc = report(symlink(argv[0], argv[1]));
	else if (!strcmp(op, "snapshot"))
		rc = cmd_snapshot(argc, argv);
	else if (!strcmp(op, "reread"))
		rc = cmd_reread(argc, argv);
	else if (!strcmp(op, "writelines"))
		rc = cmd_writelines(argc, argv);
	else if (!strcmp(op, "stale"))
		rc = cmd_stale(argc, argv);
	else
		rc = usage();
	if (fflush(stdout) != 0)
		rc = 2;
	return rc;
}

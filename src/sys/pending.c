/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/mdevctl.h"
#include "sys/parse.h"
#include "sys/pending.h"

int ap_pending_note(struct ap_path *p, const char *uuid, pid_t waiter)
{
	char path[4096], buf[32];
	int n, e;

	e = ap_path_fmt(p, AP_ROOT, path, sizeof(path), AP_PENDING_DIR "/%s", uuid);
	if (e)
		return e;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)waiter);
	return ap_path_write_atomic(p, path, buf, (size_t)n, 0644, true);
}

/* is pid a running apctl process (the waiter, not a reused pid)? */
static bool waiter_alive(pid_t pid)
{
	char path[64], comm[32];
	ssize_t r;
	int fd;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	r = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (r <= 0)
		return false;
	comm[r] = '\0';
	return !strcmp(comm, "apctl\n");
}

int ap_pending_read(struct ap_path *p, struct ap_model *m, bool drop_stale)
{
	struct ap_dirlist l;
	char dir[4096], path[4096];
	int e;

	if (ap_path_fmt(p, AP_ROOT, dir, sizeof(dir), AP_PENDING_DIR))
		return 0;
	e = ap_path_list(p, dir, &l);
	if (e)
		return e == ENOMEM ? ENOMEM : 0;
	for (size_t i = 0; i < l.n; i++) {
		struct ap_mdev *md = NULL;
		char *buf = NULL;
		size_t len;
		int pid = 0;

		if (!ap_uuid_is_valid(l.names[i]) ||
		    snprintf(path, sizeof(path), "%s/%s", dir, l.names[i]) >= (int)sizeof(path))
			continue;
		md = ap_model_find_mdev(m, l.names[i]);
		if (ap_path_read(p, path, &buf, &len) == 0 && !ap_parse_int(buf, len, &pid) &&
		    md && md->active && waiter_alive(pid))
			md->remove_pending = true;
		else if (drop_stale)
			ap_path_unlink(p, path);
		free(buf);
	}
	ap_dirlist_free(&l);
	return 0;
}

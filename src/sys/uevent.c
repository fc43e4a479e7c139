/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <libudev.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sys/uevent.h"

/* the directories whose files the kernel sends no event for */
static const char *const watched[] = {
	"etc/mdevctl.d/matrix",
	"etc/udev/rules.d",
	"run/udev/rules.d",
};
#define N_WATCHED (sizeof(watched) / sizeof(watched[0]))

struct ap_evsrc {
	struct udev *udev;
	struct udev_monitor *mon;
	int fd;			/* the monitor's socket */
	int ino;		/* inotify, -1 when not watching */
	int wd[N_WATCHED];
	char dirs[N_WATCHED][256];
	/* inotify events read but not handed out yet */
	char ibuf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	size_t ilen, ipos;
};

bool ap_evsrc_udev_running(void)
{
	char line[1024];
	bool dev = false;
	FILE *f;

	if (access("/run/udev/control", F_OK) == 0)
		return true;
	/* libudev's other test: /dev is a devtmpfs (mountinfo: "... /dev ...
	 * - devtmpfs ...") */
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char mnt[256], *sep = strstr(line, " - ");

		if (sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1 && !strcmp(mnt, "/dev") && sep)
			dev = !strncmp(sep + 3, "devtmpfs ", 9);
	}
	fclose(f);
	return dev;
}

int ap_evsrc_open(struct ap_path *p, bool files, struct ap_evsrc **out)
{
	static const char *const subsystems[] = { "ap", "matrix", "mdev" };
	struct ap_evsrc *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return ENOMEM;
	s->ino = -1;
	s->udev = udev_new();
	if (s->udev)
		s->mon = udev_monitor_new_from_netlink(s->udev, "udev");
	if (!s->mon) {
		ap_evsrc_close(s);
		return EPROTONOSUPPORT;
	}
	for (size_t i = 0; i < 3; i++)
		udev_monitor_filter_add_match_subsystem_devtype(s->mon, subsystems[i], NULL);
	/* a burst (a mask change rebinding 65536 queues) must not run over
	 * the buffer at once; ENOBUFS is handled when it still does */
	udev_monitor_set_receive_buffer_size(s->mon, 64 * 1024 * 1024);
	if (udev_monitor_enable_receiving(s->mon) < 0) {
		ap_evsrc_close(s);
		return EPROTONOSUPPORT;
	}
	s->fd = udev_monitor_get_fd(s->mon);
	if (files) {
		s->ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		for (size_t i = 0; s->ino >= 0 && i < N_WATCHED; i++) {
			s->wd[i] = -1;
			if (ap_path_fmt(p, AP_ROOT, s->dirs[i], sizeof(s->dirs[i]), "%s", watched[i]))
				continue;
			s->wd[i] = inotify_add_watch(s->ino, s->dirs[i],
						     IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
							     IN_DELETE | IN_ONLYDIR);
		}
	}
	*out = s;
	return 0;
}

void ap_evsrc_close(struct ap_evsrc *s)
{
	if (!s)
		return;
	if (s->ino >= 0)
		close(s->ino);
	if (s->mon)
		udev_monitor_unref(s->mon);
	if (s->udev)
		udev_unref(s->udev);
	free(s);
}

static void add_prop(struct ap_event *ev, const char *k, const char *v)
{
	if (ev->n_props < AP_EV_MAXPROP)
		snprintf(ev->props[ev->n_props++], sizeof(ev->props[0]), "%s=%s", k, v);
}

static int from_udev(struct ap_evsrc *s, struct ap_event *ev)
{
	struct udev_device *dev;
	struct udev_list_entry *e;
	const char *v;

	errno = 0;
	dev = udev_monitor_receive_device(s->mon);
	if (!dev) {
		if (errno == ENOBUFS)
			return -ENOBUFS;
		return 0; /* a datagram libudev refused or filtered */
	}
	ev->source = AP_EVS_UEVENT;
	v = udev_device_get_action(dev);
	snprintf(ev->action, sizeof(ev->action), "%s", v ? v : "");
	v = udev_device_get_devpath(dev);
	snprintf(ev->devpath, sizeof(ev->devpath), "%s", v ? v : "");
	v = udev_device_get_subsystem(dev);
	snprintf(ev->subsystem, sizeof(ev->subsystem), "%s", v ? v : "");
	udev_list_entry_foreach(e, udev_device_get_properties_list_entry(dev)) {
		const char *k = udev_list_entry_get_name(e);

		if (!strcmp(k, "ACTION") || !strcmp(k, "DEVPATH") || !strcmp(k, "SUBSYSTEM") ||
		    !strcmp(k, "SEQNUM") || !strcmp(k, "USEC_INITIALIZED"))
			continue;
		add_prop(ev, k, udev_list_entry_get_value(e) ? udev_list_entry_get_value(e) : "");
	}
	udev_device_unref(dev);
	return 1;
}

static int from_inotify(struct ap_evsrc *s, struct ap_event *ev)
{
	while (s->ipos < s->ilen) {
		const struct inotify_event *ie = (const void *)(s->ibuf + s->ipos);

		s->ipos += sizeof(*ie) + ie->len;
		if (ie->mask & IN_Q_OVERFLOW) {
			ev->source = AP_EVS_OVERFLOW;
			return 1;
		}
		for (size_t i = 0; i < N_WATCHED; i++) {
			if (ie->wd != s->wd[i] || !ie->len || ie->name[0] == '.')
				continue;
			ev->source = AP_EVS_FILE;
			snprintf(ev->action, sizeof(ev->action), "%s",
				 ie->mask & (IN_DELETE | IN_MOVED_FROM) ? "remove" : "change");
			snprintf(ev->file, sizeof(ev->file), "%s/%s", watched[i], ie->name);
			return 1;
		}
	}
	return 0;
}

int ap_evsrc_next(struct ap_evsrc *s, int timeout_ms, struct ap_event *ev)
{
	struct pollfd pf[2] = { { .fd = s->fd, .events = POLLIN }, { .fd = s->ino, .events = POLLIN } };
	int r;

	memset(ev, 0, sizeof(*ev));
	for (;;) {
		r = from_inotify(s, ev);
		if (r)
			return r;
		r = poll(pf, s->ino >= 0 ? 2 : 1, timeout_ms);
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		if (pf[0].revents & (POLLIN | POLLERR)) {
			r = from_udev(s, ev);
			if (r)
				return r;
		}
		if (s->ino >= 0 && (pf[1].revents & POLLIN)) {
			ssize_t n = read(s->ino, s->ibuf, sizeof(s->ibuf));

			if (n > 0) {
				s->ilen = (size_t)n;
				s->ipos = 0;
			}
		}
		/* the time limit counts from the call, not per datagram; a
		 * refused datagram is rare enough to restart it */
	}
}

int ap_settle(struct ap_path *p, struct ap_evsrc *s, int timeout_ms, unsigned long *count)
{
	struct timespec t0, t;
	char path[4096];
	int err;

	err = ap_path_fmt(p, AP_SYSFS, path, sizeof(path), "bus/ap/scans");
	if (!err && ap_path_exists(p, path))
		err = ap_path_write(p, path, "1\n", 2);
	if (err)
		return err;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct ap_event ev;
		const char *v;
		long left;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = timeout_ms - ((t.tv_sec - t0.tv_sec) * 1000 +
				     (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return ETIMEDOUT;
		r = ap_evsrc_next(s, (int)left, &ev);
		if (r == 0)
			return ETIMEDOUT;
		if (r == -EINTR || r == -ENOBUFS)
			continue;
		if (r < 0)
			return -r;
		if (ev.source == AP_EVS_UEVENT && !strcmp(ev.devpath, "/devices/ap") &&
		    (v = ap_event_prop(&ev, "BINDINGS")) && !strcmp(v, "complete")) {
			v = ap_event_prop(&ev, "COMPLETECOUNT");
			*count = v ? strtoul(v, NULL, 10) : 0;
			return 0;
		}
	}
}

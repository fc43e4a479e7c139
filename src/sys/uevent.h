/* SPDX-License-Identifier: MIT */
/*
 * Events of the AP bus and vfio_ap as they reach user space: the uevents
 * udev re-broadcasts to libudev listeners (a libudev monitor on the "udev"
 * netlink group, filtered on the ap, matrix and mdev subsystems), and the
 * files of the definitions and udev rules changing on disk (inotify on
 * <root>/etc/mdevctl.d/matrix and the udev rule directories), for which the
 * kernel sends nothing.  Pure I/O: what an event means is core/event.h.
 */
#ifndef APCTL_SYS_UEVENT_H
#define APCTL_SYS_UEVENT_H

#include <stdbool.h>

#include "core/event.h"
#include "sys/path.h"

struct ap_evsrc;

/*
 * Open the event source.  files: also watch the definition and rule
 * directories.  Returns 0 or an errno (the libudev monitor could not be
 * made: EPROTONOSUPPORT, ENOMEM, ...).
 */
int ap_evsrc_open(struct ap_path *p, bool files, struct ap_evsrc **out);
void ap_evsrc_close(struct ap_evsrc *s);

/*
 * The next event into *ev (reset first).  timeout_ms < 0: wait without a
 * limit.  Returns 1 (an event), 0 (the time ran out), -EINTR (a signal
 * came), -ENOBUFS (events were lost: the kernel's socket buffer ran over;
 * ev is unset), or another negative errno.
 */
int ap_evsrc_next(struct ap_evsrc *s, int timeout_ms, struct ap_event *ev);

/*
 * libudev listens on the udev group only while udev seems to run
 * (/run/udev/control, or /dev a devtmpfs); otherwise its monitor hears
 * nothing.  True when events can be expected.
 */
bool ap_evsrc_udev_running(void);

/*
 * After a change that rebinds queues (kernel-abi.md 1.5): the kernel sends
 * BINDINGS=complete only at the next bus scan, so run one (a write to
 * bus/ap/scans, synchronous) and wait on s (opened before the change) for
 * that event, at most timeout_ms.  0 (*count: its COMPLETECOUNT),
 * ETIMEDOUT, or an errno.
 */
int ap_settle(struct ap_path *p, struct ap_evsrc *s, int timeout_ms, unsigned long *count);

#endif

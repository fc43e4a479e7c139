/* SPDX-License-Identifier: MIT */
/*
 * apsim: deliver each uevent the way udevd re-broadcasts it to libudev
 * listeners, so that a real libudev monitor (apctl monitor, udevadm monitor)
 * can receive the simulated host's events.
 *
 * Wire format (systemd src/libsystemd/sd-device/device-monitor.c,
 * device_monitor_send_device / device_monitor_receive_device): one
 * NETLINK_KOBJECT_UEVENT datagram sent to multicast group 2 ("udev"):
 *   a 40-byte header: the 8 bytes "libudev\0", the magic 0xfeedcafe, the
 *   header size, the offset and length of the properties, the MurmurHash2
 *   (seed 0) of the subsystem and of the devtype, and a 64-bit bloom filter
 *   of the tags (hi, lo) -- magic, hashes and bloom words in network order
 *   (the receivers' socket filters load them as big-endian words), sizes in
 *   host order;
 *   then the properties, each "KEY=VALUE\0": ACTION, DEVPATH, SUBSYSTEM,
 *   the event's variables, SEQNUM.
 * The receiver accepts only datagrams whose SCM_CREDENTIALS say uid 0: the
 * kernel attaches the sender's credentials, so apsim must run as root.
 *
 * Safety: the socket is opened only when apsim runs in a private network
 * namespace (apsim-run --netns makes one: not PID 1's, nothing but "lo"),
 * so no event ever reaches the real machine's udev or its listeners.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apsim.h"

#define UDEV_GROUP 2u
#define LIBUDEV_MAGIC 0xfeedcafeu

static int nl_fd = -1;
static unsigned long long seqnum;

/* MurmurHash2, 32 bit, as libudev hashes subsystem, devtype and tags */
static uint32_t murmur2(const char *s, size_t len, uint32_t seed)
{
	const uint32_t m = 0x5bd1e995u;
	const unsigned char *p = (const unsigned char *)s;
	uint32_t h = seed ^ (uint32_t)len;

	while (len >= 4) {
		uint32_t k = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			     (uint32_t)p[3] << 24;

		k *= m;
		k ^= k >> 24;
		k *= m;
		h = h * m ^ k;
		p += 4;
		len -= 4;
	}
	switch (len) {
	case 3:
		h ^= (uint32_t)p[2] << 16;
		/* fall through */
	case 2:
		h ^= (uint32_t)p[1] << 8;
		/* fall through */
	case 1:
		h ^= p[0];
		h *= m;
	}
	h ^= h >> 13;
	h *= m;
	h ^= h >> 15;
	return h;
}

/*
 * A private namespace as apsim-run makes it: not PID 1's (when that can be
 * seen) and no interface but the loopback.  The machine's own namespace
 * always has more; one that only looks private is harmless to send into.
 */
static bool private_netns(void)
{
	struct stat a, b;
	struct if_nameindex *ifs, *i;
	bool only_lo = true;

	if (!stat("/proc/self/ns/net", &a) && !stat("/proc/1/ns/net", &b) &&
	    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
		return false;
	ifs = if_nameindex();
	if (!ifs)
		return false;
	for (i = ifs; i->if_index; i++)
		if (strcmp(i->if_name, "lo"))
			only_lo = false;
	if_freenameindex(ifs);
	return only_lo;
}

int netlink_open(char *err, size_t errsz)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};

	if (!private_netns()) {
		snprintf(err, errsz,
			 "--netlink needs a private network namespace (apsim-run --netns): "
			 "apsim will not send uevents to the real machine's listeners");
		return -1;
	}
	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (nl_fd < 0 || bind(nl_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		snprintf(err, errsz, "netlink socket: %s", strerror(errno));
		if (nl_fd >= 0)
			close(nl_fd);
		nl_fd = -1;
		return -1;
	}
	return 0;
}

static const char *subsystem_of(const char *devpath)
{
	if (!strncmp(devpath, "/devices/ap", 11))
		return "ap";
	if (!strcmp(devpath, "/devices/vfio_ap/matrix"))
		return "matrix";
	if (!strncmp(devpath, "/devices/vfio_ap/matrix/", 24))
		return "mdev";
	return "";
}

static void put_u32(unsigned char *hdr, size_t off, uint32_t v)
{
	memcpy(hdr + off, &v, 4);
}

/* called with S.lock held, for every event the uevent log records */
void netlink_send(const char *action, const char *devpath, const char *const *vars, int n)
{
	struct sockaddr_nl dst = {.nl_family = AF_NETLINK, .nl_groups = UDEV_GROUP};
	unsigned char hdr[40] = "libudev";
	const char *subsys = subsystem_of(devpath);
	struct sbuf props = {0};
	struct iovec iov[2];
	struct msghdr msg = {.msg_name = &dst, .msg_namelen = sizeof(dst), .msg_iov = iov,
			     .msg_iovlen = 2};

	if (nl_fd < 0)
		return;
	seqnum++;
	sb_printf(&props, "ACTION=%s%cDEVPATH=%s%cSUBSYSTEM=%s%c", action, 0, devpath, 0, subsys,
		  0);
	for (int i = 0; i < n; i++)
		sb_printf(&props, "%s%c", vars[i], 0);
	sb_printf(&props, "SEQNUM=%llu%c", seqnum, 0);
	put_u32(hdr, 8, htonl(LIBUDEV_MAGIC));
	put_u32(hdr, 12, sizeof(hdr));
	put_u32(hdr, 16, sizeof(hdr));
	put_u32(hdr, 20, (uint32_t)props.len);
	put_u32(hdr, 24, htonl(murmur2(subsys, strlen(subsys), 0)));
	/* devtype hash and tag bloom stay 0: no devtype, no tags */
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = props.buf;
	iov[1].iov_len = props.len;
	/* ECONNREFUSED means nobody listens: not an error for a broadcast */
	(void)sendmsg(nl_fd, &msg, MSG_DONTWAIT);
	free(props.buf);
}

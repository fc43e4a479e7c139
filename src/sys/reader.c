/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apmask.h"
#include "core/apqn.h"
#include "core/escape.h"
#include "sys/mdevctl.h"
#include "i18n.h"
#include "sys/parse.h"
#include "sys/pending.h"
#include "sys/reader.h"
#include "core/plan.h"
#include "sys/udevrule.h"

#define BUS		"bus/ap"
#define DEVS		"bus/ap/devices"
#define DRVS		"bus/ap/drivers"
#define MATRIX		"devices/vfio_ap/matrix"
#define MTYPE		MATRIX "/mdev_supported_types/vfio_ap-passthrough"

struct rctx {
	struct ap_path *p;
	struct ap_model *m;
	struct ap_diags *d;
	unsigned int flags;
	char path[4096];	/* the file last read (for diagnostics) */
	struct ap_dirlist bus;	/* listing of bus/ap */
	bool scans;		/* bus/ap/scans exists: >= 5.18 (chkstop files) */
	const struct ap_sel *sel;	/* the devices whose own files are read; NULL all */
	bool no_migratable;	/* the first mdev had no 'migratable' attribute: none has */
};

static void bad_content(struct rctx *c, const char *buf, size_t len)
{
	char q[64];

	ap_escape(q, sizeof(q), buf, len);
	ap_diags_add(c->d, AP_DIAG_ERROR, c->path, _("unexpected content \"%s\""), q);
}

static void read_error(struct rctx *c, int err)
{
	if (err == ENOENT)
		ap_diags_add(c->d, AP_DIAG_ERROR, c->path, _("the file is missing"));
	else
		ap_diags_add(c->d, AP_DIAG_ERROR, c->path, _("cannot read: %s"), strerror(err));
}

/*
 * Read a sysfs file (path from fmt).  On error a diagnostic is added unless
 * the file is missing and !required.  Returns 0 or the errno.
 */
static int rfile(struct rctx *c, bool required, char **buf, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int rfile(struct rctx *c, bool required, char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int err;

	*buf = NULL;
	va_start(ap, fmt);
	err = ap_path_vfmt(c->p, AP_SYSFS, c->path, sizeof(c->path), fmt, ap);
	va_end(ap);
	if (!err)
		err = ap_path_read(c->p, c->path, buf, len);
	if (err == ENOENT && !required)
		return err;
	if (err)
		read_error(c, err);
	return err;
}

/* "%d\n" file; 0 on success, else -1 (reported unless missing && !required) */
static int rdint(struct rctx *c, bool required, int *out, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int rdint(struct rctx *c, bool required, int *out, const char *fmt, ...)
{
	char *buf;
	size_t len;
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = ap_path_vfmt(c->p, AP_SYSFS, c->path, sizeof(c->path), fmt, ap);
	va_end(ap);
	if (err)
		return -1;
	err = ap_path_read(c->p, c->path, &buf, &len);
	if (err) {
		if (err != ENOENT || required)
			read_error(c, err);
		return -1;
	}
	err = ap_parse_int(buf, len, out);
	if (err)
		bad_content(c, buf, len);
	free(buf);
	return err ? -1 : 0;
}

/* 0/1 file into a tri-state (AP_UNK when missing or malformed) */
static void rbool(struct rctx *c, bool required, int8_t *out, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void rbool(struct rctx *c, bool required, int8_t *out, const char *fmt, ...)
{
	char *buf;
	size_t len;
	va_list ap;
	bool v;
	int err;

	*out = AP_UNK;
	va_start(ap, fmt);
	err = ap_path_vfmt(c->p, AP_SYSFS, c->path, sizeof(c->path), fmt, ap);
	va_end(ap);
	if (err)
		return;
	err = ap_path_read(c->p, c->path, &buf, &len);
	if (err) {
		if (err != ENOENT || required)
			read_error(c, err);
		return;
	}
	if (ap_parse_bool01(buf, len, &v))
		bad_content(c, buf, len);
	else
		*out = v ? 1 : 0;
	free(buf);
}

/*
 * Every mask of the bus (apmask, aqmask and the three configuration masks)
 * is printed by the kernel as "0x" and 64 lowercase hex digits and "\n", 67
 * bytes (kernel-abi.md 1.1, 1.2).  Whatever else the file holds (a short
 * "0xff", upper case, no newline) did not come from a kernel: the value is
 * unknown, not guessed.
 */
static bool kernel_mask(const char *buf, size_t len)
{
	if (len != 67 || buf[0] != '0' || buf[1] != 'x' || buf[66] != '\n')
		return false;
	for (size_t i = 2; i < 66; i++)
		if (!isxdigit((unsigned char)buf[i]) || isupper((unsigned char)buf[i]))
			return false;
	return true;
}

/* a 256-bit mask file; 0 ok, 1 "not supported", -1 missing/bad */
static int rmask(struct rctx *c, bool required, struct ap_mask *m, bool allow_unsupported,
		 const char *name)
{
	char *buf;
	size_t len, errpos;
	int ret = -1;

	if (rfile(c, required, &buf, &len, BUS "/%s", name))
		return -1;
	if (allow_unsupported && len == 14 && memcmp(buf, "not supported\n", 14) == 0) {
		ret = 1;
	} else if (!kernel_mask(buf, len) || ap_mask_parse(buf, len, m, NULL, &errpos)) {
		char q[64];

		ap_escape(q, sizeof(q), buf, len);
		ap_diags_add(c->d, AP_DIAG_ERROR, c->path,
			     _("unexpected content \"%s\" (the kernel prints 0x, 64 lowercase "
			       "hex digits and a newline)"), q);
	} else {
		ret = 0;
	}
	free(buf);
	return ret;
}

/* copy a features line ("A B C\n") after checking it is plain tokens */
static void rfeatures(struct rctx *c, char *out, size_t outsz, const char *fmt)
{
	char *buf;
	size_t len;

	out[0] = '\0';
	if (rfile(c, true, &buf, &len, "%s", fmt))
		return;
	if (len && buf[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len; i++) {
		if (!isalnum((unsigned char)buf[i]) && !strchr(" _-", buf[i])) {
			bad_content(c, buf, len);
			free(buf);
			return;
		}
	}
	if (len >= outsz) {
		bad_content(c, buf, len);
	} else {
		memcpy(out, buf, len);
		out[len] = '\0';
	}
	free(buf);
}

static bool has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);

	for (const char *s = list; (s = strstr(s, tok)); s += n)
		if ((s == list || s[-1] == ' ') && (s[n] == '\0' || s[n] == ' '))
			return true;
	return false;
}

/* strict unsigned decimal prefix of s; returns the characters used (0: none) */
static size_t udec(const char *s, unsigned int *v)
{
	uint64_t x = 0;
	size_t i = 0;

	while (isdigit((unsigned char)s[i]) && i < 10)
		x = x * 10 + (uint64_t)(s[i++] - '0');
	if (!i || x > UINT32_MAX || isdigit((unsigned char)s[i]) || (s[0] == '0' && i > 1))
		return 0;
	*v = (unsigned int)x;
	return i;
}

static void read_bindings(struct rctx *c)
{
	struct ap_host *h = &c->m->host;
	unsigned int n, t;
	size_t len, i, k;
	char *buf;

	if (rfile(c, true, &buf, &len, BUS "/bindings"))
		return;
	/* "N/M (complete)\n" or "N/M\n" */
	if ((i = udec(buf, &n)) && buf[i] == '/' && (k = udec(buf + i + 1, &t)) &&
	    n <= t && strlen(buf) == len &&
	    (strcmp(buf + i + 1 + k, "\n") == 0 || strcmp(buf + i + 1 + k, " (complete)\n") == 0)) {
		h->bindings_bound = n;
		h->bindings_total = t;
		h->bindings_complete = buf[i + 1 + k] == ' ';
	} else {
		bad_content(c, buf, len);
	}
	free(buf);
}

static void out_of_range(struct rctx *c, int v)
{
	ap_diags_add(c->d, AP_DIAG_ERROR, c->path, _("value %d is out of range"), v);
}

/*
 * ap_max_adapter_id / ap_max_domain_id.  The kernel prints the machine's
 * Na/Nd when it reports them (APXA), else its own defaults 63 and 15, so a
 * kernel that has the file always has a value in it: a file that is
 * missing, unreadable, malformed or out of range leaves the limit unknown
 * (an error naming the file; ids are then not judged against a guess).
 * One case is the kernel's own: kernels before 5.10 have no
 * ap_max_adapter_id and allow adapters up to 63.  Such a kernel also lacks
 * "bindings" (5.11); with "bindings" present the file must be there too.
 */
static void read_max_id(struct rctx *c, const char *name, unsigned int *max, bool *unknown)
{
	bool adapter = name[7] == 'a';
	int v;

	*max = AP_MAX_ID;
	*unknown = true;
	if (!ap_dirlist_has(&c->bus, name)) {
		ap_path_fmt(c->p, AP_SYSFS, c->path, sizeof(c->path), BUS "/%s", name);
		if (adapter && !ap_dirlist_has(&c->bus, "bindings")) {
			*max = 63;
			*unknown = false;
			ap_diags_add(c->d, AP_DIAG_WARN, c->path,
				     _("the file is missing, as on kernels before 5.10: using 63, "
				       "the highest adapter id such a kernel allows"));
			return;
		}
		if (adapter)
			ap_diags_add(c->d, AP_DIAG_ERROR, c->path,
				     _("the file is missing (every kernel since 5.10 has it): "
				       "the highest adapter id is unknown"));
		else
			ap_diags_add(c->d, AP_DIAG_ERROR, c->path,
				     _("the file is missing (every kernel with AP masks has it): "
				       "the highest domain id is unknown"));
		return;
	}
	if (rdint(c, true, &v, BUS "/%s", name))
		return;
	if (v < 0 || v > AP_MAX_ID) {
		out_of_range(c, v);
		return;
	}
	*max = (unsigned int)v;
	*unknown = false;
}

/*
 * Devices come and go while they are read (another process creates and
 * removes mdevs; a bus scan takes queues away): a file of a device listed a
 * moment ago can be missing (ENOENT) or fail with ENODEV.  That is no
 * malformed data.  The readers of one device note where the diagnostics
 * stood before; if errors were added and the device's directory is gone,
 * the device is left out and its diagnostics dropped.
 */
static bool errors_since(const struct rctx *c, size_t n0)
{
	for (size_t i = n0; i < c->d->n; i++)
		if (c->d->v[i].level == AP_DIAG_ERROR)
			return true;
	return false;
}

static bool dev_gone(struct rctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool dev_gone(struct rctx *c, const char *fmt, ...)
{
	char dir[4096];
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = ap_path_vfmt(c->p, AP_SYSFS, dir, sizeof(dir), fmt, ap);
	va_end(ap);
	return !err && !ap_path_exists(c->p, dir);
}

static int read_bus(struct rctx *c)
{
	struct ap_host *h = &c->m->host;
	struct ap_caps *caps = &h->caps;
	int r1, r2, r3, v;

	caps->masks = ap_dirlist_has(&c->bus, "apmask") && ap_dirlist_has(&c->bus, "aqmask");
	caps->bindings = ap_dirlist_has(&c->bus, "bindings");
	caps->bus_features = ap_dirlist_has(&c->bus, "features");
	caps->bindings_complete_count = ap_dirlist_has(&c->bus, "bindings_complete_count");
	c->scans = ap_dirlist_has(&c->bus, "scans");

	if (caps->masks) {
		rmask(c, true, &h->apmask, false, "apmask");
		rmask(c, true, &h->aqmask, false, "aqmask");
	}
	r1 = rmask(c, true, &h->cfg_apm, true, "ap_adapter_mask");
	r2 = rmask(c, true, &h->cfg_aqm, true, "ap_usage_domain_mask");
	r3 = rmask(c, true, &h->cfg_adm, true, "ap_control_domain_mask");
	h->qci_known = r1 == 0 && r2 == 0 && r3 == 0;
	if (!h->qci_known) {
		ap_mask_zero(&h->cfg_apm);
		ap_mask_zero(&h->cfg_aqm);
		ap_mask_zero(&h->cfg_adm);
	}

	read_max_id(c, "ap_max_adapter_id", &h->max_adapter, &h->max_adapter_unknown);
	read_max_id(c, "ap_max_domain_id", &h->max_domain, &h->max_domain_unknown);
	h->ap_domain = -1;
	if (rdint(c, true, &v, BUS "/ap_domain") == 0) {
		if (v >= -1 && v <= AP_MAX_ID)
			h->ap_domain = v;
		else
			out_of_range(c, v);
	}
	if (caps->bindings)
		read_bindings(c);
	if (caps->bus_features) {
		rfeatures(c, h->bus_features, sizeof(h->bus_features), BUS "/features");
		if (strcmp(h->bus_features, "-") == 0)
			h->bus_features[0] = '\0';
	}
	return 0;
}

/* "card%02x" */
static int card_name(const char *s, unsigned int *id)
{
	if (strncmp(s, "card", 4) || strlen(s) != 6)
		return -1;
	for (int i = 4; i < 6; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return -1;
	*id = (unsigned int)strtoul(s + 4, NULL, 16);
	return 0;
}

/* "%02x.%04x" with ids <= 255 */
static int queue_name(const char *s, unsigned int *apid, unsigned int *apqi)
{
	if (strlen(s) != 7 || s[2] != '.')
		return -1;
	for (int i = 0; i < 7; i++) {
		if (i == 2)
			continue;
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return -1;
	}
	*apid = (unsigned int)strtoul(s, NULL, 16);
	*apqi = (unsigned int)strtoul(s + 3, NULL, 16);
	return *apqi > AP_MAX_ID ? -1 : 0;
}

static enum ap_driver driver_from_name(const char *name)
{
	if (strcmp(name, "cex4card") == 0)
		return AP_DRV_CEX4CARD;
	if (strcmp(name, "cex4queue") == 0)
		return AP_DRV_CEX4QUEUE;
	if (strcmp(name, "vfio_ap") == 0)
		return AP_DRV_VFIO_AP;
	return AP_DRV_OTHER;
}

/* List the devices, then the driver directories for the bindings. */
static int read_devices(struct rctx *c)
{
	struct ap_host *h = &c->m->host;
	bool queues = c->flags & AP_RD_QUEUES;
	struct ap_dirlist l, drv;
	char dir[4096];
	int err;

	/* cards only: /sys/devices/ap holds just the cards (and a few files) */
	err = ap_path_fmt(c->p, AP_SYSFS, dir, sizeof(dir), queues ? DEVS : "devices/ap");
	if (!err)
		err = ap_path_list(c->p, dir, &l);
	if (err == ENOMEM)
		return -ENOMEM;
	if (err) {
		ap_diags_add(c->d, AP_DIAG_ERROR, dir, _("cannot list the AP devices: %s"),
			     strerror(err));
		return 0;
	}
	for (size_t i = 0; i < l.n; i++) {
		unsigned int a, q;

		if (card_name(l.names[i], &a) == 0) {
			if (!ap_host_add_card(h, a))
				goto oom;
		} else if (queues && queue_name(l.names[i], &a, &q) == 0) {
			if (!ap_host_add_queue(h, a, q))
				goto oom;
		}
	}
	ap_dirlist_free(&l);

	err = ap_path_fmt(c->p, AP_SYSFS, dir, sizeof(dir), DRVS);
	if (!err)
		err = ap_path_list(c->p, dir, &drv);
	if (err == ENOMEM)
		return -ENOMEM;
	if (err) {
		ap_diags_add(c->d, AP_DIAG_ERROR, dir, _("cannot list the AP drivers: %s"),
			     strerror(err));
		return 0;
	}
	for (size_t k = 0; k < drv.n; k++) {
		enum ap_driver dv = driver_from_name(drv.names[k]);

		/* queue drivers hold many entries: list them only for queue views */
		if (!queues && (dv == AP_DRV_CEX4QUEUE || dv == AP_DRV_VFIO_AP))
			continue;
		err = ap_path_fmt(c->p, AP_SYSFS, dir, sizeof(dir), DRVS "/%s", drv.names[k]);
		if (!err)
			err = ap_path_list(c->p, dir, &l);
		if (err == ENOMEM) {
			ap_dirlist_free(&drv);
			return -ENOMEM;
		}
		if (err) {
			ap_diags_add(c->d, AP_DIAG_ERROR, dir, _("cannot list: %s"), strerror(err));
			continue;
		}
		for (size_t i = 0; i < l.n; i++) {
			unsigned int a, q;
			struct ap_card *cd;
			struct ap_queue *qu;

			if (card_name(l.names[i], &a) == 0) {
				cd = ap_host_find_card(h, a);
				if (cd)
					cd->driver = dv;
			} else if (queues && queue_name(l.names[i], &a, &q) == 0) {
				qu = ap_host_find_queue(h, a, q);
				if (qu)
					qu->driver = dv;
			}
		}
		ap_dirlist_free(&l);
	}
	ap_dirlist_free(&drv);
	return 0;
oom:
	ap_dirlist_free(&l);
	return -ENOMEM;
}

static void read_card(struct rctx *c, struct ap_card *cd)
{
	unsigned int id = cd->id;
	char *buf;
	size_t len;
	int v;

	if (rdint(c, true, &v, DEVS "/card%02x/hwtype", id) == 0)
		cd->hwtype = v;
	if (rdint(c, true, &v, DEVS "/card%02x/raw_hwtype", id) == 0)
		cd->raw_hwtype = v;
	if (rdint(c, true, &v, DEVS "/card%02x/depth", id) == 0)
		cd->depth = v;
	if (rfile(c, true, &buf, &len, DEVS "/card%02x/ap_functions", id) == 0) {
		if (ap_parse_hex32(buf, len, &cd->functions) == 0) {
			cd->functions_known = true;
			cd->mode = ap_mode_from_functions(cd->functions);
		} else {
			bad_content(c, buf, len);
		}
		free(buf);
	}
	if (cd->driver == AP_DRV_CEX4CARD)
		rbool(c, true, &cd->online, DEVS "/card%02x/online", id);
	if (cd->online == 1) {
		/* online 1 implies config 1 and no checkstop (kernel-abi.md 2.2) */
		cd->config = 1;
		cd->chkstop = c->scans ? 0 : AP_UNK;
	} else {
		rbool(c, true, &cd->config, DEVS "/card%02x/config", id);
		rbool(c, c->scans, &cd->chkstop, DEVS "/card%02x/chkstop", id);
	}
	if (cd->driver == AP_DRV_CEX4CARD) {
		if (rfile(c, true, &buf, &len, DEVS "/card%02x/type", id) == 0) {
			/* "CEX<n><A|C|P>\n" */
			if (len >= 5 && len < sizeof(cd->type) && buf[len - 1] == '\n' &&
			    strncmp(buf, "CEX", 3) == 0 &&
			    strspn(buf, "CEXACP0123456789") == len - 1) {
				memcpy(cd->type, buf, len - 1);
				cd->type[len - 1] = '\0';
			} else {
				bad_content(c, buf, len);
			}
			free(buf);
		}
	}
}

/*
 * driver_override (present since 6.19, like bindings_complete_count: no
 * probing per queue).  It decides ownership, so it is read with every queue
 * listing, not only with the queue details.  An empty line: no override.
 */
static void read_override(struct rctx *c, struct ap_queue *q)
{
	char *buf;
	size_t len;

	if (rfile(c, true, &buf, &len, DEVS "/%02x.%04x/driver_override", q->apid, q->apqi))
		return;
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len < sizeof(q->driver_override) &&
	    strspn(buf, "abcdefghijklmnopqrstuvwxyz0123456789_-") == len)
		memcpy(q->driver_override, buf, len + 1);
	else
		bad_content(c, buf, len);
	free(buf);
}

static void read_queue(struct rctx *c, struct ap_queue *q)
{
	struct ap_caps *caps = &c->m->host.caps;
	unsigned int a = q->apid, d = q->apqi;
	char *buf;
	size_t len;

	if (q->driver == AP_DRV_CEX4QUEUE)
		rbool(c, true, &q->online, DEVS "/%02x.%04x/online", a, d);
	if (q->online == 1) {
		/* online reads 1 only when config is 1 and the queue is not
		 * checkstopped (kernel-abi.md 2.3): two reads fewer per queue */
		q->config = 1;
		q->chkstop = c->scans ? 0 : AP_UNK;
	} else {
		rbool(c, true, &q->config, DEVS "/%02x.%04x/config", a, d);
		rbool(c, c->scans, &q->chkstop, DEVS "/%02x.%04x/chkstop", a, d);
	}
	if (q->driver == AP_DRV_VFIO_AP &&
	    rfile(c, caps->guest_matrix || c->scans, &buf, &len,
		  DEVS "/%02x.%04x/status", a, d) == 0) {
		caps->queue_status = true;
		if (strcmp(buf, "unassigned\n") == 0)
			q->status = AP_QS_UNASSIGNED;
		else if (strcmp(buf, "assigned\n") == 0)
			q->status = AP_QS_ASSIGNED;
		else if (strcmp(buf, "in use\n") == 0)
			q->status = AP_QS_IN_USE;
		else
			bad_content(c, buf, len);
		free(buf);
	}
}

/*
 * What a live migration check needs of the queues (6.4+, where queues have
 * ap_functions): whether this host is a Secure Execution guest (its queues
 * have se_bind), and the word of each queue a running guest uses (the
 * card's copy lacks the Secure Execution bind state, and only a guest can
 * bind a queue, so the others are not read: on a host like the maximal one
 * that would be 65536 reads).
 */
static void read_qfuncs(struct rctx *c, const struct ap_sel *sel)
{
	struct ap_model *m = c->m;
	struct ap_host *h = &m->host;
	char *buf;
	size_t len;
	int a, d;

	if (!h->caps.bus_features)
		return;
	h->qfunc_read = true;
	if (h->n_queues &&
	    rfile(c, false, &buf, &len, DEVS "/%02x.%04x/se_bind", h->queues[0].apid,
		  h->queues[0].apqi) == 0) {
		h->caps.se_guest = true;
		free(buf);
	}
	for (size_t i = 0; i < m->n_mdevs; i++) {
		const struct ap_mdev *md = &m->mdevs[i];

		if (!md->active || !md->in_use || !md->guest_known)
			continue;
		ap_mask_for_each(a, &md->guest.apm) {
			ap_mask_for_each(d, &md->guest.aqm) {
				struct ap_queue *q = ap_host_find_queue(h, (unsigned int)a,
									(unsigned int)d);

				if (!q || q->functions_known || q->driver != AP_DRV_VFIO_AP ||
				    !ap_sel_has_queue(sel, q->apid, q->apqi))
					continue;
				if (rfile(c, false, &buf, &len, DEVS "/%02x.%04x/ap_functions",
					  q->apid, q->apqi))
					continue;	/* gone meanwhile: unknown */
				if (ap_parse_hex32(buf, len, &q->functions) == 0)
					q->functions_known = true;
				else
					bad_content(c, buf, len);
				free(buf);
			}
		}
	}
}

/* mdev matrix: ap_config where it exists, else matrix + control_domains */
static void read_mdev_live(struct rctx *c, struct ap_mdev *md)
{
	struct ap_caps *caps = &c->m->host.caps;
	bool trunc = false;
	size_t len, errpos;
	char *buf;
	int err;

	err = rfile(c, caps->ap_config, &buf, &len, MATRIX "/%s/ap_config", md->uuid);
	if (!err) {
		caps->ap_config = true;
		if (ap_config_parse(buf, len, &md->live.apm, &md->live.aqm, &md->live.adm,
				    &errpos))
			bad_content(c, buf, len);
		free(buf);
		return;
	}
	if (err != ENOENT || caps->ap_config)
		return;
	if (rfile(c, true, &buf, &len, MATRIX "/%s/matrix", md->uuid) == 0) {
		if (ap_matrix_parse(buf, len, &md->live.apm, &md->live.aqm, &trunc, &errpos))
			bad_content(c, buf, len);
		else if (trunc)
			ap_diags_add(c->d, AP_DIAG_WARN, c->path,
				     _("the kernel cut the list short at 4095 bytes: the "
				       "matrix shown is incomplete"));
		free(buf);
	}
	if (rfile(c, true, &buf, &len, MATRIX "/%s/control_domains", md->uuid) == 0) {
		if (ap_cdoms_parse(buf, len, &md->live.adm, &errpos))
			bad_content(c, buf, len);
		free(buf);
	}
}

/* does the first APQN of (apm x aqm) have vfio_ap status "in use"? */
static void read_in_use(struct rctx *c, struct ap_mdev *md, const struct ap_matrix *mx)
{
	struct ap_host *h = &c->m->host;
	int a = ap_mask_next(&mx->apm, 0), d = ap_mask_next(&mx->aqm, 0);
	struct ap_queue *q;
	char *buf;
	size_t len;

	if (a < 0 || d < 0)
		return;
	q = ap_host_find_queue(h, (unsigned int)a, (unsigned int)d);
	if (q && (c->flags & AP_RD_QUEUE_DETAIL)) {
		md->in_use = q->status == AP_QS_IN_USE;
		return;
	}
	if (q && q->driver != AP_DRV_VFIO_AP)
		return;
	if (rfile(c, false, &buf, &len, DEVS "/%02x.%04x/status", a, d) == 0) {
		h->caps.queue_status = true;
		md->in_use = strcmp(buf, "in use\n") == 0;
		if (!md->in_use && strcmp(buf, "assigned\n") && strcmp(buf, "unassigned\n"))
			bad_content(c, buf, len);
		free(buf);
	}
}

static void read_mdev(struct rctx *c, struct ap_mdev *md);

static int read_mdevs(struct rctx *c, const struct ap_dirlist *ml)
{
	struct ap_model *m = c->m;
	struct ap_caps *caps = &m->host.caps;
	size_t len;
	char *buf;
	uint64_t v;

	if (rfile(c, true, &buf, &len, MTYPE "/available_instances") == 0) {
		if (ap_parse_u64(buf, len, &v) == 0 && v <= 65536)
			m->host.available_instances = (long)v;
		else
			bad_content(c, buf, len);
		free(buf);
	}
	for (size_t i = 0; i < ml->n; i++) {
		const char *name = ml->names[i];
		struct ap_caps caps0 = *caps;
		size_t n0 = c->d->n;

		if (!ap_uuid_is_valid(name))
			continue;
		/* at most two readings of one mdev: a second one for an mdev
		 * removed and created again meanwhile */
		for (int attempt = 0; attempt < 2; attempt++) {
			struct ap_mdev *md = ap_model_get_mdev(m, name);

			if (!md)
				return -ENOMEM;
			read_mdev(c, md);
			/* fine, or a pre-6.0 mdev without guest_matrix */
			if (!errors_since(c, n0) &&
			    (caps0.no_guest_matrix || !caps->no_guest_matrix))
				break;
			if (!dev_gone(c, MATRIX "/%s", name)) {
				if (!errors_since(c, n0) || attempt)
					break;
			} else {
				attempt = 1;	/* gone: left out */
			}
			ap_diags_truncate(c->d, n0);
			*caps = caps0;
			ap_model_drop_mdev(m, md);
		}
	}
	return 0;
}

/* one active mdev: its matrix and, with AP_RD_GUEST, its guest */
static void read_mdev(struct rctx *c, struct ap_mdev *md)
{
	struct ap_caps *caps = &c->m->host.caps;
	const char *name = md->uuid;
	size_t len, errpos;
	bool trunc = false;
	char *buf;
	int err;

	md->active = true;
	read_mdev_live(c, md);
	/* the v1 migration patch's per-mdev switch, where the kernel has it */
	md->migratable = AP_UNK;
	if (c->no_migratable) {
		/* a kernel-wide property: not looked for again */
	} else if ((err = rfile(c, false, &buf, &len, MATRIX "/%s/migratable", name)) == 0) {
		caps->mdev_migratable = true;
		if (!strcmp(buf, "0\n") || !strcmp(buf, "1\n"))
			md->migratable = buf[0] == '1';
		else
			bad_content(c, buf, len);
		free(buf);
	} else if (err == ENOENT && !caps->mdev_migratable) {
		c->no_migratable = true;
	}
	if (!(c->flags & AP_RD_GUEST))
		return;
	{
		err = rfile(c, caps->guest_matrix && caps->matrix_features, &buf, &len,
			    MATRIX "/%s/guest_matrix", name);
		if (!err) {
			caps->guest_matrix = true;
			if (ap_matrix_parse(buf, len, &md->guest.apm, &md->guest.aqm, &trunc,
					    &errpos) == 0)
				md->guest_known = true;
			else
				bad_content(c, buf, len);
			md->guest_truncated = md->guest_known && trunc;
			if (md->guest_truncated)
				ap_diags_add(c->d, AP_DIAG_WARN, c->path,
					     _("the kernel cut the list short at 4095 bytes: the "
					       "matrix shown is incomplete"));
			free(buf);
			if (md->guest_known)
				read_in_use(c, md, &md->guest);
		} else if (err == ENOENT && !caps->guest_matrix) {
			caps->no_guest_matrix = true;
			/* before 6.0 the status said "in use" for every queue of the mdev */
			read_in_use(c, md, &md->live);
		}
	}
}

/*
 * driverctl's saved overrides (/etc/driverctl.d/ap-AA.DDDD: the driver
 * name and a newline, set again at boot by its udev rule and service) and
 * whether driverctl's boot part is installed.
 */
static int read_driverctl(struct ap_path *p, struct ap_host *h)
{
	static const char *const boot[] = {
		"usr/lib/udev/rules.d/05-driverctl.rules", "lib/udev/rules.d/05-driverctl.rules",
		"etc/udev/rules.d/05-driverctl.rules", "usr/lib/udev/rules.d/89-driverctl.rules",
		"lib/udev/rules.d/89-driverctl.rules", "usr/lib/systemd/system/driverctl@.service",
		"lib/systemd/system/driverctl@.service", "etc/systemd/system/driverctl@.service",
	};
	struct ap_dirlist l;
	char path[4096];
	size_t gone = 0;

	h->driverctl_boot = false;
	for (size_t i = 0; i < sizeof(boot) / sizeof(boot[0]) && !h->driverctl_boot; i++)
		if (!ap_path_fmt(p, AP_ROOT, path, sizeof(path), "%s", boot[i]))
			h->driverctl_boot = ap_path_exists(p, path);
	h->n_saved_overrides = 0;
	h->saved_gone[0] = '\0';
	if (ap_path_fmt(p, AP_ROOT, path, sizeof(path), "%s", AP_FILE_DRIVERCTL_DIR))
		return 0;
	memset(&l, 0, sizeof(l));
	if (ap_path_list(p, path, &l))
		return 0;
	h->driverctl_read = true;
	for (size_t i = 0; i < l.n; i++) {
		const char *name = l.names[i];
		unsigned int a, d;
		struct ap_queue *q;
		char *buf = NULL, chk[16];
		size_t len = 0;

		if (strlen(name) != 10 || sscanf(name, "ap-%2x.%4x", &a, &d) != 2)
			continue;
		snprintf(chk, sizeof(chk), "ap-%02x.%04x", a, d);
		if (strcmp(chk, name) ||
		    ap_path_fmt(p, AP_ROOT, path, sizeof(path), "%s/%s", AP_FILE_DRIVERCTL_DIR, name) ||
		    ap_path_read(p, path, &buf, &len))
			continue;
		/* driverctl loads only a file that is not empty */
		if (len) {
			h->n_saved_overrides++;
			q = ap_host_find_queue(h, a, d);
			if (q) {
				size_t n = strcspn(buf, "\n");

				snprintf(q->saved_override, sizeof(q->saved_override), "%.*s",
					 (int)n, buf);
			} else if (gone++ < 16) {
				size_t k = strlen(h->saved_gone);

				snprintf(h->saved_gone + k, sizeof(h->saved_gone) - k, "%s%s",
					 k ? ", " : "", name + 3);
			}
		}
		free(buf);
	}
	ap_dirlist_free(&l);
	return 0;
}

int ap_read_model(struct ap_path *p, unsigned int flags, struct ap_model *m,
		  struct ap_diags *d)
{
	return ap_read_model_sel(p, flags, NULL, m, d);
}

int ap_read_model_sel(struct ap_path *p, unsigned int flags, const struct ap_sel *sel,
		      struct ap_model *m, struct ap_diags *d)
{
	struct rctx c = { .p = p, .m = m, .d = d, .flags = flags, .sel = sel };
	struct ap_dirlist ml = { 0 };
	struct ap_caps *caps;
	char dir[4096];
	int err, ret = AP_READ_OK;

	ap_model_init(m);
	caps = &m->host.caps;
	if (flags & (AP_RD_QUEUE_DETAIL | AP_RD_QFUNC))
		c.flags |= AP_RD_QUEUES;
	if (flags & AP_RD_QFUNC)
		c.flags |= AP_RD_GUEST | AP_RD_MDEVS;
	if (flags & AP_RD_GUEST)
		c.flags |= AP_RD_MDEVS;

	err = ap_path_fmt(p, AP_SYSFS, dir, sizeof(dir), BUS);
	if (!err)
		err = ap_path_list(p, dir, &c.bus);
	if (err == ENOENT || err == ENOTDIR)
		return AP_READ_NOAP;
	if (err) {
		ap_diags_add(d, AP_DIAG_ERROR, dir, _("cannot list the AP bus: %s"), strerror(err));
		return -err;
	}
	caps->ap_bus = true;

	/* the vfio_ap matrix device: features and the mdevs */
	err = ap_path_fmt(p, AP_SYSFS, dir, sizeof(dir), MATRIX);
	if (!err)
		err = ap_path_list(p, dir, &ml);
	if (err == ENOMEM) {
		ret = -ENOMEM;
		goto out;
	}
	if (!err) {
		caps->vfio_ap = true;
		caps->matrix_features = ap_dirlist_has(&ml, "features");
	} else if (err != ENOENT) {
		ap_diags_add(d, AP_DIAG_ERROR, dir, _("cannot list: %s"), strerror(err));
	}

	read_bus(&c);
	if (caps->matrix_features) {
		struct ap_host *h = &m->host;

		rfeatures(&c, h->matrix_features, sizeof(h->matrix_features), MATRIX "/features");
		caps->guest_matrix = has_token(h->matrix_features, "guest_matrix");
		caps->ap_config = has_token(h->matrix_features, "ap_config");
	}
	/* the vfio_ap queue 'status' file came with 5.17, 'scans' with 5.18;
	 * the 6.0 rework builds on the bus's in_use hook of 5.18, so a kernel
	 * without 'scans' has no guest_matrix either */
	if (c.scans)
		caps->queue_status = true;
	else
		caps->no_guest_matrix = true;
	/* the AP bus 'features' file came with 6.4, after the 6.0 rework */
	if (caps->bus_features)
		caps->guest_matrix = caps->queue_status = true;
	/* bindings_complete_count and driver_override both came with 6.19 */
	if (caps->bindings_complete_count)
		caps->driver_override = true;

	if (flags & (AP_RD_CARDS | AP_RD_QUEUES | AP_RD_QUEUE_DETAIL | AP_RD_QFUNC)) {
		ret = read_devices(&c);
		if (ret)
			goto out;
	}
	if (flags & AP_RD_CARDS) {
		for (size_t i = 0; i < m->host.n_cards; i++) {
			struct ap_card *cd = &m->host.cards[i];
			size_t n0 = d->n;

			if (!ap_sel_has_adapter(sel, cd->id))
				continue;
			read_card(&c, cd);
			if (errors_since(&c, n0) && dev_gone(&c, DEVS "/card%02x", cd->id)) {
				ap_diags_truncate(d, n0);
				ap_host_drop_card(&m->host, cd);
				i--;
			}
		}
	}
	if (flags & AP_RD_QUEUE_DETAIL) {
		for (size_t i = 0; i < m->host.n_queues; i++) {
			struct ap_queue *q = &m->host.queues[i];
			size_t n0 = d->n;

			if (!ap_sel_has_queue(sel, q->apid, q->apqi))
				continue;
			read_queue(&c, q);
			if (errors_since(&c, n0) &&
			    dev_gone(&c, DEVS "/%02x.%04x", q->apid, q->apqi)) {
				ap_diags_truncate(d, n0);
				ap_host_drop_queue(&m->host, q);
				i--;
			}
		}
	}
	if ((c.flags & AP_RD_QUEUES) && caps->driver_override) {
		/* Every override where one can be set: the kernel takes them only
		 * while the masks are the defaults (or set on the command line).
		 * Where the masks were changed, only the queues whose binding the
		 * masks do not explain (bound against them, or unbound) can have
		 * an override that matters for ownership; reading just those keeps
		 * the queue listing at two directory listings on a host like the
		 * maximal one (65536 queues).  The details read them all. */
		bool all = (c.flags & AP_RD_QUEUE_DETAIL) ||
			   (ap_mask_is_full(&m->host.apmask) && ap_mask_is_full(&m->host.aqmask));

		for (size_t i = 0; i < m->host.n_queues; i++) {
			struct ap_queue *q = &m->host.queues[i];
			size_t n0 = d->n;

			if (!ap_sel_has_queue(sel, q->apid, q->apqi))
				continue;
			if (!all) {
				bool host = ap_host_owns(&m->host, q->apid, q->apqi);

				if (q->driver != AP_DRV_NONE &&
				    (host ? q->driver == AP_DRV_CEX4QUEUE
					  : q->driver == AP_DRV_VFIO_AP))
					continue;
			}
			read_override(&c, q);
			if (errors_since(&c, n0) &&
			    dev_gone(&c, DEVS "/%02x.%04x", q->apid, q->apqi)) {
				ap_diags_truncate(d, n0);
				ap_host_drop_queue(&m->host, q);
				i--;
			}
		}
	}
	if ((c.flags & AP_RD_MDEVS) && caps->vfio_ap) {
		ret = read_mdevs(&c, &ml);
		if (ret)
			goto out;
	}
	if (flags & AP_RD_QFUNC)
		read_qfuncs(&c, sel);
	if (flags & AP_RD_DEFS) {
		err = ap_mdevdefs_read(p, m, d);
		if (err == ENOMEM) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (flags & AP_RD_PERSIST) {
		err = ap_persist_read(p, &m->host, d);
		if (err == ENOMEM) {
			ret = -ENOMEM;
			goto out;
		}
		if (caps->driver_override)
			read_driverctl(p, &m->host);
	}
	ap_model_sort(m);
	/* removals the kernel still blocks: the views say so */
	if ((c.flags & AP_RD_MDEVS) && caps->vfio_ap && ap_pending_read(p, m, false) == ENOMEM)
		ret = -ENOMEM;
out:
	ap_dirlist_free(&ml);
	ap_dirlist_free(&c.bus);
	return ret;
}

/* ---- the incremental mode (apctl monitor): one part at a time ---------- */

static void rctx_for(struct rctx *c, struct ap_path *p, struct ap_model *m, struct ap_diags *d,
		     unsigned int flags)
{
	memset(c, 0, sizeof(*c));
	c->p = p;
	c->m = m;
	c->d = d;
	c->flags = flags;
	/* 'scans' tells the chkstop files (>= 5.18); the full read found it */
	c->scans = m->host.caps.queue_status;
}

int ap_read_bindings(struct ap_path *p, struct ap_model *m, struct ap_diags *d)
{
	struct rctx c;

	if (!m->host.caps.bindings)
		return 0;
	rctx_for(&c, p, m, d, 0);
	read_bindings(&c);
	return 0;
}

int ap_read_masks(struct ap_path *p, struct ap_model *m, struct ap_diags *d)
{
	struct rctx c;

	if (!m->host.caps.masks)
		return 0;
	rctx_for(&c, p, m, d, 0);
	rmask(&c, true, &m->host.apmask, false, "apmask");
	rmask(&c, true, &m->host.aqmask, false, "aqmask");
	return 0;
}

int ap_read_one_mdev(struct ap_path *p, struct ap_model *m, const char *uuid,
		     struct ap_diags *d)
{
	struct ap_mdev *md;
	struct rctx c;
	char dir[4096];
	size_t n0 = d->n;

	rctx_for(&c, p, m, d, AP_RD_MDEVS | AP_RD_GUEST);
	if (ap_path_fmt(p, AP_SYSFS, dir, sizeof(dir), MATRIX "/%s", uuid))
		return EINVAL;
	md = ap_model_find_mdev(m, uuid);
	if (!ap_path_exists(p, dir)) {
		if (md) {
			if (md->defined)
				md->active = false;
			else
				ap_model_drop_mdev(m, md);
		}
		return ENOENT;
	}
	md = ap_model_get_mdev(m, uuid);
	if (!md)
		return ENOMEM;
	memset(&md->live, 0, sizeof(md->live));
	memset(&md->guest, 0, sizeof(md->guest));
	md->guest_known = md->in_use = false;
	read_mdev(&c, md);
	if (errors_since(&c, n0) && dev_gone(&c, MATRIX "/%s", uuid)) {
		ap_diags_truncate(d, n0);
		md = ap_model_find_mdev(m, uuid);
		if (md && !md->defined)
			ap_model_drop_mdev(m, md);
		return ENOENT;
	}
	return 0;
}

int ap_read_one_def(struct ap_path *p, struct ap_model *m, const char *uuid,
		    struct ap_diags *d)
{
	struct ap_mdevdef def;
	struct ap_mdev *md;
	int err;

	err = ap_mdevdef_read(p, uuid, &def, d);
	md = ap_model_find_mdev(m, uuid);
	if (err) {
		if (md) {
			md->defined = md->autostart = false;
			if (!md->active)
				ap_model_drop_mdev(m, md);
		}
		return err;
	}
	md = ap_model_get_mdev(m, uuid);
	if (!md)
		return ENOMEM;
	md->defined = true;
	md->autostart = def.autostart;
	md->def = def.m;
	return 0;
}

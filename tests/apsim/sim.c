/* SPDX-License-Identifier: MIT */
/*
 * apsim model: the AP bus, its devices and drivers, vfio_ap and its mdevs.
 * All functions here run with S.lock held.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "apsim.h"

struct sim S;

const char *const drv_names[DRV_COUNT] = {"", "cex4card", "cex4queue", "vfio_ap"};

static const char *const mode_names[] = {"accel", "cca", "ep11"};

/* ---- logs ----------------------------------------------------------------- */

void log_push(struct strlog *l, char *s)
{
	if (!l->v) {
		l->v = calloc(l->max, sizeof(*l->v));
		if (!l->v)
			abort();
	}
	if (l->n == l->max) {
		/* full: drop the oldest */
		free(l->v[l->cap]);
		l->v[l->cap] = s;
		l->cap = (l->cap + 1) % l->max;
		return;
	}
	l->v[(l->cap + l->n) % l->max] = s;
	l->n++;
}

const char *log_get(const struct strlog *l, size_t i)
{
	return l->v[(l->cap + i) % l->max];
}

void log_clear(struct strlog *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[(l->cap + i) % l->max]);
	l->n = 0;
	l->cap = 0;
}

void logf_dmesg(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	log_push(&S.dmesg, s);
}

void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = sb->cap - sb->len;

		va_start(ap, fmt);
		n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if ((size_t)n < room) {
			sb->len += (size_t)n;
			return;
		}
		sb->cap = (sb->cap + (size_t)n + 1) * 2;
		sb->buf = realloc(sb->buf, sb->cap);
		if (!sb->buf)
			abort();
	}
}

/* one event: "ACTION DEVPATH\n" then "KEY=VALUE\n" lines (control characters escaped) */
void uevent_emit(const char *action, const char *devpath, const char *const *vars, int n)
{
	struct sbuf sb = {0};

	sb_printf(&sb, "%s %s\n", action, devpath);
	for (int i = 0; i < n; i++) {
		for (const char *p = vars[i]; *p; p++) {
			if (*p == '\n')
				sb_printf(&sb, "\\n");
			else if (*p == '\\')
				sb_printf(&sb, "\\\\");
			else if ((unsigned char)*p < 0x20)
				sb_printf(&sb, "\\x%02x", (unsigned char)*p);
			else
				sb_printf(&sb, "%c", *p);
		}
		sb_printf(&sb, "\n");
	}
	log_push(&S.uevents, sb.buf);
	netlink_send(action, devpath, vars, n);
}

int mode_of(uint32_t f)
{
	if (f & 0x08000000u)
		return MODE_ACCEL;
	if (f & 0x10000000u)
		return MODE_CCA;
	if (f & 0x04000000u)
		return MODE_EP11;
	return -1;
}

uint32_t default_functions(int mode, bool apxa)
{
	uint32_t f = 0x80000000u;

	/* coprocessors in an LPAR report the full native function set in
	 * the classification byte; accelerators report no class */
	switch (mode) {
	case MODE_ACCEL:
		f |= 0x60000000u | 0x08000000u;
		break;
	case MODE_CCA:
		f |= 0x10000000u | FUNC_CLASS_FULL;
		break;
	default:
		f |= 0x04000000u | FUNC_CLASS_FULL;
		break;
	}
	if (apxa)
		f |= 0x02000000u;
	return f;
}

/* the bus-side uevent variables of a card (without the action-specific ones) */
static int card_vars(int a, char v[][48], bool with_driver)
{
	struct card *c = &S.cards[a];
	int n = 0, mode = mode_of(c->functions);

	if (with_driver && c->driver)
		snprintf(v[n++], 48, "DRIVER=%s", drv_names[c->driver]);
	snprintf(v[n++], 48, "DEV_TYPE=%04X", (unsigned int)c->hwtype);
	snprintf(v[n++], 48, "MODALIAS=ap:t%02X", (unsigned int)c->hwtype);
	if (KV(601) && mode >= 0)
		snprintf(v[n++], 48, "MODE=%s", mode_names[mode]);
	return n;
}

static int queue_vars(int a, int d, char v[][48], bool with_driver)
{
	struct queue *q = Q(a, d);
	struct card *c = &S.cards[a];
	int n = 0, mode = mode_of(c->functions);

	if (with_driver && q->driver)
		snprintf(v[n++], 48, "DRIVER=%s", drv_names[q->driver]);
	if (!KV(601)) {
		snprintf(v[n++], 48, "DEV_TYPE=%04X", (unsigned int)c->hwtype);
		snprintf(v[n++], 48, "MODALIAS=ap:t%02X", (unsigned int)c->hwtype);
	} else if (mode >= 0) {
		snprintf(v[n++], 48, "MODE=%s", mode_names[mode]);
	}
	return n;
}

static void emit_with(const char *action, const char *path, const char *extra, char v[][48], int n)
{
	const char *vars[8];
	int k = 0;

	if (extra)
		vars[k++] = extra;
	for (int i = 0; i < n; i++)
		vars[k++] = v[i];
	uevent_emit(action, path, vars, k);
}

void card_uevent(int a, const char *action, const char *extra)
{
	char v[6][48], path[48];
	int n = card_vars(a, v, true);

	snprintf(path, sizeof(path), "/devices/ap/card%02x", (unsigned int)a);
	emit_with(action, path, extra, v, n);
}

void queue_uevent(int a, int d, const char *action, const char *extra)
{
	char v[6][48], path[64];
	int n = queue_vars(a, d, v, true);

	snprintf(path, sizeof(path), "/devices/ap/card%02x/%02x.%04x", (unsigned int)a,
		 (unsigned int)a, (unsigned int)d);
	emit_with(action, path, extra, v, n);
}

static void root_uevent(const char *var1, const char *var2)
{
	const char *v[2] = {var1, var2};

	uevent_emit("change", "/devices/ap", v, var2 ? 2 : 1);
}

static void mdev_uevent(struct mdev *m, const char *action, bool driver)
{
	char path[80];
	const char *v[2] = {"DRIVER=vfio_ap_mdev", "MDEV_TYPE=vfio_ap-passthrough"};

	snprintf(path, sizeof(path), "/devices/vfio_ap/matrix/%s", m->uuid);
	if (driver)
		uevent_emit(action, path, v, 2);
	else
		uevent_emit(action, path, v + 1, 1);
}

/* ---- configuration helpers ---------------------------------------------- */

int sim_max_adapter_id(void)
{
	return S.cur.present && S.cur.apxa && S.cur.na ? S.cur.na : 63;
}

int sim_max_domain_id(void)
{
	return S.cur.present && S.cur.apxa && S.cur.nd ? S.cur.nd : 15;
}

/* host-owned per the masks only */
static bool owned_by_masks(int a, int d)
{
	return m_test(&S.apmask, (unsigned int)a) && m_test(&S.aqmask, (unsigned int)d);
}

/* ap_apqn_in_matrix_owned_by_def_drv */
static bool owned_by_def_drv(int a, int d)
{
	struct queue *q = Q(a, d);

	if (KV(619) && q->exists && q->override)
		return q->driver == DRV_CEX4QUEUE;
	return owned_by_masks(a, d);
}

static bool adapter_in_cfg(int a)
{
	if (!S.cur.present)
		return S.ad[a].installed;
	return m_test(&S.cur.apm, (unsigned int)a);
}

static bool domain_in_cfg(int d)
{
	if (!S.cur.present)
		return m_test(&S.hw.aqm, (unsigned int)d);
	return m_test(&S.cur.aqm, (unsigned int)d);
}

static const struct qci *vfio_info(void)
{
	static const struct qci zero;

	return S.cur.present ? &S.cur : &zero;
}

/* ---- vfio_ap shadow APCB --------------------------------------------------- */

/* hash tables: by (case-folded) uuid and by serial */
#define MDEV_HASH 65536
static struct mdev *hash_uuid[MDEV_HASH], *hash_serial[MDEV_HASH];

static unsigned int uuid_hash(const char *u)
{
	uint32_t h = 2166136261u;

	for (; *u; u++)
		h = (h ^ (uint32_t)(unsigned char)(*u | 0x20)) * 16777619u;
	return h % MDEV_HASH;
}

static unsigned int serial_hash(uint64_t s)
{
	return (unsigned int)((s * 0x9E3779B97F4A7C15ULL) >> 48) % MDEV_HASH;
}

struct mdev *mdev_find(const char *uuid)
{
	for (struct mdev *m = hash_uuid[uuid_hash(uuid)]; m; m = m->hnext_uuid)
		if (!strcasecmp(m->uuid, uuid))
			return m;
	return NULL;
}

struct mdev *mdev_by_serial(uint64_t serial)
{
	for (struct mdev *m = hash_serial[serial_hash(serial)]; m; m = m->hnext_serial)
		if (m->serial == serial)
			return m;
	return NULL;
}

static void mdev_link(struct mdev *m)
{
	unsigned int hu = uuid_hash(m->uuid), hs = serial_hash(m->serial);

	m->next = S.mdevs;
	m->prev = NULL;
	if (S.mdevs)
		S.mdevs->prev = m;
	S.mdevs = m;
	m->hnext_uuid = hash_uuid[hu];
	hash_uuid[hu] = m;
	m->hnext_serial = hash_serial[hs];
	hash_serial[hs] = m;
}

static void mdev_unlink(struct mdev *m)
{
	struct mdev **pp;

	if (m->prev)
		m->prev->next = m->next;
	else
		S.mdevs = m->next;
	if (m->next)
		m->next->prev = m->prev;
	for (pp = &hash_uuid[uuid_hash(m->uuid)]; *pp; pp = &(*pp)->hnext_uuid)
		if (*pp == m) {
			*pp = m->hnext_uuid;
			break;
		}
	for (pp = &hash_serial[serial_hash(m->serial)]; *pp; pp = &(*pp)->hnext_serial)
		if (*pp == m) {
			*pp = m->hnext_serial;
			break;
		}
}

static struct mdev *mdev_for_queue(int a, int d)
{
	for (struct mdev *m = S.mdevs; m; m = m->next)
		if (m_test(&m->apm, (unsigned int)a) && m_test(&m->aqm, (unsigned int)d))
			return m;
	return NULL;
}

/*
 * Linked to the mdev (bound to vfio_ap; the caller checks the matrix) and the
 * last reset answered 0, 3 (deconfigured) or 4 (checkstopped); up to 6.1 only
 * 0 passes. The simulated reset answer follows the queue's state.
 */
static bool passable(int a, int d)
{
	struct queue *q = Q(a, d);

	if (!q->exists || q->driver != DRV_VFIO_AP)
		return false;
	return KV(602) || (q->config && !q->chkstop);
}

void mdev_refilter(struct mdev *m)
{
	const struct qci *info = vfio_info();

	m->s_apm = m_and(&m->apm, &info->apm);
	m->s_aqm = m_and(&m->aqm, &info->aqm);
	for (int a = 0; a < NA; a++) {
		if (!m_test(&m->s_apm, (unsigned int)a))
			continue;
		for (int d = 0; d < ND; d++) {
			if (m_test(&m->s_aqm, (unsigned int)d) && !passable(a, d)) {
				m_clr(&m->s_apm, (unsigned int)a);
				break;
			}
		}
	}
}

void mdev_filter_cdoms(struct mdev *m)
{
	m->s_adm = m_and(&m->adm, &vfio_info()->adm);
}

static void vfio_probe_queue(int a, int d)
{
	struct mdev *m = mdev_for_queue(a, d);

	if (!m)
		return;
	if (!m_empty(&m->add_apm) || !m_empty(&m->add_aqm))
		return; /* deferred to scan completion */
	mdev_refilter(m);
}

static void vfio_remove_queue(int a, int d)
{
	for (struct mdev *m = S.mdevs; m; m = m->next)
		if (m_test(&m->apm, (unsigned int)a) && m_test(&m->aqm, (unsigned int)d) &&
		    m_test(&m->s_apm, (unsigned int)a) && m_test(&m->s_aqm, (unsigned int)d))
			m_clr(&m->s_apm, (unsigned int)a);
}

static void vfio_cfg_changed(const struct qci *oldc, const struct qci *newc)
{
	static const struct qci zero;
	const struct qci *o = oldc->present ? oldc : &zero;
	const struct qci *n = newc->present ? newc : &zero;
	mask_t rm_apm = m_andnot(&o->apm, &n->apm), rm_aqm = m_andnot(&o->aqm, &n->aqm);
	mask_t rm_adm = m_andnot(&o->adm, &n->adm);
	mask_t ad_apm = m_andnot(&n->apm, &o->apm), ad_aqm = m_andnot(&n->aqm, &o->aqm);
	mask_t ad_adm = m_andnot(&n->adm, &o->adm);

	/* added adapters of a type below CEX4 are ignored */
	for (int a = 0; a < NA; a++)
		if (m_test(&ad_apm, (unsigned int)a) && S.ad[a].raw_type < 10)
			m_clr(&ad_apm, (unsigned int)a);
	for (struct mdev *m = S.mdevs; m; m = m->next) {
		m->s_apm = m_andnot(&m->s_apm, &rm_apm);
		m->s_aqm = m_andnot(&m->s_aqm, &rm_aqm);
		m->s_adm = m_andnot(&m->s_adm, &rm_adm);
		m->add_apm = m_and(&m->apm, &ad_apm);
		m->add_aqm = m_and(&m->aqm, &ad_aqm);
		m->add_adm = m_and(&m->adm, &ad_adm);
	}
}

static void vfio_scan_complete(void)
{
	for (struct mdev *m = S.mdevs; m; m = m->next) {
		bool ad = !m_empty(&m->add_apm) || !m_empty(&m->add_aqm);
		bool cd = !m_empty(&m->add_adm);

		if (ad)
			mdev_refilter(m);
		if (cd)
			mdev_filter_cdoms(m);
		memset(&m->add_apm, 0, sizeof(mask_t));
		memset(&m->add_aqm, 0, sizeof(mask_t));
		memset(&m->add_adm, 0, sizeof(mask_t));
	}
}

/* ---- binding ------------------------------------------------------------ */

static void bind_card(int a)
{
	struct card *c = &S.cards[a];

	c->driver = DRV_CEX4CARD;
	c->bind_gen = ++S.next_gen;
	c->zonline = true;
	S.bindings_done = false;
	card_uevent(a, "bind", NULL);
}

static void unbind_card(int a)
{
	struct card *c = &S.cards[a];

	c->driver = DRV_NONE;
	c->bind_gen = ++S.next_gen;
	card_uevent(a, "unbind", NULL);
}

static int probe_card(int a)
{
	struct card *c = &S.cards[a];

	if (c->hwtype < 10 || c->hwtype > 14 || mode_of(c->functions) < 0)
		return -ENODEV;
	bind_card(a);
	return 0;
}

static void bind_queue(int a, int d, int drv)
{
	struct queue *q = Q(a, d);

	q->driver = (uint8_t)drv;
	q->bind_gen = ++S.next_gen;
	S.bindings_done = false;
	if (drv == DRV_CEX4QUEUE) {
		q->initiated = true;
		q->zonline = true;
	}
	queue_uevent(a, d, "bind", NULL);
	if (drv == DRV_VFIO_AP && KV(600))
		vfio_probe_queue(a, d);
}

static void unbind_queue(int a, int d)
{
	struct queue *q = Q(a, d);

	if (q->driver == DRV_VFIO_AP && KV(600))
		vfio_remove_queue(a, d);
	q->driver = DRV_NONE;
	q->bind_gen = ++S.next_gen;
	q->initiated = false;
	q->zonline = false;
	queue_uevent(a, d, "unbind", NULL);
}

/* ap_device_probe for one driver */
static int try_bind_queue(int a, int d, int drv)
{
	struct queue *q = Q(a, d);

	if (KV(619) && q->override) {
		if (strcmp(q->override, drv_names[drv]))
			return -ENODEV;
	} else if ((drv == DRV_CEX4QUEUE) != owned_by_masks(a, d)) {
		return -ENODEV;
	}
	bind_queue(a, d, drv);
	return 0;
}

static void attach_queue(int a, int d)
{
	if (try_bind_queue(a, d, DRV_CEX4QUEUE))
		try_bind_queue(a, d, DRV_VFIO_AP);
}

static void revise_bindings(void)
{
	for (int a = 0; a < NA; a++) {
		if (!S.cards[a].exists)
			continue;
		for (int d = 0; d < ND; d++) {
			struct queue *q = Q(a, d);

			if (!q->exists || (KV(619) && q->override))
				continue;
			if (owned_by_masks(a, d) != (q->driver == DRV_CEX4QUEUE)) {
				if (q->driver)
					unbind_queue(a, d);
				attach_queue(a, d);
			}
		}
	}
}

static void count_bindings(unsigned int *bound, unsigned int *total)
{
	*bound = *total = 0;
	for (int a = 0; a < NA; a++) {
		if (!S.cards[a].exists)
			continue;
		for (int d = 0; d < ND; d++) {
			struct queue *q = Q(a, d);

			if (!q->exists)
				continue;
			(*total)++;
			if (q->driver)
				(*bound)++;
		}
	}
}

static void check_bindings_complete(void)
{
	unsigned int n, m;
	char v[48];

	if (!KV(511))
		return;
	count_bindings(&n, &m);
	if (n == m && !S.bindings_done) {
		S.bindings_done = true;
		S.complete_count++;
		snprintf(v, sizeof(v), "COMPLETECOUNT=%llu", S.complete_count);
		root_uevent("BINDINGS=complete", v);
	}
}

/* ---- scanning ----------------------------------------------------------- */

static void remove_queue_dev(int a, int d)
{
	struct queue *q = Q(a, d);

	if (q->driver)
		unbind_queue(a, d);
	queue_uevent(a, d, "remove", NULL);
	free(q->override); /* the override counter is deliberately not decremented */
	q->override = NULL;
	q->exists = false;
}

static void remove_card_dev(int a)
{
	struct card *c = &S.cards[a];

	for (int d = 0; d < ND; d++)
		if (Q(a, d)->exists)
			remove_queue_dev(a, d);
	if (c->driver)
		unbind_card(a);
	card_uevent(a, "remove", NULL);
	c->exists = false;
}

static void scan_domains(int a, int maxd)
{
	struct adapter_hw *h = &S.ad[a];

	for (int d = 0; d < ND; d++) {
		struct queue *q = Q(a, d);
		bool incfg = d <= maxd && domain_in_cfg(d);

		if (!incfg) {
			if (q->exists)
				remove_queue_dev(a, d);
			continue;
		}
		if (q->exists) {
			if (q->config != h->config) {
				q->config = h->config;
				queue_uevent(a, d, "change", h->config ? "CONFIG=1" : "CONFIG=0");
			}
			q->chkstop = h->chkstop;
			continue;
		}
		memset(q, 0, sizeof(*q));
		q->exists = true;
		q->gen = ++S.next_gen;
		q->config = h->config;
		q->chkstop = h->chkstop;
		q->initiated = true;
		queue_uevent(a, d, "add", NULL);
		if (S.autoprobe)
			attach_queue(a, d);
	}
}

static void scan_adapter(int a, int maxa, int maxd)
{
	struct card *c = &S.cards[a];
	struct adapter_hw *h = &S.ad[a];
	bool any = false;
	int hwtype;

	if (a > maxa || !adapter_in_cfg(a) || !h->installed) {
		if (c->exists)
			remove_card_dev(a);
		return;
	}
	for (int d = 0; d <= maxd && !any; d++)
		any = domain_in_cfg(d);
	hwtype = h->raw_type > 14 ? 14 : h->raw_type;
	if (h->raw_type > 14 && !(S.cur.features & QF_QACT))
		hwtype = 0;
	if (!any || hwtype < 10) {
		if (c->exists)
			remove_card_dev(a);
		return;
	}
	if (c->exists &&
	    (c->raw_type != h->raw_type || c->functions != (h->functions & ~0x0000C000u)))
		remove_card_dev(a);
	if (c->exists) {
		if (c->config != h->config) {
			c->config = h->config;
			card_uevent(a, "change", h->config ? "CONFIG=1" : "CONFIG=0");
		}
		c->chkstop = h->chkstop;
	} else {
		memset(c, 0, sizeof(*c));
		c->exists = true;
		c->gen = ++S.next_gen;
		c->hwtype = hwtype;
		c->raw_type = h->raw_type;
		c->functions = h->functions & ~0x0000C000u;
		c->config = h->config;
		c->chkstop = h->chkstop;
		card_uevent(a, "add", NULL);
		if (S.autoprobe)
			probe_card(a);
	}
	scan_domains(a, maxd);
}

static bool qci_equal(const struct qci *x, const struct qci *y)
{
	return x->present == y->present && m_eq(&x->apm, &y->apm) && m_eq(&x->aqm, &y->aqm) &&
	       m_eq(&x->adm, &y->adm);
}

void sim_scan(void)
{
	struct qci old = S.cur;
	bool changed;
	int maxa, maxd;

	S.cur = S.hw;
	changed = !qci_equal(&old, &S.cur);
	if (changed && KV(600))
		vfio_cfg_changed(&old, &S.cur);
	maxa = sim_max_adapter_id();
	maxd = sim_max_domain_id();
	for (int a = 0; a < NA; a++)
		scan_adapter(a, maxa, maxd);
	if (KV(600))
		vfio_scan_complete();
	S.scans++;
	if (!S.initscan_done) {
		S.initscan_done = true;
		if (KV(511))
			root_uevent("INITSCAN=done", NULL);
	}
	check_bindings_complete();
}

/* ---- mdevs ---------------------------------------------------------------- */

int mdev_create(const char *uuid)
{
	struct mdev *m;
	const struct qci *info = vfio_info();

	if (mdev_find(uuid))
		return -EEXIST;
	if (S.avail <= 0)
		return KV(601) ? -EUSERS : -EPERM;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	for (char *p = m->uuid; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	m->serial = ++S.next_gen;
	m->apm_max = info->apxa ? info->na : 63;
	m->aqm_max = info->apxa ? info->nd : 15;
	m->adm_max = m->aqm_max;
	mdev_link(m);
	S.avail--;
	mdev_uevent(m, "add", false);
	mdev_uevent(m, "bind", true);
	return 0;
}

void mdev_finish_remove(struct mdev *m)
{
	mdev_uevent(m, "unbind", false);
	mdev_uevent(m, "remove", false);
	mdev_unlink(m);
	S.avail++;
	free(m);
}

void guest_attach(struct mdev *m, bool on)
{
	m->attached = on;
	if (!on)
		pthread_cond_broadcast(&S.cond);
}

/* EADDRINUSE check; logs against the first conflicting mdev */
static int verify_no_sharing(struct mdev *m, bool log)
{
	for (struct mdev *o = S.mdevs; o; o = o->next) {
		mask_t a, d;

		if (o == m)
			continue;
		a = m_and(&m->apm, &o->apm);
		d = m_and(&m->aqm, &o->aqm);
		if (m_empty(&a) || m_empty(&d))
			continue;
		if (log)
			for (int i = 0; i < NA; i++)
				for (int j = 0; m_test(&a, (unsigned int)i) && j < ND; j++)
					if (m_test(&d, (unsigned int)j))
						logf_dmesg(
							"vfio_ap_mdev %s: Userspace may not assign "
							"queue %02x.%04x to mdev: already assigned "
							"to %s",
							m->uuid, (unsigned int)i, (unsigned int)j,
							o->uuid);
		return -EADDRINUSE;
	}
	return 0;
}

static int validate_masks(struct mdev *m)
{
	for (int a = 0; a < NA; a++) {
		if (!m_test(&m->apm, (unsigned int)a))
			continue;
		for (int d = 0; d < ND; d++)
			if (m_test(&m->aqm, (unsigned int)d) && owned_by_def_drv(a, d))
				return -EADDRNOTAVAIL;
	}
	return verify_no_sharing(m, true);
}

/* 5.x: every new APQN must be a queue bound to vfio_ap */
static int v5_reserved(struct mdev *m, int what, int id)
{
	const mask_t *other = what == 0 ? &m->aqm : &m->apm;
	bool any = false;

	if (m_empty(other)) {
		for (int i = 0; i < 256 && !any; i++) {
			int a = what == 0 ? id : i, d = what == 0 ? i : id;

			any = Q(a, d)->exists && Q(a, d)->driver == DRV_VFIO_AP;
		}
		return any ? 0 : -EADDRNOTAVAIL;
	}
	for (int i = 0; i < 256; i++) {
		int a = what == 0 ? id : i, d = what == 0 ? i : id;

		if (!m_test(other, (unsigned int)i))
			continue;
		if (!(Q(a, d)->exists && Q(a, d)->driver == DRV_VFIO_AP))
			return -EADDRNOTAVAIL;
	}
	return 0;
}

/* what: 0 adapter, 1 domain, 2 control domain */
int assign_id(struct mdev *m, int what, unsigned long id)
{
	mask_t *mk = what == 0 ? &m->apm : what == 1 ? &m->aqm : &m->adm;
	int rc;

	if (what == 2) {
		if (m_test(mk, (unsigned int)id))
			return 0;
		m_set(mk, (unsigned int)id);
		if (KV(600))
			mdev_filter_cdoms(m);
		return 0;
	}
	if (!KV(600)) {
		rc = v5_reserved(m, what, (int)id);
		if (rc)
			return rc;
		m_set(mk, (unsigned int)id);
		if (verify_no_sharing(m, false)) {
			m_clr(mk, (unsigned int)id);
			return -EADDRINUSE;
		}
		return 0;
	}
	if (m_test(mk, (unsigned int)id))
		return 0;
	m_set(mk, (unsigned int)id);
	rc = validate_masks(m);
	if (rc) {
		m_clr(mk, (unsigned int)id);
		return rc;
	}
	mdev_refilter(m);
	return 0;
}

/* ---- boot ------------------------------------------------------------------ */

void sim_init(void)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;

	pthread_mutexattr_init(&ma);
	pthread_mutex_init(&S.lock, &ma);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&S.cond, &ca);
	S.q = calloc(NA * ND, sizeof(*S.q));
	if (!S.q)
		abort();
	S.apmask = m_ones();
	S.aqmask = m_ones();
	S.ap_domain = -2; /* auto */
	S.config_time = 30;
	S.poll_timeout = 250000;
	S.interrupts = true;
	S.autoprobe = true;
	S.avail = 65536;
	S.dmesg.max = 100000;
	S.uevents.max = 400000;
	S.hw.present = true;
}

void sim_boot(void)
{
	sim_scan();
	if (S.ap_domain == -2) {
		/* ap_select_domain: the lowest usage domain with an adapter */
		S.ap_domain = -1;
		for (int d = 0; d <= sim_max_domain_id() && S.ap_domain < 0; d++) {
			if (!domain_in_cfg(d) || !m_test(&S.aqmask, (unsigned int)d))
				continue;
			for (int a = 0; a < NA; a++)
				if (Q(a, d)->exists) {
					S.ap_domain = d;
					break;
				}
		}
	}
	logf_dmesg("vfio_ap matrix: MDEV: Registered");
	{
		const char *v = "MDEV_STATE=registered";

		uevent_emit("change", "/devices/vfio_ap/matrix", &v, 1);
	}
}

/* ---- entry points for the attribute methods -------------------------------- */

int sim_probe_card(int a)
{
	return probe_card(a);
}

void sim_attach_queue(int a, int d)
{
	attach_queue(a, d);
}

int sim_try_bind_queue(int a, int d, int drv)
{
	return try_bind_queue(a, d, drv);
}

void sim_unbind_queue(int a, int d)
{
	unbind_queue(a, d);
}

void sim_unbind_card(int a)
{
	unbind_card(a);
}

void sim_revise_bindings(void)
{
	revise_bindings();
}

int sim_validate_masks(struct mdev *m)
{
	return validate_masks(m);
}

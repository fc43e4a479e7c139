/* SPDX-License-Identifier: MIT */
/*
 * apsim attributes: the show and store methods of every simulated sysfs
 * file, and the table that places them in the tree. Called with S.lock held.
 * Store methods return 0 on success (the caller returns the byte count) or a
 * negative errno.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apsim.h"

/* ---- helpers ---------------------------------------------------------------- */

static struct card *NC(const struct node *n)
{
	return &S.cards[n->card];
}

static struct queue *NQ(const struct node *n)
{
	return Q(n->card, n->dom);
}

static struct mdev *NM(const struct node *n)
{
	return mdev_by_serial(n->mdev);
}

static int show_str(struct sbuf *sb, const char *s)
{
	sb_printf(sb, "%s", s);
	return 0;
}

static void show_mask(struct sbuf *sb, const mask_t *m)
{
	char b[67];

	m_fmt(m, b);
	sb_printf(sb, "%s\n", b);
}

static int mode_of_card(int a)
{
	return mode_of(S.cards[a].functions);
}

/* find a device by name as bus_find_device_by_name does: 1 card, 2 queue, 0 none */
static int find_ap_dev(const char *buf, int *a, int *d)
{
	char name[16];
	size_t l = strlen(buf);

	/* sysfs_streq: one trailing newline is ignored */
	if (l && buf[l - 1] == '\n')
		l--;
	if (l >= sizeof(name))
		return 0;
	memcpy(name, buf, l);
	name[l] = 0;
	if (ap_card_name(name, a))
		return S.cards[*a].exists ? 1 : 0;
	if (ap_queue_name(name, a, d))
		return S.cards[*a].exists && Q(*a, *d)->exists ? 2 : 0;
	return 0;
}

/* kobject_synth_uevent: the first word must be a known action */
static int synth_action(const char *buf, char *action, size_t sz)
{
	static const char *const acts[] = {"add",    "remove",	"change", "move",
					   "online", "offline", "bind",	  "unbind"};
	size_t l = strcspn(buf, " \n");

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (strlen(acts[i]) == l && !strncmp(acts[i], buf, l)) {
			snprintf(action, sz, "%s", acts[i]);
			return 0;
		}
	return -EINVAL;
}

/* ---- availability predicates ------------------------------------------------ */

static bool av_always(const struct node *n)
{
	(void)n;
	return true;
}

static bool av_511(const struct node *n)
{
	(void)n;
	return KV(511);
}

static bool av_518(const struct node *n)
{
	(void)n;
	return KV(518);
}

static bool av_600(const struct node *n)
{
	(void)n;
	return KV(600);
}

static bool av_604(const struct node *n)
{
	(void)n;
	return KV(604);
}

static bool av_610(const struct node *n)
{
	(void)n;
	return KV(610);
}

static bool av_612(const struct node *n)
{
	(void)n;
	return KV(612);
}

static bool av_619(const struct node *n)
{
	(void)n;
	return KV(619);
}

static bool av_card_bound(const struct node *n)
{
	return NC(n)->driver == DRV_CEX4CARD;
}

static bool av_card_driver(const struct node *n)
{
	return NC(n)->driver != DRV_NONE;
}

static bool av_card_serial(const struct node *n)
{
	return av_card_bound(n) && mode_of_card(n->card) != MODE_ACCEL;
}

static bool av_card_ep11(const struct node *n)
{
	return av_card_bound(n) && mode_of_card(n->card) == MODE_EP11;
}

static bool av_queue_driver(const struct node *n)
{
	return NQ(n)->driver != DRV_NONE;
}

static bool av_queue_zcrypt(const struct node *n)
{
	return NQ(n)->driver == DRV_CEX4QUEUE;
}

static bool av_queue_mkvps(const struct node *n)
{
	return av_queue_zcrypt(n) && mode_of_card(n->card) != MODE_ACCEL;
}

static bool av_queue_ep11(const struct node *n)
{
	return av_queue_zcrypt(n) && mode_of_card(n->card) == MODE_EP11;
}

static bool av_queue_status(const struct node *n)
{
	return KV(517) && NQ(n)->driver == DRV_VFIO_AP;
}

static bool av_mdev_live(const struct node *n)
{
	struct mdev *m = NM(n);

	return m && !m->removing;
}

/* ---- /sys/bus/ap -------------------------------------------------------------- */

static int sh_ap_domain(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", S.ap_domain);
	return 0;
}

static int st_ap_domain(const struct node *n, const char *buf, size_t len)
{
	long long v;

	if (k_sscanf_int(buf, 0, true, &v))
		return -EINVAL;
	if ((int)v < 0 || (int)v > sim_max_domain_id() || !m_test(&S.aqmask, (unsigned int)(int)v))
		return -EINVAL;
	S.ap_domain = (int)v;
	return 0;
}

static int sh_qci_mask(struct sbuf *sb, const mask_t *m)
{
	if (!S.cur.present)
		return show_str(sb, "not supported\n");
	sb_printf(sb, "0x");
	for (int i = 0; i < 4; i++)
		sb_printf(sb, "%08x%08x", (unsigned int)(m->w[i] >> 32), (unsigned int)m->w[i]);
	sb_printf(sb, "\n");
	return 0;
}

static int sh_cdom_mask(const struct node *n, struct sbuf *sb)
{
	return sh_qci_mask(sb, &S.cur.adm);
}

static int sh_udom_mask(const struct node *n, struct sbuf *sb)
{
	return sh_qci_mask(sb, &S.cur.aqm);
}

static int sh_adapter_mask(const struct node *n, struct sbuf *sb)
{
	return sh_qci_mask(sb, &S.cur.apm);
}

static int sh_interrupts(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", S.interrupts ? 1 : 0);
	return 0;
}

static int sh_config_time(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", S.config_time);
	return 0;
}

static int st_config_time(const struct node *n, const char *buf, size_t len)
{
	long long v;

	if (k_sscanf_int(buf, 10, true, &v) || (int)v < 5 || (int)v > 120)
		return -EINVAL;
	S.config_time = (int)v;
	S.timer_gen++;
	pthread_cond_broadcast(&S.cond);
	return 0;
}

static int sh_poll_thread(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", S.poll_thread ? 1 : 0);
	return 0;
}

static int st_poll_thread(const struct node *n, const char *buf, size_t len)
{
	bool on;

	if (KV(612)) {
		if (k_kstrtobool(buf, &on))
			return -EINVAL;
	} else {
		long long v;

		if (k_sscanf_int(buf, 10, true, &v))
			return -EINVAL;
		on = (int)v != 0;
	}
	/* with adapter interrupts the poll thread is not started */
	S.poll_thread = on && !S.interrupts;
	return 0;
}

static int sh_poll_timeout(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%llu\n", S.poll_timeout);
	return 0;
}

static int st_poll_timeout(const struct node *n, const char *buf, size_t len)
{
	unsigned long long v;

	if (KV(612)) {
		int rc = k_kstrtoull(buf, 0, &v);

		if (rc)
			return rc;
		if (v > 120000000000ULL)
			return -EINVAL;
	} else {
		long long s;

		if (k_sscanf_int(buf, 10, false, &s))
			return -EINVAL;
		v = (unsigned long long)s;
		if (v < 1 || v > 120000000000ULL)
			return -EINVAL;
	}
	S.poll_timeout = v;
	return 0;
}

static int sh_max_domain(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", sim_max_domain_id());
	return 0;
}

static int sh_max_adapter(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", sim_max_adapter_id());
	return 0;
}

static int sh_apmask(const struct node *n, struct sbuf *sb)
{
	show_mask(sb, &S.apmask);
	return 0;
}

static int sh_aqmask(const struct node *n, struct sbuf *sb)
{
	show_mask(sb, &S.aqmask);
	return 0;
}

static int in_use_check(bool aq, const mask_t *old, const mask_t *new)
{
	mask_t nb = m_andnot(new, old), partner;

	if (m_empty(&nb))
		return 0;
	partner = KV(619) ? m_ones() : (aq ? S.apmask : S.aqmask);
	for (struct mdev *m = S.mdevs; m; m = m->next) {
		mask_t A = aq ? m_and(&partner, &m->apm) : m_and(&nb, &m->apm);
		mask_t D = aq ? m_and(&nb, &m->aqm) : m_and(&partner, &m->aqm);

		if (m_empty(&A) || m_empty(&D))
			continue;
		for (int a = 0; a < NA; a++)
			for (int d = 0; m_test(&A, (unsigned int)a) && d < ND; d++)
				if (m_test(&D, (unsigned int)d))
					logf_dmesg(
						"vfio_ap_mdev %s: Can not reserve queue %02x.%04x "
						"for host driver: in use by mdev",
						m->uuid, (unsigned int)a, (unsigned int)d);
		return -EBUSY;
	}
	return 0;
}

static int mask_store(bool aq, const char *buf)
{
	mask_t *cur = aq ? &S.aqmask : &S.apmask, new;
	mask_t ones = m_ones();
	char b[67], v[80];
	const char *vp = v;
	int rc;

	if (KV(619) && S.override_ctr)
		return -EINVAL;
	if (k_parse_bitmap_str(buf, cur, &new))
		return -EINVAL;
	if (m_eq(&new, cur))
		return 0;
	if (KV(600)) {
		rc = in_use_check(aq, cur, &new);
		if (rc)
			return rc;
	}
	*cur = new;
	if (KV(619))
		S.masks_in_use = !(m_eq(&S.apmask, &ones) && m_eq(&S.aqmask, &ones));
	sim_revise_bindings();
	m_fmt(cur, b);
	snprintf(v, sizeof(v), "%s=%s\n", aq ? "AQMASK" : "APMASK", b);
	uevent_emit("change", "/devices/ap", &vp, 1);
	return 0;
}

static int st_apmask(const struct node *n, const char *buf, size_t len)
{
	return mask_store(false, buf);
}

static int st_aqmask(const struct node *n, const char *buf, size_t len)
{
	return mask_store(true, buf);
}

static int sh_scans(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%llu\n", S.scans);
	return 0;
}

static int st_scans(const struct node *n, const char *buf, size_t len)
{
	sim_scan();
	return 0;
}

static int sh_bindings(const struct node *n, struct sbuf *sb)
{
	unsigned int b = 0, t = 0;

	for (int a = 0; a < NA; a++) {
		if (!S.cards[a].exists)
			continue;
		for (int d = 0; d < ND; d++)
			if (Q(a, d)->exists) {
				t++;
				b += Q(a, d)->driver ? 1 : 0;
			}
	}
	sb_printf(sb, "%u/%u%s\n", b, t, S.initscan_done && b == t ? " (complete)" : "");
	return 0;
}

static int sh_bcc(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%llu\n", S.complete_count);
	return 0;
}

static int sh_features(const struct node *n, struct sbuf *sb)
{
	static const char *const names[] = {"APSC", "APXA", "QACT", "RC8A", "APSB"};
	bool first = true;

	if (!S.cur.present)
		return show_str(sb, "-\n");
	for (int i = 0; i < 5; i++)
		if (S.cur.features & (1u << i)) {
			sb_printf(sb, "%s%s", first ? "" : " ", names[i]);
			first = false;
		}
	if (!first)
		sb_printf(sb, "\n");
	return 0;
}

static int sh_autoprobe(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", S.autoprobe ? 1 : 0);
	return 0;
}

static int st_autoprobe(const struct node *n, const char *buf, size_t len)
{
	S.autoprobe = buf[0] != '0';
	return 0;
}

static int sh_one(const struct node *n, struct sbuf *sb)
{
	return show_str(sb, "1\n");
}

static int st_ignore(const struct node *n, const char *buf, size_t len)
{
	return 0;
}

static int st_ap_drivers_probe(const struct node *n, const char *buf, size_t len)
{
	int a, d, k = find_ap_dev(buf, &a, &d);

	if (!k)
		return -ENODEV;
	if (k == 1 && !S.cards[a].driver)
		sim_probe_card(a);
	else if (k == 2 && !Q(a, d)->driver)
		sim_attach_queue(a, d);
	return 0;
}

static int st_bus_uevent(const struct node *n, const char *buf, size_t len)
{
	char act[16];

	return synth_action(buf, act, sizeof(act));
}

/* ---- AP drivers -------------------------------------------------------------- */

static int st_drv_bind(const struct node *n, const char *buf, size_t len)
{
	int a, d, k = find_ap_dev(buf, &a, &d);

	if (!k || (k == 1) != (n->drv == DRV_CEX4CARD))
		return -ENODEV;
	if (k == 1) {
		if (S.cards[a].driver)
			return -EBUSY;
		return sim_probe_card(a);
	}
	if (Q(a, d)->driver)
		return -EBUSY;
	return sim_try_bind_queue(a, d, n->drv);
}

static int st_drv_unbind(const struct node *n, const char *buf, size_t len)
{
	int a, d, k = find_ap_dev(buf, &a, &d);

	if (k == 1 && S.cards[a].driver == n->drv) {
		sim_unbind_card(a);
		return 0;
	}
	if (k == 2 && Q(a, d)->driver == n->drv) {
		sim_unbind_queue(a, d);
		return 0;
	}
	return -ENODEV;
}

/* a loadable module that has finished loading */
static int sh_mod_initstate(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "live\n");
	return 0;
}

static void tg_drv_module(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../../module/%s",
		 n->drv == DRV_VFIO_AP ? "vfio_ap" : "zcrypt_cex4");
}

/* ---- cards --------------------------------------------------------------------- */

static int sh_c_hwtype(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", NC(n)->hwtype);
	return 0;
}

static int sh_c_raw(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", NC(n)->raw_type);
	return 0;
}

static int sh_c_depth(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", S.ad[n->card].depth);
	return 0;
}

/* the command-filtering bit (SLCF) is in the kernel's ap_functions from
 * 6.17 on; older kernels drop it */
static uint32_t shown_functions(uint32_t f)
{
	return KV(617) ? f : f & ~0x01000000u;
}

static int sh_c_functions(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "0x%08X\n", shown_functions(NC(n)->functions));
	return 0;
}

static int sh_c_reqcnt(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%llu\n", (unsigned long long)NC(n)->reqcnt);
	return 0;
}

static int st_c_reqcnt(const struct node *n, const char *buf, size_t len)
{
	NC(n)->reqcnt = 0;
	for (int d = 0; d < ND; d++)
		Q(n->card, d)->reqcnt = 0;
	return 0;
}

static int sh_zero(const struct node *n, struct sbuf *sb)
{
	return show_str(sb, "0\n");
}

static int sh_c_modalias(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "ap:t%02X\n", (unsigned int)NC(n)->hwtype);
	return 0;
}

static int sh_c_config(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", NC(n)->config ? 1 : 0);
	return 0;
}

static int st_c_config(const struct node *n, const char *buf, size_t len)
{
	struct card *c = NC(n);
	long long v;

	if (k_sscanf_int(buf, 10, true, &v) || (int)v < 0 || (int)v > 1)
		return -EINVAL;
	/* SCLP configure / deconfigure always succeeds in the simulation */
	S.ad[n->card].config = v != 0;
	c->config = v != 0;
	card_uevent(n->card, "change", c->config ? "CONFIG=1" : "CONFIG=0");
	return 0;
}

static int sh_c_chkstop(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", NC(n)->chkstop ? 1 : 0);
	return 0;
}

static int sh_c_maxmsg(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%u\n", S.ad[n->card].max_msg_size);
	return 0;
}

static int sh_c_type(const struct node *n, struct sbuf *sb)
{
	static const char sfx[] = {'A', 'C', 'P'};
	int m = mode_of_card(n->card);

	sb_printf(sb, "CEX%d%c\n", NC(n)->hwtype - 6, sfx[m < 0 ? 0 : m]);
	return 0;
}

static int sh_c_online(const struct node *n, struct sbuf *sb)
{
	struct card *c = NC(n);

	sb_printf(sb, "%d\n", c->config && !c->chkstop && c->zonline ? 1 : 0);
	return 0;
}

static int st_c_online(const struct node *n, const char *buf, size_t len)
{
	struct card *c = NC(n);
	long long v;
	bool on;

	if (k_sscanf_int(buf, 10, true, &v) || (int)v < 0 || (int)v > 1)
		return -EINVAL;
	on = v != 0;
	if (on && (!c->config || c->chkstop))
		return -ENODEV;
	c->zonline = on;
	card_uevent(n->card, "change", on ? "ONLINE=1" : "ONLINE=0");
	for (int d = 0; d < ND; d++) {
		struct queue *q = Q(n->card, d);

		if (q->exists && q->driver == DRV_CEX4QUEUE && q->zonline != on) {
			q->zonline = on;
			queue_uevent(n->card, d, "change", on ? "ONLINE=1" : "ONLINE=0");
		}
	}
	return 0;
}

static int sh_c_serial(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%s\n", S.ad[n->card].serial);
	return 0;
}

static int sh_c_api(const struct node *n, struct sbuf *sb)
{
	return show_str(sb, "4\n");
}

static int sh_c_fw(const struct node *n, struct sbuf *sb)
{
	return show_str(sb, "7.15\n");
}

static int sh_nl(const struct node *n, struct sbuf *sb)
{
	return show_str(sb, "\n");
}

static int sh_c_uevent(const struct node *n, struct sbuf *sb)
{
	struct card *c = NC(n);
	int mode = mode_of(c->functions);

	if (c->driver)
		sb_printf(sb, "DRIVER=%s\n", drv_names[c->driver]);
	sb_printf(sb, "DEV_TYPE=%04X\nMODALIAS=ap:t%02X\n", (unsigned int)c->hwtype,
		  (unsigned int)c->hwtype);
	if (KV(601) && mode >= 0)
		sb_printf(sb, "MODE=%s\n",
			  mode == MODE_ACCEL ? "accel"
			  : mode == MODE_CCA ? "cca"
					     : "ep11");
	return 0;
}

static int st_c_uevent(const struct node *n, const char *buf, size_t len)
{
	char act[16];
	int rc = synth_action(buf, act, sizeof(act));

	if (!rc)
		card_uevent(n->card, act, NULL);
	return rc;
}

static void tg_c_driver(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../bus/ap/drivers/%s", drv_names[NC(n)->driver]);
}

static void tg_c_subsys(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../bus/ap");
}

/* ---- queues -------------------------------------------------------------------- */

static int sh_q_reqcnt(const struct node *n, struct sbuf *sb)
{
	struct queue *q = NQ(n);

	if (!q->initiated)
		return show_str(sb, "-\n");
	sb_printf(sb, "%llu\n", (unsigned long long)q->reqcnt);
	return 0;
}

static int st_q_reqcnt(const struct node *n, const char *buf, size_t len)
{
	NQ(n)->reqcnt = 0;
	return 0;
}

static int sh_q_reset(const struct node *n, struct sbuf *sb)
{
	return show_str(sb, "No Reset Timer set.\n");
}

static int sh_q_interrupt(const struct node *n, struct sbuf *sb)
{
	struct queue *q = NQ(n);

	return show_str(sb, q->initiated && S.interrupts && q->driver == DRV_CEX4QUEUE
				    ? "Interrupts enabled.\n"
				    : "Interrupts disabled.\n");
}

static int sh_q_config(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", NQ(n)->config ? 1 : 0);
	return 0;
}

static int sh_q_chkstop(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", NQ(n)->chkstop ? 1 : 0);
	return 0;
}

/* the queue's word is unfiltered: it carries the SE bind state */
static uint32_t queue_functions(int a, int d)
{
	uint32_t f = shown_functions(S.ad[a].functions);

	if (m_test(&S.ad[a].se_bound, (unsigned int)d))
		f = (f & ~0x0000C000u) | 0x00004000u;
	return f;
}

static int sh_q_functions(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "0x%08X\n", queue_functions(n->card, n->dom));
	return 0;
}

/* se_bind / se_associate: only in a Secure Execution guest (6.4+); apsim
 * shows the state and refuses every change (not simulated) */
static bool av_se_guest(const struct node *n)
{
	return KV(604) && S.se_guest;
}

static int sh_q_se_bind(const struct node *n, struct sbuf *sb)
{
	return show_str(sb, m_test(&S.ad[n->card].se_bound, (unsigned int)n->dom) ? "bound\n"
										   : "unbound\n");
}

static int sh_q_se_assoc(const struct node *n, struct sbuf *sb)
{
	return show_str(sb, "unassociated\n");
}

static int st_einval(const struct node *n, const char *buf, size_t len)
{
	(void)n;
	(void)buf;
	(void)len;
	return -EINVAL;
}

static int sh_q_override(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%s\n", NQ(n)->override ? NQ(n)->override : "");
	return 0;
}

static int st_q_override(const struct node *n, const char *buf, size_t len)
{
	struct queue *q = NQ(n);
	const char *nl;
	bool had = q->override != NULL;

	if (S.masks_in_use)
		return -EINVAL;
	if (len >= 4096 - 1)
		return -EINVAL;
	nl = memchr(buf, '\n', len);
	if (nl)
		len = (size_t)(nl - buf);
	len = strnlen(buf, len);
	free(q->override);
	q->override = len ? strndup(buf, len) : NULL;
	if (had && !q->override)
		S.override_ctr--;
	else if (!had && q->override)
		S.override_ctr++;
	return 0;
}

static int sh_q_online(const struct node *n, struct sbuf *sb)
{
	struct queue *q = NQ(n);

	sb_printf(sb, "%d\n", q->config && !q->chkstop && q->zonline ? 1 : 0);
	return 0;
}

static int st_q_online(const struct node *n, const char *buf, size_t len)
{
	struct queue *q = NQ(n);
	struct card *c = NC(n);
	long long v;
	bool on;

	if (k_sscanf_int(buf, 10, true, &v) || (int)v < 0 || (int)v > 1)
		return -EINVAL;
	on = v != 0;
	if (on && (!q->config || !c->config || q->chkstop || c->chkstop))
		return -ENODEV;
	if (on && !(c->driver == DRV_CEX4CARD && c->zonline))
		return -EINVAL;
	q->zonline = on;
	queue_uevent(n->card, n->dom, "change", on ? "ONLINE=1" : "ONLINE=0");
	return 0;
}

static int sh_q_mkvps(const struct node *n, struct sbuf *sb)
{
	static const char *const k[] = {"AES", "APKA", "ASYM"};
	static const char *const s[] = {"NEW", "CUR", "OLD"};

	if (mode_of_card(n->card) == MODE_EP11)
		return show_str(sb, "WK CUR: - -\nWK NEW: - -\n");
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if (i == 0 && j == 1 && S.ad[n->card].mkvp[0])
				sb_printf(sb, "%s %s: valid %s\n", k[i], s[j], S.ad[n->card].mkvp);
			else
				sb_printf(sb, "%s %s: - -\n", k[i], s[j]);
	return 0;
}

static int sh_q_status(const struct node *n, struct sbuf *sb)
{
	for (struct mdev *m = S.mdevs; m; m = m->next) {
		if (!m_test(&m->apm, (unsigned int)n->card) ||
		    !m_test(&m->aqm, (unsigned int)n->dom))
			continue;
		if (m->attached && m_test(&m->s_apm, (unsigned int)n->card) &&
		    m_test(&m->s_aqm, (unsigned int)n->dom))
			return show_str(sb, "in use\n");
		return show_str(sb, "assigned\n");
	}
	return show_str(sb, "unassigned\n");
}

static int sh_q_uevent(const struct node *n, struct sbuf *sb)
{
	struct queue *q = NQ(n);
	struct card *c = NC(n);
	int mode = mode_of(c->functions);

	if (q->driver)
		sb_printf(sb, "DRIVER=%s\n", drv_names[q->driver]);
	if (!KV(601))
		sb_printf(sb, "DEV_TYPE=%04X\nMODALIAS=ap:t%02X\n", (unsigned int)c->hwtype,
			  (unsigned int)c->hwtype);
	else if (mode >= 0)
		sb_printf(sb, "MODE=%s\n",
			  mode == MODE_ACCEL ? "accel"
			  : mode == MODE_CCA ? "cca"
					     : "ep11");
	return 0;
}

static int st_q_uevent(const struct node *n, const char *buf, size_t len)
{
	char act[16];
	int rc = synth_action(buf, act, sizeof(act));

	if (!rc)
		queue_uevent(n->card, n->dom, act, NULL);
	return rc;
}

static void tg_q_driver(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../../bus/ap/drivers/%s", drv_names[NQ(n)->driver]);
}

static void tg_q_subsys(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../../bus/ap");
}

/* ---- vfio_ap matrix, type, mdevs ---------------------------------------------- */

static int sh_m_features(const struct node *n, struct sbuf *sb)
{
	if (S.migration == 4)
		return show_str(sb, "guest_matrix hotplug ap_config migratable\n");
	return show_str(sb, "guest_matrix hotplug ap_config\n");
}

/* v1 of the migration series: per-mdev 'migratable', 0 or 1 */
static bool av_mdev_migratable(const struct node *n)
{
	return S.migration == 1 && av_mdev_live(n);
}

static int sh_mdev_migratable(const struct node *n, struct sbuf *sb)
{
	sb_printf(sb, "%d\n", NM(n)->migratable ? 1 : 0);
	return 0;
}

static int st_mdev_migratable(const struct node *n, const char *buf, size_t len)
{
	unsigned long long v;
	int rc = k_kstrtoull(buf, 0, &v);

	(void)len;
	if (rc)
		return rc;
	if (v > 1)
		return -EINVAL;
	if (NM(n)->migrating)
		return -EBUSY;
	NM(n)->migratable = v == 1;
	return 0;
}

static int sh_t_name(const struct node *n, struct sbuf *sb)
{
	return show_str(sb, "VFIO AP Passthrough Device\n");
}

static int sh_t_api(const struct node *n, struct sbuf *sb)
{
	return show_str(sb, "vfio-ap\n");
}

static int sh_t_avail(const struct node *n, struct sbuf *sb)
{
	if (KV(601))
		sb_printf(sb, "%u\n", (unsigned int)S.avail);
	else
		sb_printf(sb, "%d\n", (int)S.avail);
	return 0;
}

static int st_t_create(const struct node *n, const char *buf, size_t len)
{
	char u[37];

	if (len < 36 || len > 37)
		return -EINVAL;
	if (strnlen(buf, 36) < 36 || !k_uuid_is_valid(buf))
		return -EINVAL;
	memcpy(u, buf, 36);
	u[36] = 0;
	return mdev_create(u);
}

static int assign_common(const struct node *n, const char *buf, int what, bool assign)
{
	struct mdev *m = NM(n);
	mask_t *mk = what == 0 ? &m->apm : what == 1 ? &m->aqm : &m->adm;
	int max = what == 0 ? m->apm_max : what == 1 ? m->aqm_max : m->adm_max;
	unsigned long long id;
	int rc;

	if (!KV(600) && m->attached)
		return -EBUSY;
	rc = k_kstrtoull(buf, 0, &id);
	if (rc)
		return rc;
	if (id > (unsigned long long)max)
		return -ENODEV;
	if (assign)
		return assign_id(m, what, (unsigned long)id);
	if (!m_test(mk, (unsigned int)id))
		return 0;
	m_clr(mk, (unsigned int)id);
	if (KV(600)) {
		mask_t *sh = what == 0 ? &m->s_apm : what == 1 ? &m->s_aqm : &m->s_adm;

		m_clr(sh, (unsigned int)id);
	}
	return 0;
}

static int st_assign_adapter(const struct node *n, const char *b, size_t l)
{
	return assign_common(n, b, 0, true);
}

static int st_unassign_adapter(const struct node *n, const char *b, size_t l)
{
	return assign_common(n, b, 0, false);
}

static int st_assign_domain(const struct node *n, const char *b, size_t l)
{
	return assign_common(n, b, 1, true);
}

static int st_unassign_domain(const struct node *n, const char *b, size_t l)
{
	return assign_common(n, b, 1, false);
}

static int st_assign_cdom(const struct node *n, const char *b, size_t l)
{
	return assign_common(n, b, 2, true);
}

static int st_unassign_cdom(const struct node *n, const char *b, size_t l)
{
	return assign_common(n, b, 2, false);
}

static int sh_control_domains(const struct node *n, struct sbuf *sb)
{
	struct mdev *m = NM(n);

	for (int i = 0; i <= m->adm_max && i < ND; i++)
		if (m_test(&m->adm, (unsigned int)i))
			sb_printf(sb, "%04x\n", (unsigned int)i);
	return 0;
}

static void show_matrix(struct sbuf *sb, const mask_t *apm, const mask_t *aqm, int amax, int dmax)
{
	bool any_a = false, any_d = false;

	for (int a = 0; a <= amax && a < NA; a++)
		any_a |= m_test(apm, (unsigned int)a);
	for (int d = 0; d <= dmax && d < ND; d++)
		any_d |= m_test(aqm, (unsigned int)d);
	if (any_a && any_d) {
		for (int a = 0; a <= amax && a < NA; a++) {
			if (!m_test(apm, (unsigned int)a))
				continue;
			for (int d = 0; d <= dmax && d < ND; d++)
				if (m_test(aqm, (unsigned int)d))
					sb_printf(sb, "%02x.%04x\n", (unsigned int)a,
						  (unsigned int)d);
			if (sb->len > 4096)
				break;
		}
	} else if (any_a) {
		for (int a = 0; a <= amax && a < NA; a++)
			if (m_test(apm, (unsigned int)a))
				sb_printf(sb, "%02x.\n", (unsigned int)a);
	} else if (any_d) {
		for (int d = 0; d <= dmax && d < ND; d++)
			if (m_test(aqm, (unsigned int)d))
				sb_printf(sb, ".%04x\n", (unsigned int)d);
	}
}

static int sh_matrix(const struct node *n, struct sbuf *sb)
{
	struct mdev *m = NM(n);

	show_matrix(sb, &m->apm, &m->aqm, m->apm_max, m->aqm_max);
	return 0;
}

static int sh_guest_matrix(const struct node *n, struct sbuf *sb)
{
	struct mdev *m = NM(n);

	show_matrix(sb, &m->s_apm, &m->s_aqm, m->apm_max, m->aqm_max);
	return 0;
}

static int sh_ap_config(const struct node *n, struct sbuf *sb)
{
	struct mdev *m = NM(n);
	char a[67], d[67], c[67];

	m_fmt(&m->apm, a);
	m_fmt(&m->aqm, d);
	m_fmt(&m->adm, c);
	sb_printf(sb, "%s,%s,%s\n", a, d, c);
	return 0;
}

static bool overflow(const mask_t *m, int max)
{
	for (int i = max + 1; i < 256; i++)
		if (m_test(m, (unsigned int)i))
			return true;
	return false;
}

static int st_ap_config(const struct node *n, const char *buf, size_t len)
{
	struct mdev *m = NM(n);
	char tmp[202], *rest = tmp, *tok;
	mask_t nm[3], old[3] = {m->apm, m->aqm, m->adm};
	int rc;

	snprintf(tmp, sizeof(tmp), "%.*s", (int)(len < 201 ? len : 201), buf);
	for (int i = 0; i < 3; i++) {
		tok = strsep(&rest, ",\n");
		if (!tok)
			return -EINVAL;
		if (k_hex2bitmap(tok, &nm[i]))
			return -EINVAL;
	}
	m->apm = nm[0];
	m->aqm = nm[1];
	m->adm = nm[2];
	rc = sim_validate_masks(m);
	if (!rc && (overflow(&nm[0], m->apm_max) || overflow(&nm[1], m->aqm_max) ||
		    overflow(&nm[2], m->adm_max)))
		rc = -ENODEV;
	if (rc) {
		m->apm = old[0];
		m->aqm = old[1];
		m->adm = old[2];
		return rc;
	}
	/* incremental removal, then a full re-filter of APM/AQM and ADM */
	{
		mask_t rma = m_andnot(&old[0], &nm[0]), rmd = m_andnot(&old[1], &nm[1]);

		m->s_apm = m_andnot(&m->s_apm, &rma);
		m->s_aqm = m_andnot(&m->s_aqm, &rmd);
	}
	mdev_refilter(m);
	mdev_filter_cdoms(m);
	return 0;
}

static int st_remove(const struct node *n, const char *buf, size_t len)
{
	struct mdev *m = NM(n);
	unsigned long long v;

	if (k_kstrtoull(buf, 0, &v))
		return -EINVAL;
	if (!v)
		return 0;
	if (m->removing)
		return 0;
	m->removing = true;
	while (m->attached && !S.stopping) {
		struct timespec ts;

		if (!m->req_logged) {
			logf_dmesg("vfio_ap_mdev %s: No device request registered, blocked until "
				   "released by user",
				   m->uuid);
			m->req_logged = true;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 200000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&S.cond, &S.lock, &ts);
		if (fs_exiting())
			break;
	}
	mdev_finish_remove(m);
	return 0;
}

static int sh_mdev_uevent(const struct node *n, struct sbuf *sb)
{
	return show_str(sb, "DRIVER=vfio_ap_mdev\nMDEV_TYPE=vfio_ap-passthrough\n");
}

static int st_mdev_uevent(const struct node *n, const char *buf, size_t len)
{
	char act[16], path[80];
	int rc = synth_action(buf, act, sizeof(act));
	const char *v = "MDEV_TYPE=vfio_ap-passthrough";

	if (!rc) {
		snprintf(path, sizeof(path), "/devices/vfio_ap/matrix/%s", NM(n)->uuid);
		uevent_emit(act, path, &v, 1);
	}
	return rc;
}

static void tg_mdev_type(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../mdev_supported_types/vfio_ap-passthrough");
}

static void tg_mdev_driver(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../../bus/mdev/drivers/vfio_ap_mdev");
}

static void tg_mdev_subsys(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../../bus/mdev");
}

static void tg_mdev_iommu(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../../kernel/iommu_groups/%llu",
		 (unsigned long long)(n->mdev % 1000));
}

static void tg_matrix_driver(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../bus/matrix/drivers/vfio_ap");
}

static void tg_matrix_subsys(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../bus/matrix");
}

static void tg_bus_matrix_dev(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../devices/vfio_ap/matrix");
}

static void tg_drv_matrix_dev(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../../devices/vfio_ap/matrix");
}

static void tg_class_matrix(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../devices/vfio_ap/matrix");
}

static void tg_vfio_module(const struct node *n, char *out, size_t sz)
{
	snprintf(out, sz, "../../../../module/vfio_ap");
}

static int st_mdev_drv_bind(const struct node *n, const char *buf, size_t len)
{
	for (struct mdev *m = S.mdevs; m; m = m->next)
		if (k_sysfs_streq(m->uuid, buf))
			return -EBUSY;
	return -ENODEV;
}

static int st_mdev_drv_unbind(const struct node *n, const char *buf, size_t len)
{
	/* unbinding an mdev from vfio_ap_mdev is not modelled */
	for (struct mdev *m = S.mdevs; m; m = m->next)
		if (k_sysfs_streq(m->uuid, buf))
			return -EPERM;
	return -ENODEV;
}

static int st_mdev_drivers_probe(const struct node *n, const char *buf, size_t len)
{
	for (struct mdev *m = S.mdevs; m; m = m->next)
		if (k_sysfs_streq(m->uuid, buf))
			return 0;
	return -ENODEV;
}

static int st_matrix_drivers_probe(const struct node *n, const char *buf, size_t len)
{
	return k_sysfs_streq("matrix", buf) ? 0 : -ENODEV;
}

static int sh_matrix_uevent(const struct node *n, struct sbuf *sb)
{
	return show_str(sb, "DRIVER=vfio_ap\n");
}

static int sh_empty(const struct node *n, struct sbuf *sb)
{
	return 0;
}

/* ---- the table ------------------------------------------------------------------ */

#define F(nm, par, mode, own, av, sh, st)                                                          \
	{                                                                                          \
		nm, par, N_REG, 0, mode, own, av, sh, st, NULL                                     \
	}
#define L(nm, par, own, av, tg)                                                                    \
	{                                                                                          \
		nm, par, N_LNK, 0, 0777, own, av, NULL, NULL, tg                                   \
	}
#define DI(nm, par, ch, av)                                                                        \
	{                                                                                          \
		nm, par, N_DIR, ch, 0755, O_NONE, av, NULL, NULL, NULL                             \
	}

const struct entry entries[] = {
	DI("bus", D_ROOT, D_BUS, av_always),
	DI("devices", D_ROOT, D_DEVICES, av_always),
	DI("class", D_ROOT, D_CLASS, av_always),
	DI("ap", D_BUS, D_BUS_AP, av_always),
	DI("mdev", D_BUS, D_BUS_MDEV, av_always),
	DI("matrix", D_BUS, D_BUS_MATRIX, av_always),
	DI("ap", D_DEVICES, D_DEVICES_AP, av_always),
	DI("vfio_ap", D_DEVICES, D_VFIO_ROOT, av_always),
	DI("mdev_bus", D_CLASS, D_CLASS_MDEV_BUS, av_always),
	/* /sys/module: the modules the drivers' 'module' links name (driverctl
	 * checks /sys/module/<driver> before it sets an override) */
	DI("module", D_ROOT, D_MODULE, av_always),
	DI("vfio_ap", D_MODULE, D_MODULE_VFIO_AP, av_always),
	DI("zcrypt_cex4", D_MODULE, D_MODULE_ZCRYPT_CEX4, av_always),
	F("initstate", D_MODULE_VFIO_AP, 0444, O_NONE, av_always, sh_mod_initstate, NULL),
	F("initstate", D_MODULE_ZCRYPT_CEX4, 0444, O_NONE, av_always, sh_mod_initstate, NULL),

	/* /sys/bus/ap */
	DI("devices", D_BUS_AP, D_BUS_AP_DEVICES, av_always),
	DI("drivers", D_BUS_AP, D_BUS_AP_DRIVERS, av_always),
	F("drivers_autoprobe", D_BUS_AP, 0644, O_NONE, av_always, sh_autoprobe, st_autoprobe),
	F("drivers_probe", D_BUS_AP, 0200, O_NONE, av_always, NULL, st_ap_drivers_probe),
	F("uevent", D_BUS_AP, 0200, O_NONE, av_always, NULL, st_bus_uevent),
	F("ap_domain", D_BUS_AP, 0644, O_NONE, av_always, sh_ap_domain, st_ap_domain),
	F("ap_control_domain_mask", D_BUS_AP, 0444, O_NONE, av_always, sh_cdom_mask, NULL),
	F("ap_usage_domain_mask", D_BUS_AP, 0444, O_NONE, av_always, sh_udom_mask, NULL),
	F("ap_adapter_mask", D_BUS_AP, 0444, O_NONE, av_always, sh_adapter_mask, NULL),
	F("ap_interrupts", D_BUS_AP, 0444, O_NONE, av_always, sh_interrupts, NULL),
	F("config_time", D_BUS_AP, 0644, O_NONE, av_always, sh_config_time, st_config_time),
	F("poll_thread", D_BUS_AP, 0644, O_NONE, av_always, sh_poll_thread, st_poll_thread),
	F("poll_timeout", D_BUS_AP, 0644, O_NONE, av_always, sh_poll_timeout, st_poll_timeout),
	F("ap_max_domain_id", D_BUS_AP, 0444, O_NONE, av_always, sh_max_domain, NULL),
	F("ap_max_adapter_id", D_BUS_AP, 0444, O_NONE, av_always, sh_max_adapter, NULL),
	F("apmask", D_BUS_AP, 0644, O_NONE, av_always, sh_apmask, st_apmask),
	F("aqmask", D_BUS_AP, 0644, O_NONE, av_always, sh_aqmask, st_aqmask),
	F("scans", D_BUS_AP, 0644, O_NONE, av_518, sh_scans, st_scans),
	F("bindings", D_BUS_AP, 0444, O_NONE, av_511, sh_bindings, NULL),
	F("bindings_complete_count", D_BUS_AP, 0444, O_NONE, av_619, sh_bcc, NULL),
	F("features", D_BUS_AP, 0444, O_NONE, av_604, sh_features, NULL),

	/* /sys/bus/ap/drivers/<drv> */
	F("bind", D_AP_DRIVER, 0200, O_NONE, av_always, NULL, st_drv_bind),
	F("unbind", D_AP_DRIVER, 0200, O_NONE, av_always, NULL, st_drv_unbind),
	F("uevent", D_AP_DRIVER, 0200, O_NONE, av_always, NULL, st_bus_uevent),
	L("module", D_AP_DRIVER, O_NONE, av_always, tg_drv_module),

	/* /sys/devices/ap (root device) */
	F("uevent", D_DEVICES_AP, 0644, O_NONE, av_always, sh_empty, st_bus_uevent),
	DI("power", D_DEVICES_AP, D_POWER, av_always),

	/* cards */
	F("hwtype", D_CARD, 0444, O_CARD, av_always, sh_c_hwtype, NULL),
	F("raw_hwtype", D_CARD, 0444, O_CARD, av_always, sh_c_raw, NULL),
	F("depth", D_CARD, 0444, O_CARD, av_always, sh_c_depth, NULL),
	F("ap_functions", D_CARD, 0444, O_CARD, av_always, sh_c_functions, NULL),
	F("request_count", D_CARD, 0644, O_CARD, av_always, sh_c_reqcnt, st_c_reqcnt),
	F("requestq_count", D_CARD, 0444, O_CARD, av_always, sh_zero, NULL),
	F("pendingq_count", D_CARD, 0444, O_CARD, av_always, sh_zero, NULL),
	F("modalias", D_CARD, 0444, O_CARD, av_always, sh_c_modalias, NULL),
	F("config", D_CARD, 0644, O_CARD, av_always, sh_c_config, st_c_config),
	F("chkstop", D_CARD, 0444, O_CARD, av_518, sh_c_chkstop, NULL),
	F("max_msg_size", D_CARD, 0444, O_CARD, av_518, sh_c_maxmsg, NULL),
	F("uevent", D_CARD, 0644, O_CARD, av_always, sh_c_uevent, st_c_uevent),
	F("type", D_CARD, 0444, O_CARD_DRV, av_card_bound, sh_c_type, NULL),
	F("online", D_CARD, 0644, O_CARD_DRV, av_card_bound, sh_c_online, st_c_online),
	F("load", D_CARD, 0444, O_CARD_DRV, av_card_bound, sh_zero, NULL),
	F("serialnr", D_CARD, 0444, O_CARD_DRV, av_card_serial, sh_c_serial, NULL),
	F("API_ordinalnr", D_CARD, 0444, O_CARD_DRV, av_card_ep11, sh_c_api, NULL),
	F("FW_version", D_CARD, 0444, O_CARD_DRV, av_card_ep11, sh_c_fw, NULL),
	F("op_modes", D_CARD, 0444, O_CARD_DRV, av_card_ep11, sh_nl, NULL),
	L("driver", D_CARD, O_CARD, av_card_driver, tg_c_driver),
	L("subsystem", D_CARD, O_CARD, av_always, tg_c_subsys),
	DI("power", D_CARD, D_POWER, av_always),

	/* queues */
	F("request_count", D_QUEUE, 0644, O_QUEUE, av_always, sh_q_reqcnt, st_q_reqcnt),
	F("requestq_count", D_QUEUE, 0444, O_QUEUE, av_always, sh_zero, NULL),
	F("pendingq_count", D_QUEUE, 0444, O_QUEUE, av_always, sh_zero, NULL),
	F("reset", D_QUEUE, 0644, O_QUEUE, av_always, sh_q_reset, st_ignore),
	F("interrupt", D_QUEUE, 0444, O_QUEUE, av_always, sh_q_interrupt, NULL),
	F("config", D_QUEUE, 0444, O_QUEUE, av_always, sh_q_config, NULL),
	F("chkstop", D_QUEUE, 0444, O_QUEUE, av_518, sh_q_chkstop, NULL),
	F("ap_functions", D_QUEUE, 0444, O_QUEUE, av_604, sh_q_functions, NULL),
	F("se_bind", D_QUEUE, 0644, O_QUEUE, av_se_guest, sh_q_se_bind, st_einval),
	F("se_associate", D_QUEUE, 0644, O_QUEUE, av_se_guest, sh_q_se_assoc, st_einval),
	F("driver_override", D_QUEUE, 0644, O_QUEUE, av_619, sh_q_override, st_q_override),
	F("uevent", D_QUEUE, 0644, O_QUEUE, av_always, sh_q_uevent, st_q_uevent),
	F("online", D_QUEUE, 0644, O_QUEUE_DRV, av_queue_zcrypt, sh_q_online, st_q_online),
	F("load", D_QUEUE, 0444, O_QUEUE_DRV, av_queue_zcrypt, sh_zero, NULL),
	F("mkvps", D_QUEUE, 0444, O_QUEUE_DRV, av_queue_mkvps, sh_q_mkvps, NULL),
	F("op_modes", D_QUEUE, 0444, O_QUEUE_DRV, av_queue_ep11, sh_nl, NULL),
	F("status", D_QUEUE, 0444, O_QUEUE_DRV, av_queue_status, sh_q_status, NULL),
	L("driver", D_QUEUE, O_QUEUE, av_queue_driver, tg_q_driver),
	L("subsystem", D_QUEUE, O_QUEUE, av_always, tg_q_subsys),
	DI("power", D_QUEUE, D_POWER, av_always),

	/* /sys/devices/vfio_ap and the matrix device */
	DI("matrix", D_VFIO_ROOT, D_MATRIX, av_always),
	F("uevent", D_VFIO_ROOT, 0644, O_NONE, av_always, sh_empty, st_bus_uevent),
	DI("power", D_VFIO_ROOT, D_POWER, av_always),
	F("features", D_MATRIX, 0444, O_NONE, av_612, sh_m_features, NULL),
	L("driver", D_MATRIX, O_NONE, av_always, tg_matrix_driver),
	L("subsystem", D_MATRIX, O_NONE, av_always, tg_matrix_subsys),
	F("uevent", D_MATRIX, 0644, O_NONE, av_always, sh_matrix_uevent, st_bus_uevent),
	DI("power", D_MATRIX, D_POWER, av_always),
	DI("mdev_supported_types", D_MATRIX, D_TYPES, av_always),
	DI("vfio_ap-passthrough", D_TYPES, D_TYPE, av_always),
	F("create", D_TYPE, 0200, O_NONE, av_always, NULL, st_t_create),
	F("name", D_TYPE, 0444, O_NONE, av_always, sh_t_name, NULL),
	F("device_api", D_TYPE, 0444, O_NONE, av_always, sh_t_api, NULL),
	F("available_instances", D_TYPE, 0444, O_NONE, av_always, sh_t_avail, NULL),
	DI("devices", D_TYPE, D_TYPE_DEVICES, av_always),

	/* mdev directories */
	F("assign_adapter", D_MDEV, 0200, O_MDEV, av_always, NULL, st_assign_adapter),
	F("unassign_adapter", D_MDEV, 0200, O_MDEV, av_always, NULL, st_unassign_adapter),
	F("assign_domain", D_MDEV, 0200, O_MDEV, av_always, NULL, st_assign_domain),
	F("unassign_domain", D_MDEV, 0200, O_MDEV, av_always, NULL, st_unassign_domain),
	F("assign_control_domain", D_MDEV, 0200, O_MDEV, av_always, NULL, st_assign_cdom),
	F("unassign_control_domain", D_MDEV, 0200, O_MDEV, av_always, NULL, st_unassign_cdom),
	F("control_domains", D_MDEV, 0444, O_MDEV, av_always, sh_control_domains, NULL),
	F("matrix", D_MDEV, 0444, O_MDEV, av_always, sh_matrix, NULL),
	F("guest_matrix", D_MDEV, 0444, O_MDEV, av_600, sh_guest_matrix, NULL),
	F("ap_config", D_MDEV, 0644, O_MDEV, av_610, sh_ap_config, st_ap_config),
	F("remove", D_MDEV, 0200, O_MDEV, av_mdev_live, NULL, st_remove),
	F("migratable", D_MDEV, 0644, O_MDEV, av_mdev_migratable, sh_mdev_migratable,
	  st_mdev_migratable),
	F("uevent", D_MDEV, 0644, O_MDEV, av_always, sh_mdev_uevent, st_mdev_uevent),
	L("mdev_type", D_MDEV, O_MDEV, av_mdev_live, tg_mdev_type),
	L("driver", D_MDEV, O_MDEV, av_always, tg_mdev_driver),
	L("subsystem", D_MDEV, O_MDEV, av_always, tg_mdev_subsys),
	L("iommu_group", D_MDEV, O_MDEV, av_always, tg_mdev_iommu),
	DI("power", D_MDEV, D_POWER, av_always),

	/* /sys/bus/mdev */
	DI("devices", D_BUS_MDEV, D_BUS_MDEV_DEVICES, av_always),
	DI("drivers", D_BUS_MDEV, D_BUS_MDEV_DRIVERS, av_always),
	F("drivers_autoprobe", D_BUS_MDEV, 0644, O_NONE, av_always, sh_one, st_ignore),
	F("drivers_probe", D_BUS_MDEV, 0200, O_NONE, av_always, NULL, st_mdev_drivers_probe),
	F("uevent", D_BUS_MDEV, 0200, O_NONE, av_always, NULL, st_bus_uevent),
	DI("vfio_ap_mdev", D_BUS_MDEV_DRIVERS, D_MDEV_DRIVER, av_always),
	F("bind", D_MDEV_DRIVER, 0200, O_NONE, av_always, NULL, st_mdev_drv_bind),
	F("unbind", D_MDEV_DRIVER, 0200, O_NONE, av_always, NULL, st_mdev_drv_unbind),
	F("uevent", D_MDEV_DRIVER, 0200, O_NONE, av_always, NULL, st_bus_uevent),
	L("module", D_MDEV_DRIVER, O_NONE, av_always, tg_vfio_module),

	/* /sys/bus/matrix */
	DI("devices", D_BUS_MATRIX, D_BUS_MATRIX_DEVICES, av_always),
	DI("drivers", D_BUS_MATRIX, D_BUS_MATRIX_DRIVERS, av_always),
	F("drivers_autoprobe", D_BUS_MATRIX, 0644, O_NONE, av_always, sh_one, st_ignore),
	F("drivers_probe", D_BUS_MATRIX, 0200, O_NONE, av_always, NULL, st_matrix_drivers_probe),
	F("uevent", D_BUS_MATRIX, 0200, O_NONE, av_always, NULL, st_bus_uevent),
	L("matrix", D_BUS_MATRIX_DEVICES, O_NONE, av_always, tg_bus_matrix_dev),
	DI("vfio_ap", D_BUS_MATRIX_DRIVERS, D_MATRIX_DRIVER, av_always),
	F("uevent", D_MATRIX_DRIVER, 0200, O_NONE, av_always, NULL, st_bus_uevent),
	L("module", D_MATRIX_DRIVER, O_NONE, av_always, tg_vfio_module),
	L("matrix", D_MATRIX_DRIVER, O_NONE, av_always, tg_drv_matrix_dev),

	/* /sys/class/mdev_bus */
	L("matrix", D_CLASS_MDEV_BUS, O_NONE, av_always, tg_class_matrix),
};

const size_t n_entries = sizeof(entries) / sizeof(entries[0]);

/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/validate.h"
#include "masks.h"
#include "tap.h"

#define G1 "11111111-1111-1111-1111-111111111111"
#define G2 "22222222-2222-2222-2222-222222222222"
#define G3 "33333333-3333-3333-3333-333333333333"
#define G4 "44444444-4444-4444-4444-444444444444"

/* a 7.2 host: adapters 0-15, domains 0-255 configured; masks give adapters
 * 0-3 to the host (all domains), everything else to vfio_ap */
static void host(struct ap_model *m)
{
	ap_model_init(m);
	m->host.caps.ap_bus = m->host.caps.vfio_ap = m->host.caps.masks = true;
	m->host.caps.guest_matrix = m->host.caps.ap_config = m->host.caps.queue_status = true;
	m->host.max_adapter = 63;
	m->host.max_domain = 255;
	m->host.qci_known = true;
	m->host.cfg_apm = M("0-15");
	m->host.cfg_aqm = M("0-255");
	m->host.cfg_adm = M("0-255");
	m->host.apmask = M("0-3");
	m->host.aqmask = M("0-255");
	/* the next boot keeps them (a rule persists them) */
	m->host.persist_apmask = m->host.apmask;
	m->host.persist_aqmask = m->host.aqmask;
}

static struct ap_mdev *active(struct ap_model *m, const char *uuid, struct ap_matrix x)
{
	struct ap_mdev *d = ap_model_get_mdev(m, uuid);

	d->active = true;
	d->live = x;
	return d;
}

static struct ap_mdev *defined(struct ap_model *m, const char *uuid, struct ap_matrix x,
			       bool autostart)
{
	struct ap_mdev *d = ap_model_get_mdev(m, uuid);

	d->defined = true;
	d->autostart = autostart;
	d->def = x;
	return d;
}

/* "kind/severity[/pre]" of every problem, joined by spaces */
static const char *summary(const struct ap_problems *p)
{
	static char buf[2048];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s/%s%s", i ? " " : "",
					ap_problem_kind_name(p->v[i].kind),
					ap_severity_name(p->v[i].severity),
					p->v[i].preexisting ? "/pre" : "");
	return buf;
}

static const char *apqns(const struct ap_problem *p)
{
	static char buf[4096];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->n_apqns; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%02x.%04x", i ? " " : "",
					p->apqns[i].apid, p->apqns[i].apqi);
	return buf;
}

static void validate(const struct ap_model *m, const struct ap_request *r,
		     struct ap_problems *p)
{
	if (ap_validate(m, r, p))
		BAIL_OUT();
}

/* scenarios.md: the two-guest validity example */
static void test_two_guests(void)
{
	struct ap_model m;
	struct ap_problems p;
	struct ap_request r;

	host(&m);
	m.host.apmask = M("0,3");	/* adapters 1 and 2 are vfio_ap's */
	active(&m, G1, X("1,2", "5,6", ""));
	active(&m, G2, X("1,2", "7", ""));
	validate(&m, NULL, &p);
	is_str(summary(&p), "", "two guests, valid: no problem");
	is_int(p.n_errors + p.n_warnings, 0, "two guests, valid: counts zero");
	ap_problems_free(&p);

	/* the same as a request: creating guest 2 next to guest 1 */
	ap_model_free(&m);
	host(&m);
	m.host.apmask = M("0,3");
	active(&m, G1, X("1,2", "5,6", ""));
	ap_request_init(&r, AP_REQ_MDEV_CREATE);
	strcpy(r.uuid, G2);
	r.matrix = X("1,2", "7", "");
	validate(&m, &r, &p);
	is_str(summary(&p), "", "create guest 2 (1,2 x 7): no problem");
	ap_problems_free(&p);

	/* invalid: guest 2 adapter 1 domains 6,7 */
	r.matrix = X("1", "6,7", "");
	validate(&m, &r, &p);
	is_str(summary(&p), "apqn-shared/error", "create guest 2 (1 x 6,7): one error");
	if (p.n == 1) {
		is_str(apqns(&p.v[0]), "01.0006", "the conflict is exactly APQN 01.0006");
		is_str(p.v[0].mdev, G1, "first party guest 1");
		is_int(p.v[0].other, AP_PARTY_MDEV, "other party an mdev");
		is_str(p.v[0].other_mdev, G2, "other party guest 2");
		is_int(p.v[0].mdev_sides, AP_SIDE_ACTIVE, "guest 1 active");
		is_int(p.v[0].other_sides, AP_SIDE_ACTIVE, "guest 2 active");
		is_str(p.v[0].message,
		       "cannot assign APQN 01.0006 to mdev " G2 ": it is already assigned to mdev "
		       G1 " (active); an APQN may belong to one guest only",
		       "conflict message: the proposed mdev, one APQN");
		ok(!p.v[0].preexisting, "the conflict is new");
	}
	is_int(p.new_errors, 1, "one new error");
	ap_problems_free(&p);
	r.matrix = X("1,2", "6", "");
	validate(&m, &r, &p);
	if (p.n == 1)
		is_str(p.v[0].message,
		       "cannot assign APQNs 01.0006, 02.0006 to mdev " G2 ": they are already "
		       "assigned to mdev " G1 " (active); an APQN may belong to one guest only",
		       "conflict message: the proposed mdev, two APQNs");
	else
		ok(false, "create guest 2 (1,2 x 6): one problem expected");
	ap_problems_free(&p);

	/* both present: the audit finds it too */
	active(&m, G2, X("1", "6,7", ""));
	validate(&m, NULL, &p);
	is_str(summary(&p), "apqn-shared/error", "audit: one error");
	if (p.n == 1)
		is_str(apqns(&p.v[0]), "01.0006", "audit: exactly 01.0006");
	ap_problems_free(&p);
	ap_model_free(&m);
}

static void test_sharing_matrix(void)
{
	static const struct {
		const char *name;
		int a_active, a_def, a_auto;	/* mdev G1 */
		int b_active, b_def, b_auto;	/* mdev G2 */
		const char *expect;
		unsigned int a_sides, b_sides;
	} cases[] = {
		{ "active-active", 1, 0, 0, 1, 0, 0, "apqn-shared/error", 1, 1 },
		{ "active vs defined autostart", 1, 0, 0, 0, 1, 1, "apqn-shared/error", 1, 2 },
		{ "active vs defined manual", 1, 0, 0, 0, 1, 0, "apqn-shared/warning", 1, 2 },
		{ "autostart vs autostart", 0, 1, 1, 0, 1, 1, "apqn-shared/error", 2, 2 },
		{ "autostart vs manual", 0, 1, 1, 0, 1, 0, "apqn-shared/warning", 2, 2 },
		{ "manual vs manual", 0, 1, 0, 0, 1, 0, "apqn-shared/warning", 2, 2 },
		{ "defined manual vs active", 0, 1, 0, 1, 0, 0, "apqn-shared/warning", 2, 1 },
		{ "both sides vs both sides, autostart", 1, 1, 1, 1, 1, 1, "apqn-shared/error", 3, 3 },
		{ "both sides manual vs active", 1, 1, 0, 1, 0, 0, "apqn-shared/error", 1, 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ap_model m;
		struct ap_problems p;
		struct ap_mdev *d;

		host(&m);
		d = ap_model_get_mdev(&m, G1);
		d->active = cases[i].a_active;
		d->defined = cases[i].a_def;
		d->autostart = cases[i].a_auto;
		d->live = d->def = X("5", "4,5", "");
		d = ap_model_get_mdev(&m, G2);
		d->active = cases[i].b_active;
		d->defined = cases[i].b_def;
		d->autostart = cases[i].b_auto;
		d->live = d->def = X("5,6", "5", "");
		validate(&m, NULL, &p);
		is_str(summary(&p), cases[i].expect, "%s: severity", cases[i].name);
		if (p.n == 1) {
			is_str(apqns(&p.v[0]), "05.0005", "%s: APQN 05.0005", cases[i].name);
			is_int(p.v[0].mdev_sides, cases[i].a_sides, "%s: sides of G1", cases[i].name);
			is_int(p.v[0].other_sides, cases[i].b_sides, "%s: sides of G2",
			       cases[i].name);
		}
		ap_problems_free(&p);
		ap_model_free(&m);
	}

	/* an error and a warning with the same pair: 05.0005 live-live, 05.0006 via a
	 * manual definition only */
	struct ap_model m;
	struct ap_problems p;
	struct ap_mdev *d;

	host(&m);
	active(&m, G1, X("5", "5,6", ""));
	d = active(&m, G2, X("5", "5", ""));
	d->defined = true;
	d->def = X("5", "5,6", "");
	validate(&m, NULL, &p);
	is_str(summary(&p), "apqn-shared/error apqn-shared/warning", "error and warning for one pair");
	if (p.n == 2) {
		is_str(apqns(&p.v[0]), "05.0005", "error: 05.0005");
		is_str(apqns(&p.v[1]), "05.0006", "warning: 05.0006 only");
		is_str(p.v[1].message,
		       "APQNs 05.0006 are assigned to both mdev " G1 " (active) and mdev " G2
		       " (defined, manual start); an APQN may belong to one guest only: remove"
		       " them from one of the two (apctl mdev modify)", "warning message");
	}
	ap_problems_free(&p);
	ap_model_free(&m);
}

static void test_host_owned(void)
{
	struct ap_model m;
	struct ap_problems p;

	host(&m);
	active(&m, G1, X("2,5", "4", ""));	/* adapter 2 is the host's */
	defined(&m, G2, X("3", "9", ""), true);	/* autostart, persistent masks = live */
	defined(&m, G3, X("1", "7", ""), false);	/* manual */
	validate(&m, NULL, &p);
	is_str(summary(&p), "host-owned/error host-owned/error host-owned/warning",
	       "host-owned: active error, autostart error, manual warning");
	if (p.n == 3) {
		is_str(apqns(&p.v[0]), "02.0004", "active: 02.0004");
		is_int(p.v[0].other, AP_PARTY_HOST, "other party: host");
		is_int(p.v[0].other_sides, AP_SIDE_ACTIVE, "live masks");
		is_str(p.v[0].message,
		       "mdev " G1 " (active) holds APQNs 02.0004 that the live masks give to the"
		       " host; reserve them for vfio_ap (apctl reserve) or remove them from the"
		       " mdev (apctl mdev modify)", "active host-owned message");
		is_str(apqns(&p.v[1]), "03.0009", "autostart: 03.0009");
		is_int(p.v[1].other_sides, AP_SIDE_DEFINED, "persistent masks");
		is_str(p.v[1].message,
		       "mdev " G2 " (defined, autostart) holds APQNs 03.0009 that the persistent"
		       " masks give to the host at boot, so it will not start; reserve them"
		       " persistently (apctl reserve --persistent 3) or remove them from the"
		       " definition", "autostart host-owned message");
		is_str(apqns(&p.v[2]), "01.0007", "manual: 01.0007");
	}
	ap_problems_free(&p);

	/* persistent masks that differ from the live ones */
	m.host.persist_apmask_set = true;
	m.host.persist_apmask = M("");	/* at boot adapters all go to vfio_ap */
	m.host.persist_aqmask_set = true;
	m.host.persist_aqmask = M("0-255");
	validate(&m, NULL, &p);
	is_str(summary(&p), "host-owned/error host-owned/warning",
	       "persistent masks free adapter 3 for the autostart definition");
	ap_problems_free(&p);

	/* many APQNs: the message lists eight and counts the rest */
	ap_model_free(&m);
	host(&m);
	active(&m, G1, X("0-3", "0-4", ""));
	validate(&m, NULL, &p);
	if (ok(p.n == 1, "20 host-owned APQNs: one problem")) {
		is_int(p.v[0].n_apqns, 20, "20 APQNs listed in the problem");
		ok(strstr(p.v[0].message, "00.0000, 00.0001, 00.0002, 00.0003, 00.0004, 01.0000,"
					  " 01.0001, 01.0002 and 12 more") != NULL,
		   "message cut after eight: %s", p.v[0].message);
	}
	ap_problems_free(&p);
	ap_model_free(&m);
}

static void mask_req(struct ap_request *r, const char *ap, const char *aq)
{
	struct ap_idlist l;

	ap_request_init(r, AP_REQ_MASKS);
	if (ap && !ap_idlist_parse(ap, 255, true, &l, NULL))
		ap_mask_edit_from_idlist(&r->apmask, &l);
	if (aq && !ap_idlist_parse(aq, 255, true, &l, NULL))
		ap_mask_edit_from_idlist(&r->aqmask, &l);
}

static void test_masks(void)
{
	struct ap_model m;
	struct ap_problems p;
	struct ap_request r;

	host(&m);
	active(&m, G1, X("5", "4,5", ""));
	defined(&m, G2, X("6", "9", ""), false);

	mask_req(&r, "-7,-8", NULL);
	validate(&m, &r, &p);
	is_str(summary(&p), "", "reserving more adapters: no problem");
	ap_problems_free(&p);

	mask_req(&r, "+5", NULL);
	validate(&m, &r, &p);
	is_str(summary(&p), "mask-takes-assigned/error", "releasing adapter 5 of an mdev: error");
	if (p.n == 1) {
		is_str(apqns(&p.v[0]), "05.0004 05.0005", "the two APQNs of G1");
		is_str(p.v[0].mdev, G1, "names G1");
		is_int(p.v[0].other, AP_PARTY_HOST, "other party the host");
		is_str(p.v[0].message,
		       "the new masks would give APQNs 05.0004, 05.0005 to the host, but mdev " G1
		       " (active) holds them: remove them from the mdev first (apctl mdev modify)",
		       "message");
	}
	ap_problems_free(&p);

	mask_req(&r, "+6", NULL);
	validate(&m, &r, &p);
	is_str(summary(&p), "mask-takes-assigned/error", "releasing adapter 6 of a definition: error");
	if (p.n == 1)
		is_int(p.v[0].mdev_sides, AP_SIDE_DEFINED, "the definition's side");
	ap_problems_free(&p);

	/* persistent only: the active mdev does not matter, the definition does */
	mask_req(&r, "+5,+6", NULL);
	r.active = false;
	r.persistent = true;
	validate(&m, &r, &p);
	is_str(summary(&p), "mask-takes-assigned/error", "persistent release: the definition");
	if (p.n == 1) {
		is_str(p.v[0].mdev, G2, "persistent: names G2");
		is_str(apqns(&p.v[0]), "06.0009", "persistent: 06.0009");
		is_int(p.v[0].other_sides, AP_SIDE_DEFINED, "persistent masks");
	}
	ap_problems_free(&p);

	/* an absolute write of zero, and a relative edit that empties a mask */
	mask_req(&r, "0-63", NULL);
	r.apmask.value = M("");
	validate(&m, &r, &p);
	is_str(summary(&p), "empty-mask/error", "all-zero apmask: error");
	if (p.n == 1)
		is_str(p.v[0].message,
		       "the new apmask would be all zero: every queue of this machine would go to"
		       " vfio_ap (use --force if that is really wanted)", "empty mask message");
	ap_problems_free(&p);
	r.force = true;
	validate(&m, &r, &p);
	is_str(summary(&p), "empty-mask/warning", "all-zero apmask forced: warning");
	ap_problems_free(&p);
	mask_req(&r, NULL, "-0-255");
	validate(&m, &r, &p);
	is_str(summary(&p), "empty-mask/error", "relative edit clearing aqmask: error");
	ap_problems_free(&p);
	mask_req(&r, NULL, "-0-255");
	r.active = false;
	r.persistent = true;
	validate(&m, &r, &p);
	is_str(summary(&p), "empty-mask/error", "persistent all-zero aqmask: error");
	if (p.n == 1)
		ok(strstr(p.v[0].message, "persistent aqmask") != NULL, "names the persistent aqmask");
	ap_problems_free(&p);

	/* kernel-abi.md 1.4 worked example: X holds 05.0004, aqmask bit 4 clear */
	ap_model_free(&m);
	host(&m);
	m.host.aqmask = M("0-3,5-255");
	active(&m, G1, X("5", "4", ""));
	mask_req(&r, "+5", NULL);
	validate(&m, &r, &p);
	is_str(summary(&p), "", "+5 with domain 4 not the host's: fine before 6.19");
	ap_problems_free(&p);
	m.host.caps.driver_override = true;
	validate(&m, &r, &p);
	is_str(summary(&p), "mask-takes-assigned/error", "+5: refused by the 6.19 rule");
	if (p.n == 1) {
		is_str(apqns(&p.v[0]), "05.0004", "6.19 rule: 05.0004");
		is_str(p.v[0].message, "APQN 05.0004, of an adapter or domain this change gives "
		       "back to the host, is assigned to mdev " G1 " (active); it would stay with "
		       "vfio_ap, but this kernel (6.19 and later) refuses the mask change (EBUSY) "
		       "while an mdev holds any APQN of a released adapter or domain: remove it "
		       "from the mdev first (apctl mdev modify)",
		       "6.19 rule: says the APQN stays with vfio_ap and why the kernel refuses");
	}
	ap_problems_free(&p);
	ap_model_free(&m);
}

static void test_ids_cdoms_config(void)
{
	struct ap_model m;
	struct ap_problems p;
	struct ap_request r;

	host(&m);
	m.host.max_domain = 15;
	active(&m, G1, X("5,64", "4,16", "20"));
	validate(&m, NULL, &p);
	is_str(summary(&p), "id-above-max/error not-in-config/warning",
	       "ids above the maxima; not in the configuration");
	if (p.n == 2) {
		is_str(p.v[0].message,
		       "mdev " G1 " (active): adapters 40; domains 0010; control domains 0014 above"
		       " the maximum (adapters up to 3f, domains up to 000f); the kernel refuses"
		       " them: remove them from the mdev", "id-above-max message");
		ok(ap_mask_test(&p.v[0].ids.apm, 64) && ap_mask_weight(&p.v[0].ids.apm) == 1,
		   "ids: adapter 64");
		is_str(p.v[1].message,
		       "mdev " G1 " (active): adapters 40 not in the host's AP configuration; the"
		       " guest gets them only once they are configured to this LPAR",
		       "not-in-config message");
	}
	ap_problems_free(&p);
	ap_model_free(&m);

	host(&m);
	active(&m, G1, X("5", "", "4"));
	defined(&m, G2, X("6", "", "4"), true);
	defined(&m, G3, X("7", "", "4"), false);
	validate(&m, NULL, &p);
	is_str(summary(&p),
	       "cdom-without-usage/warning cdom-without-usage/error cdom-without-usage/warning",
	       "control domains without usage domains: active warning, autostart error, manual warning");
	if (p.n == 3)
		is_str(p.v[0].message,
		       "mdev " G1 " (active) has control domains 0004 but no usage domain; mdevctl's"
		       " ap-check refuses to start such a device: add a usage domain or remove the"
		       " control domains", "cdom message");
	ap_problems_free(&p);
	/* the same matrix active and defined is one problem */
	ap_model_free(&m);
	host(&m);
	active(&m, G1, X("5", "", "4"));
	defined(&m, G1, X("5", "", "4"), false);
	validate(&m, NULL, &p);
	is_str(summary(&p), "cdom-without-usage/warning", "active+defined: reported once");
	if (p.n == 1)
		is_int(p.v[0].mdev_sides, AP_SIDE_ACTIVE | AP_SIDE_DEFINED, "both sides named");
	ap_problems_free(&p);

	/* over-provisioning in a create request is a warning only */
	ap_request_init(&r, AP_REQ_MDEV_CREATE);
	strcpy(r.uuid, G2);
	r.matrix = X("20", "4", "");
	validate(&m, &r, &p);
	is_str(summary(&p), "not-in-config/warning",
	       "create with adapter 0x14 not configured: warning; the other mdev's old warning is not looked at");
	is_int(p.new_errors, 0, "no new error");
	is_int(p.new_warnings, 1, "one new warning");
	ap_problems_free(&p);
	ap_model_free(&m);
}

static void test_mdev_requests(void)
{
	struct ap_model m;
	struct ap_problems p;
	struct ap_request r;
	struct ap_mdev *d;

	host(&m);
	d = active(&m, G1, X("5,6", "4,5", ""));
	d->in_use = true;
	d->guest_known = true;
	d->guest = X("5", "4,5", "");
	active(&m, G2, X("7", "4", ""));
	active(&m, G3, X("8", "4", ""));
	active(&m, G4, X("8", "4", ""));	/* an old conflict G3-G4 */

	ap_request_init(&r, AP_REQ_MDEV_CREATE);
	strcpy(r.uuid, G1);
	r.matrix = X("9", "9", "");
	validate(&m, &r, &p);
	is_str(summary(&p), "mdev-exists/error", "create an existing mdev");
	if (p.n >= 1)
		is_str(p.v[0].message,
		       "mdev " G1 " already exists (active); change it with 'apctl mdev modify' or"
		       " choose another UUID", "mdev-exists message");
	is_int(p.new_errors, 1, "one new error");
	ap_problems_free(&p);

	ap_request_init(&r, AP_REQ_MDEV_MODIFY);
	strcpy(r.uuid, "55555555-5555-5555-5555-555555555555");
	validate(&m, &r, &p);
	is_str(summary(&p), "mdev-not-found/error", "modify a missing mdev");
	if (p.n >= 1)
		is_str(p.v[0].message,
		       "there is no active mdev 55555555-5555-5555-5555-555555555555",
		       "not found message");
	ap_problems_free(&p);

	/* modify the in-use mdev: adapter 5 leaves, the guest loses 05.0004 05.0005 */
	ap_request_init(&r, AP_REQ_MDEV_MODIFY);
	strcpy(r.uuid, G1);
	r.matrix = X("6", "4,5", "");
	validate(&m, &r, &p);
	is_str(summary(&p), "in-use/warning", "modify in use: warning");
	if (p.n >= 1) {
		is_str(apqns(&p.v[0]), "05.0004 05.0005", "unplugged APQNs");
		is_str(p.v[0].message,
		       "mdev " G1 " is in use by a guest: APQNs 05.0004, 05.0005 will be unplugged"
		       " from the running guest", "in-use message");
	}
	ap_problems_free(&p);

	/* adding only: nothing leaves the guest */
	r.matrix = X("5,6", "4,5,9", "");
	validate(&m, &r, &p);
	is_str(summary(&p), "", "modify in use, adding only: nothing new");
	ap_problems_free(&p);

	/* taking G2's APQN */
	r.matrix = X("5,6,7", "4,5", "");
	validate(&m, &r, &p);
	is_str(summary(&p), "apqn-shared/error", "modify into a conflict");
	if (p.n >= 1)
		is_str(apqns(&p.v[0]), "07.0004", "the new conflict is 07.0004");
	ap_problems_free(&p);

	/* removing the conflicting G4 fixes the old problem */
	ap_request_init(&r, AP_REQ_MDEV_REMOVE);
	strcpy(r.uuid, G4);
	validate(&m, &r, &p);
	is_str(summary(&p), "", "remove G4: the old conflict is gone");
	ap_problems_free(&p);

	ap_request_init(&r, AP_REQ_MDEV_REMOVE);
	strcpy(r.uuid, G1);
	validate(&m, &r, &p);
	is_str(summary(&p), "in-use/warning", "remove in use: warning");
	ap_problems_free(&p);

	ap_request_init(&r, AP_REQ_MDEV_REMOVE);
	strcpy(r.uuid, G2);
	r.active = false;
	r.persistent = true;
	validate(&m, &r, &p);
	is_str(summary(&p), "mdev-not-found/error",
	       "remove a definition that does not exist");
	if (p.n >= 1)
		is_str(p.v[0].message, "there is no definition of mdev " G2, "message");
	ap_problems_free(&p);

	/* adding a definition to an active mdev, autostart, that conflicts with
	 * a manual definition: warning */
	defined(&m, G4, X("9", "9", ""), false);
	ap_request_init(&r, AP_REQ_MDEV_MODIFY);
	strcpy(r.uuid, G2);
	r.active = false;
	r.persistent = true;
	r.set_autostart = r.autostart = true;
	r.matrix = X("7,9", "4,9", "");
	validate(&m, &r, &p);
	is_str(summary(&p), "apqn-shared/warning",
	       "definition added: sharing with a manual definition is a warning");
	ap_problems_free(&p);
	ap_model_free(&m);

	/* before 6.0: in-use modify is refused, only vfio_ap-bound queues assign */
	host(&m);
	m.host.caps.guest_matrix = m.host.caps.ap_config = false;
	m.host.caps.no_guest_matrix = true;
	d = active(&m, G1, X("5", "4", ""));
	d->in_use = true;
	ap_host_add_queue(&m.host, 5, 4)->driver = AP_DRV_VFIO_AP;
	/* not host-owned, yet bound to no driver (unbound by hand) */
	ap_host_add_queue(&m.host, 5, 5)->driver = AP_DRV_NONE;
	ap_request_init(&r, AP_REQ_MDEV_MODIFY);
	strcpy(r.uuid, G1);
	r.matrix = X("5", "4,5", "");
	validate(&m, &r, &p);
	is_str(summary(&p), "in-use/error queue-not-bound/error", "5.x: in use and unbound queue");
	if (p.n == 2) {
		is_str(apqns(&p.v[1]), "05.0005", "unbound: 05.0005");
		is_str(p.v[0].message,
		       "mdev " G1 " is in use by a guest, and this kernel (before 6.0) refuses"
		       " changes while a guest is attached; stop the guest first", "5.x in-use message");
	}
	ap_problems_free(&p);
	ap_model_free(&m);

	/* issue 14: a queue the same change's mask edit gives to vfio_ap counts
	 * as bound (create --reserve); with the generation unknown (no mdev,
	 * no features, but 'scans': 5.18..6.3) an unbound queue is a warning */
	host(&m);
	m.host.caps.guest_matrix = m.host.caps.ap_config = false;
	ap_host_add_queue(&m.host, 6, 0x47)->driver = AP_DRV_CEX4QUEUE;
	ap_mask_clear(&m.host.apmask, 6);	/* what --reserve does to the model */
	ap_request_init(&r, AP_REQ_MDEV_CREATE);
	r.active = true;
	strcpy(r.uuid, G1);
	r.matrix = X("6,7", "0x47", "");
	validate(&m, &r, &p);
	is_str(summary(&p), "queue-not-bound/warning",
	       "unknown generation: 07.0047 (no queue) is a warning, 06.0047 is bound");
	if (p.n == 1)
		is_str(apqns(&p.v[0]), "07.0047", "only 07.0047 is unbound");
	ap_problems_free(&p);
	m.host.caps.no_guest_matrix = true;
	validate(&m, &r, &p);
	is_str(summary(&p), "queue-not-bound/error", "before 6.0: an error");
	ap_problems_free(&p);
	ap_model_free(&m);
}

/* scenarios.md: the three-guest example */
static void test_three_guests(void)
{
	struct ap_model m;
	struct ap_problems p;
	struct ap_request r;
	static const struct {
		const char *uuid, *apm, *aqm;
	} guests[] = {
		{ G1, "5,6", "4,0xab" },
		{ G2, "5", "0x47,0xff" },
		{ G3, "6", "0x47,0xff" },
	};

	ap_model_init(&m);
	m.host.caps.ap_bus = m.host.caps.vfio_ap = m.host.caps.masks = true;
	m.host.caps.guest_matrix = m.host.caps.ap_config = true;
	m.host.max_domain = 255;
	m.host.qci_known = true;
	m.host.cfg_apm = M("5,6");
	m.host.cfg_aqm = M("4,0x47,0xab,0xff");

	mask_req(&r, "-5,-6", NULL);
	validate(&m, &r, &p);
	is_str(summary(&p), "", "three guests: reserve -5,-6");
	ap_problems_free(&p);
	m.host.apmask = M("0-4,7-255");

	for (int i = 0; i < 3; i++) {
		ap_request_init(&r, AP_REQ_MDEV_CREATE);
		strcpy(r.uuid, guests[i].uuid);
		r.matrix = X(guests[i].apm, guests[i].aqm, "");
		validate(&m, &r, &p);
		is_str(summary(&p), "", "three guests: create guest %d", i + 1);
		ap_problems_free(&p);
		active(&m, guests[i].uuid, r.matrix);
	}
	validate(&m, NULL, &p);
	is_str(summary(&p), "", "three guests: the audit is clean");
	ap_problems_free(&p);

	/* a fourth asking for 05.0004 is refused, naming guest 1 */
	ap_request_init(&r, AP_REQ_MDEV_CREATE);
	strcpy(r.uuid, G4);
	r.matrix = X("5", "4", "");
	validate(&m, &r, &p);
	is_str(summary(&p), "apqn-shared/error", "fourth guest with 05.0004 refused");
	if (p.n == 1) {
		is_str(p.v[0].mdev, G1, "names guest 1");
		is_str(p.v[0].other_mdev, G4, "and the new mdev");
		is_str(apqns(&p.v[0]), "05.0004", "05.0004");
	}
	ap_problems_free(&p);

	/* giving adapter 5 back to the host while guests 1 and 2 hold it */
	mask_req(&r, "+5", NULL);
	validate(&m, &r, &p);
	is_str(summary(&p), "mask-takes-assigned/error mask-takes-assigned/error",
	       "release adapter 5: both holders reported");
	if (p.n == 2) {
		is_str(apqns(&p.v[0]), "05.0004 05.00ab", "guest 1 loses 05.0004 05.00ab");
		is_str(apqns(&p.v[1]), "05.0047 05.00ff", "guest 2 loses 05.0047 05.00ff");
	}
	ap_problems_free(&p);
	ap_model_free(&m);
}

static void test_request(void)
{
	struct ap_request r;
	struct ap_mask_edit e;
	struct ap_idlist l;
	struct ap_mask cur = M("0-7"), out, pa, pq;
	struct ap_model m;
	char buf[AP_IDLIST_STRLEN];

	ap_request_init(&r, AP_REQ_MDEV_CREATE);
	ok(r.kind == AP_REQ_MDEV_CREATE && r.active && !r.persistent && !r.force,
	   "request defaults: active only");
	memset(&e, 0, sizeof(e));
	ap_mask_edit_apply(&e, &cur, &out);
	ok(ap_mask_equal(&out, &cur), "no change keeps the mask");
	ap_idlist_parse("+9,-0-2", 255, true, &l, NULL);
	ap_mask_edit_from_idlist(&e, &l);
	ok(e.change && !e.absolute, "relative list: relative edit");
	ap_mask_edit_apply(&e, &cur, &out);
	ap_idlist_format(&out, buf, sizeof(buf));
	is_str(buf, "3-7,9", "relative edit applied");
	ap_idlist_parse("4,5", 255, true, &l, NULL);
	ap_mask_edit_from_idlist(&e, &l);
	ap_mask_edit_apply(&e, &cur, &out);
	ap_idlist_format(&out, buf, sizeof(buf));
	is_str(buf, "4,5", "absolute edit replaces");
	ap_mask_edit_apply(&e, &cur, &cur);
	ap_idlist_format(&cur, buf, sizeof(buf));
	is_str(buf, "4,5", "edit in place");

	host(&m);
	ap_host_persistent_masks(&m.host, &pa, &pq);
	ok(ap_mask_equal(&pa, &m.host.persist_apmask) && ap_mask_equal(&pq, &m.host.persist_aqmask),
	   "the boot-time masks");
	ap_model_free(&m);
	ap_model_init(&m);
	m.host.apmask = M("9");
	ap_host_persistent_masks(&m.host, &pa, &pq);
	ok(ap_mask_is_full(&pa) && ap_mask_is_full(&pq),
	   "nothing persistent: the kernel's all-ones default, never the live masks");
	ap_model_free(&m);
}

static void test_names(void)
{
	static const char *names[] = { "apqn-shared", "host-owned", "mask-takes-assigned",
				       "id-above-max", "cdom-without-usage", "not-in-config",
				       "empty-mask", "mdev-exists", "mdev-not-found", "in-use",
				       "queue-not-bound" };

	for (int i = 0; i <= AP_PROB_QUEUE_NOT_BOUND; i++)
		is_str(ap_problem_kind_name((enum ap_problem_kind)i), names[i], "kind name %d", i);
	is_str(ap_problem_kind_name((enum ap_problem_kind)99), "unknown", "kind name 99");
	is_str(ap_severity_name(AP_SEV_ERROR), "error", "severity error");
	is_str(ap_severity_name(AP_SEV_WARNING), "warning", "severity warning");
}

/* ap_validate_txn: each request against the state the earlier ones leave */
static void test_txn(void)
{
	struct ap_model m;
	struct ap_request r[3];
	struct ap_problems p;

	host(&m);
	active(&m, G1, X("5", "4,0xab", ""))->in_use = true;
	active(&m, G2, X("6", "4", ""));

	/* a reservation, then a create that needs it: host-owned without the first */
	ap_request_init(&r[0], AP_REQ_MASKS);
	r[0].active = true;
	r[0].apmask.change = true;
	r[0].apmask.clear = M("2");
	ap_request_init(&r[1], AP_REQ_MDEV_CREATE);
	r[1].active = true;
	strcpy(r[1].uuid, G3);
	r[1].matrix = X("2", "7", "");
	if (ap_validate_txn(&m, &r[1], 1, &p))
		BAIL_OUT();
	is_str(summary(&p), "host-owned/error", "create alone: adapter 2 is the host's");
	ap_problems_free(&p);
	if (ap_validate_txn(&m, r, 2, &p))
		BAIL_OUT();
	is_str(summary(&p), "", "reserve, then create: nothing wrong");
	ap_problems_free(&p);

	/* a move of 05.00ab from G1 (in use) to a new G4: unplug first */
	ap_request_init(&r[0], AP_REQ_MDEV_MODIFY);
	r[0].active = true;
	strcpy(r[0].uuid, G1);
	r[0].matrix = X("5", "4", "");
	ap_request_init(&r[1], AP_REQ_MDEV_CREATE);
	r[1].active = true;
	strcpy(r[1].uuid, G4);
	r[1].matrix = X("5", "0xab", "");
	if (ap_validate_txn(&m, r, 2, &p))
		BAIL_OUT();
	is_str(summary(&p), "in-use/warning", "unplug, then create: the unplug is said");
	is_int(p.new_errors, 0, "the move is accepted");
	ap_problems_free(&p);
	/* the other order: the create conflicts with G1 as it is then */
	r[2] = r[0];
	r[0] = r[1];
	r[1] = r[2];
	if (ap_validate_txn(&m, r, 2, &p))
		BAIL_OUT();
	is_str(summary(&p), "apqn-shared/error in-use/warning", "create first: refused");
	ap_problems_free(&p);

	/* two creates of one APQN in one transaction: the second is refused */
	ap_request_init(&r[0], AP_REQ_MDEV_CREATE);
	r[0].active = true;
	strcpy(r[0].uuid, G3);
	r[0].matrix = X("7", "9", "");
	r[1] = r[0];
	strcpy(r[1].uuid, G4);
	if (ap_validate_txn(&m, r, 2, &p))
		BAIL_OUT();
	is_str(summary(&p), "apqn-shared/error", "two new mdevs sharing 07.0009");
	if (p.n == 1)
		is_str(p.v[0].other_mdev, G4, "the pair names the second");
	ap_problems_free(&p);
	ap_model_free(&m);
}

int main(void)
{
	test_txn();
	test_two_guests();
	test_sharing_matrix();
	test_host_owned();
	test_masks();
	test_ids_cdoms_config();
	test_mdev_requests();
	test_three_guests();
	test_request();
	test_names();
	return done_testing();
}

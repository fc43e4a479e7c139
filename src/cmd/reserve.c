/* SPDX-License-Identifier: MIT */
/*
 * apctl reserve / apctl release: give adapters and domains to vfio_ap by
 * clearing their bits in apmask/aqmask, or give them back to the host's
 * drivers by setting them, live (sysfs) and/or persistently (the udev rule
 * 41-ap.rules that chzdev --type ap writes).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/change.h"
#include "cmd/cmd.h"
#include "core/apqn.h"
#include "core/escape.h"
#include "core/exitcodes.h"
#include "core/idlist.h"
#include "core/owner.h"
#include "core/plan.h"
#include "i18n.h"
#include "out/out.h"

static void usage_common(FILE *out, bool reserve)
{
	fputs(_("\nOptions:\n"), out);
	fputs(_(" -a, --adapters <list>      adapters (the default for a bare <list>)\n"), out);
	fputs(_(" -d, --domains <list>       usage domains\n"), out);
	fputs(_("     --active               change the live masks (the default)\n"), out);
	fputs(_(" -p, --persistent           change the udev rule 41-ap.rules that sets the\n"
		"                            masks at boot (override mode: driverctl's file\n"
		"                            /etc/driverctl.d/ap-AA.DDDD); with --active as\n"
		"                            well: both\n"), out);
	fputs(_("     --mode <mode>          masks or override: how queues are given to\n"
		"                            vfio_ap (default: the way the host uses now;\n"
		"                            masks on a host that uses neither)\n"), out);
	chg_usage_settle(out);
	chg_usage_common(out);
	fputs(_("\nLists: decimal or 0x (or 0X) hex ids, ranges a-b, commas, 'all'\n"
		"(e.g. 5,6  or  0x10-0x1f,4).  APQNs such as 05.0004,06.00ab name single\n"
		"queues: only driver_override (--mode override, Linux 6.19 and later) can\n"
		"move them alone; the masks select whole adapters and whole domains.\n"
		"In override mode adapter and domain lists name their existing queues.\n"), out);
	(void)reserve;
}

void usage_reserve(FILE *out)
{
	fputs(_("\nUsage:\n apctl reserve [options] [<adapter list>]\n"
		" apctl reserve [options] --adapters <list> --domains <list>\n"), out);
	fputs(_("\nReserve adapters and/or usage domains for vfio_ap: clear their bits in\n"
		"apmask/aqmask so that their queues leave the host's drivers and can be\n"
		"assigned to mdevs.  The masks are changed with the kernel's relative form\n"
		"(-5,-6), which it applies atomically.\n"), out);
	usage_common(out, true);
	fputs(_("\nExamples:\n"
		"  apctl reserve 5,6                  adapters 05 and 06 to vfio_ap\n"
		"  apctl reserve --domains 4,0xab     domains 0004 and 00ab to vfio_ap\n"
		"  apctl reserve --dry-run 5          show the writes, change nothing\n"
		"  apctl reserve -p --active 5        live and at boot\n"
		"  apctl reserve --mode override 05.0004,06.00ab\n"
		"                                     two queues, by driver_override\n"), out);
	chg_usage_exit(out, _("With --force, a change that would write an all-zero mask (every queue\n"
			      "of the machine to vfio_ap) is made; without it, it is refused.\n"));
}

void usage_release(FILE *out)
{
	fputs(_("\nUsage:\n apctl release [options] [<adapter list>]\n"
		" apctl release [options] --adapters <list> --domains <list>\n"), out);
	fputs(_("\nGive adapters and/or usage domains back to the host's drivers: set their\n"
		"bits in apmask/aqmask.  Refused while an mdev (active, or defined for\n"
		"mdevctl) holds an APQN that would become the host's.\n"), out);
	usage_common(out, false);
	fputs(_("\nExamples:\n"
		"  apctl release 5,6                  adapters 05 and 06 back to the host\n"
		"  apctl release --domains all        every domain back to the host\n"
		"  apctl release 05.0004              clear the queue's driver_override\n"), out);
	chg_usage_exit(out, _("--force changes nothing for release: a mask that gives queues back\n"
			      "to the host is never all zero, and a release that takes APQNs from an\n"
			      "mdev is refused with or without it.\n"));
}

/* ------------------------------------------------------------------------ */

struct rsv {
	bool release;
	const char *alist, *dlist;	/* NULL: not given */
	const char *apqn;		/* an APQN list was given */
	const char *mode;		/* --mode: NULL, "masks" or "override" */
	bool override;			/* this change uses driver_override */
	struct ap_mask ovr[AP_MAX_ID + 1];	/* override mode: the queues */
	size_t n_ovr;			/* ...that change live */
	bool active, persistent;
	struct ap_mask a, d;		/* parsed under the model's limits */
	struct ap_mask ca, cd;		/* live bits that change */
	struct ap_mask pa, pd;		/* persistent bits that change */
	struct ap_mask ba, bd;		/* reserved at the next boot, afterwards */
};


/* 'apctl reserve 05.0004': the masks cannot express it; say what can */
static void explain_apqn(struct chg_txn *t, const struct ap_model *m, struct rsv *r)
{
	const struct ap_host *h = &m->host;
	struct ap_apqn q;
	struct ap_mask one, alld, alla, dom, ad;
	size_t pos;
	char *lst, first[32];

	/* a list of APQNs: the first one explains it */
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(r->apqn, ","), r->apqn);
	if (ap_apqn_parse(first, &q, &pos)) {
		chg_problem_exit(t, APCTL_EXIT_USAGE, "id-list",
				 _("'%s' is neither an id list nor an APQN (AA.DDDD)"), r->apqn);
		return;
	}
	chg_problem_exit(t, APCTL_EXIT_USAGE, "apqn-not-expressible",
			 r->release ? _("APQN %02x.%04x cannot be released alone: apmask and "
					"aqmask select whole adapters and whole domains")
				    : _("APQN %02x.%04x cannot be reserved alone: apmask and "
					"aqmask select whole adapters and whole domains"),
			 q.apid, q.apqi);
	/* the queues whose owner would change along with it */
	if (h->qci_known) {
		alld = h->cfg_aqm;
		alla = h->cfg_apm;
	} else {
		ap_mask_fill(&alld);
		ap_mask_limit(&alld, h->max_domain);
		ap_mask_fill(&alla);
		ap_mask_limit(&alla, h->max_adapter);
	}
	ap_mask_zero(&one);
	ap_mask_set(&one, q.apid);
	ap_mask_zero(&dom);
	ap_mask_set(&dom, q.apqi);
	/* the adapter: its domains whose owner changes (those in aqmask) */
	ap_mask_and(&ad, &alld, &h->aqmask);
	lst = chg_apqns(&one, &ad, 16);
	chg_problem_exit(t, APCTL_EXIT_USAGE, "apqn-not-expressible",
			 _("  'apctl %s --adapters %u' moves the whole adapter: %s"),
			 r->release ? "release" : "reserve", q.apid, lst && *lst ? lst : _("none"));
	free(lst);
	ap_mask_and(&ad, &alla, &h->apmask);
	lst = chg_apqns(&ad, &dom, 16);
	chg_problem_exit(t, APCTL_EXIT_USAGE, "apqn-not-expressible",
			 _("  'apctl %s --domains %u' moves the whole domain: %s"),
			 r->release ? "release" : "reserve", q.apqi, lst && *lst ? lst : _("none"));
	free(lst);
	switch (ap_host_give_mode(h)) {
	case AP_GIVE_DEFAULT:
		chg_problem_exit(t, APCTL_EXIT_USAGE, "apqn-not-expressible",
				 _("  'apctl %s --mode override %s' moves the queue alone by its "
				   "driver_override (then this kernel refuses mask changes until "
				   "the override is released)"),
				 r->release ? "release" : "reserve", r->apqn);
		break;
	case AP_GIVE_UNOFFERED:
		chg_problem_exit(t, APCTL_EXIT_USAGE, "apqn-not-expressible", "%s",
				 _("  this kernel has no driver_override (Linux 6.19 and later can "
				   "move single queues)"));
		break;
	default:
		break;
	}
}

static void new_masks(const struct rsv *r, const struct ap_mask *oa, const struct ap_mask *od,
		      struct ap_mask *na, struct ap_mask *nd)
{
	if (r->release) {
		ap_mask_or(na, oa, &r->a);
		ap_mask_or(nd, od, &r->d);
	} else {
		ap_mask_andnot(na, oa, &r->a);
		ap_mask_andnot(nd, od, &r->d);
	}
}

/* bits that differ between o and n */
static void changed(const struct ap_mask *o, const struct ap_mask *n, struct ap_mask *c)
{
	struct ap_mask x, y;

	ap_mask_andnot(&x, o, n);
	ap_mask_andnot(&y, n, o);
	ap_mask_or(c, &x, &y);
}

static void set_edit(struct ap_mask_edit *e, const struct ap_mask *bits, bool release)
{
	memset(e, 0, sizeof(*e));
	e->change = true;
	if (release)
		e->set = *bits;
	else
		e->clear = *bits;
}

static void reserved_at_boot(const struct ap_host *h, const struct ap_mask *na,
			     const struct ap_mask *nd, struct ap_mask *ba, struct ap_mask *bd)
{
	ap_mask_not(ba, na);
	ap_mask_limit(ba, h->max_adapter);
	ap_mask_not(bd, nd);
	ap_mask_limit(bd, h->max_domain);
}

/* a persistent change apctl cannot make as asked: refuse, nothing written */
static void persist_refusals(struct chg_txn *t, const struct ap_host *h, const struct rsv *r)
{
	bool ch_a = !ap_mask_is_empty(&r->pa), ch_d = !ap_mask_is_empty(&r->pd);

	if (!ch_a && !ch_d)
		return;
	if (*h->persist_refuse || (*h->persist_refuse_add && ((ch_a && !h->persist_rule_ap) ||
							      (ch_d && !h->persist_rule_aq))))
		chg_problem_exit(t, APCTL_EXIT_BADDATA, "rule-not-understood",
				 _("%s; apctl rewrites only a rule file it fully understands: fix "
				   "the file, or move it away (apctl then writes a new one)"),
				 *h->persist_refuse ? h->persist_refuse : h->persist_refuse_add);
	if (ch_a && *h->persist_after_ap)
		chg_problem(t, CHG_ERROR, "rule-overridden",
			    _("%s, which udev runs after 41-ap.rules, writes apmask too and would "
			      "undo this change at boot: change or remove that file"),
			    h->persist_after_ap);
	if (ch_d && *h->persist_after_aq)
		chg_problem(t, CHG_ERROR, "rule-overridden",
			    _("%s, which udev runs after 41-ap.rules, writes aqmask too and would "
			      "undo this change at boot: change or remove that file"),
			    h->persist_after_aq);
	if (h->persist_rule == AP_PERSIST_UDEV_RUN || h->persist_rule == AP_PERSIST_UDEV_LIB)
		chg_problem(t, CHG_WARNING, "persist-copy",
			    _("41-ap.rules is in %s: apctl writes the changed copy to "
			      "/etc/udev/rules.d/41-ap.rules, which udev uses instead"),
			    h->persist_rule == AP_PERSIST_UDEV_RUN ? "/run/udev/rules.d"
								   : "/usr/lib/udev/rules.d");
}

/* ---- override mode ---- */

/* "05.0004,06.00ab": one APQN after the other */
static int parse_apqns(struct chg_txn *t, const struct rsv *r, struct ap_mask *ovr)
{
	const char *p = r->apqn;

	while (*p) {
		char one[32];
		size_t n = strcspn(p, ","), pos;
		struct ap_apqn q;

		snprintf(one, sizeof(one), "%.*s", (int)(n < sizeof(one) ? n : sizeof(one) - 1), p);
		if (!n || n >= sizeof(one) || ap_apqn_parse(one, &q, &pos)) {
			chg_problem_exit(t, APCTL_EXIT_USAGE, "id-list",
					 _("'%s' in '%s' is not an APQN (AA.DDDD, hex: 05.0004)"),
					 ap_esc(one), ap_esc(r->apqn));
			return -1;
		}
		ap_mask_set(&ovr[q.apid], q.apqi);
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int ovr_build(struct chg_txn *t, const struct ap_model *m, struct rsv *r)
{
	const struct ap_host *h = &m->host;
	const char *want = r->release ? "" : "vfio_ap";
	struct ap_request req;
	size_t n = 0;

	memset(r->ovr, 0, sizeof(r->ovr));
	r->n_ovr = 0;
	if (r->apqn) {
		if (r->alist || r->dlist) {
			chg_problem_exit(t, APCTL_EXIT_USAGE, "id-list", "%s",
					 _("APQNs and --adapters/--domains cannot be combined"));
			return APCTL_EXIT_USAGE;
		}
		if (parse_apqns(t, r, r->ovr))
			return APCTL_EXIT_USAGE;
	} else {
		ap_mask_zero(&r->a);
		ap_mask_zero(&r->d);
		if (r->alist && chg_parse_ids(t, "--adapters", r->alist, h->max_adapter, &r->a))
			return APCTL_EXIT_USAGE;
		if (r->dlist && chg_parse_ids(t, "--domains", r->dlist, h->max_domain, &r->d))
			return APCTL_EXIT_USAGE;
		/* the existing queues the lists name */
		for (size_t i = 0; i < h->n_queues; i++) {
			const struct ap_queue *q = &h->queues[i];

			if (q->apid > AP_MAX_ID || q->apqi > AP_MAX_ID)
				continue;
			if ((!r->alist || ap_mask_test(&r->a, q->apid)) &&
			    (!r->dlist || ap_mask_test(&r->d, q->apqi)))
				ap_mask_set(&r->ovr[q->apid], q->apqi);
		}
	}
	for (size_t i = 0; i < h->n_queues; i++) {
		const struct ap_queue *q = &h->queues[i];

		if (q->apid <= AP_MAX_ID && q->apqi <= AP_MAX_ID &&
		    ap_mask_test(&r->ovr[q->apid], q->apqi)) {
			n++;
			if (strcmp(q->driver_override, want))
				r->n_ovr++;
		}
	}
	if (!n && !r->apqn && h->caps.driver_override) {
		chg_problem_exit(t, APCTL_EXIT_USAGE, "id-list", "%s",
				 _("the lists name no existing queue (see apctl show queues)"));
		return APCTL_EXIT_USAGE;
	}
	ap_request_init(&req, AP_REQ_OVERRIDES);
	req.active = r->active;
	req.persistent = r->persistent;
	req.ovr_release = r->release;
	memcpy(req.ovr, r->ovr, sizeof(req.ovr));
	chg_validate(t, m, &req);
	chg_request(t, &req);
	if (r->persistent && h->caps.driver_override && !h->driverctl_boot)
		chg_problem(t, CHG_WARNING, "driverctl-missing", "%s",
			    _("driverctl's udev rule (05-driverctl.rules) and driverctl@.service "
			      "are not installed: the saved overrides in /etc/driverctl.d will "
			      "not come back at boot (install driverctl)"));
	return 0;
}

static int rsv_build(struct chg_txn *t, const struct ap_model *m, void *arg)
{
	struct rsv *r = arg;
	const struct ap_host *h = &m->host;
	struct ap_request req;
	struct ap_mask na, nd;

	enum ap_give_mode give = ap_host_give_mode(h);

	if (r->mode)
		r->override = !strcmp(r->mode, "override");
	else
		r->override = give == AP_GIVE_OVERRIDES || give == AP_GIVE_BOTH;
	if (r->override)
		return ovr_build(t, m, r);
	if (r->apqn) {
		explain_apqn(t, m, r);
		return APCTL_EXIT_USAGE;
	}
	if (!h->caps.masks) {
		chg_problem_exit(t, APCTL_EXIT_NOAP, "no-masks",
				 _("this kernel has no apmask/aqmask files"));
		return APCTL_EXIT_NOAP;
	}
	ap_mask_zero(&r->a);
	ap_mask_zero(&r->d);
	if (r->alist && chg_parse_ids(t, "--adapters", r->alist, h->max_adapter, &r->a))
		return APCTL_EXIT_USAGE;
	if (r->dlist && chg_parse_ids(t, "--domains", r->dlist, h->max_domain, &r->d))
		return APCTL_EXIT_USAGE;

	/* one validation of the whole edit, live and/or persistent */
	ap_request_init(&req, AP_REQ_MASKS);
	req.active = r->active;
	req.persistent = r->persistent;
	req.force = chg_txn_opts(t)->force;
	if (r->alist)
		set_edit(&req.apmask, &r->a, r->release);
	if (r->dlist)
		set_edit(&req.aqmask, &r->d, r->release);
	chg_validate(t, m, &req);
	chg_request(t, &req);

	/* what changes, for the report */
	ap_mask_zero(&r->ca);
	ap_mask_zero(&r->cd);
	ap_mask_zero(&r->pa);
	ap_mask_zero(&r->pd);
	if (r->active) {
		new_masks(r, &h->apmask, &h->aqmask, &na, &nd);
		changed(&h->apmask, &na, &r->ca);
		changed(&h->aqmask, &nd, &r->cd);
	}
	if (r->persistent) {
		struct ap_mask oa, od;

		/* from what the next boot does, not from the live masks */
		ap_host_persistent_masks(h, &oa, &od);
		new_masks(r, &oa, &od, &na, &nd);
		changed(&oa, &na, &r->pa);
		changed(&od, &nd, &r->pd);
		reserved_at_boot(h, &na, &nd, &r->ba, &r->bd);
		persist_refusals(t, h, r);
	}
	return 0;
}

static void ovr_report(struct chg_txn *t, struct json_object *doc, struct rsv *r)
{
	struct json_object *a = NULL;
	char *lst = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int x, y;

	if (doc)
		a = json_object_new_array();
	else
		f = open_memstream(&lst, &len);
	for (x = 0; x <= AP_MAX_ID; x++) {
		ap_mask_for_each(y, &r->ovr[x]) {
			char q[AP_APQN_STRLEN];

			ap_apqn_format((unsigned int)x, (unsigned int)y, q);
			if (a)
				json_object_array_add(a, json_object_new_string(q));
			else if (f)
				fprintf(f, "%s%s", ftell(f) ? ", " : "", q);
		}
	}
	if (doc) {
		json_object_object_add(doc, "mode", json_object_new_string("override"));
		json_object_object_add(doc, "queues", a);
		return;
	}
	if (f)
		fclose(f);
	if (chg_txn_nsteps(t) && lst) {
		if (r->active)
			apctl_note(chg_txn_ctx(t), r->release
				   ? _("queues %s now belong to the host (driver_override cleared)")
				   : _("queues %s reserved for vfio_ap (driver_override)"), lst);
		if (r->persistent)
			apctl_note(chg_txn_ctx(t), r->release
				   ? _("queues %s: the saved overrides in /etc/driverctl.d were "
				       "deleted")
				   : _("queues %s: the overrides were saved for boot in "
				       "/etc/driverctl.d (driverctl)"), lst);
	}
	free(lst);
}

static void rsv_report(struct chg_txn *t, const struct ap_model *m, struct json_object *doc,
		       void *arg)
{
	struct rsv *r = arg;
	char *a, *d;

	(void)m;
	if (r->override) {
		ovr_report(t, doc, r);
		return;
	}
	if (doc) {
		json_object_object_add(doc, "adapters_changed",
				       ap_json_mask(&r->ca, AP_IDS_ADAPTER));
		json_object_object_add(doc, "domains_changed", ap_json_mask(&r->cd, AP_IDS_DOMAIN));
		if (r->persistent) {
			struct json_object *b = json_object_new_object();

			json_object_object_add(b, "adapters", ap_json_mask(&r->ba, AP_IDS_ADAPTER));
			json_object_object_add(b, "domains", ap_json_mask(&r->bd, AP_IDS_DOMAIN));
			json_object_object_add(doc, "reserved_at_boot", b);
		}
		return;
	}
	if (!chg_txn_nsteps(t))
		return;
	if (!ap_mask_is_empty(&r->ca)) {
		a = chg_ids(&r->ca, 2);
		apctl_note(chg_txn_ctx(t), r->release ? _("adapters %s now belong to the host")
						      : _("adapters %s reserved for vfio_ap"),
			   a ? a : "");
		free(a);
	}
	if (!ap_mask_is_empty(&r->cd)) {
		d = chg_ids(&r->cd, 4);
		apctl_note(chg_txn_ctx(t), r->release ? _("domains %s now belong to the host")
						      : _("domains %s reserved for vfio_ap"),
			   d ? d : "");
		free(d);
	}
	for (size_t i = 0; i < chg_txn_nsteps(t); i++) {
		const struct ap_step *s = chg_txn_step(t, i);

		if (s->kind == AP_STEP_PERSIST_MASKS && s->drop) {
			apctl_note(chg_txn_ctx(t), _("nothing is reserved for vfio_ap at boot any "
						     "more: 41-ap.rules was deleted"));
			return;
		}
	}
	if (!ap_mask_is_empty(&r->pa) || !ap_mask_is_empty(&r->pd)) {
		a = chg_ids(&r->ba, 2);
		d = chg_ids(&r->bd, 4);
		apctl_note(chg_txn_ctx(t), _("the boot-time masks in 41-ap.rules were updated; "
					     "reserved for vfio_ap at boot: adapters %s, "
					     "domains %s"), a ? a : "", d ? d : "");
		free(a);
		free(d);
	}
}

static int rsv_main(struct apctl_ctx *ctx, int argc, char **argv, bool release)
{
	enum { OPT_ACTIVE = 0x100, OPT_MODE };
	static const struct option longopts[] = {
		{ "adapters", required_argument, NULL, 'a' },
		{ "domains", required_argument, NULL, 'd' },
		{ "active", no_argument, NULL, OPT_ACTIVE },
		{ "persistent", no_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, OPT_MODE },
		CHG_LONGOPTS,
		CHG_SETTLE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *cmd = release ? "release" : "reserve";
	struct chg_ops ops = { .cmd = cmd, .build = rsv_build, .report = rsv_report };
	struct rsv r = { .release = release };
	struct chg_opts o;
	int opt, rc;

	chg_opts_init(&o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":a:d:p" CHG_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if (r.alist)
				return apctl_usage_error(cmd, _("--adapters given twice"));
			r.alist = optarg;
			break;
		case 'd':
			if (r.dlist)
				return apctl_usage_error(cmd, _("--domains given twice"));
			r.dlist = optarg;
			break;
		case OPT_ACTIVE:
			r.active = true;
			break;
		case 'p':
			r.persistent = true;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "masks") && strcmp(optarg, "override"))
				return apctl_usage_error(cmd, _("--mode takes 'masks' or 'override', "
								"not '%s'"), optarg);
			r.mode = optarg;
			break;
		default:
			if (!chg_opt(&o, opt, optarg, cmd, release ? usage_release : usage_reserve,
				     argv, &rc))
				return rc;
		}
	}
	if (optind < argc) {
		if (optind + 1 < argc)
			return apctl_usage_error(cmd, _("unexpected argument '%s'"), argv[optind + 1]);
		if (r.alist)
			return apctl_usage_error(cmd, _("an adapter list was given twice ('%s' and "
							"--adapters)"), argv[optind]);
		if (strchr(argv[optind], '.'))
			r.apqn = argv[optind];
		else
			r.alist = argv[optind];
	}
	if (!r.alist && !r.dlist && !r.apqn)
		return apctl_usage_error(cmd, _("no adapters or domains given"));
	if (!r.active && !r.persistent)
		r.active = true;
	return chg_run(ctx, &o, &ops, &r);
}

int cmd_reserve(struct apctl_ctx *ctx, int argc, char **argv)
{
	return rsv_main(ctx, argc, argv, false);
}

int cmd_release(struct apctl_ctx *ctx, int argc, char **argv)
{
	return rsv_main(ctx, argc, argv, true);
}

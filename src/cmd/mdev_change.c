/* SPDX-License-Identifier: MIT */
/*
 * apctl mdev create / modify / remove: the vfio_ap mediated devices, live in
 * sysfs and, on request, as mdevctl definitions (/etc/mdevctl.d/matrix/<uuid>,
 * the files mdevctl, libvirt and ap-check read).
 *
 * Persistence: an s390 administrator makes an mdev survive a reboot with an
 * mdevctl definition.  'create --define' writes one that mdevctl starts on
 * request ("start": "manual"), 'create --autostart' one that udev starts at
 * boot ("start": "auto").  'modify' changes the live mdev and its definition,
 * whichever exist (--active / --persistent choose one), 'remove --undefine'
 * deletes the definition too.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "cmd/change.h"
#include "cmd/cmd.h"
#include "cmd/mdev.h"
#include "core/exitcodes.h"
#include "core/owner.h"
#include "core/idlist.h"
#include "core/request.h"
#include "i18n.h"
#include "out/out.h"
#include "sys/mdevctl.h"

static const char *const dim_opt[3] = { "--adapters", "--domains", "--control-domains" };

/* ------------------------------------------------------------------------ */
/* usage */

void usage_mdev_create(FILE *out)
{
	fputs(_("\nUsage:\n apctl mdev create [options] --adapters <list> --domains <list>\n"), out);
	fputs(_("\nCreate a vfio_ap mediated device and assign adapters, usage domains and\n"
		"control domains to it in one transaction (one ap_config write where the\n"
		"kernel has it).  The UUID is printed on success.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_(" -u, --uuid <uuid>          the mdev's UUID (default: a new random one)\n"), out);
	fputs(_(" -a, --adapters <list>      adapters\n"), out);
	fputs(_(" -d, --domains <list>       usage domains\n"), out);
	fputs(_(" -c, --control-domains <list>\n"
		"                            control domains (default: none)\n"), out);
	fputs(_("     --reserve              reserve the adapters for vfio_ap first if the\n"
		"                            masks give any of their APQNs to the host (on\n"
		"                            a host that gives queues by driver_override:\n"
		"                            the override of each such queue)\n"), out);
	fputs(_("     --define               also write an mdevctl definition (started on\n"
		"                            request: mdevctl start -u <uuid>)\n"), out);
	fputs(_("     --autostart            also write an mdevctl definition started at boot\n"), out);
	chg_usage_common(out);
	fputs(_("\nExamples:\n"
		"  apctl mdev create -a 5,6 -d 4,0xab\n"
		"  apctl mdev create -u 8e2a5d2a-3c3a-4e1c-9b0d-0d1f5a2b7c41 -a 5 -d 0x47 "
		"--autostart\n"), out);
	chg_usage_exit(out, _("With --reserve and --force, a reservation that would clear apmask to\n"
			      "all zero (every adapter of the machine to vfio_ap) is made; without\n"
			      "--force, it is refused.  Nothing else in mdev create depends on it.\n"));
}

void usage_mdev_modify(FILE *out)
{
	fputs(_("\nUsage:\n apctl mdev modify [options] <uuid>\n"), out);
	fputs(_("\nChange the adapters, usage domains and control domains of an mdev.  While a\n"
		"guest uses it, the kernel hot plugs and unplugs them (kernels before 6.0\n"
		"refuse any change while a guest runs).  The live mdev and its mdevctl\n"
		"definition are both changed, whichever exist.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_(" -a, --adapters <list>      set the adapters\n"
		"     --add-adapters <list>  add adapters\n"
		"     --remove-adapters <list>\n"
		"                            remove adapters\n"), out);
	fputs(_(" -d, --domains <list>       set the usage domains\n"
		"     --add-domains <list>   add usage domains\n"
		"     --remove-domains <list>\n"
		"                            remove usage domains\n"), out);
	fputs(_(" -c, --control-domains <list>\n"
		"                            set the control domains\n"
		"     --add-control-domains <list>\n"
		"                            add control domains\n"
		"     --remove-control-domains <list>\n"
		"                            remove control domains\n"), out);
	fputs(_("     --active               change only the live mdev\n"
		" -p, --persistent           change only the mdevctl definition\n"), out);
	fputs(_("     --migratable on|off    allow or forbid the live migration of the guest\n"
		"                            (the mdev's 'migratable' switch, which only the\n"
		"                            first version of the kernel's vfio_ap migration\n"
		"                            support has; see apctl migrate-check)\n"), out);
	chg_usage_common(out);
	fputs(_("\nRemoving adapters or domains from an mdev a guest uses asks for confirmation\n"
		"(-y to skip).\n"), out);
	fputs(_("\nExamples:\n"
		"  apctl mdev modify 8e2a5d2a-3c3a-4e1c-9b0d-0d1f5a2b7c41 --add-domains 0x47\n"), out);
	chg_usage_exit(out, _("--force changes nothing for mdev modify: a change that conflicts is\n"
			      "refused with or without it, and taking adapters or domains from a\n"
			      "guest asks for confirmation (-y) instead.\n"));
}

void usage_mdev_remove(FILE *out)
{
	fputs(_("\nUsage:\n apctl mdev remove [options] <uuid>\n"), out);
	fputs(_("\nRemove a vfio_ap mediated device.  Refused while a guest uses it unless\n"
		"--force is given: the kernel then withdraws the AP devices from the guest\n"
		"and blocks the removal until the guest (QEMU) releases the mdev; apctl\n"
		"waits for that at most --timeout seconds and then reports that the removal\n"
		"is pending (exit status 11); 'apctl mdev list' shows it until it completes.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_("     --undefine             also delete its mdevctl definition (alone: when\n"
		"                            the mdev is only defined)\n"), out);
	fputs(_(" -t, --timeout <seconds>    wait at most this long for the kernel to remove\n"
		"                            an mdev a guest holds (default 30)\n"), out);
	chg_usage_common(out);
	chg_usage_exit(out, _("With --force, an mdev a guest uses is removed (see above); without it,\n"
			      "the removal is refused.\n"));
	fputs(_(" 11  removal pending: the guest still holds the device; the kernel\n"
		"     completes the removal when the guest releases it\n"), out);
}

/* ------------------------------------------------------------------------ */
/* shared */

struct edit {
	const char *set, *add, *rm;
};


static unsigned int dim_max(const struct ap_model *m, int dim)
{
	return dim == 0 ? m->host.max_adapter : m->host.max_domain;
}

static struct ap_mask *dim_mask(struct ap_matrix *mx, int dim)
{
	return dim == 0 ? &mx->apm : dim == 1 ? &mx->aqm : &mx->adm;
}

bool mdev_has_vfio(struct chg_txn *t, const struct ap_model *m)
{
	if (m->host.caps.vfio_ap)
		return true;
	chg_problem_exit(t, APCTL_EXIT_NOAP, "no-vfio-ap",
			 _("there is no vfio_ap matrix device (is the vfio_ap module loaded?)"));
	return false;
}

/* ------------------------------------------------------------------------ */
/* create */

struct create {
	char uuid[AP_UUID_STRLEN];
	const char *list[3];
	bool reserve, define, autostart;
	bool made_up;		/* no --uuid: apctl chose the UUID */
	struct ap_matrix mx;
};

/*
 * --reserve of create and start: reserve what of mx the host holds, the way
 * the host gives queues away.  A host that gives them by driver_override:
 * the override of each existing queue of mx that is the host's; otherwise a
 * mask edit reserving the adapters of mx whose APQNs the live masks give to
 * the host (nothing without reserve).  Adds the request to t unvalidated:
 * the caller adds its own and validates them together (chg_validate_all),
 * so that its request is checked against the system as this one leaves it.
 */
void mdev_reserve_request(struct chg_txn *t, const struct ap_model *m, const struct ap_matrix *mx,
			  bool reserve)
{
	struct ap_request req;
	struct ap_mask rsv;
	enum ap_give_mode give;

	if (!reserve)
		return;
	ap_mask_zero(&rsv);
	give = ap_host_give_mode(&m->host);
	if (give == AP_GIVE_OVERRIDES || give == AP_GIVE_BOTH) {
		/* the host gives queues by driver_override: so does --reserve, for
		 * the matrix's existing queues that are the host's */
		size_t n = 0;

		ap_request_init(&req, AP_REQ_OVERRIDES);
		for (size_t i = 0; i < m->host.n_queues; i++) {
			const struct ap_queue *q = &m->host.queues[i];

			if (q->apid > AP_MAX_ID || q->apqi > AP_MAX_ID ||
			    !ap_mask_test(&mx->apm, q->apid) || !ap_mask_test(&mx->aqm, q->apqi) ||
			    !ap_owner_host_owns(&m->host, q->apid, q->apqi))
				continue;
			ap_mask_set(&req.ovr[q->apid], q->apqi);
			n++;
		}
		if (n)
			chg_request(t, &req);
		return;
	}
	/* the adapters whose APQNs of this matrix the masks give to the host */
	{
		struct ap_mask d;

		ap_mask_and(&d, &mx->aqm, &m->host.aqmask);
		if (!ap_mask_is_empty(&d))
			ap_mask_and(&rsv, &mx->apm, &m->host.apmask);
	}
	if (!ap_mask_is_empty(&rsv)) {
		ap_request_init(&req, AP_REQ_MASKS);
		req.active = true;
		req.force = chg_txn_opts(t)->force;
		req.apmask.change = true;
		req.apmask.clear = rsv;
		chg_request(t, &req);
	}
}

static int create_build(struct chg_txn *t, const struct ap_model *m, void *arg)
{
	struct create *c = arg;
	struct ap_request req;
	int dim;

	if (!mdev_has_vfio(t, m))
		return APCTL_EXIT_NOAP;
	if (c->made_up)
		chg_txn_new_mdev(t, c->uuid);
	memset(&c->mx, 0, sizeof(c->mx));
	for (dim = 0; dim < 3; dim++)
		if (c->list[dim] &&
		    chg_parse_ids(t, dim_opt[dim], c->list[dim], dim_max(m, dim), dim_mask(&c->mx, dim)))
			return APCTL_EXIT_USAGE;

	mdev_reserve_request(t, m, &c->mx, c->reserve);
	{
		const struct ap_mdev *md = ap_model_find_mdev(m, c->uuid);

		if (md && md->defined && !md->active && !c->define &&
		    !ap_matrix_equal(&md->def, &c->mx))
			chg_problem(t, CHG_WARNING, "definition-differs",
				    _("mdev %s is defined for mdevctl with another matrix; the "
				      "live mdev will differ from its definition (mdevctl start "
				      "-u %s would use the definition)"), c->uuid, c->uuid);
	}
	ap_request_init(&req, AP_REQ_MDEV_CREATE);
	req.active = true;
	req.persistent = c->define;
	req.set_autostart = c->define;
	req.autostart = c->autostart;
	snprintf(req.uuid, sizeof(req.uuid), "%s", c->uuid);
	req.matrix = c->mx;
	chg_request(t, &req);
	chg_validate_all(t, m);
	return 0;
}

static void create_report(struct chg_txn *t, const struct ap_model *m, struct json_object *doc,
			  void *arg)
{
	struct create *c = arg;

	(void)t;
	(void)m;
	if (doc) {
		json_object_object_add(doc, "uuid", json_object_new_string(c->uuid));
		return;
	}
	printf("%s\n", c->uuid);
}

int cmd_mdev_create(struct apctl_ctx *ctx, int argc, char **argv)
{
	enum { OPT_DEFINE = 0x100, OPT_AUTOSTART, OPT_RESERVE };
	static const struct option longopts[] = {
		{ "uuid", required_argument, NULL, 'u' },
		{ "adapters", required_argument, NULL, 'a' },
		{ "domains", required_argument, NULL, 'd' },
		{ "control-domains", required_argument, NULL, 'c' },
		{ "reserve", no_argument, NULL, OPT_RESERVE },
		{ "define", no_argument, NULL, OPT_DEFINE },
		{ "autostart", no_argument, NULL, OPT_AUTOSTART },
		CHG_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char cmd[] = "mdev create";
	struct chg_ops ops = { .cmd = cmd, .build = create_build, .report = create_report };
	struct create c = { .uuid = "" };
	struct chg_opts o;
	int opt, rc, dim;

	chg_opts_init(&o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":u:a:d:c:" CHG_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'u':
			rc = chg_parse_uuid(cmd, optarg, c.uuid);
			if (rc)
				return rc;
			break;
		case 'a':
		case 'd':
		case 'c':
			dim = opt == 'a' ? 0 : opt == 'd' ? 1 : 2;
			if (c.list[dim])
				return apctl_usage_error(cmd, _("%s given twice"), dim_opt[dim]);
			c.list[dim] = optarg;
			break;
		case OPT_RESERVE:
			c.reserve = true;
			break;
		case OPT_DEFINE:
			c.define = true;
			break;
		case OPT_AUTOSTART:
			c.define = c.autostart = true;
			break;
		default:
			if (!chg_opt(&o, opt, optarg, cmd, usage_mdev_create, argv, &rc))
				return rc;
		}
	}
	if (optind < argc)
		return apctl_usage_error(cmd, _("unexpected argument '%s'"), argv[optind]);
	if (!c.list[0] || !c.list[1])
		return apctl_usage_error(cmd, _("--adapters and --domains are required"));
	if (!c.uuid[0]) {
		uuid_t u;

		uuid_generate_random(u);
		uuid_unparse_lower(u, c.uuid);
		c.made_up = true;
	}
	return chg_run(ctx, &o, &ops, &c);
}

/* ------------------------------------------------------------------------ */
/* modify */

struct modify {
	char uuid[AP_UUID_STRLEN];
	struct edit e[3];
	bool active, persistent;	/* as given; neither: whatever exists */
	struct ap_matrix old, mx;	/* live */
	bool did_live, did_def;
	bool edits;			/* adapters, domains or control domains given */
	int migratable;			/* --migratable: 1 on, 0 off, -1 not given */
};

static int apply_edit(struct chg_txn *t, const struct ap_model *m, const struct edit *e, int dim,
		      const struct ap_mask *cur, struct ap_mask *out)
{
	static const char *const add_opt[3] = { "--add-adapters", "--add-domains",
						"--add-control-domains" };
	static const char *const rm_opt[3] = { "--remove-adapters", "--remove-domains",
					       "--remove-control-domains" };
	struct ap_mask a, r, x;
	unsigned int max = dim_max(m, dim);

	*out = *cur;
	if (e->set)
		return chg_parse_ids(t, dim_opt[dim], e->set, max, out);
	ap_mask_zero(&a);
	ap_mask_zero(&r);
	if (e->add && chg_parse_ids(t, add_opt[dim], e->add, max, &a))
		return -1;
	if (e->rm && chg_parse_ids(t, rm_opt[dim], e->rm, 255, &r))
		return -1;
	ap_mask_and(&x, &a, &r);
	if (!ap_mask_is_empty(&x)) {
		char *s = chg_ids(&x, dim ? 4 : 2);

		chg_problem_exit(t, APCTL_EXIT_USAGE, "contradiction",
				 _("%s and %s both name %s"), add_opt[dim], rm_opt[dim], s ? s : "");
		free(s);
		return -1;
	}
	ap_mask_or(out, out, &a);
	ap_mask_andnot(out, out, &r);
	return 0;
}

static int modify_build(struct chg_txn *t, const struct ap_model *m, void *arg)
{
	struct modify *mo = arg;
	const struct ap_mdev *md;
	struct ap_request req;
	struct ap_matrix dnew;
	bool live, def, same;
	int dim;

	if (!mdev_has_vfio(t, m))
		return APCTL_EXIT_NOAP;
	md = ap_model_find_mdev(m, mo->uuid);
	if (!md) {
		chg_problem_exit(t, APCTL_EXIT_USAGE, "no-such-mdev",
				 _("no mdev %s: it is neither active nor defined (see 'apctl mdev "
				   "list')"), mo->uuid);
		return APCTL_EXIT_USAGE;
	}
	if (mo->migratable >= 0) {
		/* the v1 live migration patches' switch of the live mdev */
		ap_request_init(&req, AP_REQ_MDEV_MIGRATABLE);
		snprintf(req.uuid, sizeof(req.uuid), "%s", mo->uuid);
		req.migratable = mo->migratable == 1;
		chg_validate(t, m, &req);
		chg_request(t, &req);
		if (!mo->edits)
			return 0;
	}
	live = md->active && (mo->active || !mo->persistent);
	def = md->defined && (mo->persistent || !mo->active);
	if (mo->active && !md->active)
		chg_problem(t, CHG_ERROR, "not-active", _("mdev %s is not active"), mo->uuid);
	if (mo->persistent && !md->defined)
		chg_problem(t, CHG_ERROR, "not-defined",
			    _("mdev %s has no mdevctl definition"), mo->uuid);
	mo->did_live = live;
	mo->did_def = def;

	if (live) {
		mo->old = md->live;
		for (dim = 0; dim < 3; dim++)
			if (apply_edit(t, m, &mo->e[dim], dim, dim_mask(&mo->old, dim),
				       dim_mask(&mo->mx, dim)))
				return APCTL_EXIT_USAGE;
	}
	if (def) {
		struct ap_matrix dold = md->def;

		for (dim = 0; dim < 3; dim++)
			if (apply_edit(t, m, &mo->e[dim], dim, dim_mask(&dold, dim),
				       dim_mask(&dnew, dim)))
				return APCTL_EXIT_USAGE;
		if (!live)
			mo->old = dold, mo->mx = dnew;
	}
	/*
	 * The live mdev and its definition get the same matrix (the usual
	 * case): one request, so that the validator sees the mdev as it will
	 * be and reports each conflict once, not once per side.
	 */
	same = live && def && ap_matrix_equal(&dnew, &mo->mx);
	if (live) {
		ap_request_init(&req, AP_REQ_MDEV_MODIFY);
		req.active = true;
		req.persistent = same;
		snprintf(req.uuid, sizeof(req.uuid), "%s", mo->uuid);
		req.matrix = mo->mx;
		chg_validate(t, m, &req);
		chg_request(t, &req);
	}
	if (def && !same) {
		ap_request_init(&req, AP_REQ_MDEV_MODIFY);
		req.active = false;
		req.persistent = true;
		snprintf(req.uuid, sizeof(req.uuid), "%s", mo->uuid);
		req.matrix = dnew;
		chg_validate(t, m, &req);
		chg_request(t, &req);
	}
	return 0;
}

static const char *modify_confirm(struct chg_txn *t, const struct ap_model *m, void *arg)
{
	struct modify *mo = arg;
	const struct ap_mdev *md = ap_model_find_mdev(m, mo->uuid);
	struct ap_mask a, d;

	(void)t;
	if (!md || !md->in_use || !mo->did_live)
		return NULL;
	ap_mask_andnot(&a, &mo->old.apm, &mo->mx.apm);
	ap_mask_andnot(&d, &mo->old.aqm, &mo->mx.aqm);
	if (ap_mask_is_empty(&a) && ap_mask_is_empty(&d))
		return NULL;
	return _("a guest uses this mdev: the removed adapters or domains are unplugged from "
		 "the running guest. Continue?");
}

static void modify_report(struct chg_txn *t, const struct ap_model *m, struct json_object *doc,
			  void *arg)
{
	struct modify *mo = arg;
	char *a, *d, *c;

	(void)m;
	if (doc && mo->migratable >= 0)
		json_object_object_add(doc, "migratable", json_object_new_boolean(mo->migratable));
	if (!doc && mo->migratable >= 0 && chg_txn_nsteps(t))
		apctl_note(chg_txn_ctx(t), mo->migratable ? _("mdev %s: live migration allowed")
							  : _("mdev %s: live migration forbidden"),
			   mo->uuid);
	if (!mo->edits)
		return;
	if (doc) {
		json_object_object_add(doc, "uuid", json_object_new_string(mo->uuid));
		json_object_object_add(doc, "adapters", ap_json_mask(&mo->mx.apm, AP_IDS_ADAPTER));
		json_object_object_add(doc, "domains", ap_json_mask(&mo->mx.aqm, AP_IDS_DOMAIN));
		json_object_object_add(doc, "control_domains",
				       ap_json_mask(&mo->mx.adm, AP_IDS_DOMAIN));
		return;
	}
	a = chg_ids(&mo->mx.apm, 2);
	d = chg_ids(&mo->mx.aqm, 4);
	c = chg_ids(&mo->mx.adm, 4);
	if (chg_txn_nsteps(t)) {
		apctl_note(chg_txn_ctx(t), _("mdev %s: adapters %s, domains %s, control domains %s"),
			   mo->uuid, a ? a : "", d ? d : "", c ? c : "");
	}
	free(a);
	free(d);
	free(c);
}

enum {
	OPT_ADD_A = 0x100, OPT_RM_A, OPT_ADD_D, OPT_RM_D, OPT_ADD_C, OPT_RM_C, OPT_ACTIVE,
	OPT_MIGRATABLE,
};

/* where an adapter/domain/control-domain option of modify stores its list */
static const char **edit_slot(struct modify *mo, int opt, const char **name)
{
	static const struct { int opt, dim; char kind; const char *name; } map[] = {
		{ 'a', 0, 's', "--adapters" },
		{ OPT_ADD_A, 0, '+', "--add-adapters" },
		{ OPT_RM_A, 0, '-', "--remove-adapters" },
		{ 'd', 1, 's', "--domains" },
		{ OPT_ADD_D, 1, '+', "--add-domains" },
		{ OPT_RM_D, 1, '-', "--remove-domains" },
		{ 'c', 2, 's', "--control-domains" },
		{ OPT_ADD_C, 2, '+', "--add-control-domains" },
		{ OPT_RM_C, 2, '-', "--remove-control-domains" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		struct edit *e = &mo->e[map[i].dim];

		if (map[i].opt == opt) {
			*name = map[i].name;
			return map[i].kind == 's' ? &e->set : map[i].kind == '+' ? &e->add : &e->rm;
		}
	}
	return NULL;
}

int cmd_mdev_modify(struct apctl_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "adapters", required_argument, NULL, 'a' },
		{ "add-adapters", required_argument, NULL, OPT_ADD_A },
		{ "remove-adapters", required_argument, NULL, OPT_RM_A },
		{ "domains", required_argument, NULL, 'd' },
		{ "add-domains", required_argument, NULL, OPT_ADD_D },
		{ "remove-domains", required_argument, NULL, OPT_RM_D },
		{ "control-domains", required_argument, NULL, 'c' },
		{ "add-control-domains", required_argument, NULL, OPT_ADD_C },
		{ "remove-control-domains", required_argument, NULL, OPT_RM_C },
		{ "active", no_argument, NULL, OPT_ACTIVE },
		{ "persistent", no_argument, NULL, 'p' },
		{ "migratable", required_argument, NULL, OPT_MIGRATABLE },
		CHG_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char cmd[] = "mdev modify";
	struct chg_ops ops = { .cmd = cmd, .build = modify_build, .confirm = modify_confirm,
			       .report = modify_report };
	struct modify mo;
	struct chg_opts o;
	const char **slot, *slot_name = NULL;
	bool any = false;
	int opt, rc, dim;

	memset(&mo, 0, sizeof(mo));
	mo.migratable = -1;
	chg_opts_init(&o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":a:d:c:p" CHG_SHORTOPTS, longopts, NULL)) != -1) {
		slot = edit_slot(&mo, opt, &slot_name);
		switch (opt) {
		case 'a': case 'd': case 'c':
		case OPT_ADD_A: case OPT_RM_A: case OPT_ADD_D: case OPT_RM_D:
		case OPT_ADD_C: case OPT_RM_C:
			break;
		case OPT_ACTIVE:
			mo.active = true;
			break;
		case 'p':
			mo.persistent = true;
			break;
		case OPT_MIGRATABLE:
			if (mo.migratable >= 0)
				return apctl_usage_error(cmd, _("option '%s' given twice"),
							 "--migratable");
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				return apctl_usage_error(cmd, _("--migratable takes on or off, not "
								"'%s'"), optarg);
			mo.migratable = !strcmp(optarg, "on");
			break;
		default:
			if (!chg_opt(&o, opt, optarg, cmd, usage_mdev_modify, argv, &rc))
				return rc;
		}
		if (slot) {
			if (*slot)
				return apctl_usage_error(cmd, _("option '%s' given twice"), slot_name);
			*slot = optarg;
			any = true;
		}
	}
	if (optind >= argc)
		return apctl_usage_error(cmd, _("no mdev UUID given"));
	if (optind + 1 < argc)
		return apctl_usage_error(cmd, _("unexpected argument '%s'"), argv[optind + 1]);
	rc = chg_parse_uuid(cmd, argv[optind], mo.uuid);
	if (rc)
		return rc;
	mo.edits = any;
	if (mo.migratable >= 0 && mo.persistent && !mo.active)
		return apctl_usage_error(cmd, _("--migratable switches the live mdev; an mdevctl "
						"definition has no such setting"));
	if (!any && mo.migratable < 0)
		return apctl_usage_error(cmd, _("nothing to change: give adapters, domains or "
						"control domains to set, add or remove"));
	for (dim = 0; dim < 3; dim++)
		if (mo.e[dim].set && (mo.e[dim].add || mo.e[dim].rm))
			return apctl_usage_error(cmd, _("%s sets the list; it cannot be combined "
							"with adding or removing"), dim_opt[dim]);
	return chg_run(ctx, &o, &ops, &mo);
}

/* ------------------------------------------------------------------------ */
/* remove */

int mdev_remove_build(struct chg_txn *t, const struct ap_model *m, void *arg)
{
	struct mdev_remove *rm = arg;
	const struct ap_baddef *bd;
	const struct ap_mdev *md;
	struct ap_request req;
	char *q;

	if (!mdev_has_vfio(t, m))
		return APCTL_EXIT_NOAP;
	md = ap_model_find_mdev(m, rm->uuid);
	if (md && !md->active && !md->defined)
		md = NULL;
	bd = ap_model_find_baddef(m, rm->uuid);
	if (!md && !bd) {
		chg_problem_exit(t, APCTL_EXIT_USAGE, "no-such-mdev",
				 _("no mdev %s: it is neither active nor defined (see 'apctl mdev "
				   "list')"), rm->uuid);
		return APCTL_EXIT_USAGE;
	}
	if (rm->mode == MDEV_RM_UNDEFINE && md && !md->defined && !bd) {
		chg_problem(t, CHG_ERROR, "not-defined",
			    _("mdev %s has no mdevctl definition, nothing to undefine (it is "
			      "active: 'apctl mdev remove' removes it)"), rm->uuid);
		return APCTL_EXIT_CONFLICT;
	}
	if (rm->mode == MDEV_RM_STOP && md && !md->active) {
		/* stopped already: nothing to do, like a second stop */
		rm->not_active = true;
		return 0;
	}
	if (!md && !rm->undefine) {
		chg_problem(t, CHG_ERROR, "not-active",
			    _("mdev %s is not active; its mdevctl definition cannot be read: add "
			      "--undefine to delete it as it is"), rm->uuid);
		return APCTL_EXIT_CONFLICT;
	}
	if (bd && rm->undefine) {
		/* what is deleted, shown before it is (and confirmed) */
		char rel[sizeof(AP_MDEVCTL_DIR) + AP_UUID_STRLEN + 1], path[4096];

		snprintf(rel, sizeof(rel), "%s/%s", AP_MDEVCTL_DIR, bd->file);
		if (chg_root_path(t, path, sizeof(path), rel))
			snprintf(path, sizeof(path), "%s", rel);
		if (bd->size < 0)
			chg_problem(t, CHG_WARNING, "unreadable-definition",
				    _("the definition %s cannot be read; it is deleted as it is"),
				    path);
		else
			chg_problem(t, CHG_WARNING, "unreadable-definition",
				    _("the definition %s is deleted as it is: %ld bytes, \"%s\""),
				    path, bd->size, bd->head);
		rm->unreadable = true;
		if (!md) {
			/* nothing of it is in the model: nothing to validate */
			ap_request_init(&req, AP_REQ_MDEV_REMOVE);
			req.active = false;
			req.undefine_unreadable = true;
			snprintf(req.uuid, sizeof(req.uuid), "%s", rm->uuid);
			chg_request(t, &req);
			return 0;
		}
	}
	if (!md->active && !rm->undefine) {
		chg_problem(t, CHG_ERROR, "not-active",
			    _("mdev %s is not active, only defined for mdevctl; add --undefine "
			      "to delete its definition"), rm->uuid);
		return APCTL_EXIT_CONFLICT;
	}
	if (md->active && md->remove_pending && rm->mode != MDEV_RM_UNDEFINE) {
		chg_problem_exit(t, APCTL_EXIT_PENDING, "removal-pending",
				 _("removal pending: mdev %s is being removed already; the kernel "
				   "completes it when the guest releases the device"), rm->uuid);
		return APCTL_EXIT_PENDING;
	}
	rm->in_use = md->active && md->in_use && rm->mode != MDEV_RM_UNDEFINE;
	if (rm->in_use && !chg_txn_opts(t)->force) {
		q = chg_apqns(&md->guest.apm, &md->guest.aqm, 8);
		chg_problem(t, CHG_ERROR, "in-use",
			    _("mdev %s is in use by a guest (queues %s); stop the guest first, or "
			      "add --force: the kernel then withdraws the AP devices from the "
			      "guest and blocks the removal until the guest releases the mdev "
			      "(apctl waits at most %d s, see --timeout)"),
			    rm->uuid, q && *q ? q : "?", chg_txn_opts(t)->timeout);
		free(q);
		return APCTL_EXIT_CONFLICT;
	}
	ap_request_init(&req, AP_REQ_MDEV_REMOVE);
	req.active = md->active && rm->mode != MDEV_RM_UNDEFINE;
	req.persistent = rm->undefine && md->defined;
	req.undefine_unreadable = rm->undefine && bd;
	snprintf(req.uuid, sizeof(req.uuid), "%s", rm->uuid);
	chg_validate(t, m, &req);
	chg_request(t, &req);
	return 0;
}

const char *mdev_remove_confirm(struct chg_txn *t, const struct ap_model *m, void *arg)
{
	struct mdev_remove *rm = arg;

	(void)t;
	(void)m;
	if (rm->in_use)
		return _("a guest uses this mdev: its AP devices are withdrawn from the running "
			 "guest. Remove it anyway?");
	if (rm->unreadable)
		return _("delete the definition shown above, which apctl cannot read?");
	return NULL;
}

static void remove_report(struct chg_txn *t, const struct ap_model *m, struct json_object *doc,
			  void *arg)
{
	struct mdev_remove *rm = arg;

	(void)m;
	if (doc)
		json_object_object_add(doc, "uuid", json_object_new_string(rm->uuid));
	else if (chg_txn_nsteps(t))
		apctl_note(chg_txn_ctx(t), _("mdev %s removed"), rm->uuid);
}

int cmd_mdev_remove(struct apctl_ctx *ctx, int argc, char **argv)
{
	enum { OPT_UNDEFINE = 0x100 };
	static const struct option longopts[] = {
		{ "undefine", no_argument, NULL, OPT_UNDEFINE },
		{ "timeout", required_argument, NULL, 't' },
		CHG_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char cmd[] = "mdev remove";
	struct chg_ops ops = { .cmd = cmd, .build = mdev_remove_build,
			       .confirm = mdev_remove_confirm, .report = remove_report };
	struct mdev_remove rm;
	struct chg_opts o;
	int opt, rc;

	memset(&rm, 0, sizeof(rm));
	chg_opts_init(&o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":t:" CHG_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_UNDEFINE:
			rm.undefine = true;
			break;
		case 't':
			rc = chg_parse_seconds(cmd, "--timeout", optarg, CHG_WAIT_MAX, &o.timeout);
			if (rc)
				return rc;
			break;
		default:
			if (!chg_opt(&o, opt, optarg, cmd, usage_mdev_remove, argv, &rc))
				return rc;
		}
	}
	if (optind >= argc)
		return apctl_usage_error(cmd, _("no mdev UUID given"));
	if (optind + 1 < argc)
		return apctl_usage_error(cmd, _("unexpected argument '%s'"), argv[optind + 1]);
	rc = chg_parse_uuid(cmd, argv[optind], rm.uuid);
	if (rc)
		return rc;
	if (rm.undefine)
		o.removing_def = rm.uuid;
	return chg_run(ctx, &o, &ops, &rm);
}

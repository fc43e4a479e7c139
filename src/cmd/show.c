/* SPDX-License-Identifier: MIT */
/*
 * apctl show [cards|queues|mdevs|matrix|mdev UUID]: the complete picture of
 * the AP configuration, as tables (libsmartcols) or one JSON document.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cmd/cmd.h"
#include "cmd/load.h"
#include "core/apqn.h"
#include "core/exitcodes.h"
#include "core/migrate.h"
#include "core/owner.h"
#include "core/select.h"
#include "i18n.h"
#include "out/out.h"
#include "sys/reader.h"

enum view {
	V_SUMMARY,
	V_CARDS,
	V_QUEUES,
	V_MDEVS,
	V_MATRIX,
	V_MDEV,
};

/*
 * What each view reads: the cost grows with what is shown.  The table views
 * add what their selected columns need (all JSON columns with --json).
 */
static const unsigned int read_flags[] = {
	[V_SUMMARY] = AP_RD_CARDS | AP_RD_QUEUES | AP_RD_GUEST | AP_RD_DEFS | AP_RD_PERSIST,
	[V_CARDS] = AP_RD_CARDS,
	[V_QUEUES] = AP_RD_QUEUES,
	[V_MDEVS] = AP_RD_MDEVS | AP_RD_DEFS,
	[V_MATRIX] = AP_RD_QUEUES | AP_RD_GUEST | AP_RD_DEFS,
	[V_MDEV] = AP_RD_QUEUES | AP_RD_GUEST | AP_RD_DEFS,
};

static const struct ap_colset *view_cols(enum view v)
{
	switch (v) {
	case V_CARDS:
		return &ap_card_cols;
	case V_QUEUES:
		return &ap_queue_cols;
	case V_MDEVS:
		return &ap_mdev_cols;
	default:
		return NULL;
	}
}

static const char *const view_names[] = {
	[V_SUMMARY] = "summary", [V_CARDS] = "cards", [V_QUEUES] = "queues",
	[V_MDEVS] = "mdevs", [V_MATRIX] = "matrix", [V_MDEV] = "mdev",
};

void usage_show(FILE *out)
{
	fputs(_("\nUsage:\n"), out);
	fputs(_(" apctl show [options]\n"
		" apctl show [options] cards [<id>...]\n"
		" apctl show [options] queues [<id>...] [--mdev <uuid>]\n"
		" apctl show [options] mdevs|matrix\n"
		" apctl show [options] mdev <uuid>\n"), out);
	fputs(_("\nShow the AP configuration: the host's adapters and domains, what is\n"
		"reserved for vfio_ap, every mediated device (active and defined) and\n"
		"every problem 'apctl check' would report.  Without a view, a summary.\n"), out);
	fputs(_("\nViews:\n"), out);
	fputs(_("  cards          the adapters (lszcrypt style)\n"
		"  queues         every APQN with its driver, owner and mdev\n"
		"  mdevs          the mediated devices, active and defined\n"
		"  matrix         a grid of adapters x domains: who owns each APQN;\n"
		"                 consecutive adapters or domains with the same owners\n"
		"                 share a row or column (\"00-0f\"), except with --raw\n"
		"  mdev <uuid>    one mdev: assigned APQNs against its guest matrix,\n"
		"                 with the reason for each APQN not passed to the guest\n"), out);
	fputs(_("\nIds after cards or queues select what is shown, as with lszcrypt: an\n"
		"adapter (05), an APQN (06.0047), a range (05-07, 06.0040-004f, 05-06.0047)\n"
		"or a domain on every adapter (.0047).  They are hex, as lszcrypt prints\n"
		"them; 0x in front is accepted.  Rows matching any id are shown.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_(" -o, --output <list>    the columns to print (+list appends to the default)\n"
		" -n, --noheadings       do not print headings\n"
		" -r, --raw              raw output: no alignment, cells separated by a space\n"
		" -J, --json[=<style>]   one JSON document: pretty on a terminal, else\n"
		"                        compact (style: pretty or compact)\n"
		"     --format <fmt>     table or json; for 'show mdev' also libvirt (the\n"
		"                        <hostdev> element of a guest) or qemu (the -device\n"
		"                        option, and the -cpu features on stderr)\n"
		"     --mdev <uuid>      queues: only the APQNs of this mdev (live and defined)\n"
		" -h, --help             display this help\n"), out);
	fprintf(out, _("\nThe JSON document is described by %s.\n"),
		PKGDATADIR "/apctl.schema.json");
	ap_colset_usage(out, &ap_card_cols);
	ap_colset_usage(out, &ap_queue_cols);
	ap_colset_usage(out, &ap_mdev_cols);
	fputs(_("\nExamples:\n"), out);
	fputs(_("  apctl show\n"
		"  apctl show matrix\n"
		"  apctl show queues 05 06.0047\n"
		"  apctl show queues --mdev 11111111-2222-3333-4444-555555555555\n"
		"  apctl show queues -o +DEFINED\n"
		"  apctl show mdev 11111111-2222-3333-4444-555555555555 --json\n"
		"  apctl show mdev 11111111-2222-3333-4444-555555555555 --format libvirt\n"), out);
	fputs(_("\nEnvironment:\n"), out);
	fputs(_(" APCTL_DEBUG_STATS=1  print on stderr how many files and directories\n"
		"                      were read (apctl: stats: files_read=N ...)\n"), out);
	fputs(_("\nExit status:\n"), out);
	fputs(_("  0 success, 1 the output could not be written,\n"
		"  2 wrong command line or an unknown mdev, 3 no AP bus,\n"
		"  7 the summary found errors, 9 permission denied (run as root),\n"
		" 10 some files could not be read (the output names them),\n"
		" 12 an id or --mdev given to filter matches nothing on this host\n"), out);
	fputs(_("\nSee apctl(8) for the JSON document and all exit codes.\n"), out);
}

/*
 * "  LABEL" padded to 18 display columns plus one space.  printf's %-18s
 * counts bytes, which misaligns translated labels with umlauts.
 */
static void put_label(FILE *out, const char *label)
{
	wchar_t w[64];
	size_t n = mbstowcs(w, label, sizeof(w) / sizeof(w[0]) - 1);
	int width = -1;

	if (n != (size_t)-1) {
		w[n] = L'\0';
		width = wcswidth(w, n);
	}
	if (width < 0)
		width = (int)strlen(label);
	fprintf(out, "  %s%*s ", label, width < 18 ? 18 - width : 0, "");
}

/* ---- summary --------------------------------------------------------------- */

static void print_ids(FILE *out, const char *label, const struct ap_mask *m, enum ap_idfmt f)
{
	char *hex = ap_out_idlist(m, f), *dec = ap_out_idlist(m, AP_IDS_DEC);

	put_label(out, label);
	if (!hex || !dec)
		fputs("?\n", out);
	else if (!*hex)
		fprintf(out, "%s\n", _("none"));
	else if (!strcmp(hex, dec))
		fprintf(out, "%s\n", hex);
	else
		fprintf(out, "%s  (%s)\n", hex, dec);
	free(hex);
	free(dec);
}

static const char *persist_name(enum ap_persist_src s)
{
	switch (s) {
	case AP_PERSIST_UDEV_ETC:
		return "udev-etc";
	case AP_PERSIST_UDEV_RUN:
		return "udev-run";
	case AP_PERSIST_CMDLINE:
		return "cmdline";
	case AP_PERSIST_UDEV_LIB:
		return "udev-lib";
	case AP_PERSIST_NONE:
	default:
		return "none";
	}
}

/* the sources of the boot-time masks: the rule files, the command line */
static void print_persist_sources(FILE *out, const struct ap_host *h)
{
	if (!*h->persist_files && !h->persist_cmdline) {
		fprintf(out, "%s\n",
			_("none: every adapter and domain belongs to the host at boot"));
		return;
	}
	fputs(h->persist_files, out);
	if (h->persist_cmdline)
		fprintf(out, "%s%s", *h->persist_files ? ", " : "",
			_("kernel command line (of the running kernel; the next boot's may differ)"));
	fputc('\n', out);
}

/* [>= 6.19] masks or driver_override: the line is absent before 6.19 */
static void give_mode_print(const struct ap_host *h, FILE *out)
{
	size_t n = ap_host_n_overrides(h);

	switch (ap_host_give_mode(h)) {
	case AP_GIVE_UNOFFERED:
		return;
	case AP_GIVE_DEFAULT:
		put_label(out, _("given by"));
		fprintf(out, "%s\n", _("default: no mask change and no driver_override; "
					"either way is open"));
		break;
	case AP_GIVE_MASKS:
		put_label(out, _("given by"));
		fprintf(out, "%s\n", _("masks: driver_override cannot be set while a mask "
					"was changed"));
		break;
	case AP_GIVE_OVERRIDES:
		put_label(out, _("given by"));
		fprintf(out, P_("driver_override on %zu queue: the masks cannot be changed "
				"while it is set\n",
				"driver_override on %zu queues: the masks cannot be changed "
				"while they are set\n", n), n);
		break;
	case AP_GIVE_BOTH:
		put_label(out, _("given by"));
		fprintf(out, P_("masks and driver_override on %zu queue: the masks cannot be "
				"changed while it is set\n",
				"masks and driver_override on %zu queues: the masks cannot be "
				"changed while they are set\n", n), n);
		break;
	}
}

static int parse_cols(const struct ap_colset *cs, const char *spec, struct ap_colsel *sel)
{
	char *bad;
	int rc;

	if (!ap_colsel_parse(cs, spec, sel, &bad))
		return 0;
	rc = apctl_usage_error("show", _("unknown column '%s' for %s"), bad ? bad : "", cs->what);
	free(bad);
	return rc;
}

static int table_of(const struct ap_colset *cs, const struct ap_colsel *selp,
		    const struct ap_table_opts *to, const struct ap_out_env *env,
		    const void *objs, size_t size, size_t n, FILE *out)
{
	struct ap_colsel sel;
	struct libscols_table *tb;
	size_t i;

	if (selp)
		sel = *selp;
	else if (parse_cols(cs, NULL, &sel))
		return APCTL_EXIT_FAILURE;	/* not reached: the defaults are valid */
	tb = ap_table_new(cs, &sel, to);
	if (!tb)
		goto nomem;
	for (i = 0; i < n; i++) {
		if (ap_table_add(tb, cs, &sel, env, (const char *)objs + i * size)) {
			scols_unref_table(tb);
			goto nomem;
		}
	}
	return apctl_print_table(tb, out);
nomem:
	apctl_err(_("out of memory"));
	return APCTL_EXIT_FAILURE;
}

#define APQNS_SHOWN 16

/* the APQNs of every mdev (live if active, else defined), the first few */
static void apqns_print(const struct apctl_view *v, FILE *out)
{
	char b[AP_APQN_STRLEN];
	size_t i, k;
	int a, d;

	fputs(_("\nAssigned APQNs (live if active, else defined)\n"), out);
	for (i = 0; i < v->m.n_mdevs; i++) {
		const struct ap_matrix *mx = ap_out_mdev_matrix(&v->m.mdevs[i]);
		unsigned int n = ap_mask_weight(&mx->apm) * ap_mask_weight(&mx->aqm);

		fprintf(out, "  %3zu", i + 1);
		if (!n)
			fputs(_(" none"), out);
		k = 0;
		ap_mask_for_each(a, &mx->apm) {
			ap_mask_for_each(d, &mx->aqm) {
				if (k++ >= APQNS_SHOWN)
					break;
				ap_apqn_format((unsigned int)a, (unsigned int)d, b);
				fprintf(out, " %s", b);
			}
			if (k > APQNS_SHOWN)
				break;
		}
		if (n > APQNS_SHOWN)
			fprintf(out, _(" ... (%u in all)"), n);
		fputc('\n', out);
	}
}

static int summary_text(struct apctl_view *v, const struct apctl_outopts *o, FILE *out)
{
	const struct ap_host *h = &v->m.host;
	struct ap_mask r;
	int rc;

	fputs(_("Host configuration\n"), out);
	if (h->qci_known) {
		print_ids(out, _("adapters"), &h->cfg_apm, AP_IDS_ADAPTER);
		print_ids(out, _("usage domains"), &h->cfg_aqm, AP_IDS_DOMAIN);
		print_ids(out, _("control domains"), &h->cfg_adm, AP_IDS_DOMAIN);
	} else {
		fprintf(out, "  %s\n", _("unknown: the machine does not report its AP configuration"));
	}
	put_label(out, _("highest ids"));
	if (h->max_adapter_unknown || h->max_domain_unknown) {
		char a[16], d[16];

		snprintf(a, sizeof(a), "%02x", h->max_adapter);
		snprintf(d, sizeof(d), "%04x", h->max_domain);
		fprintf(out, "%s / %s\n", h->max_adapter_unknown ? _("unknown") : a,
			h->max_domain_unknown ? _("unknown") : d);
	} else {
		fprintf(out, "%02x / %04x  (%u / %u)\n", h->max_adapter,
			h->max_domain, h->max_adapter, h->max_domain);
	}
	if (h->matrix_features[0]) {
		put_label(out, _("vfio_ap features"));
		fprintf(out, "%s\n", h->matrix_features);
	} else if (!h->caps.vfio_ap) {
		put_label(out, _("vfio_ap"));
		fprintf(out, "%s\n", _("not loaded"));
	}

	fputs(_("\nReserved for vfio_ap (cleared in apmask / aqmask)\n"), out);
	if (h->caps.masks) {
		ap_mask_cleared(&h->apmask, h->max_adapter, &r);
		print_ids(out, _("adapters"), &r, AP_IDS_ADAPTER);
		ap_mask_cleared(&h->aqmask, h->max_domain, &r);
		print_ids(out, _("domains"), &r, AP_IDS_DOMAIN);
	} else {
		fprintf(out, "  %s\n", _("unknown: the kernel has no apmask/aqmask"));
	}
	put_label(out, _("at boot"));
	print_persist_sources(out, h);
	if (h->persist_apmask_set) {
		ap_mask_cleared(&h->persist_apmask, h->max_adapter, &r);
		print_ids(out, _("  adapters"), &r, AP_IDS_ADAPTER);
	}
	if (h->persist_aqmask_set) {
		ap_mask_cleared(&h->persist_aqmask, h->max_domain, &r);
		print_ids(out, _("  domains"), &r, AP_IDS_DOMAIN);
	}
	give_mode_print(h, out);

	fputs(_("\nAdapters\n"), out);
	if (!h->n_cards) {
		fprintf(out, "  %s\n", _("none"));
	} else {
		rc = table_of(&ap_card_cols, NULL, &o->table, &v->env, h->cards,
			      sizeof(h->cards[0]), h->n_cards, out);
		if (rc)
			return rc;
	}

	fputs(_("\nMediated devices\n"), out);
	if (!v->m.n_mdevs) {
		fprintf(out, "  %s\n", _("none"));
	} else {
		rc = table_of(&ap_mdev_cols, NULL, &o->table, &v->env, v->m.mdevs,
			      sizeof(v->m.mdevs[0]), v->m.n_mdevs, out);
		if (rc)
			return rc;
	}

	if (v->m.n_mdevs)
		apqns_print(v, out);

	fputs(_("\nProblems\n"), out);
	if (!apctl_view_problems_print(v, out))
		fprintf(out, "  %s\n", _("none"));
	return 0;
}

/* host.migration: what 'apctl migrate-check' needs to know of the kernel */
struct json_object *apctl_migration_json(const struct ap_host *h)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "variant",
			       ap_json_string_or_null(ap_mig_variant_name(ap_mig_variant_of(h))));
	json_object_object_add(o, "se_guest", json_object_new_boolean(h->caps.se_guest));
	json_object_object_add(o, "slcf_visible", json_object_new_boolean(ap_mig_slcf_visible(h)));
	return o;
}

static struct json_object *host_json(const struct ap_host *h)
{
	struct json_object *o = json_object_new_object(), *caps, *cfg, *res, *per, *b, *files;
	struct ap_mask r;

	if (!o)
		return NULL;
	caps = json_object_new_object();
	json_object_object_add(caps, "ap_bus", json_object_new_boolean(h->caps.ap_bus));
	json_object_object_add(caps, "vfio_ap", json_object_new_boolean(h->caps.vfio_ap));
	json_object_object_add(caps, "masks", json_object_new_boolean(h->caps.masks));
	json_object_object_add(caps, "guest_matrix",
			       json_object_new_boolean(h->caps.guest_matrix));
	json_object_object_add(caps, "ap_config", json_object_new_boolean(h->caps.ap_config));
	json_object_object_add(caps, "queue_status",
			       json_object_new_boolean(h->caps.queue_status));
	json_object_object_add(caps, "driver_override",
			       json_object_new_boolean(h->caps.driver_override));
	json_object_object_add(o, "capabilities", caps);
	json_object_object_add(o, "max_adapter_id", h->max_adapter_unknown ? NULL :
			       json_object_new_int((int)h->max_adapter));
	json_object_object_add(o, "max_domain_id", h->max_domain_unknown ? NULL :
			       json_object_new_int((int)h->max_domain));
	json_object_object_add(o, "bus_features",
			       ap_json_string_or_null(h->bus_features[0] ? h->bus_features
									 : NULL));
	json_object_object_add(o, "matrix_features",
			       ap_json_string_or_null(h->matrix_features[0] ? h->matrix_features
									    : NULL));
	if (h->qci_known) {
		cfg = json_object_new_object();
		json_object_object_add(cfg, "adapters", ap_json_mask(&h->cfg_apm, AP_IDS_ADAPTER));
		json_object_object_add(cfg, "usage_domains",
				       ap_json_mask(&h->cfg_aqm, AP_IDS_DOMAIN));
		json_object_object_add(cfg, "control_domains",
				       ap_json_mask(&h->cfg_adm, AP_IDS_DOMAIN));
	} else {
		cfg = NULL;
	}
	json_object_object_add(o, "configuration", cfg);
	if (h->caps.masks) {
		json_object_object_add(o, "apmask", ap_json_mask(&h->apmask, AP_IDS_ADAPTER));
		json_object_object_add(o, "aqmask", ap_json_mask(&h->aqmask, AP_IDS_DOMAIN));
		res = json_object_new_object();
		ap_mask_cleared(&h->apmask, h->max_adapter, &r);
		json_object_object_add(res, "adapters", ap_json_mask(&r, AP_IDS_ADAPTER));
		ap_mask_cleared(&h->aqmask, h->max_domain, &r);
		json_object_object_add(res, "domains", ap_json_mask(&r, AP_IDS_DOMAIN));
		json_object_object_add(o, "reserved", res);
	} else {
		json_object_object_add(o, "apmask", NULL);
		json_object_object_add(o, "aqmask", NULL);
		json_object_object_add(o, "reserved", NULL);
	}
	per = json_object_new_object();
	json_object_object_add(per, "source", json_object_new_string(persist_name(h->persist_src)));
	json_object_object_add(per, "apmask",
			       h->persist_apmask_set
				       ? ap_json_mask(&h->persist_apmask, AP_IDS_ADAPTER) : NULL);
	json_object_object_add(per, "aqmask",
			       h->persist_aqmask_set
				       ? ap_json_mask(&h->persist_aqmask, AP_IDS_DOMAIN) : NULL);
	files = json_object_new_array();
	for (const char *f = h->persist_files; *f;) {
		size_t n = strcspn(f, ",");

		json_object_array_add(files, json_object_new_string_len(f, (int)n));
		f += n;
		f += strspn(f, ", ");
	}
	json_object_object_add(per, "files", files);
	json_object_object_add(per, "cmdline", json_object_new_boolean(h->persist_cmdline));
	json_object_object_add(o, "persistent", per);
	json_object_object_add(o, "ap_domain",
			       h->ap_domain < 0 ? NULL : json_object_new_int(h->ap_domain));
	if (h->caps.bindings) {
		b = json_object_new_object();
		json_object_object_add(b, "bound", json_object_new_int((int)h->bindings_bound));
		json_object_object_add(b, "total", json_object_new_int((int)h->bindings_total));
		json_object_object_add(b, "complete",
				       json_object_new_boolean(h->bindings_complete));
	} else {
		b = NULL;
	}
	json_object_object_add(o, "bindings", b);
	json_object_object_add(o, "give_mode",
			       ap_json_string_or_null(ap_give_mode_name(ap_host_give_mode(h))));
	json_object_object_add(o, "driver_overrides",
			       h->caps.driver_override
				       ? json_object_new_int((int)ap_host_n_overrides(h)) : NULL);
	json_object_object_add(o, "available_instances",
			       h->available_instances < 0
				       ? NULL
				       : json_object_new_int64(h->available_instances));
	json_object_object_add(o, "migration", apctl_migration_json(h));
	return o;
}

static struct json_object *array_of(const struct ap_colset *cs, const struct ap_out_env *env,
				    const void *objs, size_t size, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_object_array_add(a, ap_json_from_cols(cs, env, (const char *)objs + i * size));
	return a;
}

/* ---- matrix ----------------------------------------------------------------- */

static void legend_print(const struct apctl_view *v, FILE *out)
{
	size_t i;

	fputs(_("\nLegend:\n"), out);
	fputs(_("  H    host driver (apmask and aqmask bits set)\n"
		"  .    free in the vfio_ap pool\n"
		"  N    assigned to mdev N\n"
		"  N*   assigned to mdev N and in use by its guest\n"
		"  N?   assigned to mdev N but not in the host configuration\n"
		"  (N)  named only by the definition of mdev N, not assigned in sysfs\n"
		"  !    conflict: held by two mdevs, or by an mdev and the host\n"
		"  -    not in the host configuration\n"), out);
	for (i = 0; i < v->m.n_mdevs; i++) {
		const struct ap_mdev *md = &v->m.mdevs[i];

		fprintf(out, "  %-4zu %s  %s%s%s\n", i + 1, md->uuid, ap_out_mdev_state(md),
			md->active && md->in_use ? _(", guest attached") : "",
			md->active && md->remove_pending ? _(", removal pending") : "");
	}
}

static void grid_cell(const struct apctl_view *v, const struct ap_owner_grid *g,
		      unsigned int a, unsigned int d, struct ap_cell *c)
{
	ap_grid_cell_from(&v->m, g->kind[a][d], g->flags[a][d], g->first[a][d], c);
}

/* every conflict of the grid with its parties: "05.0004  host, mdev 1 (active)" */
static void conflicts_print(const struct apctl_view *v, const struct ap_owner_grid *g,
			    const struct ap_mask *rows, const struct ap_mask *cols, FILE *out)
{
	char apqn[AP_APQN_STRLEN];
	struct ap_owner ow;
	bool any = false;
	size_t k;
	int a, d;

	ap_mask_for_each(a, rows) {
		ap_mask_for_each(d, cols) {
			if (g->kind[a][d] != AP_OWNER_CONFLICT)
				continue;
			if (!any)
				fputs(_("\nConflicts:\n"), out);
			any = true;
			ap_owner_of(&v->m, (unsigned int)a, (unsigned int)d, &ow);
			ap_apqn_format((unsigned int)a, (unsigned int)d, apqn);
			fprintf(out, "  %s ", apqn);
			if (ow.flags & AP_OWNF_HOST)
				fprintf(out, " %s", _("host"));
			for (k = 0; k < ow.n_claims && k < AP_OWNER_MAX_NAMED; k++) {
				const struct ap_owner_claim *c = &ow.claims[k];

				fprintf(out, "%s %s %zu (%s)", (k || (ow.flags & AP_OWNF_HOST)) ? "," : "",
					_("mdev"), (size_t)(c->mdev - v->m.mdevs) + 1,
					c->live && c->def ? _("active and defined")
					: c->live ? _("active") : _("defined"));
			}
			if (ow.n_claims > AP_OWNER_MAX_NAMED)
				fprintf(out, _(", and %zu more"), ow.n_claims - AP_OWNER_MAX_NAMED);
			fputc('\n', out);
		}
	}
	if (any)
		fputs(_("Run 'apctl check' for the way out.\n"), out);
}

/* the shown ids of a mask, ascending; returns how many */
static size_t ids_of(const struct ap_mask *m, unsigned int ids[AP_MASK_BITS])
{
	size_t n = 0;
	int id;

	ap_mask_for_each(id, m)
		ids[n++] = (unsigned int)id;
	return n;
}

static bool cell_eq(const struct ap_cell *x, const struct ap_cell *y)
{
	return x->kind == y->kind && x->mdev == y->mdev;
}

/*
 * Runs of consecutive ids whose cells are all equal are drawn as one row or
 * column ("00-0f", "0000-00ff") unless every cell is wanted (merge false).
 * grp[i] is the index of the last id of the run that starts at i.
 */
static void runs(const struct ap_cell *cells, size_t nr, size_t nc, bool by_col,
		 const unsigned int *ids, size_t n, bool merge, size_t *grp)
{
	size_t i, j, k;

	for (i = 0; i < n; i = j + 1) {
		j = i;
		while (merge && j + 1 < n && ids[j + 1] == ids[j] + 1) {
			bool same = true;

			for (k = 0; same && k < (by_col ? nr : nc); k++)
				same = by_col ? cell_eq(&cells[k * nc + j], &cells[k * nc + j + 1])
					      : cell_eq(&cells[j * nc + k], &cells[(j + 1) * nc + k]);
			if (!same)
				break;
			j++;
		}
		grp[i] = j;
	}
}

static int matrix_text(struct apctl_view *v, const struct apctl_outopts *o, FILE *out)
{
	struct ap_owner_grid *g = ap_owner_grid_new(&v->m);
	struct libscols_table *tb = g ? scols_new_table() : NULL;
	unsigned int rid[AP_MASK_BITS], cid[AP_MASK_BITS];
	size_t rgrp[AP_MASK_BITS], cgrp[AP_MASK_BITS];
	struct ap_cell *cells = NULL;
	struct ap_mask rows, cols;
	char name[16], buf[24];
	size_t nr, nc, i, j, col;
	bool merge = !o->table.raw;

	if (!tb)
		goto nomem;
	ap_grid_axes(&v->m, &rows, &cols);
	nr = ids_of(&rows, rid);
	nc = ids_of(&cols, cid);
	if (!nr || !nc) {
		scols_unref_table(tb);
		ap_owner_grid_free(g);
		fprintf(out, "%s\n", _("no APQNs: the host has no adapters or no domains configured"));
		legend_print(v, out);
		return 0;
	}
	cells = calloc(nr * nc, sizeof(*cells));
	if (!cells)
		goto nomem_tb;
	for (i = 0; i < nr; i++)
		for (j = 0; j < nc; j++)
			grid_cell(v, g, rid[i], cid[j], &cells[i * nc + j]);
	runs(cells, nr, nc, true, cid, nc, merge, cgrp);
	runs(cells, nr, nc, false, rid, nr, merge, rgrp);

	scols_table_enable_raw(tb, o->table.raw);
	scols_table_enable_noheadings(tb, o->table.noheadings);
	if (!scols_table_new_column(tb, "CARD", 2, SCOLS_FL_RIGHT))
		goto nomem_tb;
	for (j = 0; j < nc; j = cgrp[j] + 1) {
		if (cgrp[j] > j)
			snprintf(name, sizeof(name), "%04x-%04x", cid[j], cid[cgrp[j]]);
		else
			snprintf(name, sizeof(name), "%04x", cid[j]);
		if (!scols_table_new_column(tb, name, 4, 0))
			goto nomem_tb;
	}
	for (i = 0; i < nr; i = rgrp[i] + 1) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			goto nomem_tb;
		if (rgrp[i] > i)
			snprintf(name, sizeof(name), "%02x-%02x", rid[i], rid[rgrp[i]]);
		else
			snprintf(name, sizeof(name), "%02x", rid[i]);
		if (scols_line_set_data(ln, 0, name))
			goto nomem_tb;
		col = 1;
		for (j = 0; j < nc; j = cgrp[j] + 1)
			if (scols_line_set_data(ln, col++, ap_cell_text(&cells[i * nc + j], buf,
									  sizeof(buf))))
				goto nomem_tb;
	}
	free(cells);
	if (apctl_print_table(tb, out)) {
		ap_owner_grid_free(g);
		return APCTL_EXIT_FAILURE;
	}
	if (!o->table.raw) {
		legend_print(v, out);
		conflicts_print(v, g, &rows, &cols, out);
	}
	ap_owner_grid_free(g);
	return 0;
nomem_tb:
	free(cells);
	scols_unref_table(tb);
nomem:
	ap_owner_grid_free(g);
	apctl_err(_("out of memory"));
	return APCTL_EXIT_FAILURE;
}

static struct json_object *ids_array(const struct ap_mask *m)
{
	struct json_object *a = json_object_new_array();
	int id;

	ap_mask_for_each(id, m)
		json_object_array_add(a, json_object_new_int(id));
	return a;
}

static struct json_object *matrix_json(const struct apctl_view *v)
{
	struct ap_owner_grid *g = ap_owner_grid_new(&v->m);
	struct json_object *o, *cells;

	if (!g)
		return NULL;
	o = json_object_new_object();
	cells = json_object_new_array();
	struct ap_mask rows, cols;
	struct ap_cell c;
	int a, d;

	ap_grid_axes(&v->m, &rows, &cols);
	json_object_object_add(o, "adapters", ids_array(&rows));
	json_object_object_add(o, "domains", ids_array(&cols));
	ap_mask_for_each(a, &rows) {
		ap_mask_for_each(d, &cols) {
			struct json_object *cell = ap_json_apqn((unsigned int)a, (unsigned int)d);

			grid_cell(v, g, (unsigned int)a, (unsigned int)d, &c);
			json_object_object_add(cell, "owner",
					       json_object_new_string(ap_cell_kind_name(c.kind)));
			json_object_object_add(cell, "mdev",
					       c.mdev ? json_object_new_string(
								v->m.mdevs[c.mdev - 1].uuid)
						      : NULL);
			json_object_array_add(cells, cell);
		}
	}
	json_object_object_add(o, "cells", cells);
	ap_owner_grid_free(g);
	return o;
}

/* ---- one mdev --------------------------------------------------------------- */

static char *reason_text(enum ap_guest_reason r, const struct ap_model *m, unsigned int a,
			 unsigned int d, unsigned int other)
{
	const struct ap_queue *q;
	char *s = NULL;
	int rc = 0;

	switch (r) {
	case AP_GR_PASSED:
		return NULL;
	case AP_GR_NO_GUEST_MATRIX:
		rc = asprintf(&s, "%s", _("unknown: the kernel has no guest_matrix (before 6.0)"));
		break;
	case AP_GR_ADAPTER_NOT_CONFIGURED:
		rc = asprintf(&s, _("adapter %02x is not in the host configuration"), a);
		break;
	case AP_GR_DOMAIN_NOT_CONFIGURED:
		rc = asprintf(&s, _("domain %04x is not in the host configuration"), d);
		break;
	case AP_GR_NOT_BOUND:
		q = ap_host_find_queue(&m->host, a, d);
		if (!q)
			rc = asprintf(&s, _("queue %02x.%04x does not exist"), a, d);
		else if (q->driver == AP_DRV_NONE)
			rc = asprintf(&s, _("queue %02x.%04x is not bound to any driver"), a, d);
		else
			rc = asprintf(&s, _("queue %02x.%04x is bound to %s, not vfio_ap%s"), a, d,
				      ap_out_driver_name(q->driver),
				      m->host.caps.masks && ap_owner_host_owns(&m->host, a, d)
					      ? _(" (apmask and aqmask give it to the host)")
					      : "");
		break;
	case AP_GR_ADAPTER_NOT_PASSABLE:
		rc = asprintf(&s, _("queue %02x.%04x of the same adapter is not bound to vfio_ap, "
				    "so the kernel keeps the whole adapter from the guest"),
			      a, other);
		break;
	case AP_GR_GUEST_CUT:
		rc = asprintf(&s, "%s", _("unknown: the kernel cut guest_matrix at 4095 bytes"));
		break;
	case AP_GR_FILTERED:
	default:
		rc = asprintf(&s, "%s", _("left out by the kernel's filter (e.g. a queue reset "
					  "failed; the next assignment or scan re-filters)"));
		break;
	}
	return rc < 0 ? NULL : s;
}

/* ---- one mdev for a guest: libvirt and QEMU --------------------------------- */

enum guest_fmt { GF_NONE = 0, GF_LIBVIRT, GF_QEMU };

/*
 * What a guest's configuration names: libvirt's hostdev element of type
 * mdev, model vfio-ap, with the mdev's UUID as its source address; QEMU's
 * vfio-ap device with the mdev's sysfs path (always the real /sys: the
 * path QEMU opens, whatever --root says).  The guest's CPU model needs the
 * AP facilities: -cpu host has those the host has; another model needs
 * ap, apqci and apft turned on (a note on stderr, so that stdout can be
 * pasted into a command line).
 */
static int guest_text(struct apctl_ctx *ctx, const struct ap_mdev *md, enum guest_fmt f,
		      FILE *out)
{
	if (!md->active)
		apctl_note(ctx, _("mdev %s is not active: start it before the guest (apctl mdev "
				  "start %s)"), md->uuid, md->uuid);
	if (f == GF_LIBVIRT) {
		fprintf(out, "<hostdev mode='subsystem' type='mdev' model='vfio-ap'>\n"
			"  <source>\n"
			"    <address uuid='%s'/>\n"
			"  </source>\n"
			"</hostdev>\n", md->uuid);
	} else {
		fprintf(out, "-device vfio-ap,sysfsdev=/sys/bus/mdev/devices/%s\n", md->uuid);
		fflush(out);	/* the option first, then the note about it */
		apctl_note(ctx, _("the guest's CPU model needs the AP facilities: -cpu host has "
				  "them where the host has; with another model add them, e.g. "
				  "-cpu z15,ap=on,apqci=on,apft=on"));
	}
	return fflush(out) || ferror(out) ? APCTL_EXIT_FAILURE : APCTL_EXIT_OK;
}

static int mdev_text(struct apctl_view *v, const struct ap_mdev *md,
		     const struct apctl_outopts *o, FILE *out)
{
	const struct ap_matrix *mx = ap_out_mdev_matrix(md);
	struct libscols_table *tb;
	char apqn[AP_APQN_STRLEN];
	unsigned int other;
	int a, d;

	fprintf(out, _("mdev %s\n"), md->uuid);
	put_label(out, _("active"));
	fprintf(out, "%s\n", md->active ? _("yes") : _("no"));
	put_label(out, _("defined"));
	fprintf(out, "%s\n",
		!md->defined ? _("no") : md->autostart ? _("yes, start auto") : _("yes, start manual"));
	if (md->active) {
		put_label(out, _("guest"));
		fprintf(out, "%s\n",
			ap_out_guest_unknown(&v->env, md) ? _("unknown: the kernel cannot tell")
			: md->in_use ? _("attached") : _("not attached"));
	}
	print_ids(out, _("adapters"), &mx->apm, AP_IDS_ADAPTER);
	print_ids(out, _("domains"), &mx->aqm, AP_IDS_DOMAIN);
	print_ids(out, _("control domains"), &mx->adm, AP_IDS_DOMAIN);
	if (ap_out_mdev_differs(md)) {
		fprintf(out, "  %s\n", _("the definition differs from the live mdev:"));
		print_ids(out, _("  adapters"), &md->def.apm, AP_IDS_ADAPTER);
		print_ids(out, _("  domains"), &md->def.aqm, AP_IDS_DOMAIN);
		print_ids(out, _("  control domains"), &md->def.adm, AP_IDS_DOMAIN);
	}
	if (md->active && md->guest_known) {
		print_ids(out, _("guest adapters"), &md->guest.apm, AP_IDS_ADAPTER);
		print_ids(out, _("guest domains"), &md->guest.aqm, AP_IDS_DOMAIN);
	}
	fputc('\n', out);
	if (ap_mask_is_empty(&mx->apm) || ap_mask_is_empty(&mx->aqm)) {
		fprintf(out, "%s\n", _("no APQNs assigned"));
		return 0;
	}
	tb = scols_new_table();
	if (!tb)
		goto nomem;
	scols_table_enable_raw(tb, o->table.raw);
	scols_table_enable_noheadings(tb, o->table.noheadings);
	if (!scols_table_new_column(tb, "CARD.DOM", 8, 0) ||
	    !scols_table_new_column(tb, "GUEST", 3, 0) ||
	    !scols_table_new_column(tb, "REASON", 40, 0))
		goto nomem_tb;
	ap_mask_for_each(a, &mx->apm) {
		ap_mask_for_each(d, &mx->aqm) {
			struct libscols_line *ln = scols_table_new_line(tb, NULL);
			enum ap_guest_reason r = AP_GR_NO_GUEST_MATRIX;
			char *why;

			if (!ln)
				goto nomem_tb;
			if (md->active)
				r = ap_guest_reason(&v->m, md, (unsigned int)a, (unsigned int)d,
						    &other);
			else
				other = (unsigned int)d;
			ap_apqn_format((unsigned int)a, (unsigned int)d, apqn);
			scols_line_set_data(ln, 0, apqn);
			scols_line_set_data(ln, 1, !md->active ? "-" :
					    r == AP_GR_PASSED ? "yes" :
					    r == AP_GR_NO_GUEST_MATRIX || r == AP_GR_GUEST_CUT ? "?"
										: "no");
			why = md->active ? reason_text(r, &v->m, (unsigned int)a, (unsigned int)d,
						       other)
					 : strdup(_("the mdev is not active"));
			if (!why && r == AP_GR_PASSED)
				why = strdup("-");
			if (why && scols_line_refer_data(ln, 2, why))
				free(why);
		}
	}
	return apctl_print_table(tb, out);
nomem_tb:
	scols_unref_table(tb);
nomem:
	apctl_err(_("out of memory"));
	return APCTL_EXIT_FAILURE;
}

static struct json_object *mdev_json(const struct apctl_view *v, const struct ap_mdev *md)
{
	struct json_object *o = ap_json_from_cols(&ap_mdev_cols, &v->env, md);
	struct json_object *np = json_object_new_array();
	const struct ap_matrix *mx = ap_out_mdev_matrix(md);
	unsigned int other;
	int a, d;

	if (!md->active) {
		json_object_object_add(o, "not_passed", NULL);
		json_object_put(np);
		return o;
	}
	ap_mask_for_each(a, &mx->apm) {
		ap_mask_for_each(d, &mx->aqm) {
			enum ap_guest_reason r = ap_guest_reason(&v->m, md, (unsigned int)a,
								 (unsigned int)d, &other);
			struct json_object *e;
			char *why;

			if (r == AP_GR_PASSED)
				continue;
			e = ap_json_apqn((unsigned int)a, (unsigned int)d);
			json_object_object_add(e, "reason",
					       json_object_new_string(ap_guest_reason_name(r)));
			why = reason_text(r, &v->m, (unsigned int)a, (unsigned int)d, other);
			json_object_object_add(e, "message", ap_json_string_or_null(why));
			free(why);
			json_object_object_add(e, "blocking_apqn",
					       r == AP_GR_ADAPTER_NOT_PASSABLE
						       ? ap_json_apqn((unsigned int)a, other)
						       : NULL);
			json_object_array_add(np, e);
		}
	}
	json_object_object_add(o, "not_passed", np);
	return o;
}

/* ---- the command ------------------------------------------------------------ */

/* the rows a filtered view shows, and what the filter was */
struct shown {
	const void *rows;	/* cards or queues */
	size_t n;
	struct json_object *filter;	/* "filter": {...}, NULL without one */
};

static void summary_keys(struct apctl_view *v, struct json_object *doc)
{
	const struct ap_host *h = &v->m.host;

	json_object_object_add(doc, "host", host_json(h));
	json_object_object_add(doc, "cards", array_of(&ap_card_cols, &v->env, h->cards,
						      sizeof(h->cards[0]), h->n_cards));
	json_object_object_add(doc, "mdevs", array_of(&ap_mdev_cols, &v->env, v->m.mdevs,
						      sizeof(v->m.mdevs[0]), v->m.n_mdevs));
	json_object_object_add(doc, "problems", apctl_view_problems_json(v));
}

unsigned int apctl_summary_read_flags(void)
{
	return read_flags[V_SUMMARY] | AP_RD_QFUNC;
}

struct json_object *apctl_summary_doc(struct apctl_view *v)
{
	struct json_object *doc = ap_json_doc_new("summary");

	if (!doc)
		return NULL;
	summary_keys(v, doc);
	json_object_object_add(doc, "diagnostics", apctl_view_diags_json(v));
	return doc;
}

static int view_json(struct apctl_view *v, enum view view, const struct ap_mdev *md,
		     struct shown *sh, FILE *out)
{
	struct json_object *doc = ap_json_doc_new(view_names[view]), *a;
	const struct ap_host *h = &v->m.host;

	if (!doc) {
		apctl_err(_("out of memory"));
		return APCTL_EXIT_FAILURE;
	}
	if (v->journal)
		json_object_object_add(doc, "change_journal", apctl_view_journal_json(v));
	if (sh->filter) {
		json_object_object_add(doc, "filter", sh->filter);
		sh->filter = NULL;
	}
	switch (view) {
	case V_SUMMARY:
		summary_keys(v, doc);
		break;
	case V_CARDS:
		json_object_object_add(doc, "cards", array_of(&ap_card_cols, &v->env, sh->rows,
							      sizeof(h->cards[0]), sh->n));
		break;
	case V_QUEUES:
		json_object_object_add(doc, "queues", array_of(&ap_queue_cols, &v->env, sh->rows,
							       sizeof(h->queues[0]), sh->n));
		break;
	case V_MDEVS:
		json_object_object_add(doc, "mdevs",
				       array_of(&ap_mdev_cols, &v->env, v->m.mdevs,
						sizeof(v->m.mdevs[0]), v->m.n_mdevs));
		break;
	case V_MATRIX:
		json_object_object_add(doc, "matrix", matrix_json(v));
		json_object_object_add(doc, "mdevs",
				       array_of(&ap_mdev_cols, &v->env, v->m.mdevs,
						sizeof(v->m.mdevs[0]), v->m.n_mdevs));
		break;
	case V_MDEV:
		a = json_object_new_array();
		json_object_array_add(a, mdev_json(v, md));
		json_object_object_add(doc, "mdevs", a);
		break;
	}
	json_object_object_add(doc, "diagnostics", apctl_view_diags_json(v));
	return apctl_print_json(doc, out);
}

/* a UUID in any case into uuid (lowercase); 0 or a usage error naming
 * the option 'what' (NULL: an argument) */
static int parse_uuid(const char *what, const char *arg, char uuid[AP_UUID_STRLEN])
{
	size_t i;

	for (i = 0; i < 36; i++) {
		unsigned char ch = (unsigned char)arg[i];

		if (strlen(arg) != 36 ||
		    ((i == 8 || i == 13 || i == 18 || i == 23) ? ch != '-' : !isxdigit(ch))) {
			if (what)
				return apctl_usage_error("show", _("%s: '%s' is not a UUID"), what,
							 arg);
			return apctl_usage_error("show", _("'%s' is not a UUID"), arg);
		}
		uuid[i] = (char)tolower(ch);
	}
	uuid[36] = '\0';
	return 0;
}

/* the filter arguments of 'show cards|queues' into sel; 0 or a usage error */
static int parse_filter(enum view view, int argc, char **argv, struct ap_sel *sel)
{
	struct ap_sel_item it;
	struct ap_sel_error e;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (ap_sel_parse_item(w, &it, &e)) {
			switch (e.code) {
			case AP_SEL_ABOVE_MAX:
				return apctl_usage_error("show", e.domain
					? _("'%s': domain %04lx is above 00ff, the highest domain id "
					    "there is (ids are hex, as lszcrypt prints them)")
					: _("'%s': adapter %02lx is above ff, the highest adapter id "
					    "there is (ids are hex, as lszcrypt prints them)"),
					w, e.value);
			case AP_SEL_REVERSED: {
				int dg = e.domain ? 4 : 2;

				return apctl_usage_error("show", _("'%s': the range %0*lx-%0*lx is "
								   "reversed; write %0*lx-%0*lx"),
							 w, dg, e.value, dg, e.value2, dg, e.value2,
							 dg, e.value);
			}
			default:
				return apctl_usage_error("show", _("'%s' is not an adapter, an APQN or "
								   "a range of them (such as 05, 06.0047, "
								   "05-07, 06.0040-004f or .0047: hex, as "
								   "lszcrypt prints ids)"), w);
			}
		}
		if (view == V_CARDS && it.domains)
			return apctl_usage_error("show", _("'%s' names domains, but 'show cards' "
							   "selects adapters; for queues write "
							   "'apctl show queues %s'"), w, w);
		if (ap_sel_add(sel, &it)) {
			apctl_err(_("out of memory"));
			return APCTL_EXIT_FAILURE;
		}
	}
	return 0;
}

static int parse_view(int argc, char **argv, enum view *view, char uuid[AP_UUID_STRLEN],
		      struct ap_sel *sel)
{
	const char *w;
	size_t i;

	if (argc == 0) {
		*view = V_SUMMARY;
		return 0;
	}
	w = argv[0];
	if (!strcmp(w, "mdev")) {
		if (argc != 2)
			return apctl_usage_error("show", argc < 2 ? _("'show mdev' needs a UUID")
								  : _("too many arguments"));
		*view = V_MDEV;
		return parse_uuid(NULL, argv[1], uuid);
	}
	for (i = V_CARDS; i <= V_MATRIX; i++) {
		if (!strcmp(w, view_names[i])) {
			*view = (enum view)i;
			if (i == V_CARDS || i == V_QUEUES)
				return parse_filter(*view, argc - 1, argv + 1, sel);
			if (argc > 1)
				return apctl_usage_error("show", _("too many arguments"));
			return 0;
		}
	}
	return apctl_usage_error("show", _("unknown view '%s' (cards, queues, mdevs, matrix, "
					   "mdev UUID)"), w);
}

/*
 * The filter against this host: an id above the host's highest id is a
 * wrong command line (2), like anywhere else ids are given.
 */
static int filter_limits(const struct ap_host *h, char **args, const struct ap_sel *sel)
{
	for (size_t i = 0; i < sel->n; i++) {
		const struct ap_sel_item *it = &sel->items[i];
		struct ap_mask all, over;
		int id;

		ap_mask_zero(&all);
		ap_mask_set_range(&all, 0, h->max_adapter);
		ap_mask_andnot(&over, &it->apm, &all);
		if (it->adapters && !h->max_adapter_unknown && !ap_mask_is_empty(&over)) {
			ap_mask_for_each(id, &over)
				break;
			return apctl_usage_error("show", _("'%s': adapter %02x is above %02x, the "
							   "highest adapter id of this host"),
						 args[i], (unsigned int)id, h->max_adapter);
		}
		ap_mask_zero(&all);
		ap_mask_set_range(&all, 0, h->max_domain);
		ap_mask_andnot(&over, &it->aqm, &all);
		if (it->domains && !h->max_domain_unknown && !ap_mask_is_empty(&over)) {
			ap_mask_for_each(id, &over)
				break;
			return apctl_usage_error("show", _("'%s': domain %04x is above %04x, the "
							   "highest domain id of this host"),
						 args[i], (unsigned int)id, h->max_domain);
		}
	}
	return 0;
}

/* is the queue one of the mdev's APQNs (live if active, defined if defined)? */
static bool mdev_has(const struct ap_mdev *md, unsigned int a, unsigned int d)
{
	return (md->active && ap_mask_test(&md->live.apm, a) && ap_mask_test(&md->live.aqm, d)) ||
	       (md->defined && ap_mask_test(&md->def.apm, a) && ap_mask_test(&md->def.aqm, d));
}

/*
 * The rows of a filtered cards or queues view into sh, and a message for
 * each filter argument that matches nothing.  Returns 0, APCTL_EXIT_NOMATCH
 * when something matched nothing, or APCTL_EXIT_FAILURE.
 */
static int filter_rows(const struct apctl_view *v, enum view view, char **args,
		       const struct ap_sel *sel, const struct ap_mdev *fmd, bool json,
		       struct shown *sh, void **owned)
{
	const struct ap_host *h = &v->m.host;
	bool *hit = NULL;
	int rc = 0;
	size_t i, k, n = 0;

	sh->rows = view == V_CARDS ? (const void *)h->cards : (const void *)h->queues;
	sh->n = view == V_CARDS ? h->n_cards : h->n_queues;
	*owned = NULL;
	if (!sel->n && !fmd)
		return 0;
	hit = calloc(sel->n + 1, sizeof(*hit));
	if (view == V_CARDS) {
		struct ap_card *c = malloc((h->n_cards + 1) * sizeof(*c));

		*owned = c;
		if (!c || !hit)
			goto nomem;
		for (i = 0; i < h->n_cards; i++) {
			bool take = false;

			for (k = 0; k < sel->n; k++)
				if (ap_mask_test(&sel->items[k].apm, h->cards[i].id))
					take = hit[k] = true;
			if (take)
				c[n++] = h->cards[i];
		}
	} else {
		struct ap_queue *q = malloc((h->n_queues + 1) * sizeof(*q));

		*owned = q;
		if (!q || !hit)
			goto nomem;
		for (i = 0; i < h->n_queues; i++) {
			const struct ap_queue *x = &h->queues[i];
			bool take = !sel->n;

			if (fmd && !mdev_has(fmd, x->apid, x->apqi))
				continue;
			for (k = 0; k < sel->n; k++)
				if (ap_sel_item_has_queue(&sel->items[k], x->apid, x->apqi))
					take = hit[k] = true;
			if (take)
				q[n++] = *x;
		}
	}
	sh->rows = *owned;
	sh->n = n;
	for (k = 0; k < sel->n; k++) {
		if (hit[k])
			continue;
		rc = APCTL_EXIT_NOMATCH;
		if (view == V_CARDS)
			apctl_err(_("no adapter matches '%s' on this host"), args[k]);
		else if (fmd)
			apctl_err(_("no queue of mdev %s matches '%s'"), fmd->uuid, args[k]);
		else
			apctl_err(_("no queue matches '%s' on this host"), args[k]);
	}
	if (fmd && !sel->n && !n) {
		rc = APCTL_EXIT_NOMATCH;
		if ((ap_mask_is_empty(&fmd->live.apm) || ap_mask_is_empty(&fmd->live.aqm) ||
		     !fmd->active) &&
		    (ap_mask_is_empty(&fmd->def.apm) || ap_mask_is_empty(&fmd->def.aqm) ||
		     !fmd->defined))
			apctl_err(_("mdev %s has no APQNs assigned"), fmd->uuid);
		else
			apctl_err(_("none of the APQNs of mdev %s is a queue on this host"),
				  fmd->uuid);
	}
	if (json) {
		struct json_object *f = json_object_new_object(), *ids = json_object_new_array(),
				   *un = json_object_new_array();

		for (k = 0; k < sel->n; k++) {
			json_object_array_add(ids, json_object_new_string(args[k]));
			if (!hit[k])
				json_object_array_add(un, json_object_new_string(args[k]));
		}
		json_object_object_add(f, "ids", ids);
		json_object_object_add(f, "mdev", fmd ? json_object_new_string(fmd->uuid) : NULL);
		json_object_object_add(f, "unmatched", un);
		sh->filter = f;
	}
	free(hit);
	return rc;
nomem:
	free(hit);
	apctl_err(_("out of memory"));
	return APCTL_EXIT_FAILURE;
}

int cmd_show(struct apctl_ctx *ctx, int argc, char **argv)
{
	enum { OPT_MDEV = APCTL_OPT_FORMAT + 1 };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "raw", no_argument, NULL, 'r' },
		{ "json", optional_argument, NULL, 'J' },
		{ "format", required_argument, NULL, APCTL_OPT_FORMAT },
		{ "mdev", required_argument, NULL, OPT_MDEV },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct apctl_outopts o = { 0 };
	struct apctl_view v;
	char uuid[AP_UUID_STRLEN] = "", fuuid[AP_UUID_STRLEN] = "";
	const char *mdev_arg = NULL;
	const struct ap_mdev *md = NULL, *fmd = NULL;
	struct ap_sel sel_ids = { 0 };
	struct shown sh = { 0 };
	void *owned = NULL;
	char **args;
	int nomatch = 0;
	enum view view = V_SUMMARY;
	enum guest_fmt gf = GF_NONE;
	const struct ap_colset *cs;
	struct ap_colsel sel;
	unsigned int flags, flags_extra = 0;
	int opt, rc = 0;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:nrJh", longopts, NULL)) != -1) {
		if (opt == APCTL_OPT_FORMAT) {
			/* show's own formats; the others as every view has them */
			gf = !strcmp(optarg, "libvirt") ? GF_LIBVIRT
			     : !strcmp(optarg, "qemu") ? GF_QEMU : GF_NONE;
			if (gf)
				continue;
			if (strcmp(optarg, "json") && strcmp(optarg, "table"))
				return apctl_usage_error("show", _("unknown format '%s' (table, "
								   "json, libvirt or qemu)"), optarg);
		}
		rc = apctl_outopt("show", usage_show, opt, optarg, argv, &o);
		if (rc == APCTL_OPT_TAKEN)
			continue;
		if (rc != APCTL_OPT_OTHER)
			return rc;
		if (opt == OPT_MDEV)
			mdev_arg = optarg;
	}
	args = argv + optind + 1;
	rc = parse_view(argc - optind, argv + optind, &view, uuid, &sel_ids);
	if (!rc && mdev_arg && view != V_QUEUES)
		rc = apctl_usage_error("show", _("--mdev applies to the queues view only "
						 "(for one mdev's own view: 'apctl show mdev %s')"),
				       mdev_arg);
	if (!rc && mdev_arg)
		rc = parse_uuid("--mdev", mdev_arg, fuuid);
	if (rc) {
		ap_sel_free(&sel_ids);
		return rc;
	}
	if (o.columns && (view == V_SUMMARY || view == V_MATRIX || view == V_MDEV))
		rc = apctl_usage_error("show", _("-o/--output applies to the cards, queues "
						   "and mdevs views only"));
	else if (gf && view != V_MDEV)
		rc = apctl_usage_error("show", _("--format libvirt and qemu apply to 'show mdev "
						 "UUID' only"));
	else if (gf && (o.json || o.table.raw || o.table.noheadings))
		rc = apctl_usage_error("show", _("--format libvirt or qemu cannot be combined "
						 "with --json, --raw or --noheadings"));
	else if (o.json && (o.columns || o.table.raw || o.table.noheadings))
		rc = apctl_usage_error("show", _("--json cannot be combined with -o, "
						 "--raw or --noheadings"));
	if (rc) {
		ap_sel_free(&sel_ids);
		return rc;
	}
	/* the queues of an mdev: its matrix comes from the mdevs and definitions */
	if (mdev_arg)
		flags_extra = AP_RD_MDEVS | AP_RD_DEFS;

	flags = read_flags[view] | flags_extra;
	/* the summary document carries what 'apctl migrate-check' needs */
	if (o.json && view == V_SUMMARY)
		flags |= AP_RD_QFUNC;
	cs = view_cols(view);
	if (cs) {
		if (o.json) {
			flags |= apctl_read_flags(ap_colset_json_needs(cs));
		} else {
			rc = parse_cols(cs, o.columns, &sel);
			if (rc) {
				ap_sel_free(&sel_ids);
				return rc;
			}
			flags |= apctl_read_flags(ap_colsel_needs(cs, &sel));
		}
	}
	rc = apctl_view_load_sel(ctx, &v, flags, view == V_SUMMARY, &sel_ids);
	if (rc) {
		ap_sel_free(&sel_ids);
		return rc;
	}
	/* [>= 6.19] the override decides ownership: shown by default there */
	if (view == V_QUEUES && !o.json && !o.columns && v.m.host.caps.driver_override) {
		char *bad = NULL;

		if (ap_colsel_parse(cs, "+OVERRIDE", &sel, &bad))
			free(bad);	/* not reached: the name exists */
	}
	if (view == V_MDEV || mdev_arg) {
		md = ap_model_find_mdev(&v.m, view == V_MDEV ? uuid : fuuid);
		if (!md) {
			apctl_err(_("no mdev %s: it is neither active nor defined "
				    "(see 'apctl mdev list')"), view == V_MDEV ? uuid : fuuid);
			rc = APCTL_EXIT_USAGE;
			goto out;
		}
		if (mdev_arg) {
			fmd = md;
			md = NULL;
		}
	}
	if (view == V_CARDS || view == V_QUEUES) {
		rc = filter_limits(&v.m.host, args, &sel_ids);
		if (rc)
			goto out;
		nomatch = filter_rows(&v, view, args, &sel_ids, fmd, o.json, &sh, &owned);
		if (nomatch == APCTL_EXIT_FAILURE) {
			rc = nomatch;
			goto out;
		}
	}

	if (gf) {
		rc = guest_text(ctx, md, gf, stdout);
	} else if (o.json && view == V_MDEVS) {
		rc = apctl_mdevs_print(ctx, &v, &o, NULL, APCTL_MDEVS_ALL, "mdevs");
	} else if (o.json) {
		rc = view_json(&v, view, md, &sh, stdout);
	} else {
		const struct ap_host *h = &v.m.host;

		switch (view) {
		case V_SUMMARY:
			rc = summary_text(&v, &o, stdout);
			break;
		case V_CARDS:
			rc = table_of(&ap_card_cols, &sel, &o.table, &v.env, sh.rows,
				      sizeof(h->cards[0]), sh.n, stdout);
			break;
		case V_QUEUES:
			rc = table_of(&ap_queue_cols, &sel, &o.table, &v.env, sh.rows,
				      sizeof(h->queues[0]), sh.n, stdout);
			break;
		case V_MDEVS:
			/* 'mdev list' and 'show mdevs' are one listing */
			rc = apctl_mdevs_print(ctx, &v, &o, &sel, APCTL_MDEVS_ALL, "mdevs");
			break;
		case V_MATRIX:
			rc = matrix_text(&v, &o, stdout);
			break;
		case V_MDEV:
			rc = mdev_text(&v, md, &o, stdout);
			break;
		}
	}
	if (!rc && v.n_read_errors)
		rc = APCTL_EXIT_BADDATA;
	else if (!rc && view == V_SUMMARY && v.n_errors)
		rc = APCTL_EXIT_PROBLEMS;
	else if (!rc && nomatch)
		rc = nomatch;
out:
	json_object_put(sh.filter);
	free(owned);
	ap_sel_free(&sel_ids);
	apctl_view_free(&v);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * apctl monitor: AP bus and vfio_ap events as they happen, each explained
 * in terms of owners and guests.  The events come from libudev (sys/uevent.h);
 * what they mean is core/event.h; after an event only the part of the model
 * it touches is read again (sys/reader.h, the incremental mode).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cmd/change.h"
#include "cmd/cmd.h"
#include "core/event.h"
#include "core/exitcodes.h"
#include "core/idlist.h"
#include "i18n.h"
#include "sys/reader.h"
#include "sys/mdevctl.h"
#include "sys/uevent.h"

/* what the monitor keeps: cards (config), mdevs with guests, definitions */
#define MON_FLAGS (AP_RD_GUEST | AP_RD_DEFS)
/* no uevent exists for assignments: re-read the mdevs this often (ms) */
#define MON_POLL_MS 2000

static volatile sig_atomic_t mon_stop;

static void on_signal(int sig)
{
	(void)sig;
	mon_stop = 1;
}

void usage_monitor(FILE *out)
{
	fputs(_("\nUsage:\n"), out);
	fputs(_(" apctl monitor [options]\n"), out);
	fputs(_("\nPrint AP bus and vfio_ap events as they happen, one line each: the time,\n"
		"what happened, and what it means for the host and the guests (APQNs that\n"
		"leave or join a guest, adapters or domains reserved or returned).  Also\n"
		"reports changed mdev assignments and definitions and udev rule files,\n"
		"for which the kernel sends no event.  Runs until interrupted.\n"), out);
	fputs(_("\nOptions:\n"), out);
	fputs(_(" -J, --json[=<style>]   one JSON object per line, compact whatever the\n"
		"                        style (schema/apctl-event.schema.json)\n"
		" -a, --adapters <list>  only events of these adapters\n"
		" -m, --mdev <uuid>      only events of this mdev and its APQNs\n"
		" -c, --count <n>        stop after n events\n"
		" -t, --timeout <s>      stop after s seconds\n"
		" -h, --help             display this help\n"), out);
	fputs(_("\nExamples:\n"), out);
	fputs(_("  apctl monitor\n"
		"  apctl monitor --json --mdev 11111111-1111-4111-8111-111111111111\n"), out);
	fputs(_("\nExit status:\n"), out);
	fputs(_("  0 stopped (signal, --count or --timeout), 1 the output went away,\n"
		"  2 wrong command line, 3 no AP bus, 9 no permission to listen\n"), out);
}

struct mon {
	struct apctl_ctx *ctx;
	struct ap_path p;
	struct ap_diags d;
	struct ap_model m;
	bool json;
	bool have_adapters;
	struct ap_mask adapters;
	char mdev[AP_UUID_STRLEN];
	long count;	/* events printed */
	unsigned long polls;	/* re-readings of the mdevs (no event exists) */
	unsigned long poll_files;	/* ...and the files they read */
};

static bool mdev_has_adapter(const struct ap_model *m, const char *uuid, int a)
{
	const struct ap_mdev *md = ap_model_find_mdev(m, uuid);

	return md && a >= 0 &&
	       (ap_mask_test(&md->live.apm, (unsigned int)a) ||
		ap_mask_test(&md->def.apm, (unsigned int)a));
}

/* does the note concern what --adapters / --mdev ask for? */
static bool wanted(const struct mon *mo, const struct ap_ev_note *n)
{
	if (mo->have_adapters) {
		struct ap_idlist l;
		struct ap_idlist_error e;
		bool hit = false;

		if (n->obj.apid >= 0)
			hit = ap_mask_test(&mo->adapters, (unsigned int)n->obj.apid);
		else if (n->kind == AP_EVK_MASK && n->apmask) {
			/* the hex lists of the ids that moved */
			char buf[400];

			snprintf(buf, sizeof(buf), "0x%s", n->to_vfio[0] ? n->to_vfio : n->to_host);
			for (char *s = strtok(buf + 2, ","); s; s = strtok(NULL, ",")) {
				char id[16];

				snprintf(id, sizeof(id), "0x%.*s", (int)strcspn(s, "-"), s);
				if (!ap_idlist_parse(id, 255, false, &l, &e) &&
				    ap_mask_intersects(&l.set, &mo->adapters))
					hit = true;
			}
		} else if (n->obj.uuid[0]) {
			for (int a = ap_mask_next(&mo->adapters, 0); a >= 0 && !hit;
			     a = ap_mask_next(&mo->adapters, a + 1))
				hit = mdev_has_adapter(&mo->m, n->obj.uuid, a);
		} else {
			hit = n->kind != AP_EVK_MASK;	/* bus-wide events */
		}
		if (!hit)
			return false;
	}
	if (mo->mdev[0]) {
		if (!strcmp(n->obj.uuid, mo->mdev))
			return true;
		for (size_t i = 0; i < n->n_leave; i++)
			if (!strcmp(n->leave[i].uuid, mo->mdev))
				return true;
		if (n->obj.apid >= 0 && !n->obj.uuid[0])
			return mdev_has_adapter(&mo->m, mo->mdev, n->obj.apid);
		return n->kind == AP_EVK_RESYNC;
	}
	return true;
}

static json_object *hexlist_json(const char *s)
{
	json_object *a = json_object_new_array();
	char buf[400];

	snprintf(buf, sizeof(buf), "%s", s);
	for (char *t = strtok(buf, ","); t; t = strtok(NULL, ","))
		json_object_array_add(a, json_object_new_string(t));
	return a;
}

/* print one note; false when the output went away */
static bool emit(struct mon *mo, const struct ap_event *ev, const struct ap_ev_note *n)
{
	char ts[64];
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	if (mo->json) {
		json_object *o = json_object_new_object(), *props, *leave;
		char iso[80];

		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(iso, sizeof(iso), "%s.%03ld", ts, now.tv_nsec / 1000000);
		json_object_object_add(o, "api_level", json_object_new_int(1));
		json_object_object_add(o, "time", json_object_new_string(iso));
		json_object_object_add(o, "kind", json_object_new_string(ap_event_kind_name(n->kind)));
		json_object_object_add(o, "source",
				       json_object_new_string(ev->source == AP_EVS_UEVENT ? "uevent"
							      : ev->source == AP_EVS_FILE ? "file"
							      : ev->source == AP_EVS_POLL ? "poll"
											  : "overflow"));
		json_object_object_add(o, "action", ev->action[0] ? json_object_new_string(ev->action) : NULL);
		json_object_object_add(o, "devpath", ev->devpath[0] ? json_object_new_string(ev->devpath) : NULL);
		json_object_object_add(o, "file", ev->file[0] ? json_object_new_string(ev->file) : NULL);
		json_object_object_add(o, "adapter", n->obj.apid >= 0 ? json_object_new_int(n->obj.apid) : NULL);
		json_object_object_add(o, "domain", n->obj.apqi >= 0 ? json_object_new_int(n->obj.apqi) : NULL);
		json_object_object_add(o, "mdev", n->obj.uuid[0] ? json_object_new_string(n->obj.uuid) : NULL);
		json_object_object_add(o, "message", json_object_new_string(n->what));
		json_object_object_add(o, "effect", json_object_new_string(n->effect));
		if (n->kind == AP_EVK_MASK) {
			json_object_object_add(o, "mask", json_object_new_string(n->apmask ? "apmask" : "aqmask"));
			json_object_object_add(o, "to_vfio_ap", hexlist_json(n->to_vfio));
			json_object_object_add(o, "to_host", hexlist_json(n->to_host));
		}
		if (n->kind == AP_EVK_BINDINGS)
			json_object_object_add(o, "complete_count",
					       json_object_new_int64((int64_t)n->complete_count));
		leave = json_object_new_array();
		for (size_t i = 0; i < n->n_leave; i++) {
			json_object *g = json_object_new_object();

			json_object_object_add(g, "mdev", json_object_new_string(n->leave[i].uuid));
			json_object_object_add(g, "apqns", hexlist_json(n->leave[i].apqns));
			json_object_array_add(leave, g);
		}
		json_object_object_add(o, "guests", leave);
		props = json_object_new_object();
		for (size_t i = 0; i < ev->n_props; i++) {
			const char *eq = strchr(ev->props[i], '=');
			char k[64];

			if (!eq || (size_t)(eq - ev->props[i]) >= sizeof(k))
				continue;
			snprintf(k, sizeof(k), "%.*s", (int)(eq - ev->props[i]), ev->props[i]);
			json_object_object_add(props, k, json_object_new_string(eq + 1));
		}
		json_object_object_add(o, "properties", props);
		fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
		putchar('\n');
		json_object_put(o);
	} else {
		strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
		if (n->effect[0])
			printf("%s %s: %s\n", ts, n->what, n->effect);
		else
			printf("%s %s\n", ts, n->what);
	}
	mo->count++;
	return fflush(stdout) == 0 && !ferror(stdout);
}

static int read_all(struct mon *mo)
{
	int rc;

	ap_model_free(&mo->m);
	ap_diags_free(&mo->d);
	ap_diags_init(&mo->d);
	rc = ap_read_model(&mo->p, MON_FLAGS, &mo->m, &mo->d);
	if (rc == AP_READ_NOAP) {
		apctl_err(_("there is no AP bus on this system (%s/bus/ap does not exist)"), mo->p.sysfs);
		return APCTL_EXIT_NOAP;
	}
	return rc < 0 ? APCTL_EXIT_FAILURE : 0;
}

/* bring the model up to date for the event; before: a copy of the mdev */
static void refresh(struct mon *mo, const struct ap_event *ev, enum ap_ev_kind k,
		    const struct ap_ev_object *obj)
{
	switch (k) {
	case AP_EVK_MASK:
		ap_read_masks(&mo->p, &mo->m, &mo->d);
		break;
	case AP_EVK_BINDINGS:
		ap_read_bindings(&mo->p, &mo->m, &mo->d);
		break;
	case AP_EVK_MDEV_ADD:
	case AP_EVK_MDEV_REMOVE:
		ap_read_one_mdev(&mo->p, &mo->m, obj->uuid, &mo->d);
		break;
	case AP_EVK_CONFIG:
	case AP_EVK_DEVICE_ADD:
	case AP_EVK_DEVICE_REMOVE:
		/* the guests holding this adapter: their guest matrix follows
		 * the configuration (kernel-abi.md 4) */
		for (size_t i = 0; i < mo->m.n_mdevs; i++) {
			struct ap_mdev *md = &mo->m.mdevs[i];

			if (md->active && ap_mask_test(&md->live.apm, (unsigned int)obj->apid))
				ap_read_one_mdev(&mo->p, &mo->m, md->uuid, &mo->d);
		}
		break;
	default:
		(void)ev;
		break;
	}
}

static struct ap_mdev *copy_mdevs(const struct ap_model *m, size_t *n)
{
	struct ap_mdev *c = malloc((m->n_mdevs ? m->n_mdevs : 1) * sizeof(*c));

	if (c && m->n_mdevs)
		memcpy(c, m->mdevs, m->n_mdevs * sizeof(*c));
	*n = c ? m->n_mdevs : 0;
	return c;
}

/* the mdevs' assignments and guests, re-read: print what changed */
static bool poll_mdevs(struct mon *mo)
{
	size_t n;
	struct ap_mdev *old = copy_mdevs(&mo->m, &n);
	struct ap_event ev = { .source = AP_EVS_POLL };
	bool ok = true;

	unsigned long f0 = mo->p.stats.files_read;

	if (!old)
		return true;
	mo->polls++;
	for (size_t i = 0; i < n && ok; i++) {
		struct ap_ev_note note;
		struct ap_mdev *cur;

		if (!old[i].active)
			continue;
		if (ap_read_one_mdev(&mo->p, &mo->m, old[i].uuid, &mo->d))
			continue;	/* gone: its remove event says so */
		cur = ap_model_find_mdev(&mo->m, old[i].uuid);
		if (cur && ap_event_mdev_diff(&old[i], cur, &note) && wanted(mo, &note))
			ok = emit(mo, &ev, &note);
	}
	free(old);
	mo->poll_files += mo->p.stats.files_read - f0;
	return ok;
}

/* a definition or rule file changed */
static bool file_event(struct mon *mo, const struct ap_event *ev)
{
	struct ap_ev_note note = { 0 };
	const char *name = strrchr(ev->file, '/');
	bool removed = !strcmp(ev->action, "remove");

	name = name ? name + 1 : ev->file;
	note.obj.apid = note.obj.apqi = -1;
	if (!strncmp(ev->file, "etc/mdevctl.d/matrix/", 21)) {
		char uuid[AP_UUID_STRLEN];

		if (!ap_uuid_is_valid(name))
			return true;
		snprintf(uuid, sizeof(uuid), "%.36s", name);
		for (char *s = uuid; *s; s++)
			if (*s >= 'A' && *s <= 'F')
				*s = (char)(*s - 'A' + 'a');
		note.kind = AP_EVK_DEFINITION;
		snprintf(note.obj.uuid, sizeof(note.obj.uuid), "%s", uuid);
		if (ap_read_one_def(&mo->p, &mo->m, uuid, &mo->d) == 0) {
			const struct ap_mdev *md = ap_model_find_mdev(&mo->m, uuid);
			char a[AP_IDLIST_STRLEN] = "", dm[AP_IDLIST_STRLEN] = "";

			if (md) {
				ap_idlist_format_hex(&md->def.apm, 2, a, sizeof(a));
				ap_idlist_format_hex(&md->def.aqm, 4, dm, sizeof(dm));
			}
			snprintf(note.what, sizeof(note.what), _("definition of mdev %s written"), uuid);
			snprintf(note.effect, sizeof(note.effect),
				 _("adapters %s, domains %s when it is started"), a[0] ? a : "-",
				 dm[0] ? dm : "-");
		} else if (removed || !ap_model_find_mdev(&mo->m, uuid) ||
			   !ap_model_find_mdev(&mo->m, uuid)->defined) {
			snprintf(note.what, sizeof(note.what), _("definition of mdev %s removed"), uuid);
		} else {
			return true;
		}
	} else {
		if (strlen(name) < 7 || strcmp(name + strlen(name) - 6, ".rules"))
			return true;
		note.kind = AP_EVK_RULE;
		snprintf(note.what, sizeof(note.what),
			 removed ? _("udev rule file %s removed") : _("udev rule file %s written"),
			 ev->file);
		snprintf(note.effect, sizeof(note.effect), "%s",
			 _("the masks at the next boot may differ: see 'apctl check'"));
	}
	if (!wanted(mo, &note))
		return true;
	return emit(mo, ev, &note);
}

/* APCTL_DEBUG_STATS: what the start and the events read (benchmarks) */
static void debug_stats(const struct mon *mo, const struct ap_path_stats *start)
{
	const char *e = getenv("APCTL_DEBUG_STATS");

	if (!e || !*e || !strcmp(e, "0"))
		return;
	/* a debugging aid: not translated, stable words */
	fprintf(stderr, "apctl: stats: start_files=%lu start_dirs=%lu events=%ld "
		"event_files=%lu event_dirs=%lu polls=%lu poll_files=%lu\n",
		start->files_read, start->dirs_listed, mo->count,
		mo->p.stats.files_read - start->files_read - mo->poll_files,
		mo->p.stats.dirs_listed - start->dirs_listed, mo->polls, mo->poll_files);
}

static int parse_count(const char *opt, const char *arg, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0)
		return apctl_usage_error("monitor", _("%s needs a positive number, not '%s'"), opt, arg);
	*out = v;
	return 0;
}

int cmd_monitor(struct apctl_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", optional_argument, NULL, 'J' },
		{ "adapters", required_argument, NULL, 'a' },
		{ "mdev", required_argument, NULL, 'm' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mon mo = { .ctx = ctx };
	long maxcount = 0, timeout = 0;
	struct ap_evsrc *src = NULL;
	struct timespec t0, t;
	struct ap_path_stats start = { 0 };
	struct sigaction sa;
	int opt, rc, err;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":Ja:m:c:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'J':
			/* the style is checked as everywhere; a line is always compact */
			mo.json = true;
			if ((rc = apctl_json_style_opt("monitor", optarg)))
				return rc;
			break;
		case 'a': {
			struct ap_idlist l;
			struct ap_idlist_error e;
			char msg[512];

			if (ap_idlist_parse(optarg, AP_MAX_ID, false, &l, &e)) {
				ap_idlist_strerror(&e, msg, sizeof(msg));
				return apctl_usage_error("monitor", _("--adapters %s: %s"), optarg, msg);
			}
			ap_mask_or(&mo.adapters, &mo.adapters, &l.set);
			mo.have_adapters = true;
			break;
		}
		case 'm':
			if (chg_parse_uuid("monitor", optarg, mo.mdev))
				return APCTL_EXIT_USAGE;
			break;
		case 'c':
			if ((rc = parse_count("--count", optarg, &maxcount)))
				return rc;
			break;
		case 't':
			if ((rc = parse_count("--timeout", optarg, &timeout)))
				return rc;
			break;
		case 'h':
			usage_monitor(stdout);
			return APCTL_EXIT_OK;
		default:
			return apctl_option_error("monitor", opt, argv);
		}
	}
	if (optind < argc)
		return apctl_usage_error("monitor", _("unexpected argument '%s'"), argv[optind]);
	if (mo.json)
		apctl_json_done();	/* JSON lines, not one document */

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);	/* a closed output is EPIPE on the write */

	if ((err = ap_path_init(&mo.p, ctx->root))) {
		apctl_err(_("invalid root directory '%s': %s"), ctx->root ? ctx->root : "",
			  strerror(err));
		return APCTL_EXIT_USAGE;
	}
	ap_diags_init(&mo.d);
	ap_model_init(&mo.m);
	/* listen first, then read: nothing that happens in between is lost */
	err = ap_evsrc_open(&mo.p, true, &src);
	if (err) {
		apctl_err(_("cannot listen to udev events: %s"), strerror(err));
		rc = err == EPERM || err == EACCES ? APCTL_EXIT_PERM : APCTL_EXIT_FAILURE;
		goto out;
	}
	if (!ap_evsrc_udev_running())
		apctl_warn("%s", _("udev does not seem to run (no /run/udev/control): "
				   "events will not arrive"));
	rc = read_all(&mo);
	if (rc)
		goto out;
	start = mo.p.stats;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!mon_stop && (!maxcount || mo.count < maxcount)) {
		struct ap_event ev;
		struct ap_ev_object obj;
		struct ap_ev_note note;
		struct ap_model old;
		enum ap_ev_kind k;
		int wait = MON_POLL_MS, r;

		if (timeout) {
			long left;

			clock_gettime(CLOCK_MONOTONIC, &t);
			left = timeout * 1000 - ((t.tv_sec - t0.tv_sec) * 1000 +
						 (t.tv_nsec - t0.tv_nsec) / 1000000);
			if (left <= 0)
				break;
			if (left < wait)
				wait = (int)left;
		}
		r = ap_evsrc_next(src, wait, &ev);
		if (r == -EINTR)
			continue;
		if (r == 0) {
			if (!poll_mdevs(&mo))
				goto lost;
			continue;
		}
		if (r == -ENOBUFS) {
			/* the kernel dropped events: read everything again */
			rc = read_all(&mo);
			if (rc)
				goto out;
			memset(&ev, 0, sizeof(ev));
			ev.source = AP_EVS_OVERFLOW;
		} else if (r < 0) {
			apctl_err(_("cannot receive udev events: %s"), strerror(-r));
			rc = APCTL_EXIT_FAILURE;
			goto out;
		}
		if (ev.source == AP_EVS_FILE) {
			if (!file_event(&mo, &ev))
				goto lost;
			continue;
		}
		k = ap_event_classify(&ev, &obj);
		if (k == AP_EVK_IGNORED)
			continue;
		/* old: the model before the event (shallow: its arrays are
		 * shared until refresh() replaces what it re-reads) */
		old = mo.m;
		old.mdevs = copy_mdevs(&mo.m, &old.n_mdevs);
		refresh(&mo, &ev, k, &obj);
		ap_event_explain(&ev, k, &obj, &old, &mo.m, &note);
		if (k == AP_EVK_MASK) {
			/* the event carries the new mask */
			const char *v = ap_event_prop(&ev, note.apmask ? "APMASK" : "AQMASK");

			if (v)
				ap_mask_parse(v, strlen(v), note.apmask ? &mo.m.host.apmask
									: &mo.m.host.aqmask,
					      NULL, NULL);
		}
		free(old.mdevs);
		if (wanted(&mo, &note) && !emit(&mo, &ev, &note))
			goto lost;
	}
	rc = APCTL_EXIT_OK;
	goto out;
lost:
	/* the output went away (EPIPE): stop quietly, as a pipe's reader
	 * expects; drop what is buffered so that nothing tries again */
	__fpurge(stdout);
	clearerr(stdout);
	rc = APCTL_EXIT_FAILURE;
out:
	debug_stats(&mo, &start);
	ap_evsrc_close(src);
	ap_model_free(&mo.m);
	ap_diags_free(&mo.d);
	ap_path_fini(&mo.p);
	return rc;
}

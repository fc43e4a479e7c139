/* SPDX-License-Identifier: MIT */
/*
 * apsim control side: the host description (JSON), the control socket
 * served by its own thread, fault injection and the JSON state dump.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "apsim.h"

/* ---- id lists: numbers, "0x47", "a-b" ranges, or arrays of those --------------- */

static int parse_id(const char *s, int *v)
{
	char *end;
	long x = strtol(s, &end, 0);

	if (end == s || x < 0 || x > 255)
		return -1;
	*v = (int)x;
	return (int)(end - s);
}

static int ids_add(json_object *o, mask_t *m, char *err, size_t esz)
{
	if (!o)
		return 0;
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			if (ids_add(json_object_array_get_idx(o, i), m, err, esz))
				return -1;
		return 0;
	}
	if (json_object_is_type(o, json_type_int)) {
		int v = json_object_get_int(o);

		if (v < 0 || v > 255) {
			snprintf(err, esz, "id %d out of range", v);
			return -1;
		}
		m_set(m, (unsigned int)v);
		return 0;
	}
	if (json_object_is_type(o, json_type_string)) {
		const char *s = json_object_get_string(o);

		while (*s) {
			int a, b, n;

			while (*s == ',' || *s == ' ')
				s++;
			if (!*s)
				break;
			n = parse_id(s, &a);
			if (n <= 0)
				goto bad;
			s += n;
			b = a;
			if (*s == '-') {
				n = parse_id(++s, &b);
				if (n <= 0 || b < a)
					goto bad;
				s += n;
			}
			for (int i = a; i <= b; i++)
				m_set(m, (unsigned int)i);
			if (*s && *s != ',' && *s != ' ')
				goto bad;
		}
		return 0;
	bad:
		snprintf(err, esz, "bad id list '%s'", json_object_get_string(o));
		return -1;
	}
	snprintf(err, esz, "bad id value");
	return -1;
}

static json_object *get(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static bool get_bool(json_object *o, const char *k, bool def)
{
	json_object *v = get(o, k);

	return v ? json_object_get_boolean(v) : def;
}

static long long get_int(json_object *o, const char *k, long long def)
{
	json_object *v = get(o, k);

	if (!v)
		return def;
	if (json_object_is_type(v, json_type_string))
		return strtoll(json_object_get_string(v), NULL, 0);
	return json_object_get_int64(v);
}

/* a typo in a host file must not silently change a test's meaning */
static int check_keys(json_object *o, const char *const *allowed, const char *what, char *err,
		      size_t esz)
{
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, esz, "%s must be an object", what);
		return -1;
	}
	json_object_object_foreach(o, k, v)
	{
		const char *const *a;

		(void)v;
		for (a = allowed; *a && strcmp(*a, k); a++)
			;
		if (!*a) {
			snprintf(err, esz, "unknown key '%s' in %s", k, what);
			return -1;
		}
	}
	return 0;
}

static const char *const host_keys[] = {"name",		 "comment",	    "qci",
					"apxa",		 "max_adapter_id",  "max_domain_id",
					"interrupts",	 "ap_domain",	    "adapters",
					"usage_domains", "control_domains", "apmask",
					"aqmask",	 "mdevs",	    "qci_features",
					"poll_timeout",	 "config_time",	    "migration",
					"se_guest",	 NULL};
static const char *const adapter_keys[] = {
	"id",	   "ids",   "type",	    "raw_type", "mode",	   "functions", "config",
	"chkstop", "depth", "max_msg_size", "serialnr", "comment", "class", "se_bound", "mkvp", NULL};
static const char *const mdev_keys[] = {"uuid",	    "adapters", "domains", "control_domains",
					"attached", "comment",	"migratable", NULL};

static int type_raw(const char *t)
{
	if (!strncasecmp(t, "CEX", 3) && t[3] >= '4' && t[3] <= '9' && !t[4])
		return t[3] - '4' + 10;
	return -1;
}

static int mode_from(const char *m)
{
	if (!strcmp(m, "accel"))
		return MODE_ACCEL;
	if (!strcmp(m, "cca"))
		return MODE_CCA;
	if (!strcmp(m, "ep11"))
		return MODE_EP11;
	return -1;
}

static int setup_adapter(int id, int raw, int mode, long long functions, json_object *ad)
{
	struct adapter_hw *h = &S.ad[id];

	h->installed = true;
	h->raw_type = raw;
	h->functions = functions >= 0 ? (uint32_t)functions : default_functions(mode, S.hw.apxa);
	h->config = ad ? get_bool(ad, "config", true) : true;
	h->chkstop = ad ? get_bool(ad, "chkstop", false) : false;
	h->depth = ad ? (int)get_int(ad, "depth", 8) : 8;
	h->max_msg_size = ad ? (unsigned int)get_int(ad, "max_msg_size", 12288) : 12288;
	if (ad && get(ad, "serialnr"))
		snprintf(h->serial, sizeof(h->serial), "%s",
			 json_object_get_string(get(ad, "serialnr")));
	else
		snprintf(h->serial, sizeof(h->serial), "93SIM%03X", (unsigned int)id);
	m_set(&S.hw.apm, (unsigned int)id);
	return 0;
}

static int load_adapter(json_object *ad, char *err, size_t esz)
{
	mask_t ids = {{0}};
	const char *t = get(ad, "type") ? json_object_get_string(get(ad, "type")) : "CEX7";
	const char *ms = get(ad, "mode") ? json_object_get_string(get(ad, "mode")) : "cca";
	int raw = type_raw(t), mode = mode_from(ms);
	long long f = get(ad, "functions") ? get_int(ad, "functions", 0) : -1;
	long long cls = -1;
	mask_t se = {{0}};

	if (check_keys(ad, adapter_keys, "an adapter", err, esz))
		return -1;
	if (get(ad, "raw_type"))
		raw = (int)get_int(ad, "raw_type", 0);
	if (raw < 0 || mode < 0) {
		snprintf(err, esz, "bad adapter type '%s' or mode '%s'", t, ms);
		return -1;
	}
	if (ids_add(get(ad, "id"), &ids, err, esz) || ids_add(get(ad, "ids"), &ids, err, esz))
		return -1;
	if (get(ad, "class")) {
		const char *c = json_object_get_string(get(ad, "class"));

		if (!strcmp(c, "full"))
			cls = FUNC_CLASS_FULL;
		else if (!strcmp(c, "stateless"))
			cls = FUNC_CLASS_STATELESS;
		else if (!strcmp(c, "none"))
			cls = 0;
		else {
			snprintf(err, esz, "bad adapter class '%s' (full, stateless or none)", c);
			return -1;
		}
	}
	if (get(ad, "se_bound") && ids_add(get(ad, "se_bound"), &se, err, esz))
		return -1;
	if (get(ad, "mkvp")) {
		const char *k = json_object_get_string(get(ad, "mkvp"));

		if (strlen(k) != 18 || strncmp(k, "0x", 2) ||
		    strspn(k + 2, "0123456789abcdef") != 16) {
			snprintf(err, esz, "bad mkvp '%s' (0x and 16 lowercase hex digits)", k);
			return -1;
		}
	}
	for (int i = 0; i < NA; i++)
		if (m_test(&ids, (unsigned int)i)) {
			setup_adapter(i, raw, mode, f, ad);
			S.ad[i].se_bound = se;
			if (get(ad, "mkvp"))
				snprintf(S.ad[i].mkvp, sizeof(S.ad[i].mkvp), "%s",
					 json_object_get_string(get(ad, "mkvp")));
			/* the class replaces the byte, also of an explicit word */
			if (cls >= 0)
				S.ad[i].functions = (S.ad[i].functions & ~FUNC_CLASS_MASK) |
						    (uint32_t)cls;
		}
	return 0;
}

static int load_mask(json_object *root, const char *k, mask_t *m, char *err, size_t esz)
{
	json_object *v = get(root, k);
	mask_t zero = {{0}};

	if (!v)
		return 0;
	if (k_parse_bitmap_str(json_object_get_string(v), &zero, m)) {
		snprintf(err, esz, "bad %s '%s'", k, json_object_get_string(v));
		return -1;
	}
	return 0;
}

int host_load(const char *path, char *err, size_t esz)
{
	json_object *root = json_object_from_file(path), *v;
	int rc = -1;

	if (!root) {
		snprintf(err, esz, "cannot read JSON: %s", json_util_get_last_err());
		return -1;
	}
	if (check_keys(root, host_keys, "the host", err, esz))
		goto out;
	S.hw.present = get_bool(root, "qci", true);
	S.hw.na = (int)get_int(root, "max_adapter_id", 0);
	S.hw.nd = (int)get_int(root, "max_domain_id", 0);
	S.hw.apxa =
		get_bool(root, "apxa", get(root, "max_adapter_id") || get(root, "max_domain_id"));
	S.interrupts = get_bool(root, "interrupts", true);
	S.poll_timeout = (unsigned long long)get_int(root, "poll_timeout", 250000);
	S.config_time = (int)get_int(root, "config_time", 30);
	if (get(root, "ap_domain"))
		S.ap_domain = (int)get_int(root, "ap_domain", -1);
	S.se_guest = get_bool(root, "se_guest", false);
	if (get(root, "migration")) {
		const char *mv = json_object_get_string(get(root, "migration"));

		if (!strcmp(mv, "v1"))
			S.migration = 1;
		else if (!strcmp(mv, "v4"))
			S.migration = 4;
		else if (strcmp(mv, "none")) {
			snprintf(err, esz, "bad migration '%s' (none, v1 or v4)", mv);
			goto out;
		}
	}
	v = get(root, "qci_features");
	if (v) {
		static const char *const fn[] = {"APSC", "APXA", "QACT", "RC8A", "APSB"};

		for (size_t i = 0; i < json_object_array_length(v); i++) {
			const char *s = json_object_get_string(json_object_array_get_idx(v, i));

			for (int j = 0; j < 5; j++)
				if (!strcmp(s, fn[j]))
					S.hw.features |= 1u << j;
		}
	} else {
		S.hw.features = QF_APSC | QF_QACT | QF_RC8A | (S.hw.apxa ? QF_APXA : 0);
	}
	v = get(root, "adapters");
	for (size_t i = 0; v && i < json_object_array_length(v); i++)
		if (load_adapter(json_object_array_get_idx(v, i), err, esz))
			goto out;
	if (ids_add(get(root, "usage_domains"), &S.hw.aqm, err, esz) ||
	    ids_add(get(root, "control_domains"), &S.hw.adm, err, esz) ||
	    load_mask(root, "apmask", &S.apmask, err, esz) ||
	    load_mask(root, "aqmask", &S.aqmask, err, esz))
		goto out;
	sim_boot();
	v = get(root, "mdevs");
	for (size_t i = 0; v && i < json_object_array_length(v); i++) {
		json_object *md = json_object_array_get_idx(v, i);
		const char *u;
		struct mdev *m;

		if (check_keys(md, mdev_keys, "an mdev", err, esz))
			goto out;
		u = get(md, "uuid") ? json_object_get_string(get(md, "uuid")) : "";
		if (strlen(u) != 36 || !k_uuid_is_valid(u) || mdev_create(u)) {
			snprintf(err, esz, "bad or duplicate mdev uuid '%s'", u);
			goto out;
		}
		m = S.mdevs;
		if (ids_add(get(md, "adapters"), &m->apm, err, esz) ||
		    ids_add(get(md, "domains"), &m->aqm, err, esz) ||
		    ids_add(get(md, "control_domains"), &m->adm, err, esz))
			goto out;
		if (KV(600)) {
			mdev_refilter(m);
			mdev_filter_cdoms(m);
		}
		m->attached = get_bool(md, "attached", false);
		m->migratable = get_bool(md, "migratable", false);
	}
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

/* ---- faults --------------------------------------------------------------------- */

int fault_check(const char *path, int *delay_ms, bool *lost)
{
	int err = 0;

	*delay_ms = 0;
	*lost = false;
	for (struct fault *f = S.faults; f; f = f->next) {
		if (f->done || fnmatch(f->glob, path, 0))
			continue;
		f->seen++;
		if (f->nth && f->seen != f->nth)
			continue;
		if (f->nth)
			f->done = true;
		if (f->delay_ms > *delay_ms)
			*delay_ms = f->delay_ms;
		if (!err)
			err = f->err;
		if (f->lost)
			*lost = true;
	}
	return err;
}

/* ---- dump ------------------------------------------------------------------------ */

static json_object *jmask(const mask_t *m)
{
	char b[67];

	m_fmt(m, b);
	return json_object_new_string(b);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_object *sorted(json_object *o)
{
	if (json_object_is_type(o, json_type_object)) {
		size_t n = (size_t)json_object_object_length(o), i = 0;
		const char **keys = calloc(n + 1, sizeof(*keys));
		json_object *r = json_object_new_object();

		json_object_object_foreach(o, k, val)
		{
			(void)val;
			keys[i++] = k;
		}
		qsort(keys, n, sizeof(*keys), cmp_key);
		for (i = 0; i < n; i++)
			json_object_object_add(r, keys[i], sorted(get(o, keys[i])));
		free(keys);
		return r;
	}
	if (json_object_is_type(o, json_type_array)) {
		json_object *r = json_object_new_array();

		for (size_t i = 0; i < json_object_array_length(o); i++)
			json_object_array_add(r, sorted(json_object_array_get_idx(o, i)));
		return r;
	}
	return json_object_get(o);
}

static const char *mode_str(uint32_t f)
{
	int m = mode_of(f);

	return m == MODE_ACCEL ? "accel" : m == MODE_CCA ? "cca" : m == MODE_EP11 ? "ep11" : "none";
}

static json_object *jqci(const struct qci *q)
{
	static const char *const fn[] = {"APSC", "APXA", "QACT", "RC8A", "APSB"};
	json_object *o = json_object_new_object(), *f = json_object_new_array();

	json_object_object_add(o, "present", json_object_new_boolean(q->present));
	json_object_object_add(o, "apxa", json_object_new_boolean(q->apxa));
	json_object_object_add(o, "na", json_object_new_int(q->na));
	json_object_object_add(o, "nd", json_object_new_int(q->nd));
	json_object_object_add(o, "adapters", jmask(&q->apm));
	json_object_object_add(o, "usage_domains", jmask(&q->aqm));
	json_object_object_add(o, "control_domains", jmask(&q->adm));
	for (int i = 0; i < 5; i++)
		if (q->features & (1u << i))
			json_object_array_add(f, json_object_new_string(fn[i]));
	json_object_object_add(o, "features", f);
	return o;
}

char *dump_json(void)
{
	json_object *root = json_object_new_object(), *o, *cards, *queues, *mdevs, *hw, *s;
	char key[40], *out;

	json_object_object_add(root, "kernel", json_object_new_string(S.kname));
	o = json_object_new_object();
	json_object_object_add(o, "apmask", jmask(&S.apmask));
	json_object_object_add(o, "aqmask", jmask(&S.aqmask));
	json_object_object_add(o, "ap_domain", json_object_new_int(S.ap_domain));
	json_object_object_add(o, "config_time", json_object_new_int(S.config_time));
	json_object_object_add(o, "poll_thread", json_object_new_boolean(S.poll_thread));
	json_object_object_add(o, "poll_timeout", json_object_new_uint64(S.poll_timeout));
	json_object_object_add(o, "interrupts", json_object_new_boolean(S.interrupts));
	json_object_object_add(o, "drivers_autoprobe", json_object_new_boolean(S.autoprobe));
	json_object_object_add(o, "scans", json_object_new_uint64(S.scans));
	json_object_object_add(o, "bindings_complete", json_object_new_boolean(S.bindings_done));
	json_object_object_add(o, "bindings_complete_count",
			       json_object_new_uint64(S.complete_count));
	json_object_object_add(o, "masks_in_use", json_object_new_boolean(S.masks_in_use));
	json_object_object_add(o, "driver_override_count", json_object_new_int(S.override_ctr));
	json_object_object_add(o, "max_adapter_id", json_object_new_int(sim_max_adapter_id()));
	json_object_object_add(o, "max_domain_id", json_object_new_int(sim_max_domain_id()));
	json_object_object_add(root, "bus", o);
	json_object_object_add(root, "qci", jqci(&S.cur));
	hw = jqci(&S.hw);
	o = json_object_new_object();
	for (int a = 0; a < NA; a++) {
		struct adapter_hw *h = &S.ad[a];
		json_object *x;

		if (!h->installed)
			continue;
		x = json_object_new_object();
		snprintf(key, sizeof(key), "%02x", (unsigned int)a);
		json_object_object_add(x, "raw_type", json_object_new_int(h->raw_type));
		snprintf(key + 8, 16, "0x%08X", h->functions);
		json_object_object_add(x, "functions", json_object_new_string(key + 8));
		json_object_object_add(x, "config", json_object_new_boolean(h->config));
		json_object_object_add(x, "chkstop", json_object_new_boolean(h->chkstop));
		json_object_object_add(o, key, x);
	}
	json_object_object_add(hw, "installed_adapters", o);
	json_object_object_add(root, "hardware", hw);
	cards = json_object_new_object();
	queues = json_object_new_object();
	for (int a = 0; a < NA; a++) {
		struct card *c = &S.cards[a];
		json_object *x;

		if (!c->exists)
			continue;
		x = json_object_new_object();
		json_object_object_add(x, "hwtype", json_object_new_int(c->hwtype));
		json_object_object_add(x, "raw_hwtype", json_object_new_int(c->raw_type));
		snprintf(key, sizeof(key), "0x%08X", c->functions);
		json_object_object_add(x, "functions", json_object_new_string(key));
		json_object_object_add(x, "mode", json_object_new_string(mode_str(c->functions)));
		json_object_object_add(x, "config", json_object_new_boolean(c->config));
		json_object_object_add(x, "chkstop", json_object_new_boolean(c->chkstop));
		json_object_object_add(x, "online", json_object_new_boolean(c->zonline));
		json_object_object_add(x, "driver",
				       c->driver ? json_object_new_string(drv_names[c->driver])
						 : NULL);
		snprintf(key, sizeof(key), "card%02x", (unsigned int)a);
		json_object_object_add(cards, key, x);
		for (int d = 0; d < ND; d++) {
			struct queue *q = Q(a, d);

			if (!q->exists)
				continue;
			x = json_object_new_object();
			json_object_object_add(
				x, "driver",
				q->driver ? json_object_new_string(drv_names[q->driver]) : NULL);
			json_object_object_add(x, "online", json_object_new_boolean(q->zonline));
			json_object_object_add(x, "initiated",
					       json_object_new_boolean(q->initiated));
			json_object_object_add(x, "config", json_object_new_boolean(q->config));
			json_object_object_add(x, "chkstop", json_object_new_boolean(q->chkstop));
			json_object_object_add(x, "driver_override",
					       q->override ? json_object_new_string(q->override)
							   : NULL);
			snprintf(key, sizeof(key), "%02x.%04x", (unsigned int)a, (unsigned int)d);
			json_object_object_add(queues, key, x);
		}
	}
	json_object_object_add(root, "cards", cards);
	json_object_object_add(root, "queues", queues);
	mdevs = json_object_new_object();
	{
		int pos = 0;

		for (struct mdev *m = S.mdevs; m; m = m->next)
			pos++;
		for (struct mdev *m = S.mdevs; m; m = m->next) {
			json_object *x = json_object_new_object();

			json_object_object_add(x, "creation_order", json_object_new_int(pos--));
			json_object_object_add(x, "adapters", jmask(&m->apm));
			json_object_object_add(x, "domains", jmask(&m->aqm));
			json_object_object_add(x, "control_domains", jmask(&m->adm));
			s = json_object_new_object();
			json_object_object_add(s, "adapters", jmask(&m->s_apm));
			json_object_object_add(s, "domains", jmask(&m->s_aqm));
			json_object_object_add(s, "control_domains", jmask(&m->s_adm));
			json_object_object_add(x, "shadow", s);
			json_object_object_add(x, "max_adapter_id",
					       json_object_new_int(m->apm_max));
			json_object_object_add(x, "max_domain_id", json_object_new_int(m->aqm_max));
			json_object_object_add(x, "max_control_domain_id",
					       json_object_new_int(m->adm_max));
			json_object_object_add(x, "guest_attached",
					       json_object_new_boolean(m->attached));
			json_object_object_add(x, "migratable",
					       json_object_new_boolean(m->migratable));
			json_object_object_add(x, "migrating",
					       json_object_new_boolean(m->migrating));
			json_object_object_add(x, "removing", json_object_new_boolean(m->removing));
			json_object_object_add(mdevs, m->uuid, x);
		}
	}
	json_object_object_add(root, "mdevs", mdevs);
	json_object_object_add(root, "available_instances", json_object_new_int64(S.avail));
	o = sorted(root);
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	json_object_put(root);
	return out;
}

/* ---- control socket ------------------------------------------------------------- */

static int listen_fd = -1;
static char *sock_path;
static pthread_t ctl_thread;
static bool ctl_running;

static int host_cmd(int argc, char **argv, struct sbuf *out)
{
	int id = -1, v;
	const char *c = argv[1];

	if (argc < 3 || parse_id(argv[2], &id) <= 0 || argv[2][parse_id(argv[2], &id)]) {
		sb_printf(out, "host: missing or bad id\n");
		return 1;
	}
	if (!strcmp(c, "adapter-add")) {
		int raw = S.ad[id].installed ? S.ad[id].raw_type : 13, mode = MODE_CCA;
		long long f = -1;

		if (S.ad[id].installed)
			mode = mode_of(S.ad[id].functions) < 0 ? MODE_CCA
							       : mode_of(S.ad[id].functions);
		for (int i = 3; i + 1 < argc; i += 2) {
			if (!strcmp(argv[i], "--type"))
				raw = type_raw(argv[i + 1]);
			else if (!strcmp(argv[i], "--raw-type"))
				raw = atoi(argv[i + 1]);
			else if (!strcmp(argv[i], "--mode"))
				mode = mode_from(argv[i + 1]);
			else if (!strcmp(argv[i], "--functions"))
				f = strtoll(argv[i + 1], NULL, 0);
			else
				raw = -1;
		}
		if (raw < 0 || mode < 0 || (argc - 3) % 2) {
			sb_printf(out, "host adapter-add: bad options\n");
			return 1;
		}
		setup_adapter(id, raw, mode, f, NULL);
		return 0;
	}
	if (!strcmp(c, "adapter-remove"))
		m_clr(&S.hw.apm, (unsigned int)id);
	else if (!strcmp(c, "domain-add"))
		m_set(&S.hw.aqm, (unsigned int)id);
	else if (!strcmp(c, "domain-remove"))
		m_clr(&S.hw.aqm, (unsigned int)id);
	else if (!strcmp(c, "cdom-add"))
		m_set(&S.hw.adm, (unsigned int)id);
	else if (!strcmp(c, "cdom-remove"))
		m_clr(&S.hw.adm, (unsigned int)id);
	else if ((!strcmp(c, "card-config") || !strcmp(c, "checkstop")) && argc == 4 &&
		 (!strcmp(argv[3], "0") || !strcmp(argv[3], "1"))) {
		v = argv[3][0] == '1';
		if (!S.ad[id].installed) {
			sb_printf(out, "host %s: adapter %d is not installed\n", c, id);
			return 1;
		}
		if (c[1] == 'a')
			S.ad[id].config = v;
		else
			S.ad[id].chkstop = v;
	} else {
		sb_printf(out, "host: unknown subcommand or bad arguments\n");
		return 1;
	}
	return 0;
}

static int fault_cmd(int argc, char **argv, struct sbuf *out)
{
	if (argc >= 2 && !strcmp(argv[1], "list")) {
		for (struct fault *f = S.faults; f; f = f->next) {
			sb_printf(out, "%d %s", f->id, f->glob);
			if (f->err)
				sb_printf(out, " --errno %s", errno_name(f->err));
			if (f->nth)
				sb_printf(out, " --nth %d", f->nth);
			else
				sb_printf(out, " --every");
			if (f->delay_ms)
				sb_printf(out, " --delay %d", f->delay_ms);
			if (f->lost)
				sb_printf(out, " --lost");
			sb_printf(out, " seen=%d%s\n", f->seen, f->done ? " done" : "");
		}
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "clear")) {
		struct fault **pp = &S.faults;
		int id = argc > 2 ? atoi(argv[2]) : -1;

		while (*pp) {
			struct fault *f = *pp;

			if (id < 0 || f->id == id) {
				*pp = f->next;
				free(f->glob);
				free(f);
			} else {
				pp = &f->next;
			}
		}
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "add")) {
		struct fault *f = calloc(1, sizeof(*f)), **pp;

		f->nth = 1;
		for (int i = 3; i < argc; i++) {
			if (!strcmp(argv[i], "--errno") && i + 1 < argc) {
				f->err = errno_from_name(argv[++i]);
				if (!f->err)
					goto bad;
			} else if (!strcmp(argv[i], "--nth") && i + 1 < argc) {
				f->nth = atoi(argv[++i]);
				if (f->nth < 1)
					goto bad;
			} else if (!strcmp(argv[i], "--every")) {
				f->nth = 0;
			} else if (!strcmp(argv[i], "--delay") && i + 1 < argc) {
				f->delay_ms = atoi(argv[++i]);
			} else if (!strcmp(argv[i], "--lost")) {
				f->lost = true;
			} else {
				goto bad;
			}
		}
		f->glob = strdup(argv[2]);
		f->id = ++S.next_fault;
		for (pp = &S.faults; *pp; pp = &(*pp)->next)
			;
		*pp = f;
		sb_printf(out, "%d\n", f->id);
		return 0;
	bad:
		free(f);
		sb_printf(out, "fault add: bad options\n");
		return 1;
	}
	sb_printf(out, "fault: usage: fault add GLOB [--errno NAME] [--nth N|--every] "
		       "[--delay MS] [--lost] | fault list | fault clear [ID]\n");
	return 1;
}

static void print_log(struct strlog *l, struct sbuf *out)
{
	for (size_t i = 0; i < l->n; i++)
		sb_printf(out, "%s\n", log_get(l, i));
}

static void quit_fs(void);

/* returns 0 ok, 1 error (message in out) */
static int run_cmd(int argc, char **argv, struct sbuf *out)
{
	const char *c = argc ? argv[0] : "";

	if (!strcmp(c, "dump")) {
		char *j = dump_json();

		sb_printf(out, "%s\n", j);
		free(j);
	} else if (!strcmp(c, "kernel")) {
		sb_printf(out, "%s\n", S.kname);
	} else if (!strcmp(c, "scan")) {
		sim_scan();
	} else if (!strcmp(c, "dmesg") || !strcmp(c, "uevents")) {
		struct strlog *l = c[0] == 'd' ? &S.dmesg : &S.uevents;

		if (argc > 1 && !strcmp(argv[1], "clear"))
			log_clear(l);
		else if (argc > 1)
			goto usage;
		else
			print_log(l, out);
	} else if ((!strcmp(c, "attach") || !strcmp(c, "detach")) && argc == 2) {
		struct mdev *m = mdev_find(argv[1]);

		if (!m) {
			sb_printf(out, "%s: no mdev %s\n", c, argv[1]);
			return 1;
		}
		guest_attach(m, c[0] == 'a');
	} else if (!strcmp(c, "migration") && argc == 3 &&
		   (!strcmp(argv[2], "start") || !strcmp(argv[2], "stop"))) {
		struct mdev *m = mdev_find(argv[1]);

		if (!m) {
			sb_printf(out, "%s: no mdev %s\n", c, argv[1]);
			return 1;
		}
		m->migrating = !strcmp(argv[2], "start");
	} else if (!strcmp(c, "fault")) {
		return fault_cmd(argc, argv, out);
	} else if (!strcmp(c, "host") && argc >= 2) {
		return host_cmd(argc, argv, out);
	} else if (!strcmp(c, "quit")) {
		S.stopping = true;
		pthread_cond_broadcast(&S.cond);
		quit_fs();
	} else {
		goto usage;
	}
	return 0;
usage:
	sb_printf(out, "unknown command or bad arguments: %s\n", c);
	return 1;
}

static void *umount_thread(void *arg)
{
	char *cmd;

	(void)arg;
	if (!S.mountpoint)
		return NULL;
	/* unmounting ends fuse_main's loop, which then cleans up */
	if (asprintf(&cmd, "fusermount3 -u '%s' 2>/dev/null || fusermount3 -uz '%s'", S.mountpoint,
		     S.mountpoint) < 0)
		return NULL;
	if (system(cmd))
		(void)0;
	free(cmd);
	return NULL;
}

static void quit_fs(void)
{
	pthread_t t;

	if (!pthread_create(&t, NULL, umount_thread, NULL))
		pthread_detach(t);
}

static void serve(int fd)
{
	char buf[8192];
	size_t n = 0;
	ssize_t r;
	char *argv[64];
	int argc = 0, rc;
	struct sbuf out = {0};
	char hdr[8];

	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0) {
		n += (size_t)r;
		if (memchr(buf, '\n', n))
			break;
	}
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	for (char *p = buf, *t; argc < 63 && (t = strsep(&p, "\t"));)
		if (*t)
			argv[argc++] = t;
	argv[argc] = NULL;
	sb_printf(&out, "%s", "");
	pthread_mutex_lock(&S.lock);
	rc = run_cmd(argc, argv, &out);
	pthread_mutex_unlock(&S.lock);
	snprintf(hdr, sizeof(hdr), "%d\n", rc);
	if (write(fd, hdr, strlen(hdr)) < 0)
		goto done;
	for (size_t off = 0; off < out.len;) {
		r = write(fd, out.buf + off, out.len - off);
		if (r <= 0)
			break;
		off += (size_t)r;
	}
done:
	free(out.buf);
}

static void *ctl_main(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		serve(fd);
		close(fd);
	}
	return NULL;
}

/* ctl_start(path) creates the socket (before daemonizing); ctl_start(NULL) starts serving */
int ctl_start(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (path) {
		if (strlen(path) >= sizeof(sa.sun_path))
			return -1;
		strcpy(sa.sun_path, path);
		unlink(path);
		listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		    listen(listen_fd, 16))
			return -1;
		sock_path = realpath(path, NULL);
		return 0;
	}
	if (listen_fd >= 0 && !pthread_create(&ctl_thread, NULL, ctl_main, NULL))
		ctl_running = true;
	return 0;
}

void ctl_stop(void)
{
	if (listen_fd >= 0) {
		shutdown(listen_fd, SHUT_RDWR);
		if (ctl_running)
			pthread_join(ctl_thread, NULL);
		close(listen_fd);
		listen_fd = -1;
	}
	if (sock_path) {
		unlink(sock_path);
		free(sock_path);
		sock_path = NULL;
	}
}

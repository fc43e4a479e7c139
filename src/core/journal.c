/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/apmask.h"
#include "core/apqn.h"
#include "core/journal.h"
#include "i18n.h"

static const char *const step_kinds[] = {
	[AP_STEP_SYSFS_WRITE] = "sysfs-write",
	[AP_STEP_MDEV_CREATE] = "mdev-create",
	[AP_STEP_MDEV_REMOVE] = "mdev-remove",
	[AP_STEP_DEFINE_MDEV] = "define-mdev",
	[AP_STEP_UNDEFINE_MDEV] = "undefine-mdev",
	[AP_STEP_PERSIST_MASKS] = "persist-masks",
	[AP_STEP_FILE_RESTORE] = "file-restore",
	[AP_STEP_SAVE_OVERRIDE] = "save-override",
	[AP_STEP_UNSAVE_OVERRIDE] = "unsave-override",
};

static const char *const verify_kinds[] = {
	[AP_VERIFY_NONE] = "none",
	[AP_VERIFY_MASK_BITS] = "mask-bits",
	[AP_VERIFY_MDEV_MATRIX] = "mdev-matrix",
	[AP_VERIFY_MDEV_ID] = "mdev-id",
	[AP_VERIFY_EXISTS] = "exists",
	[AP_VERIFY_ABSENT] = "absent",
	[AP_VERIFY_OVERRIDE] = "override",
	[AP_VERIFY_DRIVER] = "driver",
	[AP_VERIFY_NOT_DRIVER] = "not-driver",
	[AP_VERIFY_MIGRATABLE] = "migratable",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

void ap_journal_init(struct ap_journal *j)
{
	memset(j, 0, sizeof(*j));
}

void ap_journal_free(struct ap_journal *j)
{
	free(j->command);
	ap_plan_free(&j->plan);
	for (size_t i = 0; i < j->n_files; i++)
		free(j->files[i].content);
	free(j->files);
	free(j->state);
	free(j->undo_state);
	memset(j, 0, sizeof(*j));
}

/* ---- encode ---- */

static struct json_object *mask_json(const struct ap_mask *m)
{
	char buf[AP_MASK_STRLEN];

	ap_mask_format(m, buf);
	return json_object_new_string(buf);
}

static struct json_object *matrix_json(const struct ap_matrix *x)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "apm", mask_json(&x->apm));
	json_object_object_add(o, "aqm", mask_json(&x->aqm));
	json_object_object_add(o, "adm", mask_json(&x->adm));
	return o;
}

static struct json_object *step_json(const struct ap_step *s)
{
	struct json_object *o = json_object_new_object(), *v = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(step_kinds[s->kind]));
	json_object_object_add(o, "path", json_object_new_string(s->path));
	json_object_object_add(o, "data", json_object_new_string(s->data));
	json_object_object_add(o, "uuid", json_object_new_string(s->uuid));
	json_object_object_add(v, "kind", json_object_new_string(verify_kinds[s->verify.kind]));
	json_object_object_add(v, "path", json_object_new_string(s->verify.path));
	json_object_object_add(v, "must_set", mask_json(&s->verify.must_set));
	json_object_object_add(v, "must_clear", mask_json(&s->verify.must_clear));
	json_object_object_add(v, "matrix", matrix_json(&s->verify.matrix));
	json_object_object_add(v, "dim", json_object_new_int((int)s->verify.dim));
	if (s->verify.text[0])
		json_object_object_add(v, "text", json_object_new_string(s->verify.text));
	json_object_object_add(o, "verify", v);
	json_object_object_add(o, "matrix", matrix_json(&s->matrix));
	json_object_object_add(o, "autostart", json_object_new_boolean(s->autostart));
	json_object_object_add(o, "apmask", mask_json(&s->apmask));
	json_object_object_add(o, "aqmask", mask_json(&s->aqmask));
	json_object_object_add(o, "persist_ap", json_object_new_boolean(s->persist_ap));
	json_object_object_add(o, "persist_aq", json_object_new_boolean(s->persist_aq));
	json_object_object_add(o, "existed", json_object_new_boolean(s->existed));
	json_object_object_add(o, "drop", json_object_new_boolean(s->drop));
	json_object_object_add(o, "undo_first", json_object_new_int64((int64_t)s->undo_first));
	json_object_object_add(o, "undo_count", json_object_new_int64((int64_t)s->undo_count));
	json_object_object_add(o, "covered", json_object_new_boolean(s->covered));
	json_object_object_add(o, "owner", json_object_new_int64((int64_t)s->owner));
	json_object_object_add(o, "what", json_object_new_string(s->what));
	json_object_object_add(o, "repair", json_object_new_string(s->repair));
	return o;
}

static struct json_object *steps_json(const struct ap_step *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, step_json(&v[i]));
	return a;
}

static char *line_of(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	char *r = NULL;

	/* PLAIN escapes every control character in strings: one line */
	if (s && asprintf(&r, "%s\n", s) < 0)
		r = NULL;
	return r;
}

char *ap_journal_encode(const struct ap_journal *j)
{
	struct json_object *o = json_object_new_object(), *f = json_object_new_array();
	char *r;

	json_object_object_add(o, "apctl_journal", json_object_new_int(AP_JOURNAL_VERSION));
	json_object_object_add(o, "pid", json_object_new_int64(j->pid));
	json_object_object_add(o, "start", json_object_new_uint64(j->start));
	json_object_object_add(o, "command", json_object_new_string(j->command ? j->command : ""));
	json_object_object_add(o, "steps", steps_json(j->plan.steps, j->plan.n_steps));
	json_object_object_add(o, "undo", steps_json(j->plan.undo, j->plan.n_undo));
	for (size_t i = 0; i < j->n_files; i++) {
		const struct ap_file_image *fi = &j->files[i];
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "path", json_object_new_string(fi->path));
		json_object_object_add(e, "existed", json_object_new_boolean(fi->existed));
		json_object_object_add(e, "content", fi->existed
				       ? json_object_new_string_len(fi->content ? fi->content : "",
								    (int)fi->len) : NULL);
		json_object_array_add(f, e);
	}
	json_object_object_add(o, "files", f);
	r = line_of(o);
	json_object_put(o);
	return r;
}

int ap_journal_event(char *buf, size_t size, const char *kind, size_t index, const char *event)
{
	return snprintf(buf, size, "{\"%s\":%zu,\"event\":\"%s\"}\n", kind, index, event);
}

int ap_journal_repair_event(char *buf, size_t size, long pid, unsigned long long start,
			    bool forward)
{
	return snprintf(buf, size, "{\"repair\":{\"pid\":%ld,\"start\":%llu,\"forward\":%s}}\n",
			pid, start, forward ? "true" : "false");
}

/* ---- decode ---- */

struct dec {
	const char *why;
};

#define BAD(d, msg) ((d)->why = (msg), -1)

static struct json_object *get(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

static int get_str(struct dec *d, struct json_object *o, const char *key, char *buf,
		   size_t size)
{
	struct json_object *v = get(o, key, json_type_string);
	int len;

	if (!v)
		return BAD(d, _("a step lacks a text field or has one of the wrong type"));
	len = json_object_get_string_len(v);
	if (len < 0 || (size_t)len >= size || memchr(json_object_get_string(v), '\0', (size_t)len))
		return BAD(d, _("a text field of a step is too long or holds a NUL byte"));
	memcpy(buf, json_object_get_string(v), (size_t)len + 1);
	return 0;
}

static int get_bool(struct dec *d, struct json_object *o, const char *key, bool *out)
{
	struct json_object *v = get(o, key, json_type_boolean);

	if (!v)
		return BAD(d, _("a step lacks a true/false field"));
	*out = json_object_get_boolean(v);
	return 0;
}

/* a field journals of earlier versions lack: false when absent */
static int get_opt_bool(struct dec *d, struct json_object *o, const char *key, bool *out)
{
	*out = false;
	if (!json_object_object_get_ex(o, key, NULL))
		return 0;
	return get_bool(d, o, key, out);
}

static int get_index(struct dec *d, struct json_object *o, const char *key, size_t max,
		     size_t *out)
{
	struct json_object *v = get(o, key, json_type_int);
	int64_t n;

	if (!v)
		return BAD(d, _("a number is missing or not a number"));
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n > max)
		return BAD(d, _("a number is out of range"));
	*out = (size_t)n;
	return 0;
}

static int get_mask(struct dec *d, struct json_object *o, const char *key, struct ap_mask *m)
{
	struct json_object *v = get(o, key, json_type_string);
	size_t errpos;

	if (!v || ap_mask_parse(json_object_get_string(v), (size_t)json_object_get_string_len(v),
				m, NULL, &errpos))
		return BAD(d, _("a mask is missing or not a mask"));
	return 0;
}

static int get_matrix(struct dec *d, struct json_object *o, const char *key,
		      struct ap_matrix *x)
{
	struct json_object *v = get(o, key, json_type_object);

	if (!v)
		return BAD(d, _("a matrix is missing"));
	if (get_mask(d, v, "apm", &x->apm) || get_mask(d, v, "aqm", &x->aqm) ||
	    get_mask(d, v, "adm", &x->adm))
		return -1;
	return 0;
}

static int get_enum(struct dec *d, struct json_object *o, const char *key,
		    const char *const *names, size_t n, int *out)
{
	struct json_object *v = get(o, key, json_type_string);

	if (v) {
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(names[i], json_object_get_string(v))) {
				*out = (int)i;
				return 0;
			}
		}
	}
	return BAD(d, _("a step's kind is missing or unknown"));
}

static int dec_step(struct dec *d, struct json_object *o, struct ap_step *s)
{
	struct json_object *v;
	size_t dim;
	int k;

	if (!json_object_is_type(o, json_type_object))
		return BAD(d, _("a step is not an object"));
	memset(s, 0, sizeof(*s));
	if (get_enum(d, o, "kind", step_kinds, N_OF(step_kinds), &k))
		return -1;
	s->kind = (enum ap_step_kind)k;
	v = get(o, "verify", json_type_object);
	if (!v)
		return BAD(d, _("a step lacks its read-back"));
	if (get_enum(d, v, "kind", verify_kinds, N_OF(verify_kinds), &k))
		return -1;
	s->verify.kind = (enum ap_verify_kind)k;
	if (get_str(d, v, "path", s->verify.path, sizeof(s->verify.path)) ||
	    get_mask(d, v, "must_set", &s->verify.must_set) ||
	    get_mask(d, v, "must_clear", &s->verify.must_clear) ||
	    get_matrix(d, v, "matrix", &s->verify.matrix) ||
	    get_index(d, v, "dim", 2, &dim))
		return -1;
	s->verify.dim = (unsigned int)dim;
	if (get(v, "text", json_type_string) &&
	    get_str(d, v, "text", s->verify.text, sizeof(s->verify.text)))
		return -1;
	if (get_str(d, o, "path", s->path, sizeof(s->path)) ||
	    get_str(d, o, "data", s->data, sizeof(s->data)) ||
	    get_str(d, o, "uuid", s->uuid, sizeof(s->uuid)) ||
	    get_matrix(d, o, "matrix", &s->matrix) ||
	    get_bool(d, o, "autostart", &s->autostart) ||
	    get_mask(d, o, "apmask", &s->apmask) || get_mask(d, o, "aqmask", &s->aqmask) ||
	    get_bool(d, o, "persist_ap", &s->persist_ap) ||
	    get_bool(d, o, "persist_aq", &s->persist_aq) ||
	    get_bool(d, o, "existed", &s->existed) ||
	    get_opt_bool(d, o, "drop", &s->drop) ||
	    get_index(d, o, "undo_first", AP_JOURNAL_MAX, &s->undo_first) ||
	    get_index(d, o, "undo_count", AP_JOURNAL_MAX, &s->undo_count) ||
	    get_bool(d, o, "covered", &s->covered) ||
	    get_index(d, o, "owner", AP_JOURNAL_MAX, &s->owner) ||
	    get_str(d, o, "what", s->what, sizeof(s->what)) ||
	    get_str(d, o, "repair", s->repair, sizeof(s->repair)))
		return -1;
	return 0;
}

static int dec_steps(struct dec *d, struct json_object *o, const char *key,
		     struct ap_step **out, size_t *n)
{
	struct json_object *a = get(o, key, json_type_array);
	size_t len;

	if (!a)
		return BAD(d, _("the list of steps is missing"));
	len = json_object_array_length(a);
	if (len > 4096)
		return BAD(d, _("it lists more steps than any plan of apctl has"));
	*out = len ? calloc(len, sizeof(**out)) : NULL;
	if (len && !*out)
		return BAD(d, _("out of memory"));
	*n = len;
	for (size_t i = 0; i < len; i++)
		if (dec_step(d, json_object_array_get_idx(a, i), &(*out)[i]))
			return -1;
	return 0;
}

static int dec_files(struct dec *d, struct json_object *o, struct ap_journal *j)
{
	struct json_object *a = get(o, "files", json_type_array);
	size_t len;

	if (!a)
		return BAD(d, _("the list of saved files is missing"));
	len = json_object_array_length(a);
	if (len > 4096)
		return BAD(d, _("it saves more files than any plan of apctl changes"));
	j->files = len ? calloc(len, sizeof(*j->files)) : NULL;
	if (len && !j->files)
		return BAD(d, _("out of memory"));
	j->n_files = len;
	for (size_t i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(a, i), *c;
		struct ap_file_image *f = &j->files[i];
		int n;

		if (!json_object_is_type(e, json_type_object) ||
		    get_str(d, e, "path", f->path, sizeof(f->path)) ||
		    get_bool(d, e, "existed", &f->existed))
			return BAD(d, _("a saved file lacks its path or state"));
		if (!json_object_object_get_ex(e, "content", &c))
			return BAD(d, _("a saved file lacks its content"));
		if (!f->existed) {
			if (c)
				return BAD(d, _("a saved file that did not exist has content"));
			continue;
		}
		if (!json_object_is_type(c, json_type_string))
			return BAD(d, _("a saved file's content is not text"));
		n = json_object_get_string_len(c);
		if (n < 0 || n > AP_JOURNAL_FILE_MAX)
			return BAD(d, _("a saved file's content is larger than any file apctl "
					"writes"));
		f->content = malloc((size_t)n + 1);
		if (!f->content)
			return BAD(d, _("out of memory"));
		memcpy(f->content, json_object_get_string(c), (size_t)n + 1);
		f->len = (size_t)n;
	}
	return 0;
}

static int dec_header(struct dec *d, struct json_object *o, struct ap_journal *j)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object))
		return BAD(d, _("its first line is not a JSON object"));
	v = get(o, "apctl_journal", json_type_int);
	if (!v)
		return BAD(d, _("it is not an apctl journal (no \"apctl_journal\" version)"));
	j->version = json_object_get_int(v);
	if (j->version != AP_JOURNAL_VERSION)
		return BAD(d, _("its format version is not one this apctl knows (it knows "
				"version 1)"));
	v = get(o, "pid", json_type_int);
	if (!v || json_object_get_int64(v) <= 0 || json_object_get_int64(v) > 4194304)
		return BAD(d, _("its process id is missing or out of range"));
	j->pid = (long)json_object_get_int64(v);
	v = get(o, "start", json_type_int);
	if (!v)
		return BAD(d, _("its process start time is missing"));
	j->start = json_object_get_uint64(v);
	v = get(o, "command", json_type_string);
	if (!v || json_object_get_string_len(v) > 4096)
		return BAD(d, _("its command line is missing or too long"));
	j->command = strdup(json_object_get_string(v));
	if (!j->command)
		return BAD(d, _("out of memory"));
	if (dec_steps(d, o, "steps", &j->plan.steps, &j->plan.n_steps) ||
	    dec_steps(d, o, "undo", &j->plan.undo, &j->plan.n_undo) || dec_files(d, o, j))
		return -1;
	if (!j->plan.n_steps)
		return BAD(d, _("it has no steps"));
	j->state = calloc(j->plan.n_steps, sizeof(*j->state));
	j->undo_state = calloc(j->plan.n_undo + 1, sizeof(*j->undo_state));
	if (!j->state || !j->undo_state)
		return BAD(d, _("out of memory"));
	return 0;
}

static int set_state(struct dec *d, enum ap_jstate *st, size_t n, size_t i, const char *ev)
{
	if (i >= n)
		return BAD(d, _("an event names a step the plan does not have"));
	if (!strcmp(ev, "begin") && st[i] == AP_J_NOT_STARTED)
		st[i] = AP_J_BEGUN;
	else if (!strcmp(ev, "done") && st[i] == AP_J_BEGUN)
		st[i] = AP_J_DONE;
	else if (!strcmp(ev, "failed") && st[i] == AP_J_BEGUN)
		st[i] = AP_J_FAILED;
	else
		return BAD(d, _("an event is unknown or out of order"));
	return 0;
}

static int dec_event(struct dec *d, struct json_object *o, struct ap_journal *j)
{
	struct json_object *v, *e;
	const char *ev;
	int64_t n;

	if (!json_object_is_type(o, json_type_object))
		return BAD(d, _("an event line is not a JSON object"));
	if ((v = get(o, "repair", json_type_object))) {
		struct json_object *p = get(v, "pid", json_type_int), *s = get(v, "start", json_type_int),
				   *f = get(v, "forward", json_type_boolean);

		if (!p || !s || !f || json_object_get_int64(p) <= 0 ||
		    json_object_get_int64(p) > 4194304 || json_object_object_length(o) != 1)
			return BAD(d, _("a repair event is malformed"));
		j->repair_pid = (long)json_object_get_int64(p);
		j->repair_start = json_object_get_uint64(s);
		j->repair_forward = json_object_get_boolean(f);
		return 0;
	}
	e = get(o, "event", json_type_string);
	if (!e || json_object_object_length(o) != 2)
		return BAD(d, _("an event line is malformed"));
	ev = json_object_get_string(e);
	if ((v = get(o, "step", json_type_int))) {
		n = json_object_get_int64(v);
		if (n < 0)
			return BAD(d, _("an event names a step the plan does not have"));
		return set_state(d, j->state, j->plan.n_steps, (size_t)n, ev);
	}
	if ((v = get(o, "undo", json_type_int))) {
		n = json_object_get_int64(v);
		if (n < 0)
			return BAD(d, _("an event names a step the plan does not have"));
		return set_state(d, j->undo_state, j->plan.n_undo, (size_t)n, ev);
	}
	if ((v = get(o, "repair-step", json_type_int))) {
		if (!strcmp(ev, "done"))
			j->repair_steps++;
		else if (strcmp(ev, "begin") && strcmp(ev, "failed"))
			return BAD(d, _("an event is unknown or out of order"));
		return 0;
	}
	return BAD(d, _("an event line is malformed"));
}

int ap_journal_decode(const char *buf, size_t len, struct ap_journal *j, const char **why,
		      size_t *line)
{
	struct dec d = { NULL };
	size_t pos = 0, no = 0;

	ap_journal_init(j);
	*line = 0;
	*why = NULL;
	if (!len) {
		*why = _("it is empty");
		return -1;
	}
	if (len > AP_JOURNAL_MAX) {
		*why = _("it is larger than any journal apctl writes");
		return -1;
	}
	if (memchr(buf, '\0', len)) {
		*why = _("it holds a NUL byte");
		return -1;
	}
	if (buf[len - 1] != '\n') {
		*why = _("it is truncated (its last line is incomplete)");
		return -1;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = (size_t)(nl - (buf + pos));
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o;
		int r;

		no++;
		if (!tok) {
			*why = _("out of memory");
			return -1;
		}
		o = json_tokener_parse_ex(tok, buf + pos, (int)n);
		r = o && json_tokener_get_error(tok) == json_tokener_success &&
		    json_tokener_get_parse_end(tok) == n ? 0 : -1;
		json_tokener_free(tok);
		if (r) {
			json_object_put(o);
			*why = no == 1 ? _("its first line is not valid JSON (truncated or "
					   "corrupt)") : _("a line is not valid JSON (corrupt)");
			*line = no;
			return -1;
		}
		r = no == 1 ? dec_header(&d, o, j) : dec_event(&d, o, j);
		json_object_put(o);
		if (r) {
			*why = d.why;
			*line = no;
			return -1;
		}
		pos += n + 1;
	}
	return 0;
}

/* ---- check ---- */

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int check_step(const struct ap_step *s, const char **why)
{
	struct ap_step d;

	char data[AP_STEP_DATA_MAX];
	size_t n = strlen(s->data);

	/* a driver_override clear and driverctl's file end in a newline */
	snprintf(data, sizeof(data), "%s", s->data);
	if (n && data[n - 1] == '\n')
		data[n - 1] = '\0';
	if (!printable(s->what) || !printable(s->repair) || !printable(data) ||
	    !printable(s->verify.text)) {
		*why = _("a text of it holds control characters");
		return -1;
	}
	if (ap_step_rederive(s, &d, why)) {
		if (!*why)
			*why = _("it is not a write apctl makes");
		return -1;
	}
	return 0;
}

static bool file_step_of(const struct ap_plan *p, const char *path)
{
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct ap_step *s = &p->steps[i];

		if ((s->kind == AP_STEP_DEFINE_MDEV || s->kind == AP_STEP_UNDEFINE_MDEV ||
		     s->kind == AP_STEP_PERSIST_MASKS || s->kind == AP_STEP_SAVE_OVERRIDE ||
		     s->kind == AP_STEP_UNSAVE_OVERRIDE) && !strcmp(s->path, path))
			return true;
	}
	return false;
}

int ap_journal_check(const struct ap_journal *j, const char **why, size_t *step)
{
	const struct ap_plan *p = &j->plan;

	*step = 0;
	if (!j->command || !printable(j->command)) {
		*why = _("its command line holds control characters");
		return -1;
	}
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct ap_step *s = &p->steps[i];

		*step = i + 1;
		if (s->kind == AP_STEP_FILE_RESTORE) {
			*why = _("a forward step is an undo step");
			return -1;
		}
		if (s->undo_first > p->n_undo || s->undo_count > p->n_undo - s->undo_first) {
			*why = _("its undo steps are out of range");
			return -1;
		}
		for (size_t k = s->undo_first; k < s->undo_first + s->undo_count; k++) {
			if (p->undo[k].owner != i) {
				*why = _("its undo steps belong to another step");
				return -1;
			}
		}
		if (check_step(s, why))
			return -1;
	}
	for (size_t k = 0; k < p->n_undo; k++) {
		const struct ap_step *u = &p->undo[k];

		*step = u->owner + 1;
		if (u->owner >= p->n_steps) {
			*why = _("an undo step belongs to no step");
			return -1;
		}
		if (check_step(u, why))
			return -1;
		if (u->kind == AP_STEP_FILE_RESTORE &&
		    strcmp(u->path, p->steps[u->owner].path)) {
			*why = _("an undo step restores another file than its step changes");
			return -1;
		}
	}
	*step = 0;
	for (size_t i = 0; i < j->n_files; i++) {
		const struct ap_file_image *f = &j->files[i];

		if (!file_step_of(p, f->path)) {
			*why = _("it saves a file that no step of it changes");
			return -1;
		}
		for (size_t k = 0; k < i; k++) {
			if (!strcmp(j->files[k].path, f->path)) {
				*why = _("it saves a file twice");
				return -1;
			}
		}
	}
	return 0;
}

size_t ap_journal_reached(const struct ap_journal *j)
{
	for (size_t i = j->plan.n_steps; i-- > 0;)
		if (j->state[i] != AP_J_NOT_STARTED)
			return i + 1;
	return 0;
}

const struct ap_file_image *ap_journal_file(const struct ap_journal *j, const char *path)
{
	for (size_t i = 0; i < j->n_files; i++)
		if (!strcmp(j->files[i].path, path))
			return &j->files[i];
	return NULL;
}

int ap_journal_apply_step(struct ap_model *m, const struct ap_step *s)
{
	struct ap_host *h = &m->host;
	struct ap_mdev *md = NULL;

	if (s->uuid[0] && s->kind != AP_STEP_PERSIST_MASKS) {
		md = ap_model_get_mdev(m, s->uuid);
		if (!md)
			return -1;
	}
	switch (s->kind) {
	case AP_STEP_SYSFS_WRITE:
		if (!md && (s->verify.kind == AP_VERIFY_OVERRIDE ||
			    s->verify.kind == AP_VERIFY_DRIVER ||
			    s->verify.kind == AP_VERIFY_NOT_DRIVER)) {
			struct ap_apqn a;
			struct ap_queue *q;
			const char *id = s->verify.kind != AP_VERIFY_OVERRIDE
					 ? s->data : s->path + strlen(AP_SYSFS_APDEVS) + 1;

			if (sscanf(id, "%2x.%4x", &a.apid, &a.apqi) != 2)
				break;
			q = ap_host_find_queue(h, a.apid, a.apqi);
			if (!q)
				break;
			if (s->verify.kind == AP_VERIFY_OVERRIDE) {
				snprintf(q->driver_override, sizeof(q->driver_override), "%s",
					 s->verify.text);
			} else if (s->verify.kind == AP_VERIFY_NOT_DRIVER) {
				q->driver = AP_DRV_NONE;
			} else {
				const char *t = s->verify.text;

				q->driver = !*t ? AP_DRV_NONE
					    : !strcmp(t, "vfio_ap") ? AP_DRV_VFIO_AP
					    : AP_DRV_CEX4QUEUE;
			}
			break;
		}
		if (!md) {
			struct ap_mask *x = !strcmp(s->path, AP_SYSFS_APMASK) ? &h->apmask : &h->aqmask;

			ap_mask_or(x, x, &s->verify.must_set);
			ap_mask_andnot(x, x, &s->verify.must_clear);
		} else if (s->verify.kind == AP_VERIFY_MIGRATABLE) {
			md->migratable = s->verify.text[0] == '1';
		} else {
			md->live = s->verify.matrix;
		}
		break;
	case AP_STEP_MDEV_CREATE:
		md->active = true;
		memset(&md->live, 0, sizeof(md->live));
		break;
	case AP_STEP_MDEV_REMOVE:
		md->active = false;
		md->in_use = false;
		break;
	case AP_STEP_DEFINE_MDEV:
		md->defined = true;
		md->def = s->matrix;
		md->autostart = s->autostart;
		break;
	case AP_STEP_UNDEFINE_MDEV:
		md->defined = false;
		break;
	case AP_STEP_SAVE_OVERRIDE:
	case AP_STEP_UNSAVE_OVERRIDE: {
		unsigned int a, d;
		struct ap_queue *q;

		if (sscanf(s->path, AP_FILE_DRIVERCTL_DIR "/ap-%2x.%4x", &a, &d) == 2 &&
		    (q = ap_host_find_queue(h, a, d)))
			snprintf(q->saved_override, sizeof(q->saved_override), "%s",
				 s->kind == AP_STEP_SAVE_OVERRIDE ? "vfio_ap" : "");
		break;
	}
	case AP_STEP_PERSIST_MASKS:
		if (s->drop) {
			/* no rule: the kernel's defaults (rule_stays() in plan.c) */
			h->persist_apmask_set = h->persist_aqmask_set = false;
			ap_mask_fill(&h->persist_apmask);
			ap_mask_fill(&h->persist_aqmask);
			break;
		}
		if (s->persist_ap) {
			h->persist_apmask_set = true;
			h->persist_apmask = s->apmask;
		}
		if (s->persist_aq) {
			h->persist_aqmask_set = true;
			h->persist_aqmask = s->aqmask;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "core/apmask.h"
#include "core/escape.h"
#include "sys/mdevctl.h"
#include "i18n.h"
#include "sys/parse.h"

bool ap_uuid_is_valid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return s[36] == '\0';
}

enum attr_op { OP_ASSIGN, OP_UNASSIGN };
enum attr_what { W_ADAPTER, W_DOMAIN, W_CDOM };

static const struct {
	const char *key;
	enum attr_op op;
	enum attr_what what;
} attr_keys[] = {
	{ "assign_adapter", OP_ASSIGN, W_ADAPTER },
	{ "assign_domain", OP_ASSIGN, W_DOMAIN },
	{ "assign_control_domain", OP_ASSIGN, W_CDOM },
	{ "unassign_adapter", OP_UNASSIGN, W_ADAPTER },
	{ "unassign_domain", OP_UNASSIGN, W_DOMAIN },
	{ "unassign_control_domain", OP_UNASSIGN, W_CDOM },
};

/* "<apm>,<aqm>,<adm>", each the kernel's absolute mask syntax */
static int parse_ap_config(const char *v, struct ap_matrix *mx)
{
	struct ap_mask *masks[3] = { &mx->apm, &mx->aqm, &mx->adm };
	struct ap_mask tmp[3];
	const char *s = v;

	for (int i = 0; i < 3; i++) {
		const char *end = strchr(s, ',');
		size_t n, errpos;

		if (i < 2 && !end)
			return -1;
		if (i == 2) {
			if (end)
				return -1;
			end = s + strlen(s);
		}
		n = (size_t)(end - s);
		if (ap_mask_parse(s, n, &tmp[i], NULL, &errpos))
			return -1;
		s = end + 1;
	}
	for (int i = 0; i < 3; i++)
		*masks[i] = tmp[i];
	return 0;
}

static int apply_attr(const char *key, const char *val, const char *path, unsigned int idx,
		      struct ap_mdevdef *def, struct ap_diags *d)
{
	struct ap_mask *mask;
	uint64_t id;
	bool octal;
	size_t i;

	if (strcmp(key, "ap_config") == 0) {
		if (parse_ap_config(val, &def->m)) {
			ap_diags_add(d, AP_DIAG_ERROR, path,
				     _("attribute %u: ap_config value \"%s\" is not three masks "
				       "\"<adapters>,<domains>,<control domains>\""), idx, ap_esc(val));
			return -1;
		}
		return 0;
	}
	for (i = 0; i < sizeof(attr_keys) / sizeof(attr_keys[0]); i++)
		if (strcmp(key, attr_keys[i].key) == 0)
			break;
	if (i == sizeof(attr_keys) / sizeof(attr_keys[0])) {
		def->n_unknown++;
		ap_diags_add(d, AP_DIAG_WARN, path,
			     _("attribute %u: unknown attribute \"%s\" ignored (mdevctl would "
			       "write it to the device)"), idx, ap_esc(key));
		return 0;
	}
	if (ap_parse_kstrtoul(val, strlen(val), &id, &octal)) {
		ap_diags_add(d, AP_DIAG_ERROR, path,
			     _("attribute %u: %s value \"%s\" is not a number the kernel accepts"),
			     idx, key, ap_esc(val));
		return -1;
	}
	if (id > AP_MAX_ID) {
		ap_diags_add(d, AP_DIAG_ERROR, path,
			     _("attribute %u: %s value \"%s\" is out of range (0-255)"),
			     idx, key, ap_esc(val));
		return -1;
	}
	if (octal) {
		def->octal = true;
		ap_diags_add(d, AP_DIAG_WARN, path,
			     _("attribute %u: %s value \"%s\" is octal to the kernel: it means "
			       "%u (0x%02x), not %s"), idx, key, ap_esc(val), (unsigned int)id,
			     (unsigned int)id, ap_esc(val + (val[0] == '+')));
	}
	switch (attr_keys[i].what) {
	case W_ADAPTER:
		mask = &def->m.apm;
		break;
	case W_DOMAIN:
		mask = &def->m.aqm;
		break;
	default:
		mask = &def->m.adm;
		break;
	}
	if (attr_keys[i].op == OP_ASSIGN)
		ap_mask_set(mask, (unsigned int)id);
	else
		ap_mask_clear(mask, (unsigned int)id);
	return 0;
}

static int parse_attrs(json_object *attrs, const char *path, struct ap_mdevdef *def,
		       struct ap_diags *d)
{
	size_t n = json_object_array_length(attrs);

	for (size_t i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(attrs, i);
		struct json_object_iterator it, end;
		const char *key, *val;
		json_object *v;

		if (!json_object_is_type(a, json_type_object) ||
		    json_object_object_length(a) != 1) {
			ap_diags_add(d, AP_DIAG_ERROR, path,
				     _("attribute %u is not an object with exactly one key"),
				     (unsigned int)i + 1);
			return -1;
		}
		it = json_object_iter_begin(a);
		end = json_object_iter_end(a);
		if (json_object_iter_equal(&it, &end))
			return -1;
		key = json_object_iter_peek_name(&it);
		v = json_object_iter_peek_value(&it);
		if (!json_object_is_type(v, json_type_string)) {
			ap_diags_add(d, AP_DIAG_ERROR, path,
				     _("attribute %u (%s): the value is not a string"),
				     (unsigned int)i + 1, ap_esc(key));
			return -1;
		}
		val = json_object_get_string(v);
		if (strlen(val) != (size_t)json_object_get_string_len(v)) {
			ap_diags_add(d, AP_DIAG_ERROR, path,
				     _("attribute %u (%s): the value contains a NUL character"),
				     (unsigned int)i + 1, ap_esc(key));
			return -1;
		}
		if (apply_attr(key, val, path, (unsigned int)i + 1, def, d))
			return -1;
	}
	return 0;
}

/*
 * Warn about a key given twice in one JSON object ({"start": "manual",
 * "start": "auto"}): json-c and mdevctl's serde_json both keep the last
 * value, a reader of the file may well see the first.  buf is known to be
 * valid JSON here, so a plain scan suffices: strings are skipped whole, and
 * a string followed by ':' is a key of the innermost open object.
 */
#define DUP_DEPTH 32
static void dup_keys(const char *buf, size_t len, const char *path, struct ap_diags *d)
{
	struct { const char *s; size_t n; } keys[64];
	size_t nkeys = 0, first[DUP_DEPTH];
	int depth = -1;
	bool warned = false;

	for (size_t i = 0; i < len && !warned; i++) {
		const char *str;
		size_t n, j;

		if (buf[i] == '{') {
			if (++depth >= DUP_DEPTH)
				return;
			first[depth] = nkeys;
			continue;
		}
		if (buf[i] == '}') {
			if (depth >= 0)
				nkeys = first[depth--];
			continue;
		}
		if (buf[i] != '"')
			continue;
		str = buf + i + 1;
		for (i++; i < len && buf[i] != '"'; i++)
			if (buf[i] == '\\')
				i++;
		n = (size_t)(buf + i - str);
		for (j = i + 1; j < len && isspace((unsigned char)buf[j]); j++)
			;
		if (j >= len || buf[j] != ':' || depth < 0)
			continue;
		for (size_t k = first[depth]; k < nkeys; k++) {
			if (keys[k].n == n && !memcmp(keys[k].s, str, n)) {
				char q[100];

				ap_escape(q, sizeof(q), str, n);
				ap_diags_add(d, AP_DIAG_WARN, path,
					     _("the key \"%s\" appears twice in one object: "
					       "mdevctl and apctl both use the last value"), q);
				warned = true;
				break;
			}
		}
		if (nkeys < sizeof(keys) / sizeof(keys[0])) {
			keys[nkeys].s = str;
			keys[nkeys].n = n;
			nkeys++;
		}
	}
}

int ap_mdevdef_parse(const char *buf, size_t len, const char *path, struct ap_mdevdef *def,
		     struct ap_diags *d)
{
	json_tokener *tok;
	json_object *root = NULL, *v;
	int ret = -1;

	memset(def, 0, sizeof(*def));
	if (len > INT_MAX || memchr(buf, '\0', len)) {
		ap_diags_add(d, AP_DIAG_ERROR, path, _("not a JSON text (binary data)"));
		return -1;
	}
	tok = json_tokener_new_ex(16);
	if (!tok) {
		ap_diags_add(d, AP_DIAG_ERROR, path, _("out of memory"));
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		ap_diags_add(d, AP_DIAG_ERROR, path, _("malformed JSON: %s"),
			     json_tokener_get_error(tok) == json_tokener_continue ?
			     _("unexpected end of file") :
			     json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++) {
		if (!isspace((unsigned char)buf[i])) {
			ap_diags_add(d, AP_DIAG_ERROR, path,
				     _("malformed JSON: data after the end of the object"));
			goto out;
		}
	}
	if (!json_object_is_type(root, json_type_object)) {
		ap_diags_add(d, AP_DIAG_ERROR, path, _("the definition is not a JSON object"));
		goto out;
	}
	if (!json_object_object_get_ex(root, "mdev_type", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		ap_diags_add(d, AP_DIAG_ERROR, path, _("\"mdev_type\" is missing or not a string"));
		goto out;
	}
	if (strcmp(json_object_get_string(v), AP_MDEV_TYPE) != 0) {
		ap_diags_add(d, AP_DIAG_ERROR, path,
			     _("\"mdev_type\" is \"%s\", not \"%s\""),
			     ap_esc(json_object_get_string(v)), AP_MDEV_TYPE);
		goto out;
	}
	if (!json_object_object_get_ex(root, "start", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		ap_diags_add(d, AP_DIAG_ERROR, path, _("\"start\" is missing or not a string"));
		goto out;
	}
	def->autostart = strcmp(json_object_get_string(v), "auto") == 0;
	if (!def->autostart && strcmp(json_object_get_string(v), "manual") != 0) {
		/* mdevctl starts only "auto" at boot and takes any other text as
		 * manual: "AUTO" looks like autostart and is not; apctl would
		 * write it back as "manual".  Neither is done silently. */
		char q[100];

		ap_escape(q, sizeof(q), json_object_get_string(v),
			  (size_t)json_object_get_string_len(v));
		ap_diags_add(d, AP_DIAG_ERROR, path,
			     _("\"start\" is \"%s\", neither \"auto\" nor \"manual\" "
			       "(mdevctl would take it as manual): write one of the two"), q);
		goto out;
	}
	if (json_object_object_get_ex(root, "attrs", &v) && !v)
		ap_diags_add(d, AP_DIAG_WARN, path,
			     _("\"attrs\" is null: mdevctl and apctl take it as no "
			       "attributes (an mdev without adapters or domains)"));
	dup_keys(buf, len, path, d);
	if (json_object_object_get_ex(root, "attrs", &v) && v) {
		if (!json_object_is_type(v, json_type_array)) {
			ap_diags_add(d, AP_DIAG_ERROR, path, _("\"attrs\" is not a list"));
			goto out;
		}
		if (parse_attrs(v, path, def, d))
			goto out;
	}
	ret = 0;
out:
	if (ret)
		memset(def, 0, sizeof(*def));
	json_object_put(root);
	json_tokener_free(tok);
	return ret;
}

struct sbuf {
	char *s;
	size_t n, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		r = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (r < 0) {
			b->oom = true;
			return;
		}
		if (b->s && (size_t)r < b->cap - b->n) {
			b->n += (size_t)r;
			return;
		}
		size_t nc = (b->cap ? b->cap : 256) * 2 + (size_t)r;
		char *ns = realloc(b->s, nc);

		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = nc;
	}
}

char *ap_mdevdef_format(const struct ap_mdevdef *def)
{
	static const char *const keys[3] = {
		"assign_adapter", "assign_domain", "assign_control_domain",
	};
	const struct ap_mask *masks[3] = { &def->m.apm, &def->m.aqm, &def->m.adm };
	struct sbuf b = { 0 };
	bool first = true;
	int id;

	sb_add(&b, "{\n  \"mdev_type\": \"%s\",\n  \"start\": \"%s\",\n  \"attrs\": [",
	       AP_MDEV_TYPE, def->autostart ? "auto" : "manual");
	for (int k = 0; k < 3; k++) {
		ap_mask_for_each(id, masks[k]) {
			sb_add(&b, "%s\n    {\n      \"%s\": \"0x%x\"\n    }", first ? "" : ",",
			       keys[k], (unsigned int)id);
			first = false;
		}
	}
	sb_add(&b, "%s]\n}", first ? "" : "\n  ");
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

static int def_path(struct ap_path *p, const char *uuid, char *out, size_t outsz)
{
	if (!ap_uuid_is_valid(uuid))
		return EINVAL;
	return ap_path_fmt(p, AP_ROOT, out, outsz, AP_MDEVCTL_DIR "/%s", uuid);
}

/* bd (optional): on failure, what people are shown of the file */
static int read_one(struct ap_path *p, const char *path, struct ap_mdevdef *def,
		    struct ap_diags *d, struct ap_baddef *bd)
{
	char *buf;
	size_t len;
	int err;

	err = ap_path_read(p, path, &buf, &len);
	if (err == ENOENT)
		return err;
	if (err) {
		ap_diags_add(d, AP_DIAG_ERROR, path, _("cannot read the definition: %s"),
			     strerror(err));
		if (bd) {
			bd->head[0] = '\0';
			bd->size = -1;
		}
		return err;
	}
	err = ap_mdevdef_parse(buf, len, path, def, d) ? EBADMSG : 0;
	if (err && bd) {
		ap_escape(bd->head, sizeof(bd->head), buf, len > 64 ? 64 : len);
		if (len > 64)
			snprintf(bd->head + strlen(bd->head), sizeof(bd->head) - strlen(bd->head),
				 "...");
		bd->size = (long)len;
	}
	free(buf);
	return err;
}

int ap_mdevdef_read(struct ap_path *p, const char *uuid, struct ap_mdevdef *def,
		    struct ap_diags *d)
{
	char path[4096];
	int err = def_path(p, uuid, path, sizeof(path));

	memset(def, 0, sizeof(*def));
	if (err)
		return err;
	return read_one(p, path, def, d, NULL);
}

int ap_mdevdefs_read(struct ap_path *p, struct ap_model *m, struct ap_diags *d)
{
	struct ap_dirlist l;
	char dir[4096], path[4096];
	int err;

	err = ap_path_fmt(p, AP_ROOT, dir, sizeof(dir), AP_MDEVCTL_DIR);
	if (err)
		return err;
	err = ap_path_list(p, dir, &l);
	if (err == ENOENT)
		return 0;
	if (err) {
		ap_diags_add(d, AP_DIAG_ERROR, dir, _("cannot list the mdevctl definitions: %s"),
			     strerror(err));
		return err == ENOMEM ? ENOMEM : 0;
	}
	for (size_t i = 0; i < l.n; i++) {
		char uuid[AP_UUID_STRLEN];
		struct ap_mdevdef def;
		struct ap_baddef bd;
		struct ap_mdev *md;

		if (snprintf(path, sizeof(path), "%s/%s", dir, l.names[i]) >= (int)sizeof(path))
			continue;
		if (!ap_uuid_is_valid(l.names[i])) {
			/* hidden names: editors' and apctl's own temporary files */
			if (l.names[i][0] != '.')
				ap_diags_add(d, AP_DIAG_WARN, path,
					     _("the name is not a UUID: apctl ignores this file, "
					       "as mdevctl does"));
			continue;
		}
		for (int k = 0; k < 37; k++)
			uuid[k] = (char)tolower((unsigned char)l.names[i][k]);
		if (strcmp(uuid, l.names[i]))
			ap_diags_add(d, AP_DIAG_WARN, path,
				     _("the name is not a lowercase UUID: apctl reads it as mdev %s, "
				       "but mdevctl looks definitions up by the lowercase name "
				       "and will not start, modify or undefine mdev %s from this "
				       "file; rename it to %s"), uuid, uuid, uuid);
		err = read_one(p, path, &def, d, &bd);
		if (err == ENOENT) {
			err = 0;	/* deleted since the listing */
			continue;
		}
		if (err) {
			memcpy(bd.uuid, uuid, sizeof(bd.uuid));
			memcpy(bd.file, l.names[i], sizeof(bd.file));
			err = ap_model_add_baddef(m, &bd) ? ENOMEM : 0;
			if (err)
				break;
			continue;
		}
		md = ap_model_get_mdev(m, uuid);
		if (!md) {
			err = ENOMEM;
			break;
		}
		if (md->defined) {
			/* two files differing only in case */
			ap_diags_add(d, AP_DIAG_WARN, path,
				     _("a second definition of mdev %s is ignored"), uuid);
			continue;
		}
		md->defined = true;
		md->autostart = def.autostart;
		md->def = def.m;
		memcpy(md->def_file, l.names[i], sizeof(md->def_file));
	}
	ap_dirlist_free(&l);
	return err;
}

int ap_mdevdef_write(struct ap_path *p, const char *uuid, const struct ap_mdevdef *def)
{
	char path[4096];
	char *text;
	int err = def_path(p, uuid, path, sizeof(path));

	if (err)
		return err;
	text = ap_mdevdef_format(def);
	if (!text)
		return ENOMEM;
	err = ap_path_write_atomic(p, path, text, strlen(text), 0644, true);
	free(text);
	return err;
}

int ap_mdevdef_delete(struct ap_path *p, const char *uuid)
{
	char path[4096];
	int err = def_path(p, uuid, path, sizeof(path));

	if (err)
		return err;
	return ap_path_unlink(p, path);
}

int ap_mdevdef_dir_check(struct ap_path *p, char *out, size_t outsz)
{
	static const char *const dirs[] = { "etc", "etc/mdevctl.d", AP_MDEVCTL_DIR };
	struct stat st;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (ap_path_fmt(p, AP_ROOT, out, outsz, "%s", dirs[i]))
			return ENAMETOOLONG;
		if (lstat(out, &st))
			return 0;	/* missing: created as directories when written */
		if (S_ISLNK(st.st_mode))
			return ELOOP;
		if (!S_ISDIR(st.st_mode))
			return ENOTDIR;
	}
	return 0;
}

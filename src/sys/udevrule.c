/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "core/escape.h"
#include "sys/udevrule.h"

/* ---- relative mask syntax (the kernel's modify_bitmap) ---- */

/* simple_strtoul(s, &end, 0) without sign; returns chars consumed (0: none) */
static size_t strtoul0(const char *s, size_t len, unsigned long *out)
{
	unsigned int base = 10;
	unsigned long v = 0;
	size_t i = 0, start;

	if (len >= 3 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    isxdigit((unsigned char)s[2])) {
		base = 16;
		i = 2;
	} else if (len >= 1 && s[0] == '0') {
		base = 8;
	}
	start = i;
	for (; i < len; i++) {
		int c = (unsigned char)s[i], h;

		if (c >= '0' && c <= '9')
			h = c - '0';
		else if (isxdigit(c))
			h = tolower(c) - 'a' + 10;
		else
			break;
		if ((unsigned int)h >= base)
			break;
		if (v < 1000000)	/* anything larger is out of range anyway */
			v = v * base + (unsigned int)h;
	}
	*out = v;
	return i - start == 0 && base != 16 ? 0 : i;
}

int ap_mask_apply_relative(const char *s, size_t len, struct ap_mask *m)
{
	struct ap_mask r = *m;
	size_t i = 0;

	if (!len || (s[0] != '+' && s[0] != '-'))
		return -1;
	while (i < len) {
		unsigned long a, z;
		bool set;
		size_t n;

		if (s[i] != '+' && s[i] != '-')
			return -1;
		set = s[i++] == '+';
		n = strtoul0(s + i, len - i, &a);
		if (!n || a >= AP_MASK_BITS)
			return -1;
		i += n;
		z = a;
		if (i < len && s[i] == '-') {
			i++;
			n = strtoul0(s + i, len - i, &z);
			if (!n || z < a || z >= AP_MASK_BITS)
				return -1;
			i += n;
		}
		for (unsigned long id = a; id <= z; id++) {
			if (set)
				ap_mask_set(&r, (unsigned int)id);
			else
				ap_mask_clear(&r, (unsigned int)id);
		}
		while (i < len && (s[i] == ',' || s[i] == '\n'))
			i++;
	}
	*m = r;
	return 0;
}

/* ---- udev rule files ---- */

struct rtok {
	const char *key;	/* "ATTR" */
	size_t keylen;
	const char *attr;	/* inside {...}, or NULL */
	size_t attrlen;
	char op[3];		/* "=", "==", "!=", "+=", "-=", ":=" */
	const char *val;	/* between the quotes (escapes kept) */
	size_t vallen;
};

/*
 * Tokenise one "KEY{attr}OP\"value\"" at *pos of line; 1 = token, 0 = end of
 * line, -1 = malformed.
 */
static int next_token(const char *l, size_t len, size_t *pos, struct rtok *t)
{
	size_t i = *pos;

	while (i < len && (isspace((unsigned char)l[i]) || l[i] == ','))
		i++;
	if (i == len)
		return 0;
	t->key = l + i;
	while (i < len && (isalnum((unsigned char)l[i]) || l[i] == '_'))
		i++;
	t->keylen = (size_t)(l + i - t->key);
	if (!t->keylen)
		return -1;
	t->attr = NULL;
	t->attrlen = 0;
	if (i < len && l[i] == '{') {
		t->attr = l + ++i;
		while (i < len && l[i] != '}')
			i++;
		if (i == len)
			return -1;
		t->attrlen = (size_t)(l + i - t->attr);
		i++;
	}
	while (i < len && isblank((unsigned char)l[i]))
		i++;
	if (i + 1 < len && l[i + 1] == '=' && strchr("=!+-:", l[i])) {
		t->op[0] = l[i];
		t->op[1] = '=';
		t->op[2] = '\0';
		i += 2;
	} else if (i < len && l[i] == '=') {
		t->op[0] = '=';
		t->op[1] = '\0';
		i++;
	} else {
		return -1;
	}
	while (i < len && isblank((unsigned char)l[i]))
		i++;
	if (i == len || l[i] != '"')
		return -1;
	t->val = l + ++i;
	while (i < len && l[i] != '"') {
		if (l[i] == '\\' && i + 1 < len)
			i++;
		i++;
	}
	if (i == len)
		return -1;
	t->vallen = (size_t)(l + i - t->val);
	*pos = i + 1;
	return 1;
}

/* does the attribute path name the bus mask file "name" ("apmask")? */
static bool is_mask_attr(const struct rtok *t, const char *name)
{
	size_t n = strlen(name);

	if (!t->attr || t->attrlen < n || memcmp(t->attr + t->attrlen - n, name, n))
		return false;
	return t->attrlen == n || t->attr[t->attrlen - n - 1] == '/';
}

int ap_udevrule_parse(const char *buf, size_t len, const char *path,
		      struct ap_persist_masks *out, struct ap_diags *d)
{
	bool seen_ap = false, seen_aq = false;
	size_t pos = 0;
	unsigned int lineno = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		const char *l = buf + pos;
		size_t ll = end - pos, tp = 0, i = 0;
		unsigned int first = ++lineno;
		char *joined = NULL;
		struct rtok t;
		int r;

		/* line continuation: join "\\\n" lines */
		if (ll && l[ll - 1] == '\\') {
			size_t cap = 0, jl = 0;

			for (;;) {
				size_t part = ll && l[ll - 1] == '\\' ? ll - 1 : ll;
				char *nj = realloc(joined, cap + part + 1);

				if (!nj) {
					free(joined);
					return -1;
				}
				joined = nj;
				memcpy(joined + jl, l, part);
				jl += part;
				cap = jl;
				if (part == ll || end >= len)
					break;
				pos = end + 1;
				nl = memchr(buf + pos, '\n', len - pos);
				end = nl ? (size_t)(nl - buf) : len;
				l = buf + pos;
				ll = end - pos;
				lineno++;
			}
			l = joined;
			ll = jl;
		}
		pos = end + 1;
		while (i < ll && isspace((unsigned char)l[i]))
			i++;
		if (i == ll || l[i] == '#') {
			free(joined);
			continue;
		}
		while ((r = next_token(l, ll, &tp, &t)) == 1) {
			struct ap_mask mk;
			bool is_ap;
			size_t errpos;

			if (t.keylen != 4 || memcmp(t.key, "ATTR", 4) ||
			    (strcmp(t.op, "=") && strcmp(t.op, ":=")))
				continue;
			is_ap = is_mask_attr(&t, "apmask");
			if (!is_ap && !is_mask_attr(&t, "aqmask"))
				continue;
			/* the first assignment counts, as for ap-check */
			if (is_ap ? seen_ap : seen_aq)
				continue;
			if (is_ap)
				seen_ap = true;
			else
				seen_aq = true;
			if (ap_mask_parse(t.val, t.vallen, &mk, NULL, &errpos)) {
				char q[AP_ESC_MAX + 1];

				ap_escape(q, sizeof(q), t.val, t.vallen);
				ap_diags_add(d, AP_DIAG_ERROR, path,
					     _("line %u: %s value \"%s\" is not a valid mask"),
					     first, is_ap ? "apmask" : "aqmask", q);
				/* the kernel would refuse the write: this mask is not set */
				continue;
			}
			if (is_ap) {
				out->apmask = mk;
				out->apmask_set = true;
			} else {
				out->aqmask = mk;
				out->aqmask_set = true;
			}
		}
		if (r < 0) {
			ap_diags_add(d, AP_DIAG_ERROR, path,
				     _("line %u is not a valid udev rule"), first);
			ret = -1;
		}
		free(joined);
	}
	return ret;
}

char *ap_udevrule_format(const struct ap_mask *apmask, const struct ap_mask *aqmask)
{
	char ap[AP_MASK_STRLEN], aq[AP_MASK_STRLEN];
	char *s = NULL;
	char lines[2][128] = { "", "" };

	if (apmask) {
		ap_mask_format(apmask, ap);
		snprintf(lines[0], sizeof(lines[0]), "ATTR{../../bus/ap/apmask}=\"%s\"\n", ap);
	}
	if (aqmask) {
		ap_mask_format(aqmask, aq);
		snprintf(lines[1], sizeof(lines[1]), "ATTR{../../bus/ap/aqmask}=\"%s\"\n", aq);
	}
	if (asprintf(&s,
		     "# Persistent AP bus masks, written by apctl "
		     "(the format of chzdev --type ap).\n"
		     "# Applied once the AP bus has bound its devices after boot.\n"
		     "ACTION==\"change\", SUBSYSTEM==\"ap\", KERNEL==\"ap\", "
		     "ENV{BINDINGS}==\"complete\", ENV{COMPLETECOUNT}==\"1\", GOTO=\"ap_masks\"\n"
		     "ACTION==\"add\", SUBSYSTEM==\"bus\", KERNEL==\"ap\", "
		     "ATTR{bindings_complete_count}==\"?*\", "
		     "ATTR{bindings_complete_count}!=\"0\", GOTO=\"ap_masks\"\n"
		     "GOTO=\"ap_masks_end\"\n"
		     "LABEL=\"ap_masks\"\n"
		     "%s%s"
		     "RUN{builtin}+=\"kmod load vfio_ap\"\n"
		     "LABEL=\"ap_masks_end\"\n", lines[0], lines[1]) < 0)
		return NULL;
	return s;
}

static int rule_path(struct ap_path *p, bool run, char *out, size_t outsz)
{
	return ap_path_fmt(p, AP_ROOT, out, outsz, "%s", run ? AP_UDEVRULE_RUN : AP_UDEVRULE_ETC);
}

int ap_udevrule_read(struct ap_path *p, bool run, struct ap_persist_masks *out,
		     struct ap_diags *d)
{
	char path[4096];
	char *buf;
	size_t len;
	int err;

	memset(out, 0, sizeof(*out));
	err = rule_path(p, run, path, sizeof(path));
	if (err)
		return err;
	err = ap_path_read(p, path, &buf, &len);
	if (err == ENOENT)
		return err;
	if (err) {
		ap_diags_add(d, AP_DIAG_ERROR, path, _("cannot read the udev rule: %s"),
			     strerror(err));
		return err;
	}
	ap_udevrule_parse(buf, len, path, out, d);
	free(buf);
	return 0;
}

int ap_udevrule_write(struct ap_path *p, bool run, const struct ap_mask *apmask,
		      const struct ap_mask *aqmask)
{
	char path[4096];
	char *text;
	int err = rule_path(p, run, path, sizeof(path));

	if (err)
		return err;
	text = ap_udevrule_format(apmask, aqmask);
	if (!text)
		return ENOMEM;
	err = ap_path_write_atomic(p, path, text, strlen(text), 0644, true);
	free(text);
	return err;
}

int ap_udevrule_delete(struct ap_path *p, bool run)
{
	char path[4096];
	int err = rule_path(p, run, path, sizeof(path));

	if (err)
		return err;
	return ap_path_unlink(p, path);
}

/* ---- kernel command line ---- */

static void cmdline_value(const char *v, size_t n, struct ap_mask *m, bool *bad)
{
	size_t errpos;

	ap_mask_zero(m);
	if (n && (v[0] == '+' || v[0] == '-')) {
		if (ap_mask_apply_relative(v, n, m) == 0)
			return;
	} else if (ap_mask_parse(v, n, m, NULL, &errpos) == 0) {
		return;
	}
	ap_mask_zero(m);
	*bad = true;
}

void ap_cmdline_parse(const char *buf, size_t len, struct ap_persist_masks *out, bool *bad)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	*bad = false;
	while (i < len) {
		size_t start, vstart = 0, vend, eq = 0;
		bool quoted = false;

		while (i < len && isspace((unsigned char)buf[i]))
			i++;
		if (i == len || buf[i] == '\0')
			break;
		start = i;
		for (; i < len && buf[i] != '\0'; i++) {
			if (buf[i] == '"')
				quoted = !quoted;
			else if (!quoted && isspace((unsigned char)buf[i]))
				break;
			else if (!eq && buf[i] == '=')
				eq = i;
		}
		if (i - start == 2 && buf[start] == '-' && buf[start + 1] == '-')
			break;
		if (!eq)
			continue;
		vstart = eq + 1;
		vend = i;
		if (vstart < vend && buf[vstart] == '"') {
			vstart++;
			if (vend > vstart && buf[vend - 1] == '"')
				vend--;
		}
		if (eq - start == 9 && (memcmp(buf + start, "ap.apmask", 9) == 0 ||
					memcmp(buf + start, "ap.aqmask", 9) == 0)) {
			bool is_ap = buf[start + 4] == 'p';

			cmdline_value(buf + vstart, vend - vstart,
				      is_ap ? &out->apmask : &out->aqmask, bad);
			if (is_ap)
				out->apmask_set = true;
			else
				out->aqmask_set = true;
		}
	}
}

int ap_persist_read(struct ap_path *p, struct ap_host *h, struct ap_diags *d)
{
	struct ap_persist_masks rule = { 0 }, cmd = { 0 };
	enum ap_persist_src src = AP_PERSIST_NONE;
	char path[4096];
	char *buf;
	size_t len;
	bool bad = false;
	int err;

	err = ap_udevrule_read(p, false, &rule, d);
	if (!err) {
		src = AP_PERSIST_UDEV_ETC;
	} else if (err == ENOENT) {
		err = ap_udevrule_read(p, true, &rule, d);
		if (!err)
			src = AP_PERSIST_UDEV_RUN;
	}
	if (err == ENOMEM)
		return err;

	if (ap_path_fmt(p, AP_ROOT, path, sizeof(path), "proc/cmdline") == 0) {
		err = ap_path_read(p, path, &buf, &len);
		if (!err) {
			ap_cmdline_parse(buf, len, &cmd, &bad);
			free(buf);
			if (bad)
				ap_diags_add(d, AP_DIAG_WARN, path,
					     _("an ap.apmask= or ap.aqmask= value is invalid: "
					       "the kernel ignores it and starts with an all-zero "
					       "mask"));
		} else if (err != ENOENT) {
			ap_diags_add(d, AP_DIAG_WARN, path, _("cannot read: %s"), strerror(err));
		}
	}
	if (src == AP_PERSIST_NONE && (cmd.apmask_set || cmd.aqmask_set)) {
		src = AP_PERSIST_CMDLINE;
		rule = cmd;
	}
	if (!rule.apmask_set && cmd.apmask_set) {
		rule.apmask = cmd.apmask;
		rule.apmask_set = true;
	}
	if (!rule.aqmask_set && cmd.aqmask_set) {
		rule.aqmask = cmd.aqmask;
		rule.aqmask_set = true;
	}
	h->persist_src = src;
	h->persist_apmask_set = rule.apmask_set;
	h->persist_aqmask_set = rule.aqmask_set;
	h->persist_apmask = rule.apmask;
	h->persist_aqmask = rule.aqmask;
	return 0;
}

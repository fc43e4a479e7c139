/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
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

static char *xasprintf_or_null(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf_or_null(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

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

void ap_rulefile_free(struct ap_rulefile *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static const char *mask_name(bool is_ap)
{
	return is_ap ? "apmask" : "aqmask";
}

/* the number of hex digits of a valid absolute mask value */
static size_t hex_digits(const char *v, size_t n)
{
	if (n && v[n - 1] == '\n')
		n--;
	if (n >= 2 && v[0] == '0' && v[1] == 'x')
		return n - 2;
	if (n >= 1 && v[0] == 'x')
		return n - 1;
	return n;
}

/* the effect of writing value v to a mask: new = (old & keep) | set */
static bool value_effect(const char *v, size_t n, struct ap_rule_assign *a)
{
	size_t errpos;

	a->relative = n && (v[0] == '+' || v[0] == '-');
	if (a->relative) {
		struct ap_mask zero, ones;

		ap_mask_zero(&zero);
		ap_mask_fill(&ones);
		if (ap_mask_apply_relative(v, n, &zero) || ap_mask_apply_relative(v, n, &ones))
			return false;
		a->set = zero;		/* bits the value sets */
		a->keep = ones;		/* bits it does not clear */
		return true;
	}
	if (ap_mask_parse(v, n, &a->set, NULL, &errpos))
		return false;
	ap_mask_zero(&a->keep);
	a->short_mask = hex_digits(v, n) < 64;
	return true;
}

int ap_udevrule_parse(const char *buf, size_t len, const char *path, struct ap_rulefile *out,
		      struct ap_diags *d)
{
	size_t pos = 0;
	unsigned int lineno = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, lstart = pos;
		const char *l = buf + pos;
		size_t ll = end - pos, tp = 0, i = 0, first_new = out->n;
		unsigned int first = ++lineno, ntok = 0;
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
					ap_rulefile_free(out);
					return -ENOMEM;
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
		out->has_rules = true;
		while ((r = next_token(l, ll, &tp, &t)) == 1) {
			struct ap_rule_assign a, *nv;
			char q[AP_ESC_MAX + 1];
			bool is_ap;

			ntok++;
			if (t.keylen != 4 || memcmp(t.key, "ATTR", 4) ||
			    (strcmp(t.op, "=") && strcmp(t.op, ":=")))
				continue;
			is_ap = is_mask_attr(&t, "apmask");
			if (!is_ap && !is_mask_attr(&t, "aqmask"))
				continue;
			memset(&a, 0, sizeof(a));
			a.is_ap = is_ap;
			a.line = first;
			a.joined = joined != NULL;
			if (!a.joined) {
				a.voff = (size_t)(t.val - buf);
				a.vlen = t.vallen;
				a.aoff = (size_t)(t.attr - buf) + t.attrlen - 6;
				a.loff = lstart;
				a.lend = end;
			}
			a.valid = value_effect(t.val, t.vallen, &a);
			/* planted bytes are shown escaped (core/escape.h) */
			ap_escape(q, sizeof(q), t.val, t.vallen);
			if (!a.valid)
				ap_diags_add(d, AP_DIAG_ERROR, path,
					     _("line %u: %s value \"%s\" is not a valid mask"),
					     first, mask_name(is_ap), q);
			else if (a.short_mask)
				ap_diags_add(d, AP_DIAG_WARN, path,
					     _("line %u: the %s value \"%s\" has fewer than 64 hex digits; "
					       "the kernel pads it with zero bits (ids %zu-255 go to "
					       "vfio_ap), but s390-tools' ap-check (mdevctl's callout) "
					       "cannot read it: write all 64 digits (apctl reserve "
					       "--persistent rewrites the value)"),
					     first, mask_name(is_ap), q, hex_digits(t.val, t.vallen) * 4);
			for (size_t k = 0; k < out->n; k++)
				if (out->v[k].is_ap == is_ap) {
					ap_diags_add(d, AP_DIAG_WARN, path,
						     _("lines %u and %u both write %s: udev applies "
						       "the last, s390-tools' ap-check reads the first"),
						     out->v[k].line, first, mask_name(is_ap));
					break;
				}
			nv = realloc(out->v, (out->n + 1) * sizeof(*nv));
			if (!nv) {
				free(joined);
				ap_rulefile_free(out);
				return -ENOMEM;
			}
			out->v = nv;
			out->v[out->n++] = a;
		}
		for (size_t k = first_new; k < out->n; k++)
			out->v[k].alone = ntok == 1 && r == 0;
		if (r < 0) {
			ap_diags_add(d, AP_DIAG_ERROR, path,
				     _("line %u is not a valid udev rule"), first);
			if (!out->bad_line)
				out->bad_line = first;
			ret = -1;
		}
		free(joined);
	}
	return ret;
}

void ap_rulefile_apply(const struct ap_rulefile *f, struct ap_mask *apmask, struct ap_mask *aqmask,
		       bool *ap_written, bool *aq_written)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct ap_rule_assign *a = &f->v[i];
		struct ap_mask *m = a->is_ap ? apmask : aqmask;

		/* the kernel refuses an invalid value: the mask stays */
		if (!a->valid)
			continue;
		ap_mask_and(m, m, &a->keep);
		ap_mask_or(m, m, &a->set);
		*(a->is_ap ? ap_written : aq_written) = true;
	}
}

static const struct ap_rule_assign *find_assign(const struct ap_rulefile *f, bool is_ap)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].is_ap == is_ap)
			return &f->v[i];
	return NULL;
}

char *ap_rulefile_why_not(const struct ap_rulefile *f, bool need_ap, bool need_aq)
{
	if (f->bad_line)
		return xasprintf_or_null(_("line %u is not a valid udev rule"), f->bad_line);
	for (size_t i = 0; i < f->n; i++) {
		const struct ap_rule_assign *a = &f->v[i];

		if (!a->valid)
			return xasprintf_or_null(_("line %u: the %s value is not a valid mask"),
						 a->line, mask_name(a->is_ap));
		if (a->joined)
			return xasprintf_or_null(_("line %u: the %s assignment is on a continued "
						   "line"), a->line, mask_name(a->is_ap));
		for (size_t k = 0; k < i; k++)
			if (f->v[k].is_ap == a->is_ap)
				return xasprintf_or_null(_("lines %u and %u both write %s"),
							 f->v[k].line, a->line,
							 mask_name(a->is_ap));
	}
	if (!f->has_rules)
		return NULL;	/* empty or comments only: replaced by apctl's rule */
	for (int k = 0; k < 2; k++) {
		bool is_ap = k == 0;
		const struct ap_rule_assign *other = find_assign(f, !is_ap);

		if (!(is_ap ? need_ap : need_aq) || find_assign(f, is_ap))
			continue;
		if (!other || !other->alone)
			return xasprintf_or_null(_("it writes no %s, and apctl cannot tell where "
						   "to add it"), mask_name(is_ap));
	}
	return NULL;
}

char *ap_udevrule_edit(const char *buf, size_t len, const struct ap_mask *apmask,
		       const struct ap_mask *aqmask)
{
	struct ap_rulefile f;
	struct ap_diags d;
	char *why, *out = NULL;
	size_t outlen = 0, pos = 0;
	FILE *fp;

	if (!buf)
		return ap_udevrule_format(apmask, aqmask);
	ap_diags_init(&d);
	if (ap_udevrule_parse(buf, len, "", &f, &d) == -ENOMEM) {
		ap_diags_free(&d);
		return NULL;
	}
	ap_diags_free(&d);
	why = ap_rulefile_why_not(&f, apmask != NULL, aqmask != NULL);
	if (why || !f.has_rules) {
		ap_rulefile_free(&f);
		if (why) {
			free(why);
			return NULL;
		}
		return ap_udevrule_format(apmask, aqmask);
	}
	fp = open_memstream(&out, &outlen);
	if (!fp) {
		ap_rulefile_free(&f);
		return NULL;
	}
	for (size_t i = 0; i < f.n; i++) {
		const struct ap_rule_assign *a = &f.v[i];
		const struct ap_mask *m = a->is_ap ? apmask : aqmask;
		const struct ap_mask *add = a->is_ap ? aqmask : apmask;
		char v[AP_MASK_STRLEN];

		fwrite(buf + pos, 1, a->voff - pos, fp);
		if (m) {
			ap_mask_format(m, v);
			fputs(v, fp);
		} else {
			fwrite(buf + a->voff, 1, a->vlen, fp);
		}
		pos = a->voff + a->vlen;
		/* the other mask is missing: a copy of this line for it */
		if (add && !find_assign(&f, !a->is_ap)) {
			fwrite(buf + pos, 1, a->lend - pos, fp);
			pos = a->lend;
			fputc('\n', fp);
			fwrite(buf + a->loff, 1, a->aoff - a->loff, fp);
			fputs(mask_name(!a->is_ap), fp);
			fwrite(buf + a->aoff + 6, 1, a->voff - a->aoff - 6, fp);
			ap_mask_format(add, v);
			fputs(v, fp);
			fwrite(buf + a->voff + a->vlen, 1, a->lend - a->voff - a->vlen, fp);
		}
	}
	fwrite(buf + pos, 1, len - pos, fp);
	ap_rulefile_free(&f);
	if (fclose(fp)) {
		free(out);
		return NULL;
	}
	return out;
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

/* the rule directories in udev's order of precedence */
static const struct {
	const char *dir;
	enum ap_persist_src src;
} rule_dirs[] = {
	{ "etc/udev/rules.d", AP_PERSIST_UDEV_ETC },
	{ "run/udev/rules.d", AP_PERSIST_UDEV_RUN },
	{ "usr/lib/udev/rules.d", AP_PERSIST_UDEV_LIB },
};
#define N_RULE_DIRS (sizeof(rule_dirs) / sizeof(rule_dirs[0]))

static int rule_path(struct ap_path *p, bool run, char *out, size_t outsz)
{
	return ap_path_fmt(p, AP_ROOT, out, outsz, "%s", run ? AP_UDEVRULE_RUN : AP_UDEVRULE_ETC);
}

int ap_udevrule_render(struct ap_path *p, const struct ap_mask *apmask,
		       const struct ap_mask *aqmask, char **out)
{
	char path[4096];
	char *buf = NULL;
	size_t len = 0;
	int err = ENOENT;

	*out = NULL;
	for (size_t i = 0; i < N_RULE_DIRS && err == ENOENT; i++) {
		err = ap_path_fmt(p, AP_ROOT, path, sizeof(path), "%s/%s", rule_dirs[i].dir,
				  AP_UDEVRULE_NAME);
		if (!err)
			err = ap_path_read(p, path, &buf, &len);
	}
	if (err && err != ENOENT)
		return err;
	*out = ap_udevrule_edit(buf, len, apmask, aqmask);
	free(buf);
	if (!*out)
		return buf ? EINVAL : ENOMEM;
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

/* one rule file udev would run: its name and the directory it is taken from */
struct rule_pick {
	const char *name;
	size_t dir;
};

static int pick_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rule_pick *)a)->name, ((const struct rule_pick *)b)->name);
}

static void append_file(char *list, size_t size, const char *path)
{
	size_t n = strlen(list);

	snprintf(list + n, size - n, "%s%s", n ? ", " : "", path);
}

static void read_cmdline(struct ap_path *p, struct ap_host *h, struct ap_diags *d)
{
	struct ap_persist_masks cmd;
	char path[4096];
	char *buf;
	size_t len;
	bool bad = false;
	int err;

	if (ap_path_fmt(p, AP_ROOT, path, sizeof(path), "proc/cmdline"))
		return;
	err = ap_path_read(p, path, &buf, &len);
	if (err) {
		if (err != ENOENT)
			ap_diags_add(d, AP_DIAG_WARN, path, _("cannot read: %s"), strerror(err));
		return;
	}
	ap_cmdline_parse(buf, len, &cmd, &bad);
	free(buf);
	if (bad)
		ap_diags_add(d, AP_DIAG_WARN, path,
			     _("an ap.apmask= or ap.aqmask= value is invalid: "
			       "the kernel ignores it and starts with an all-zero "
			       "mask"));
	/* the kernel starts from the parameter where there is one */
	if (cmd.apmask_set) {
		h->persist_apmask = cmd.apmask;
		h->persist_apmask_set = true;
	}
	if (cmd.aqmask_set) {
		h->persist_aqmask = cmd.aqmask;
		h->persist_aqmask_set = true;
	}
	h->persist_cmdline = cmd.apmask_set || cmd.aqmask_set;
}

/* is the file apctl's rule, byte for byte, with the masks it writes? */
static bool rule_is_plain(const struct ap_rulefile *f, const char *buf, size_t len)
{
	struct ap_mask ap, aq;
	bool wap = false, waq = false, plain;
	char *own;

	if (f->bad_line)
		return false;
	ap_mask_fill(&ap);
	ap_mask_fill(&aq);
	ap_rulefile_apply(f, &ap, &aq, &wap, &waq);
	own = ap_udevrule_format(wap ? &ap : NULL, waq ? &aq : NULL);
	plain = own && strlen(own) == len && !memcmp(own, buf, len);
	free(own);
	return plain;
}

static void read_rule(struct ap_path *p, struct ap_host *h, const struct rule_pick *pk,
		      bool after41, struct ap_diags *d)
{
	bool is41 = !strcmp(pk->name, AP_UDEVRULE_NAME), wap = false, waq = false;
	char path[4096], shown[300];
	struct ap_rulefile f;
	char *buf, *why;
	size_t len;
	int err;

	if (ap_path_fmt(p, AP_ROOT, path, sizeof(path), "%s/%s", rule_dirs[pk->dir].dir, pk->name))
		return;
	snprintf(shown, sizeof(shown), "/%s/%s", rule_dirs[pk->dir].dir, pk->name);
	err = ap_path_read(p, path, &buf, &len);
	if (err) {
		ap_diags_add(d, AP_DIAG_ERROR, path, _("cannot read the udev rule: %s"),
			     strerror(err));
		if (is41) {
			h->persist_rule = rule_dirs[pk->dir].src;
			snprintf(h->persist_refuse, sizeof(h->persist_refuse),
				 _("%s cannot be read (%s)"), shown, strerror(err));
		}
		return;
	}
	/* other packages' rules: only those that mention the masks are parsed */
	if (!is41 && !memmem(buf, len, "apmask", 6) && !memmem(buf, len, "aqmask", 6)) {
		free(buf);
		return;
	}
	ap_udevrule_parse(buf, len, path, &f, d);
	if (is41 && rule_dirs[pk->dir].src == AP_PERSIST_UDEV_ETC)
		h->persist_rule_plain = rule_is_plain(&f, buf, len);
	free(buf);
	ap_rulefile_apply(&f, &h->persist_apmask, &h->persist_aqmask, &wap, &waq);
	if (wap || waq) {
		append_file(h->persist_files, sizeof(h->persist_files), shown);
		h->persist_src = rule_dirs[pk->dir].src;
	}
	h->persist_apmask_set |= wap;
	h->persist_aqmask_set |= waq;
	if (is41) {
		h->persist_rule = rule_dirs[pk->dir].src;
		h->persist_rule_ap = find_assign(&f, true) != NULL;
		h->persist_rule_aq = find_assign(&f, false) != NULL;
		why = ap_rulefile_why_not(&f, false, false);
		if (why)
			snprintf(h->persist_refuse, sizeof(h->persist_refuse), "%s: %s", shown, why);
		else if ((why = ap_rulefile_why_not(&f, true, true)))
			/* only a change of the missing mask is refused */
			snprintf(h->persist_refuse_add, sizeof(h->persist_refuse_add), "%s: %s",
				 shown, why);
		free(why);
	} else if (after41) {
		if (wap && !*h->persist_after_ap)
			snprintf(h->persist_after_ap, sizeof(h->persist_after_ap), "%s", shown);
		if (waq && !*h->persist_after_aq)
			snprintf(h->persist_after_aq, sizeof(h->persist_after_aq), "%s", shown);
	}
	ap_rulefile_free(&f);
}

int ap_persist_read(struct ap_path *p, struct ap_host *h, struct ap_diags *d)
{
	struct ap_dirlist dl[N_RULE_DIRS];
	struct rule_pick *pk = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	h->persist_src = AP_PERSIST_NONE;
	h->persist_rule = AP_PERSIST_NONE;
	h->persist_apmask_set = h->persist_aqmask_set = false;
	h->persist_rule_ap = h->persist_rule_aq = h->persist_cmdline = false;
	h->persist_rule_plain = false;
	h->persist_files[0] = h->persist_after_ap[0] = h->persist_after_aq[0] = '\0';
	h->persist_refuse[0] = h->persist_refuse_add[0] = '\0';
	/* a boot starts from the kernel's masks */
	ap_mask_fill(&h->persist_apmask);
	ap_mask_fill(&h->persist_aqmask);
	read_cmdline(p, h, d);
	if (h->persist_cmdline)
		h->persist_src = AP_PERSIST_CMDLINE;

	/* then udev runs the rule files */
	memset(dl, 0, sizeof(dl));
	for (size_t i = 0; i < N_RULE_DIRS; i++) {
		char path[4096];
		int err = ap_path_fmt(p, AP_ROOT, path, sizeof(path), "%s", rule_dirs[i].dir);

		if (!err)
			err = ap_path_list(p, path, &dl[i]);
		if (err == ENOMEM) {
			ret = ENOMEM;
			goto out;
		}
		for (size_t k = 0; k < dl[i].n; k++) {
			const char *nm = dl[i].names[k];
			size_t l = strlen(nm), j;

			if (l < 7 || strcmp(nm + l - 6, ".rules"))
				continue;
			/* a name in an earlier directory replaces this one */
			for (j = 0; j < i && !ap_dirlist_has(&dl[j], nm); j++)
				;
			if (j < i)
				continue;
			if (n == cap) {
				struct rule_pick *np = realloc(pk, (cap = cap ? 2 * cap : 64) * sizeof(*pk));

				if (!np) {
					ret = ENOMEM;
					goto out;
				}
				pk = np;
			}
			pk[n].name = nm;
			pk[n++].dir = i;
		}
	}
	if (n)
		qsort(pk, n, sizeof(*pk), pick_cmp);
	for (size_t i = 0; i < n; i++)
		read_rule(p, h, &pk[i], strcmp(pk[i].name, AP_UDEVRULE_NAME) > 0, d);
out:
	free(pk);
	for (size_t i = 0; i < N_RULE_DIRS; i++)
		ap_dirlist_free(&dl[i]);
	return ret;
}

/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/apqn.h"

static int hexval(char c, bool lower_only)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (!lower_only && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Read 'min'..'max' hex digits at s[*i] (bounded by len); the value must be
 * <= AP_MAX_ID.  Returns the value or -1 with *i at the offending byte.
 */
static int hexnum(const char *s, size_t len, size_t *i, unsigned int min,
		  unsigned int max, bool lower_only)
{
	size_t start = *i;
	unsigned int v = 0, n = 0;
	int d;

	while (*i < len && n < max && (d = hexval(s[*i], lower_only)) >= 0) {
		v = v * 16 + (unsigned int)d;
		(*i)++;
		n++;
	}
	if (n < min)
		return -1;
	if (v > AP_MAX_ID) {
		*i = start;
		return -1;
	}
	return (int)v;
}

int ap_apqn_parse(const char *s, struct ap_apqn *q, size_t *errpos)
{
	size_t len = strlen(s), i = 0, dummy;
	int a, d;

	if (!errpos)
		errpos = &dummy;
	a = hexnum(s, len, &i, 1, 2, false);
	if (a < 0 || i >= len || s[i] != '.') {
		*errpos = i;
		return -1;
	}
	i++;
	d = hexnum(s, len, &i, 1, 4, false);
	if (d < 0 || i != len) {
		*errpos = i;
		return -1;
	}
	q->apid = (unsigned int)a;
	q->apqi = (unsigned int)d;
	return 0;
}

void ap_apqn_format(unsigned int apid, unsigned int apqi, char buf[AP_APQN_STRLEN])
{
	snprintf(buf, AP_APQN_STRLEN, "%02x.%04x", apid & 0xff, apqi & 0xff);
}

/* the largest text a sysfs show method can return */
#define SYSFS_SHOW_MAX 4095

enum line_form { LF_NONE, LF_FULL, LF_ADAPTER, LF_DOMAIN };

int ap_matrix_parse(const char *buf, size_t len, struct ap_mask *apm,
		    struct ap_mask *aqm, bool *truncated, size_t *errpos)
{
	struct ap_mask a, d, first_group;
	enum line_form form = LF_NONE;
	int cur_apid = -1, last_apqi = -1, first_apid = -1;
	unsigned int group_n = 0, first_n = 0;
	bool trunc = false;
	size_t i = 0, dummy;

	if (!errpos)
		errpos = &dummy;
	if (len > SYSFS_SHOW_MAX) {
		*errpos = SYSFS_SHOW_MAX;
		return -1;
	}
	ap_mask_zero(&a);
	ap_mask_zero(&d);
	ap_mask_zero(&first_group);

	while (i < len) {
		size_t ls = i;
		enum line_form lf;
		int ap = -1, dq = -1;

		if (buf[i] == '.') {
			lf = LF_DOMAIN;
			i++;
			dq = hexnum(buf, len, &i, 4, 4, true);
			if (dq < 0)
				goto bad;
		} else {
			ap = hexnum(buf, len, &i, 2, 2, true);
			if (ap < 0)
				goto bad;
			if (i >= len || buf[i] != '.')
				goto bad;
			i++;
			if (i < len && buf[i] == '\n') {
				lf = LF_ADAPTER;
			} else {
				lf = LF_FULL;
				dq = hexnum(buf, len, &i, 4, 4, true);
				if (dq < 0)
					goto bad;
			}
		}
		if (i >= len) {
			/* a complete line cut before its '\n': only at the cap */
			if (len != SYSFS_SHOW_MAX || lf != LF_FULL) {
				i = len;
				goto bad;
			}
			trunc = true;
		} else if (buf[i] != '\n') {
			goto bad;
		} else {
			i++;
		}
		if (form == LF_NONE)
			form = lf;
		else if (form != lf) {
			i = ls;
			goto bad;
		}

		switch (lf) {
		case LF_ADAPTER:
			if (ap <= cur_apid) {
				i = ls;
				goto bad;
			}
			cur_apid = ap;
			ap_mask_set(&a, (unsigned int)ap);
			break;
		case LF_DOMAIN:
			if (dq <= last_apqi) {
				i = ls;
				goto bad;
			}
			last_apqi = dq;
			ap_mask_set(&d, (unsigned int)dq);
			break;
		case LF_FULL:
			if (ap < cur_apid) {
				i = ls;
				goto bad;
			}
			if (ap != cur_apid) {
				/* a new adapter: the previous group must be complete */
				if (cur_apid >= 0 && cur_apid != first_apid && group_n != first_n) {
					i = ls;
					goto bad;
				}
				cur_apid = ap;
				last_apqi = -1;
				group_n = 0;
				if (first_apid < 0)
					first_apid = ap;
			}
			if (dq <= last_apqi) {
				i = ls;
				goto bad;
			}
			if (ap == first_apid) {
				ap_mask_set(&first_group, (unsigned int)dq);
				first_n++;
			} else if (ap_mask_next(&first_group, last_apqi + 1) != dq) {
				/* not a Cartesian product (each adapter repeats the
				 * first adapter's domains, in order) */
				i = ls;
				goto bad;
			}
			last_apqi = dq;
			group_n++;
			ap_mask_set(&a, (unsigned int)ap);
			ap_mask_set(&d, (unsigned int)dq);
			break;
		case LF_NONE:
			break;
		}
	}
	/* the last group must be complete too, unless the text was cut */
	if (form == LF_FULL && !trunc && cur_apid != first_apid && group_n != first_n) {
		i = len;
		goto bad;
	}
	*apm = a;
	*aqm = d;
	if (truncated)
		*truncated = trunc;
	return 0;
bad:
	*errpos = i;
	return -1;
}

/* append n bytes of src at *len, counting beyond the buffer */
static void put(char *buf, size_t size, size_t *len, const char *src, size_t n)
{
	if (*len < size) {
		size_t room = size - *len;

		memcpy(buf + *len, src, n < room ? n : room);
	}
	*len += n;
}

static void terminate(char *buf, size_t size, size_t len)
{
	if (size)
		buf[len < size ? len : size - 1] = '\0';
}

size_t ap_matrix_format(const struct ap_mask *apm, const struct ap_mask *aqm, char *buf,
			size_t size)
{
	size_t len = 0;
	char line[16];
	int a, d;

	if (!ap_mask_is_empty(apm) && !ap_mask_is_empty(aqm)) {
		ap_mask_for_each(a, apm) {
			ap_mask_for_each(d, aqm) {
				snprintf(line, sizeof(line), "%02x.%04x\n", (unsigned int)a & 0xff,
					 (unsigned int)d & 0xff);
				put(buf, size, &len, line, 8);
			}
		}
	} else if (!ap_mask_is_empty(apm)) {
		ap_mask_for_each(a, apm) {
			snprintf(line, sizeof(line), "%02x.\n", (unsigned int)a & 0xff);
			put(buf, size, &len, line, 4);
		}
	} else {
		ap_mask_for_each(d, aqm) {
			snprintf(line, sizeof(line), ".%04x\n", (unsigned int)d & 0xff);
			put(buf, size, &len, line, 6);
		}
	}
	terminate(buf, size, len);
	return len;
}

size_t ap_cdoms_format(const struct ap_mask *adm, char *buf, size_t size)
{
	size_t len = 0;
	char line[8];
	int d;

	ap_mask_for_each(d, adm) {
		snprintf(line, sizeof(line), "%04x\n", (unsigned int)d & 0xff);
		put(buf, size, &len, line, 5);
	}
	terminate(buf, size, len);
	return len;
}

int ap_cdoms_parse(const char *buf, size_t len, struct ap_mask *adm, size_t *errpos)
{
	struct ap_mask r;
	int last = -1;
	size_t i = 0, dummy;

	if (!errpos)
		errpos = &dummy;
	ap_mask_zero(&r);
	while (i < len) {
		size_t ls = i;
		int v = hexnum(buf, len, &i, 4, 4, true);

		if (v < 0)
			goto bad;
		if (i >= len || buf[i] != '\n')
			goto bad;
		if (v <= last) {
			i = ls;
			goto bad;
		}
		i++;
		last = v;
		ap_mask_set(&r, (unsigned int)v);
	}
	*adm = r;
	return 0;
bad:
	*errpos = i;
	return -1;
}

/* exactly "0x" + 64 lowercase hex digits at buf[*i] */
static int strict_mask(const char *buf, size_t len, size_t *i, struct ap_mask *m)
{
	if (len - *i < 66 || buf[*i] != '0' || buf[*i + 1] != 'x')
		return -1;
	for (size_t k = *i + 2; k < *i + 66; k++) {
		if (hexval(buf[k], true) < 0) {
			*i = k;
			return -1;
		}
	}
	if (ap_mask_parse(buf + *i, 66, m, NULL, NULL))
		return -1;
	*i += 66;
	return 0;
}

int ap_config_parse(const char *buf, size_t len, struct ap_mask *apm,
		    struct ap_mask *aqm, struct ap_mask *adm, size_t *errpos)
{
	struct ap_mask m[3];
	size_t i = 0, dummy;

	if (!errpos)
		errpos = &dummy;
	for (int k = 0; k < 3; k++) {
		if (strict_mask(buf, len, &i, &m[k]))
			goto bad;
		if (i >= len || buf[i] != (k < 2 ? ',' : '\n'))
			goto bad;
		i++;
	}
	if (i != len)
		goto bad;
	*apm = m[0];
	*aqm = m[1];
	*adm = m[2];
	return 0;
bad:
	*errpos = i < len ? i : len;
	return -1;
}

void ap_config_format(const struct ap_mask *apm, const struct ap_mask *aqm,
		      const struct ap_mask *adm, char buf[AP_CONFIG_STRLEN])
{
	char t[3][AP_MASK_STRLEN];

	ap_mask_format(apm, t[0]);
	ap_mask_format(aqm, t[1]);
	ap_mask_format(adm, t[2]);
	snprintf(buf, AP_CONFIG_STRLEN, "%s,%s,%s\n", t[0], t[1], t[2]);
}

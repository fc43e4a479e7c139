/* SPDX-License-Identifier: MIT */
/* persistent masks: 41-ap.rules and the kernel command line (src/sys/udevrule.c) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/apmask.h"
#include "sys/udevrule.h"
#include "tap.h"

#define FULL "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define M56  "0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static struct ap_mask hexmask(const char *s)
{
	struct ap_mask m;
	size_t e;

	if (ap_mask_parse(s, strlen(s), &m, NULL, &e))
		ap_mask_zero(&m);
	return m;
}

static int parse(const char *t, struct ap_persist_masks *o, struct ap_diags *d)
{
	ap_diags_free(d);
	return ap_udevrule_parse(t, strlen(t), "R", o, d);
}

static const char *const expected_rule =
	"# Persistent AP bus masks, written by apctl (the format of chzdev --type ap).\n"
	"# Applied once the AP bus has bound its devices after boot.\n"
	"ACTION==\"change\", SUBSYSTEM==\"ap\", KERNEL==\"ap\", ENV{BINDINGS}==\"complete\", "
	"ENV{COMPLETECOUNT}==\"1\", GOTO=\"ap_masks\"\n"
	"ACTION==\"add\", SUBSYSTEM==\"bus\", KERNEL==\"ap\", "
	"ATTR{bindings_complete_count}==\"?*\", ATTR{bindings_complete_count}!=\"0\", "
	"GOTO=\"ap_masks\"\n"
	"GOTO=\"ap_masks_end\"\n"
	"LABEL=\"ap_masks\"\n"
	"ATTR{../../bus/ap/apmask}=\"" M56 "\"\n"
	"ATTR{../../bus/ap/aqmask}=\"" FULL "\"\n"
	"RUN{builtin}+=\"kmod load vfio_ap\"\n"
	"LABEL=\"ap_masks_end\"\n";

static void test_format(void)
{
	struct ap_mask ap = hexmask(M56), aq = hexmask(FULL);
	struct ap_persist_masks o;
	struct ap_diags d = { 0 };
	char *s;

	s = ap_udevrule_format(&ap, &aq);
	is_str(s, expected_rule, "format: exact rule file");
	ok(s && ap_udevrule_parse(s, strlen(s), "R", &o, &d) == 0 && o.apmask_set &&
	   o.aqmask_set && ap_mask_equal(&o.apmask, &ap) && ap_mask_equal(&o.aqmask, &aq) &&
	   d.n == 0, "format: round trip");
	free(s);
	s = ap_udevrule_format(NULL, &aq);
	ok(s && !strstr(s, "apmask") && strstr(s, "aqmask"), "format: apmask left out");
	ok(s && ap_udevrule_parse(s, strlen(s), "R", &o, &d) == 0 && !o.apmask_set &&
	   o.aqmask_set, "format: parse without apmask");
	free(s);
	ap_diags_free(&d);
}

static void test_parse(void)
{
	struct ap_persist_masks o;
	struct ap_diags d = { 0 };
	struct ap_mask e;

	is_int(parse("", &o, &d), 0, "parse: empty file");
	ok(!o.apmask_set && !o.aqmask_set && d.n == 0, "parse: empty sets nothing");

	/* the short hand-edited mask that makes ap-check abort */
	is_int(parse("ACTION==\"change\", ATTR{../../bus/ap/apmask}=\"0xff\"\n", &o, &d), 0,
	       "parse: short mask");
	e = hexmask("0xff00");
	ok(o.apmask_set && ap_mask_equal(&o.apmask, &e) && !o.aqmask_set,
	   "parse: short mask right-padded (ids 0-7)");

	is_int(parse("# ATTR{../../bus/ap/apmask}=\"0x00\"\n"
		     "  ATTR{/sys/bus/ap/apmask}=\"0x40\"\n"
		     "ATTR{../../bus/ap/apmask}=\"0x80\"\n"
		     "ATTR{../../bus/ap/aqmask}==\"0x10\"\n"
		     "ATTR{../../bus/ap/xaqmask}=\"0x10\"\n"
		     "ATTR{../../bus/ap/aqmask}:=\"0x20\"\n", &o, &d), 0,
	       "parse: comments, matches and other names skipped");
	e = hexmask("0x40");
	ok(o.apmask_set && ap_mask_equal(&o.apmask, &e), "parse: the first apmask assignment wins");
	e = hexmask("0x20");
	ok(o.aqmask_set && ap_mask_equal(&o.aqmask, &e), "parse: := counts, == does not");

	is_int(parse("ATTR{../../bus/ap/apmask}=\"0xzz\"\nATTR{../../bus/ap/apmask}=\"0x80\"\n",
		     &o, &d), 0, "parse: invalid mask value");
	ok(!o.apmask_set && d.n == 1 && d.v[0].level == AP_DIAG_ERROR &&
	   strcmp(d.v[0].path, "R") == 0 && strstr(d.v[0].msg, "line 1"),
	   "parse: invalid first value reported with line, mask unset");

	is_int(parse("ATTR{../../bus/ap/apmask}=\"0X80\"\n", &o, &d), 0, "parse: 0X");
	ok(!o.apmask_set && ap_diags_errors(&d) == 1, "parse: 0X refused like the kernel");

	is_int(parse("KERNEL==\"ap\", \\\n  ATTR{../../bus/ap/aqmask}=\"0x1\"\n", &o, &d), 0,
	       "parse: continuation line");
	e = hexmask("0x1");
	ok(o.aqmask_set && ap_mask_equal(&o.aqmask, &e), "parse: value after continuation");

	is_int(parse("ATTR{../../bus/ap/apmask}=\"0x80\"\nKERNEL==ap\n", &o, &d), -1,
	       "parse: unquoted value is a broken line");
	ok(o.apmask_set && d.n == 1 && strstr(d.v[0].msg, "line 2"),
	   "parse: broken line reported, earlier value kept");
	ap_diags_free(&d);
}

static void test_relative(void)
{
	struct ap_mask m, e;

	ap_mask_zero(&m);
	is_int(ap_mask_apply_relative("+0-4,-2", 7, &m), 0, "relative: +0-4,-2");
	e = hexmask("0xd8");
	ok(ap_mask_equal(&m, &e), "relative: ids 0,1,3,4");
	is_int(ap_mask_apply_relative("+010", 4, &m), 0, "relative: octal");
	ok(ap_mask_test(&m, 8), "relative: +010 sets 8");
	is_int(ap_mask_apply_relative("+0x10\n,\n-0", 10, &m), 0, "relative: separators");
	ok(ap_mask_test(&m, 16) && !ap_mask_test(&m, 0), "relative: +0x10 set, 0 cleared");
	e = m;
	is_int(ap_mask_apply_relative("+08", 3, &m), -1, "relative: +08 refused");
	is_int(ap_mask_apply_relative("+0x", 3, &m), -1, "relative: +0x refused");
	is_int(ap_mask_apply_relative("+256", 4, &m), -1, "relative: 256 refused");
	is_int(ap_mask_apply_relative("+10-5", 5, &m), -1, "relative: reversed range refused");
	is_int(ap_mask_apply_relative("+1 ", 3, &m), -1, "relative: space refused");
	is_int(ap_mask_apply_relative("+", 1, &m), -1, "relative: lone sign refused");
	is_int(ap_mask_apply_relative("5", 1, &m), -1, "relative: no sign refused");
	ok(ap_mask_equal(&m, &e), "relative: failures leave the mask unchanged");
	ap_mask_zero(&m);
	is_int(ap_mask_apply_relative("+0-255,-128", 11, &m), 0, "relative: last op wins");
	ok(ap_mask_weight(&m) == 255 && !ap_mask_test(&m, 128), "relative: all but 128");
}

static void test_cmdline(void)
{
	struct ap_persist_masks o;
	struct ap_mask e;
	bool bad;
	const char *s;

	s = "BOOT_IMAGE=/vmlinuz root=/dev/dasda1 ap.apmask=0xf9 quiet\n";
	ap_cmdline_parse(s, strlen(s), &o, &bad);
	e = hexmask("0xf9");
	ok(o.apmask_set && !o.aqmask_set && !bad && ap_mask_equal(&o.apmask, &e),
	   "cmdline: ap.apmask= absolute");
	s = "ap.aqmask=+4,+0x47 ap.apmask=0x80 ap.apmask=0x40";
	ap_cmdline_parse(s, strlen(s), &o, &bad);
	e = hexmask("0x40");
	ok(o.apmask_set && ap_mask_equal(&o.apmask, &e), "cmdline: the last occurrence wins");
	ap_mask_zero(&e);
	ap_mask_set(&e, 4);
	ap_mask_set(&e, 0x47);
	ok(o.aqmask_set && ap_mask_equal(&o.aqmask, &e) && !bad,
	   "cmdline: relative form applied to zero");
	s = "ap.apmask=0xq1";
	ap_cmdline_parse(s, strlen(s), &o, &bad);
	ok(o.apmask_set && ap_mask_is_empty(&o.apmask) && bad,
	   "cmdline: invalid value means all zero, flagged");
	s = "ap.apmask=\"0x80\" -- ap.aqmask=0x80";
	ap_cmdline_parse(s, strlen(s), &o, &bad);
	e = hexmask("0x80");
	ok(o.apmask_set && ap_mask_equal(&o.apmask, &e) && !o.aqmask_set,
	   "cmdline: quotes stripped, parsing stops at --");
	s = "xap.apmask=0x80 ap.apmaskx=0x80";
	ap_cmdline_parse(s, strlen(s), &o, &bad);
	ok(!o.apmask_set && !o.aqmask_set, "cmdline: similar names ignored");
}

static void write_file(const char *root, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_files(void)
{
	char root[] = "/tmp/apctl-test-udev.XXXXXX", cmd[600];
	struct ap_persist_masks o;
	struct ap_diags d = { 0 };
	struct ap_mask ap = hexmask(M56), aq = hexmask("0x8");
	struct ap_host h;
	struct ap_path p;
	struct stat st;

	if (!mkdtemp(root)) {
		ok(0, "mkdtemp");
		return;
	}
	unsetenv("SYSFS_ROOT");
	ap_path_init(&p, root);
	memset(&h, 0, sizeof(h));
	is_int(ap_persist_read(&p, &h, &d), 0, "files: nothing persistent");
	ok(h.persist_src == AP_PERSIST_NONE && !h.persist_apmask_set && d.n == 0,
	   "files: source none");
	is_int(ap_udevrule_read(&p, false, &o, &d), ENOENT, "files: missing rule: ENOENT");

	snprintf(cmd, sizeof(cmd), "%s/proc", root);
	mkdir(cmd, 0755);
	write_file(root, "proc/cmdline", "root=/dev/x ap.aqmask=0x8000 ap.apmask=0xff\n");
	is_int(ap_persist_read(&p, &h, &d), 0, "files: cmdline only");
	ok(h.persist_src == AP_PERSIST_CMDLINE && h.persist_apmask_set && h.persist_aqmask_set,
	   "files: source cmdline");

	is_int(ap_udevrule_write(&p, true, NULL, &aq), 0, "files: write /run rule");
	is_int(ap_persist_read(&p, &h, &d), 0, "files: /run rule");
	ok(h.persist_src == AP_PERSIST_UDEV_RUN && ap_mask_equal(&h.persist_aqmask, &aq),
	   "files: /run rule wins over cmdline");
	{
		struct ap_mask ff = hexmask("0xff");

		ok(h.persist_apmask_set && ap_mask_equal(&h.persist_apmask, &ff),
		   "files: apmask missing from the rule falls back to the cmdline");
	}
	is_int(ap_udevrule_write(&p, false, &ap, &aq), 0, "files: write /etc rule");
	snprintf(cmd, sizeof(cmd), "%s/etc/udev/rules.d/41-ap.rules", root);
	ok(stat(cmd, &st) == 0 && (st.st_mode & 07777) == 0644, "files: rule mode 0644");
	is_int(ap_persist_read(&p, &h, &d), 0, "files: /etc rule");
	ok(h.persist_src == AP_PERSIST_UDEV_ETC && ap_mask_equal(&h.persist_apmask, &ap) &&
	   ap_mask_equal(&h.persist_aqmask, &aq) && d.n == 0, "files: /etc rule wins");
	is_int(ap_udevrule_delete(&p, false), 0, "files: delete /etc rule");
	is_int(ap_udevrule_delete(&p, false), ENOENT, "files: delete again");

	write_file(root, "proc/cmdline", "ap.apmask=zz\n");
	is_int(ap_udevrule_delete(&p, true), 0, "files: delete /run rule");
	is_int(ap_persist_read(&p, &h, &d), 0, "files: bad cmdline");
	ok(h.persist_src == AP_PERSIST_CMDLINE && ap_mask_is_empty(&h.persist_apmask) &&
	   d.n == 1 && d.v[0].level == AP_DIAG_WARN && strstr(d.v[0].path, "proc/cmdline"),
	   "files: invalid cmdline mask: all zero, warned");
	ap_diags_free(&d);
	ap_path_fini(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("cleanup failed");
}

int main(void)
{
	test_format();
	test_parse();
	test_relative();
	test_cmdline();
	test_files();
	return done_testing();
}

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

static bool has_diag(const struct ap_diags *d, enum ap_diag_level level, const char *msg)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == level && !strcmp(d->v[i].msg, msg))
			return true;
	return false;
}

/* parse one file; o: the masks it writes, applied to all ones (the default) */
static int parse(const char *t, struct ap_persist_masks *o, struct ap_diags *d)
{
	struct ap_rulefile f;
	int r;

	ap_diags_free(d);
	r = ap_udevrule_parse(t, strlen(t), "R", &f, d);
	ap_mask_fill(&o->apmask);
	ap_mask_fill(&o->aqmask);
	o->apmask_set = o->aqmask_set = false;
	ap_rulefile_apply(&f, &o->apmask, &o->aqmask, &o->apmask_set, &o->aqmask_set);
	ap_rulefile_free(&f);
	return r;
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
	ok(s && parse(s, &o, &d) == 0 && o.apmask_set &&
	   o.aqmask_set && ap_mask_equal(&o.apmask, &ap) && ap_mask_equal(&o.aqmask, &aq) &&
	   d.n == 0, "format: round trip");
	free(s);
	s = ap_udevrule_format(NULL, &aq);
	ok(s && !strstr(s, "apmask") && strstr(s, "aqmask"), "format: apmask left out");
	ok(s && parse(s, &o, &d) == 0 && !o.apmask_set &&
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
	ok(d.n == 1 && d.v[0].level == AP_DIAG_WARN && strstr(d.v[0].msg, "ids 8-255") &&
	   strstr(d.v[0].msg, "ap-check"), "parse: short mask warned (ap-check cannot read it)");

	is_int(parse("# ATTR{../../bus/ap/apmask}=\"0x00\"\n"
		     "  ATTR{/sys/bus/ap/apmask}=\"0x40\"\n"
		     "ATTR{../../bus/ap/apmask}=\"0x80\"\n"
		     "ATTR{../../bus/ap/aqmask}==\"0x10\"\n"
		     "ATTR{../../bus/ap/xaqmask}=\"0x10\"\n"
		     "ATTR{../../bus/ap/aqmask}:=\"0x20\"\n", &o, &d), 0,
	       "parse: comments, matches and other names skipped");
	e = hexmask("0x80");
	ok(o.apmask_set && ap_mask_equal(&o.apmask, &e),
	   "parse: the last apmask assignment wins (udev runs lines in order)");
	ok(has_diag(&d, AP_DIAG_WARN, "lines 2 and 3 both write apmask: udev applies the last, "
		    "s390-tools' ap-check reads the first"), "parse: two apmask writes warned");
	e = hexmask("0x20");
	ok(o.aqmask_set && ap_mask_equal(&o.aqmask, &e), "parse: := counts, == does not");

	is_int(parse("ATTR{../../bus/ap/apmask}=\"0xzz\"\nATTR{../../bus/ap/apmask}=\"0x80\"\n",
		     &o, &d), 0, "parse: invalid mask value");
	e = hexmask("0x80");
	ok(o.apmask_set && ap_mask_equal(&o.apmask, &e) && ap_diags_errors(&d) == 1 &&
	   d.v[0].level == AP_DIAG_ERROR && strcmp(d.v[0].path, "R") == 0 &&
	   strstr(d.v[0].msg, "line 1"),
	   "parse: invalid value reported with its line; the kernel refuses that write only");

	is_int(parse("ATTR{../../bus/ap/apmask}=\"0X80\"\n", &o, &d), 0, "parse: 0X");
	ok(!o.apmask_set && ap_diags_errors(&d) == 1, "parse: 0X refused like the kernel");

	is_int(parse("KERNEL==\"ap\", \\\n  ATTR{../../bus/ap/aqmask}=\"0x1\"\n", &o, &d), 0,
	       "parse: continuation line");
	e = hexmask("0x1");
	ok(o.aqmask_set && ap_mask_equal(&o.aqmask, &e), "parse: value after continuation");

	is_int(parse("ATTR{../../bus/ap/apmask}=\"0x80\"\nKERNEL==ap\n", &o, &d), -1,
	       "parse: unquoted value is a broken line");
	ok(o.apmask_set && has_diag(&d, AP_DIAG_ERROR, "line 2 is not a valid udev rule"),
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
	ok(ap_mask_is_full(&h.persist_apmask) && ap_mask_is_full(&h.persist_aqmask),
	   "files: nothing persistent: the kernel's all-ones default");

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

	/* udev's order: names sorted across the directories, /etc > /run > /usr/lib */
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/usr/lib/udev/rules.d'", root);
	if (system(cmd) != 0)
		diag("mkdir failed");
	write_file(root, "usr/lib/udev/rules.d/41-ap.rules", "ATTR{../../bus/ap/apmask}=\"0x0\"\n");
	write_file(root, "run/udev/rules.d/41-ap.rules", "ATTR{../../bus/ap/apmask}=\"0x1\"\n");
	write_file(root, "usr/lib/udev/rules.d/40-early.rules",
		   "ATTR{../../bus/ap/aqmask}=\"0x0\"\n");
	write_file(root, "run/udev/rules.d/90-late.rules",
		   "ATTR{../../bus/ap/aqmask}=\"+4\"\n");
	write_file(root, "run/udev/rules.d/10-other.rules", "KERNEL==\"x\", RUN+=\"/bin/true\"\n");
	ap_diags_free(&d);
	is_int(ap_persist_read(&p, &h, &d), 0, "files: several rule files");
	{
		struct ap_mask e = hexmask("0x1"), q;

		ap_mask_zero(&q);
		ap_mask_set(&q, 4);
		ok(ap_mask_equal(&h.persist_apmask, &e), "files: /run shadows /usr/lib of one name");
		ok(ap_mask_equal(&h.persist_aqmask, &q),
		   "files: later names write later (a relative write edits the earlier one)");
		is_str(h.persist_files, "/usr/lib/udev/rules.d/40-early.rules, "
		       "/run/udev/rules.d/41-ap.rules, /run/udev/rules.d/90-late.rules",
		       "files: the writers in udev's order");
		ok(h.persist_rule == AP_PERSIST_UDEV_RUN && h.persist_rule_ap && !h.persist_rule_aq,
		   "files: apctl's rule found in /run");
		is_str(h.persist_after_aq, "/run/udev/rules.d/90-late.rules",
		       "files: a later writer of aqmask is named");
		ok(h.persist_src == AP_PERSIST_UDEV_RUN && ap_diags_errors(&d) == 0,
		   "files: source; no errors (short masks are warnings)");
	}
	write_file(root, "etc/udev/rules.d/41-ap.rules", "ATTR{../../bus/ap/apmask}=\"0x2\"\n");
	is_int(ap_persist_read(&p, &h, &d), 0, "files: /etc copy");
	{
		struct ap_mask e = hexmask("0x2");

		ok(ap_mask_equal(&h.persist_apmask, &e) && h.persist_rule == AP_PERSIST_UDEV_ETC,
		   "files: /etc shadows /run");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/usr' '%s/run/udev/rules.d/'*.rules "
		 "'%s/etc/udev/rules.d/41-ap.rules'", root, root, root);
	if (system(cmd) != 0)
		diag("rm failed");

	write_file(root, "proc/cmdline", "ap.apmask=zz\n");
	is_int(ap_persist_read(&p, &h, &d), 0, "files: bad cmdline");
	ap_diags_free(&d);
	is_int(ap_persist_read(&p, &h, &d), 0, "files: bad cmdline, again");
	ok(h.persist_src == AP_PERSIST_CMDLINE && ap_mask_is_empty(&h.persist_apmask) &&
	   d.n == 1 && d.v[0].level == AP_DIAG_WARN && strstr(d.v[0].path, "proc/cmdline"),
	   "files: invalid cmdline mask: all zero, warned");
	ap_diags_free(&d);
	ap_path_fini(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("cleanup failed");
}

static void test_edit(void)
{
	struct ap_mask ap = hexmask(M56), aq = hexmask(FULL);
	struct ap_rulefile f;
	struct ap_diags d;
	const char *t;
	char *s, *why;

	ap_diags_init(&d);
	/* chzdev-style file with lines apctl does not write: kept byte for byte */
	t = "# mine\nKERNEL==\"ap\", GOTO=\"x\"\n  ATTR{../../bus/ap/apmask}=\"0xff\"  \n"
	    "ATTR{../../bus/ap/aqmask}=\"0x0\"\nLABEL=\"x\"";
	s = ap_udevrule_edit(t, strlen(t), &ap, NULL);
	is_str(s, "# mine\nKERNEL==\"ap\", GOTO=\"x\"\n  ATTR{../../bus/ap/apmask}=\"" M56
	       "\"  \nATTR{../../bus/ap/aqmask}=\"0x0\"\nLABEL=\"x\"",
	       "edit: one value replaced with 64 digits, every other byte kept");
	free(s);
	t = "LABEL=\"a\"\nATTR{/sys/bus/ap/apmask}=\"0x0\"\nLABEL=\"b\"\n";
	s = ap_udevrule_edit(t, strlen(t), &ap, &aq);
	is_str(s, "LABEL=\"a\"\nATTR{/sys/bus/ap/apmask}=\"" M56 "\"\n"
	       "ATTR{/sys/bus/ap/aqmask}=\"" FULL "\"\nLABEL=\"b\"\n",
	       "edit: a missing mask added after the other one's line");
	free(s);
	t = "# nothing yet\n\n";
	s = ap_udevrule_edit(t, strlen(t), &ap, NULL);
	ok(s && strstr(s, "written by apctl"), "edit: a file of comments only becomes apctl's rule");
	free(s);

	t = "KERNEL==\"ap\", ATTR{../../bus/ap/apmask}=\"0x0\"\n";
	ap_udevrule_parse(t, strlen(t), "R", &f, &d);
	why = ap_rulefile_why_not(&f, true, true);
	is_str(why, "it writes no aqmask, and apctl cannot tell where to add it",
	       "why not: no place for the missing mask");
	free(why);
	why = ap_rulefile_why_not(&f, true, false);
	ok(!why, "why not: the apmask alone can be rewritten");
	free(why);
	ap_rulefile_free(&f);
	ok(!ap_udevrule_edit(t, strlen(t), NULL, &aq), "edit: refused, nothing made");

	t = "ATTR{../../bus/ap/apmask}=\"0xZZ\"\n";
	ap_udevrule_parse(t, strlen(t), "R", &f, &d);
	why = ap_rulefile_why_not(&f, false, false);
	is_str(why, "line 1: the apmask value is not a valid mask", "why not: invalid value");
	free(why);
	ap_rulefile_free(&f);
	t = "\nATTR{../../bus/ap/apmask}=\"0x0\"\nATTR{../../bus/ap/apmask}=\"0x1\"\n";
	ap_udevrule_parse(t, strlen(t), "R", &f, &d);
	why = ap_rulefile_why_not(&f, false, false);
	is_str(why, "lines 2 and 3 both write apmask", "why not: two writes of one mask");
	free(why);
	ap_rulefile_free(&f);
	t = "ATTR{../../bus/ap/apmask}=\"0x0\"\nKERNEL==ap\n";
	ap_udevrule_parse(t, strlen(t), "R", &f, &d);
	why = ap_rulefile_why_not(&f, false, false);
	is_str(why, "line 2 is not a valid udev rule", "why not: a broken line");
	free(why);
	ap_rulefile_free(&f);
	t = "KERNEL==\"ap\", \\\n ATTR{../../bus/ap/apmask}=\"0x0\"\n";
	ap_udevrule_parse(t, strlen(t), "R", &f, &d);
	why = ap_rulefile_why_not(&f, false, false);
	is_str(why, "line 1: the apmask assignment is on a continued line",
	       "why not: continued line");
	free(why);
	ap_rulefile_free(&f);
	ap_diags_free(&d);
}

int main(void)
{
	test_edit();
	test_format();
	test_parse();
	test_relative();
	test_cmdline();
	test_files();
	return done_testing();
}

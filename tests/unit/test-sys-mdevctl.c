/* SPDX-License-Identifier: MIT */
/* mdevctl definition parser, formatter and file I/O (src/sys/mdevctl.c) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/apmask.h"
#include "sys/mdevctl.h"
#include "tap.h"

#define U1 "0a1b2c3d-0000-4000-8000-000000000001"

static int parse(const char *text, struct ap_mdevdef *def, struct ap_diags *d)
{
	ap_diags_free(d);
	return ap_mdevdef_parse(text, strlen(text), "F", def, d);
}

static struct ap_mask mk(int n, ...)
{
	struct ap_mask m;
	va_list ap;

	ap_mask_zero(&m);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		ap_mask_set(&m, (unsigned int)va_arg(ap, int));
	va_end(ap);
	return m;
}

static void test_uuid(void)
{
	ok(ap_uuid_is_valid(U1), "uuid: lowercase valid");
	ok(ap_uuid_is_valid("0A1B2C3D-0000-4000-8000-00000000000F"), "uuid: uppercase valid");
	ok(!ap_uuid_is_valid("0a1b2c3d-0000-4000-8000-00000000000"), "uuid: 35 chars invalid");
	ok(!ap_uuid_is_valid("0a1b2c3d-0000-4000-8000-0000000000011"), "uuid: 37 chars invalid");
	ok(!ap_uuid_is_valid("0a1b2c3d00000-4000-8000-000000000001"), "uuid: dash misplaced");
	ok(!ap_uuid_is_valid("../../../etc/passwd-0000-8000-000000"), "uuid: path-like invalid");
	ok(!ap_uuid_is_valid(".0a1b2c3d-0000-4000-8000-000000000001"), "uuid: temp-file name");
}

static void test_parse_ok(void)
{
	struct ap_diags d = { 0 };
	struct ap_mdevdef def;
	struct ap_mask e;

	is_int(parse("{\n  \"mdev_type\": \"vfio_ap-passthrough\",\n  \"start\": \"auto\",\n"
		     "  \"attrs\": [\n    {\n      \"assign_adapter\": \"5\"\n    },\n"
		     "    {\n      \"assign_domain\": \"0x47\"\n    },\n"
		     "    {\n      \"assign_control_domain\": \"0x47\"\n    }\n  ]\n}",
		     &def, &d), 0, "parse: documented example");
	ok(def.autostart, "parse: start auto");
	e = mk(1, 5);
	ok(ap_mask_equal(&def.m.apm, &e), "parse: adapter 5");
	e = mk(1, 0x47);
	ok(ap_mask_equal(&def.m.aqm, &e), "parse: domain 0x47");
	ok(ap_mask_equal(&def.m.adm, &e), "parse: control domain 0x47");
	is_int((long long)d.n, 0, "parse: no diagnostics");

	is_int(parse("{\"start\":\"manual\",\"mdev_type\":\"vfio_ap-passthrough\"}", &def, &d), 0,
	       "parse: attrs missing is fine, key order free");
	ok(!def.autostart && ap_mask_is_empty(&def.m.apm), "parse: manual, empty");
	is_int(parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":null}",
		     &def, &d), 0, "parse: attrs null");
	ok(d.n == 1 && d.v[0].level == AP_DIAG_WARN && strstr(d.v[0].msg, "\"attrs\" is null"),
	   "parse: attrs null is warned about");
	/* issue 18: a start value apctl does not understand is not rewritten */
	is_int(parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"AUTO\",\"attrs\":[]}",
		     &def, &d), -1, "parse: start \"AUTO\" is malformed");
	ok(d.n == 1 && d.v[0].level == AP_DIAG_ERROR &&
	   !strcmp(d.v[0].msg, "\"start\" is \"AUTO\", neither \"auto\" nor \"manual\" "
		   "(mdevctl would take it as manual): write one of the two"),
	   "parse: the error names the key and the value");
	/* issue 14: duplicate keys are warned about; the last one counts */
	is_int(parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":[],"
		     "\"start\" : \"auto\"}", &def, &d), 0, "parse: duplicate key");
	ok(def.autostart && d.n == 1 && d.v[0].level == AP_DIAG_WARN &&
	   !strcmp(d.v[0].msg, "the key \"start\" appears twice in one object: mdevctl and "
		   "apctl both use the last value"), "parse: duplicate key warned, last wins");
	is_int(parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":["
		     "{\"assign_adapter\":\"5\"},{\"assign_adapter\":\"6\"}],"
		     "\"x\":{\"start\":\"{\\\"start\\\":\"}}", &def, &d), 0,
	       "parse: same key in different objects");
	is_int((long long)d.n, 0, "parse: keys of different objects and strings are no duplicates");

	/* attrs applied in order; unassign; ap_config replaces all three */
	is_int(parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":["
		     "{\"assign_adapter\":\"5\"},{\"assign_adapter\":\"6\"},"
		     "{\"assign_domain\":\"4\"},{\"unassign_adapter\":\"5\"},"
		     "{\"assign_control_domain\":\"+0xab\"}]}", &def, &d), 0,
	       "parse: assign/unassign in order");
	e = mk(1, 6);
	ok(ap_mask_equal(&def.m.apm, &e), "parse: unassign_adapter removed 5");
	e = mk(1, 0xab);
	ok(ap_mask_equal(&def.m.adm, &e), "parse: +0xab accepted like kstrtoul");

	is_int(parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":["
		     "{\"assign_adapter\":\"1\"},"
		     "{\"ap_config\":\"0x04000000000000000000000000000000"
		     "00000000000000000000000000000000,"
		     "0x08,0x\"},{\"assign_domain\":\"255\"}]}", &def, &d), 0,
	       "parse: ap_config");
	e = mk(1, 5);
	ok(ap_mask_equal(&def.m.apm, &e), "parse: ap_config replaced the adapters");
	e = mk(2, 4, 255);
	ok(ap_mask_equal(&def.m.aqm, &e), "parse: short mask right-padded, later attr applied");
	ok(ap_mask_is_empty(&def.m.adm), "parse: empty ap_config token = no control domains");

	/* octal: taken the kernel's way, with a warning */
	is_int(parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":["
		     "{\"assign_domain\":\"047\"}]}", &def, &d), 0, "parse: octal value accepted");
	e = mk(1, 39);
	ok(ap_mask_equal(&def.m.aqm, &e), "parse: \"047\" is domain 39");
	ok(def.octal, "parse: octal flagged");
	ok(d.n == 1 && d.v[0].level == AP_DIAG_WARN && strstr(d.v[0].msg, "39") &&
	   strcmp(d.v[0].path, "F") == 0, "parse: octal warning names the file and the value");

	is_int(parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":["
		     "{\"assign_adapter\":\"0\"},{\"frobnicate\":\"1\"}]}", &def, &d), 0,
	       "parse: unknown attr is not fatal");
	ok(def.n_unknown == 1 && d.n == 1 && d.v[0].level == AP_DIAG_WARN,
	   "parse: unknown attr counted and warned");
	ok(!def.octal && ap_mask_test(&def.m.apm, 0), "parse: \"0\" is plain zero");
	is_int(parse("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":["
		     "{\"\\u001b[2J\":\"1\"}]}", &def, &d), 0, "parse: escape sequence in a key");
	ok(d.n == 1 && !strchr(d.v[0].msg, 0x1b) && strstr(d.v[0].msg, "\"\\x1b[2J\""),
	   "parse: control characters reach the message only as \\xNN");
	ap_diags_free(&d);
}

static void bad(const char *text, const char *what)
{
	struct ap_diags d = { 0 };
	struct ap_mdevdef def;
	int r = ap_mdevdef_parse(text, strlen(text), "/x/F", &def, &d);

	ok(r == -1 && ap_diags_errors(&d) == 1 && strcmp(d.v[d.n - 1].path, "/x/F") == 0 &&
	   ap_mask_is_empty(&def.m.apm), "malformed: %s", what);
	ap_diags_free(&d);
}

static void test_parse_bad(void)
{
	struct ap_diags d = { 0 };
	struct ap_mdevdef def;

	bad("", "empty file");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\"", "truncated");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\"}x", "trailing garbage");
	bad("[]", "not an object");
	bad("{\"start\":\"auto\"}", "mdev_type missing");
	bad("{\"mdev_type\":\"vfio_ccw-io\",\"start\":\"auto\"}", "other mdev type");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\"}", "start missing");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":1}", "start not a string");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":{}}",
	    "attrs not a list");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":"
	    "[{\"assign_adapter\":5}]}", "number value (mdevctl panics on it)");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":"
	    "[{\"assign_adapter\":\"5\",\"assign_domain\":\"4\"}]}", "two keys in one attr");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":[{}]}",
	    "empty attr object");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":"
	    "[{\"assign_domain\":\"08\"}]}", "08 (bad octal)");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":"
	    "[{\"assign_domain\":\"256\"}]}", "id 256");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":"
	    "[{\"assign_domain\":\" 4\"}]}", "leading space");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":"
	    "[{\"assign_domain\":\"-4\"}]}", "negative");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":"
	    "[{\"assign_domain\":\"0x\"}]}", "0x without digits");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":"
	    "[{\"ap_config\":\"0x8,0x8\"}]}", "ap_config with two masks");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":"
	    "[{\"ap_config\":\"0X8,0x8,0x8\"}]}", "ap_config with 0X");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":"
	    "[{\"assign_domain\":\"4\\u0000\"}]}", "value with NUL");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":'auto'}", "single quotes");
	bad("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",}", "trailing comma");

	{
		static const char bin[] =
			"{\"mdev_type\":\"vfio_ap-passthrough\",\0\"start\":\"a\"}";

		ok(ap_mdevdef_parse(bin, sizeof(bin) - 1, "F", &def, &d) == -1 &&
		   ap_diags_errors(&d) == 1, "malformed: embedded NUL byte");
		ap_diags_free(&d);
	}
	{
		char deep[200];

		memset(deep, '[', sizeof(deep) - 1);
		deep[sizeof(deep) - 1] = '\0';
		bad(deep, "deep nesting refused");
	}
}

static const char *const fmt_example =
	"{\n"
	"  \"mdev_type\": \"vfio_ap-passthrough\",\n"
	"  \"start\": \"auto\",\n"
	"  \"attrs\": [\n"
	"    {\n"
	"      \"assign_adapter\": \"0x5\"\n"
	"    },\n"
	"    {\n"
	"      \"assign_adapter\": \"0x6\"\n"
	"    },\n"
	"    {\n"
	"      \"assign_domain\": \"0x47\"\n"
	"    },\n"
	"    {\n"
	"      \"assign_control_domain\": \"0xff\"\n"
	"    }\n"
	"  ]\n"
	"}";

static void test_format(void)
{
	struct ap_diags d = { 0 };
	struct ap_mdevdef def = { 0 }, back;
	char *s;

	def.autostart = true;
	def.m.apm = mk(2, 6, 5);
	def.m.aqm = mk(1, 0x47);
	def.m.adm = mk(1, 0xff);
	s = ap_mdevdef_format(&def);
	is_str(s, fmt_example, "format: exact bytes (pretty, ordered, no final newline)");
	ok(ap_mdevdef_parse(s, strlen(s), "F", &back, &d) == 0 && back.autostart &&
	   ap_mask_equal(&back.m.apm, &def.m.apm) && ap_mask_equal(&back.m.aqm, &def.m.aqm) &&
	   ap_mask_equal(&back.m.adm, &def.m.adm) && d.n == 0, "format: round trip");
	free(s);

	memset(&def, 0, sizeof(def));
	s = ap_mdevdef_format(&def);
	is_str(s, "{\n  \"mdev_type\": \"vfio_ap-passthrough\",\n  \"start\": \"manual\",\n"
		  "  \"attrs\": []\n}", "format: empty manual definition");
	free(s);

	/* full matrix round trip */
	ap_mask_fill(&def.m.apm);
	ap_mask_fill(&def.m.aqm);
	def.m.adm = mk(2, 0, 255);
	s = ap_mdevdef_format(&def);
	ok(s && ap_mdevdef_parse(s, strlen(s), "F", &back, &d) == 0 &&
	   ap_mask_is_full(&back.m.apm) && ap_mask_is_full(&back.m.aqm) &&
	   ap_mask_equal(&back.m.adm, &def.m.adm), "format: 256x256 round trip");
	ok(s && strstr(s, "\"0x0\"") && strstr(s, "\"0xff\""), "format: ids 0 and 255 in 0x form");
	free(s);
	ap_diags_free(&d);
}

static void test_files(void)
{
	char root[] = "/tmp/apctl-test-mdevctl.XXXXXX", path[512];
	struct ap_diags d = { 0 };
	struct ap_mdevdef def = { 0 }, back;
	struct ap_model m;
	struct ap_path p;
	struct stat st;
	FILE *f;

	if (!mkdtemp(root)) {
		ok(0, "mkdtemp");
		return;
	}
	unsetenv("SYSFS_ROOT");
	is_int(ap_path_init(&p, root), 0, "files: path init");
	ap_model_init(&m);
	is_int(ap_mdevdefs_read(&p, &m, &d), 0, "files: missing directory is no error");
	is_int((long long)m.n_mdevs + (long long)d.n, 0, "files: nothing read");

	def.m.apm = mk(1, 5);
	def.m.aqm = mk(1, 4);
	is_int(ap_mdevdef_write(&p, U1, &def), 0, "files: write creates the directories");
	snprintf(path, sizeof(path), "%s/etc/mdevctl.d/matrix/%s", root, U1);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644, "files: file exists, mode 0644");
	is_int(ap_mdevdef_write(&p, "../x", &def), EINVAL, "files: refuses a non-UUID name");
	is_int(ap_mdevdef_read(&p, U1, &back, &d), 0, "files: read back");
	ok(ap_mask_equal(&back.m.apm, &def.m.apm) && !back.autostart, "files: same content");

	/* directory scan: skips non-UUID names, reports broken files */
	snprintf(path, sizeof(path), "%s/etc/mdevctl.d/matrix/not-a-uuid", root);
	f = fopen(path, "w");
	fputs("garbage", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/etc/mdevctl.d/matrix/%s", root,
		 "0a1b2c3d-0000-4000-8000-000000000002");
	f = fopen(path, "w");
	fputs("{\"mdev_type\":", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/etc/mdevctl.d/matrix/%s", root,
		 "0A1B2C3D-0000-4000-8000-000000000003");
	f = fopen(path, "w");
	fputs("{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\"}", f);
	fclose(f);
	ap_diags_free(&d);
	is_int(ap_mdevdefs_read(&p, &m, &d), 0, "files: scan");
	is_int((long long)m.n_mdevs, 2, "files: two usable definitions");
	ok(m.n_mdevs == 2 && m.mdevs[0].defined && !m.mdevs[0].active &&
	   ap_mask_test(&m.mdevs[0].def.apm, 5), "files: first definition in the model");
	ok(m.n_mdevs == 2 && strcmp(m.mdevs[1].uuid, "0a1b2c3d-0000-4000-8000-000000000003") == 0 &&
	   m.mdevs[1].autostart, "files: uppercase file name lowercased, autostart");
	ok(d.n == 3 && d.v[1].level == AP_DIAG_ERROR && strstr(d.v[1].path, "-000000000002"),
	   "files: the broken file is reported by name");
	ok(d.n == 3 && d.v[0].level == AP_DIAG_WARN && strstr(d.v[0].path, "0A1B2C3D-") &&
	   strstr(d.v[0].msg, "not a lowercase UUID") &&
	   strstr(d.v[0].msg, "rename it to 0a1b2c3d-0000-4000-8000-000000000003"),
	   "files: an uppercase name is warned about (mdevctl does not find it)");
	ok(d.n == 3 && d.v[2].level == AP_DIAG_WARN && strstr(d.v[2].path, "/not-a-uuid") &&
	   !strcmp(d.v[2].msg, "the name is not a UUID: apctl ignores this file, as mdevctl does"),
	   "files: a name that is not a UUID is warned about");
	ok(m.n_baddefs == 1 && !strcmp(m.baddefs[0].uuid, "0a1b2c3d-0000-4000-8000-000000000002") &&
	   m.baddefs[0].size == 13 && !strcmp(m.baddefs[0].head, "{\"mdev_type\":"),
	   "files: the broken file is kept with its first bytes, escaped");
	is_str(m.n_mdevs == 2 ? m.mdevs[1].def_file : NULL, "0A1B2C3D-0000-4000-8000-000000000003",
	       "files: the file name is kept as it is on disk");

	/* a FIFO under a UUID name: reported, not waited on for a writer (the
	 * alarm ends the test if the scan blocks) */
	snprintf(path, sizeof(path), "%s/etc/mdevctl.d/matrix/%s", root,
		 "0a1b2c3d-0000-4000-8000-000000000004");
	if (mkfifo(path, 0600) == 0) {
		ap_model_free(&m);
		ap_diags_free(&d);
		alarm(20);
		is_int(ap_mdevdefs_read(&p, &m, &d), 0, "files: scan with a FIFO");
		alarm(0);
		ok(d.n == 4 && d.v[2].level == AP_DIAG_ERROR && strstr(d.v[2].path, "-000000000004"),
		   "files: the FIFO is reported by name");
		unlink(path);
	} else {
		ok(0, "mkfifo %s", path);
	}

	is_int(ap_mdevdef_delete(&p, U1), 0, "files: delete");
	is_int(ap_mdevdef_delete(&p, U1), ENOENT, "files: delete again: ENOENT");
	is_int(ap_mdevdef_read(&p, U1, &back, &d), ENOENT, "files: read deleted: ENOENT");

	ap_model_free(&m);
	ap_diags_free(&d);
	ap_path_fini(&p);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	if (system(path) != 0)
		diag("cleanup failed");
}

int main(void)
{
	test_uuid();
	test_parse_ok();
	test_parse_bad();
	test_format();
	test_files();
	return done_testing();
}

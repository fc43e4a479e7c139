/* SPDX-License-Identifier: MIT */
/* strict scalar parsers (src/sys/parse.c) and the path context */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/parse.h"
#include "sys/path.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

static void test_int(void)
{
	int v = 12345;

	ok(ap_parse_int(S("5\n"), &v) == 0 && v == 5, "int: 5\\n");
	ok(ap_parse_int(S("-1\n"), &v) == 0 && v == -1, "int: -1\\n");
	ok(ap_parse_int(S("0\n"), &v) == 0 && v == 0, "int: 0\\n");
	ok(ap_parse_int(S("255"), &v) == 0 && v == 255, "int: no newline");
	ok(ap_parse_int(S("2147483647\n"), &v) == 0 && v == 2147483647, "int: INT_MAX");
	ok(ap_parse_int(S("-2147483648\n"), &v) == 0 && v == -2147483647 - 1, "int: INT_MIN");
	v = 7;
	ok(ap_parse_int(S("2147483648\n"), &v) == -1 && v == 7, "int: overflow refused");
	ok(ap_parse_int(S(""), &v) == -1, "int: empty");
	ok(ap_parse_int(S("\n"), &v) == -1, "int: newline only");
	ok(ap_parse_int(S("5\n\n"), &v) == -1, "int: two newlines");
	ok(ap_parse_int(S(" 5\n"), &v) == -1, "int: leading space");
	ok(ap_parse_int(S("5 \n"), &v) == -1, "int: trailing space");
	ok(ap_parse_int(S("+5\n"), &v) == -1, "int: plus sign");
	ok(ap_parse_int(S("05\n"), &v) == -1, "int: leading zero");
	ok(ap_parse_int(S("-0\n"), &v) == -1, "int: -0");
	ok(ap_parse_int(S("5abc\n"), &v) == -1, "int: trailing junk");
	ok(ap_parse_int(S("0x5\n"), &v) == -1, "int: hex");
}

static void test_misc(void)
{
	uint64_t u;
	uint32_t x;
	bool b;

	ok(ap_parse_u64(S("65536\n"), &u) == 0 && u == 65536, "u64: 65536");
	ok(ap_parse_u64(S("18446744073709551615\n"), &u) == 0 && u == UINT64_MAX, "u64: max");
	ok(ap_parse_u64(S("18446744073709551616\n"), &u) == -1, "u64: overflow");
	ok(ap_parse_u64(S("-1\n"), &u) == -1, "u64: negative");
	ok(ap_parse_bool01(S("1\n"), &b) == 0 && b, "bool: 1");
	ok(ap_parse_bool01(S("0\n"), &b) == 0 && !b, "bool: 0");
	ok(ap_parse_bool01(S("2\n"), &b) == -1, "bool: 2");
	ok(ap_parse_bool01(S("01\n"), &b) == -1, "bool: 01");
	ok(ap_parse_bool01(S(""), &b) == -1, "bool: empty");
	ok(ap_parse_hex32(S("0x94000000\n"), &x) == 0 && x == 0x94000000u, "hex32: functions");
	ok(ap_parse_hex32(S("0xabcdef01\n"), &x) == 0 && x == 0xabcdef01u, "hex32: lowercase");
	ok(ap_parse_hex32(S("0x123456789\n"), &x) == -1, "hex32: 9 digits");
	ok(ap_parse_hex32(S("0x\n"), &x) == -1, "hex32: no digits");
	ok(ap_parse_hex32(S("94000000\n"), &x) == -1, "hex32: no 0x");
	ok(ap_parse_hex32(S("0x9400000g\n"), &x) == -1, "hex32: bad digit");
}

static void test_kstrtoul(void)
{
	uint64_t v = 0;
	bool oct = true;

	ok(ap_parse_kstrtoul(S("5"), &v, &oct) == 0 && v == 5 && !oct, "kstrtoul: 5");
	ok(ap_parse_kstrtoul(S("5\n"), &v, &oct) == 0 && v == 5, "kstrtoul: one newline");
	ok(ap_parse_kstrtoul(S("0x47"), &v, &oct) == 0 && v == 0x47 && !oct, "kstrtoul: 0x47");
	ok(ap_parse_kstrtoul(S("0XaB"), &v, &oct) == 0 && v == 0xab, "kstrtoul: 0XaB");
	ok(ap_parse_kstrtoul(S("047"), &v, &oct) == 0 && v == 39 && oct, "kstrtoul: 047 octal");
	ok(ap_parse_kstrtoul(S("010"), &v, &oct) == 0 && v == 8 && oct, "kstrtoul: 010 is 8");
	ok(ap_parse_kstrtoul(S("0"), &v, &oct) == 0 && v == 0 && !oct, "kstrtoul: 0 not octal");
	ok(ap_parse_kstrtoul(S("+7"), &v, &oct) == 0 && v == 7, "kstrtoul: +7");
	ok(ap_parse_kstrtoul(S("08"), &v, &oct) == -1, "kstrtoul: 08 refused");
	ok(ap_parse_kstrtoul(S("0x"), &v, &oct) == -1, "kstrtoul: 0x refused");
	ok(ap_parse_kstrtoul(S("-1"), &v, &oct) == -1, "kstrtoul: -1 refused");
	ok(ap_parse_kstrtoul(S(""), &v, &oct) == -1, "kstrtoul: empty refused");
	ok(ap_parse_kstrtoul(S("+"), &v, &oct) == -1, "kstrtoul: + refused");
	ok(ap_parse_kstrtoul(S(" 5"), &v, &oct) == -1, "kstrtoul: leading space refused");
	ok(ap_parse_kstrtoul(S("5\n\n"), &v, &oct) == -1, "kstrtoul: two newlines refused");
	ok(ap_parse_kstrtoul(S("5,"), &v, &oct) == -1, "kstrtoul: trailing junk refused");
	ok(ap_parse_kstrtoul(S("18446744073709551616"), &v, &oct) == -1,
	   "kstrtoul: 2^64 refused");
}

static void test_path(void)
{
	char root[] = "/tmp/apctl-test-path.XXXXXX", buf[4096], big[70000];
	struct ap_dirlist l;
	struct ap_path p;
	char *data;
	size_t len;
	FILE *f;

	if (!mkdtemp(root)) {
		ok(0, "mkdtemp");
		return;
	}
	unsetenv("SYSFS_ROOT");
	unsetenv("APCTL_ROOT");
	is_int(ap_path_init(&p, NULL), 0, "path: defaults");
	is_str(p.sysfs, "/sys", "path: default sysfs /sys");
	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "etc/x");
	is_str(buf, "/etc/x", "path: default root /");
	ok(ap_path_is_real(&p), "path: real system");
	ap_path_fini(&p);

	setenv("APCTL_ROOT", "/srv/r//", 1);
	ap_path_init(&p, NULL);
	is_str(p.sysfs, "/srv/r/sys", "path: $APCTL_ROOT gives <root>/sys");
	ap_path_fini(&p);
	ap_path_init(&p, "/opt/o");
	is_str(p.sysfs, "/opt/o/sys", "path: --root beats $APCTL_ROOT");
	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "run/lock/%s", "l");
	is_str(buf, "/opt/o/run/lock/l", "path: root prefix");
	ap_path_fini(&p);
	setenv("SYSFS_ROOT", "/mnt/s", 1);
	ap_path_init(&p, "/opt/o");
	ap_path_fmt(&p, AP_SYSFS, buf, sizeof(buf), "bus/ap");
	is_str(buf, "/mnt/s/bus/ap", "path: $SYSFS_ROOT beats the root");
	ok(!ap_path_is_real(&p), "path: not the real system");
	ap_path_fini(&p);
	unsetenv("APCTL_ROOT");
	unsetenv("SYSFS_ROOT");
	is_int(ap_path_init(&p, "relative"), EINVAL, "path: relative root refused");
	is_int(ap_path_init(&p, root), 0, "path: temp root");
	is_int(ap_path_fmt(&p, AP_ROOT, buf, 8, "etc/mdevctl.d"), ENAMETOOLONG,
	       "path: too long");

	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "a");
	f = fopen(buf, "w");
	fputs("hello\n", f);
	fclose(f);
	is_int(ap_path_read(&p, buf, &data, &len), 0, "read: ok");
	ok(data && len == 6 && strcmp(data, "hello\n") == 0, "read: content and length");
	free(data);
	is_int((long long)p.stats.files_read, 1, "read: counted");
	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "missing");
	is_int(ap_path_read(&p, buf, &data, &len), ENOENT, "read: ENOENT");
	ok(data == NULL, "read: no buffer on error");
	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "big");
	f = fopen(buf, "w");
	memset(big, 'x', sizeof(big));
	fwrite(big, 1, sizeof(big), f);
	fclose(f);
	is_int(ap_path_read(&p, buf, &data, &len), EFBIG, "read: over 64 KiB refused");

	is_int(ap_path_write(&p, buf, "ab", 2), 0, "write: one write");
	is_int((long long)p.stats.writes, 1, "write: counted");
	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "nonexistent");
	is_int(ap_path_write(&p, buf, "ab", 2), ENOENT, "write: no O_CREAT");

	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "sub/dir/file");
	is_int(ap_path_write_atomic(&p, buf, "x", 1, 0600, true), 0, "atomic: with mkdirs");
	is_int(ap_path_read(&p, buf, &data, &len), 0, "atomic: readable");
	ok(data && len == 1 && data[0] == 'x', "atomic: content");
	free(data);
	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "sub/dir");
	is_int(ap_path_list(&p, buf, &l), 0, "list: ok");
	ok(l.n == 1 && strcmp(l.names[0], "file") == 0, "list: no temp file left behind");
	ap_dirlist_free(&l);
	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "%s", ".");
	is_int(ap_path_list(&p, buf, &l), 0, "list: root");
	ok(l.n == 3 && strcmp(l.names[0], "a") == 0 && strcmp(l.names[1], "big") == 0 &&
	   strcmp(l.names[2], "sub") == 0, "list: sorted, without . and ..");
	ok(ap_dirlist_has(&l, "big") && !ap_dirlist_has(&l, "nope"), "list: lookup");
	ap_dirlist_free(&l);
	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "sub/nodir");
	is_int(ap_path_write_atomic(&p, buf, "x", 1, 0644, false) == 0 ? 0 : 1, 0,
	       "atomic: existing directory without mkdirs");
	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "none/x");
	is_int(ap_path_write_atomic(&p, buf, "x", 1, 0644, false), ENOENT,
	       "atomic: missing directory without mkdirs");
	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "missing");
	is_int(ap_path_list(&p, buf, &l), ENOENT, "list: ENOENT");
	ap_path_fmt(&p, AP_ROOT, buf, sizeof(buf), "link");
	if (symlink("../../bus/ap/drivers/cex4queue", buf) == 0) {
		char out[32];

		is_int(ap_path_readlink_base(&p, buf, out, sizeof(out)), 0, "readlink: ok");
		is_str(out, "cex4queue", "readlink: basename");
		is_int(ap_path_readlink_base(&p, buf, out, 4), ENAMETOOLONG, "readlink: small");
	}
	ap_path_fini(&p);
	snprintf(buf, sizeof(buf), "rm -rf '%s'", root);
	if (system(buf) != 0)
		diag("cleanup failed");
}

int main(void)
{
	test_int();
	test_misc();
	test_kstrtoul();
	test_path();
	return done_testing();
}

/* SPDX-License-Identifier: MIT */
/*
 * The sysfs reader (src/sys/reader.c) against small fixture trees.  Reading
 * only; the end-to-end reading tests run against apsim.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/apmask.h"
#include "sys/reader.h"
#include "tap.h"

#define U1 "0a1b2c3d-0000-4000-8000-000000000001"
#define FULL "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n"
#define NO6  "0xfdffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n"
#define Z64  "0000000000000000000000000000000000000000000000000000000000000000"
#define CFG_APM "0x0600000000000000000000000000000000000000000000000000000000000000\n"
#define CFG_AQM "0x0800000000000000010000000000000000000000001000000000000000000001\n"
#define M6  "0x0200000000000000000000000000000000000000000000000000000000000000"
#define M4  "0x0800000000000000000000000000000000000000000000000000000000000000"

static char root[] = "/tmp/apctl-test-reader.XXXXXX";

static void mkparents(const char *path)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = buf + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(buf, 0755);
			*s = '/';
		}
	}
}

static void mkfile(const char *rel, const char *content)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/%s", root, rel);
	mkparents(path);
	f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static void rmfile(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/sys/%s", root, rel);
	unlink(path);
}

static void mklink(const char *rel, const char *target)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/sys/%s", root, rel);
	mkparents(path);
	if (symlink(target, path) < 0)
		diag("symlink %s failed", rel);
}

/* the doc-example host with adapter 6 reserved and one mdev attached to a guest */
static void build_tree(void)
{
	mkfile("bus/ap/apmask", NO6);
	mkfile("bus/ap/aqmask", FULL);
	mkfile("bus/ap/ap_adapter_mask", CFG_APM);
	mkfile("bus/ap/ap_usage_domain_mask", CFG_AQM);
	mkfile("bus/ap/ap_control_domain_mask", CFG_AQM);
	mkfile("bus/ap/ap_max_adapter_id", "255\n");
	mkfile("bus/ap/ap_max_domain_id", "255\n");
	mkfile("bus/ap/ap_domain", "4\n");
	mkfile("bus/ap/bindings", "2/2 (complete)\n");
	mkfile("bus/ap/features", "APSC APXA QACT\n");
	mkfile("bus/ap/scans", "3\n");

	mkfile("devices/ap/uevent", "");
	mkfile("devices/ap/card05/hwtype", "13\n");
	mkfile("devices/ap/card05/raw_hwtype", "13\n");
	mkfile("devices/ap/card05/depth", "32\n");
	mkfile("devices/ap/card05/ap_functions", "0x92000000\n");
	mkfile("devices/ap/card05/config", "1\n");
	mkfile("devices/ap/card05/chkstop", "0\n");
	mkfile("devices/ap/card05/online", "1\n");
	mkfile("devices/ap/card05/type", "CEX7C\n");
	mkfile("devices/ap/card06/hwtype", "14\n");
	mkfile("devices/ap/card06/raw_hwtype", "15\n");
	mkfile("devices/ap/card06/depth", "8\n");
	mkfile("devices/ap/card06/ap_functions", "0x84000000\n");
	mkfile("devices/ap/card06/config", "1\n");
	mkfile("devices/ap/card06/chkstop", "0\n");
	mkfile("devices/ap/card06/online", "0\n");
	mkfile("devices/ap/card06/type", "CEX8P\n");
	mkfile("devices/ap/card05/05.0004/config", "1\n");
	mkfile("devices/ap/card05/05.0004/chkstop", "0\n");
	mkfile("devices/ap/card05/05.0004/online", "1\n");
	mkfile("devices/ap/card06/06.0004/config", "1\n");
	mkfile("devices/ap/card06/06.0004/chkstop", "0\n");
	mkfile("devices/ap/card06/06.0004/status", "in use\n");
	mklink("bus/ap/devices/card05", "../../../devices/ap/card05");
	mklink("bus/ap/devices/card06", "../../../devices/ap/card06");
	mklink("bus/ap/devices/05.0004", "../../../devices/ap/card05/05.0004");
	mklink("bus/ap/devices/06.0004", "../../../devices/ap/card06/06.0004");
	mkfile("bus/ap/drivers/cex4card/bind", "");
	mklink("bus/ap/drivers/cex4card/card05", "../../../../devices/ap/card05");
	mklink("bus/ap/drivers/cex4card/card06", "../../../../devices/ap/card06");
	mklink("bus/ap/drivers/cex4queue/05.0004", "../../../../devices/ap/card05/05.0004");
	mklink("bus/ap/drivers/vfio_ap/06.0004", "../../../../devices/ap/card06/06.0004");
	mkfile("bus/ap/drivers/vfio_ap/unbind", "");

	mkfile("devices/vfio_ap/matrix/features", "guest_matrix hotplug ap_config\n");
	mkfile("devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough/"
	       "available_instances", "65535\n");
	mkfile("devices/vfio_ap/matrix/" U1 "/ap_config", M6 "," M4 "," M4 "\n");
	mkfile("devices/vfio_ap/matrix/" U1 "/guest_matrix", "06.0004\n");
	mkfile("devices/vfio_ap/matrix/" U1 "/matrix", "06.0004\n");
	mkfile("devices/vfio_ap/matrix/" U1 "/control_domains", "0004\n");
}

static int has_diag(const struct ap_diags *d, const char *path_end, const char *msg_part)
{
	size_t n = strlen(path_end);

	for (size_t i = 0; i < d->n; i++) {
		size_t pl = strlen(d->v[i].path);

		if (pl >= n && strcmp(d->v[i].path + pl - n, path_end) == 0 &&
		    (!msg_part || strstr(d->v[i].msg, msg_part)))
			return 1;
	}
	return 0;
}

static void dump_diags(const struct ap_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		diag("%s: %s", d->v[i].path, d->v[i].msg);
}

static void test_full(struct ap_path *p)
{
	struct ap_diags d = { 0 };
	struct ap_model m;
	struct ap_host *h = &m.host;
	struct ap_mdev *md;
	struct ap_card *c;
	struct ap_queue *q;
	int r;

	r = ap_read_model(p, AP_RD_ALL, &m, &d);
	is_int(r, AP_READ_OK, "full: read ok");
	if (!is_int((long long)d.n, 0, "full: no diagnostics"))
		dump_diags(&d);
	ok(h->caps.ap_bus && h->caps.vfio_ap && h->caps.masks && h->caps.bindings &&
	   h->caps.bus_features && h->caps.matrix_features && h->caps.guest_matrix &&
	   h->caps.ap_config && h->caps.queue_status && !h->caps.driver_override &&
	   !h->caps.bindings_complete_count, "full: capabilities detected from files");
	ok(h->max_adapter == 255 && h->max_domain == 255 && h->ap_domain == 4,
	   "full: max ids and ap_domain");
	ok(!ap_mask_test(&h->apmask, 6) && ap_mask_test(&h->apmask, 5) &&
	   ap_mask_is_full(&h->aqmask), "full: live masks");
	ok(h->qci_known && ap_mask_weight(&h->cfg_apm) == 2 && ap_mask_test(&h->cfg_aqm, 0x47) &&
	   ap_mask_test(&h->cfg_aqm, 0xff) && ap_mask_weight(&h->cfg_adm) == 4,
	   "full: configuration masks");
	ok(h->bindings_bound == 2 && h->bindings_total == 2 && h->bindings_complete,
	   "full: bindings");
	is_str(h->bus_features, "APSC APXA QACT", "full: bus features");
	is_str(h->matrix_features, "guest_matrix hotplug ap_config", "full: matrix features");
	is_int(h->available_instances, 65535, "full: available_instances");

	is_int((long long)h->n_cards, 2, "full: two cards");
	c = ap_host_find_card(h, 5);
	ok(c && c->hwtype == 13 && c->raw_hwtype == 13 && c->depth == 32 && c->functions_known &&
	   c->functions == 0x92000000u && c->mode == AP_MODE_CCA && c->config == 1 &&
	   c->chkstop == 0 && c->online == 1 && strcmp(c->type, "CEX7C") == 0 &&
	   c->driver == AP_DRV_CEX4CARD, "full: card 05");
	c = ap_host_find_card(h, 6);
	ok(c && c->raw_hwtype == 15 && c->mode == AP_MODE_EP11 && c->online == 0 &&
	   c->config == 1 && c->chkstop == 0 &&
	   strcmp(c->type, "CEX8P") == 0, "full: card 06");
	is_int((long long)h->n_queues, 2, "full: two queues");
	q = ap_host_find_queue(h, 5, 4);
	ok(q && q->driver == AP_DRV_CEX4QUEUE && q->online == 1 && q->config == 1 &&
	   q->status == AP_QS_NONE, "full: queue 05.0004 on cex4queue");
	q = ap_host_find_queue(h, 6, 4);
	ok(q && q->driver == AP_DRV_VFIO_AP && q->online == AP_UNK &&
	   q->status == AP_QS_IN_USE, "full: queue 06.0004 on vfio_ap, in use");

	is_int((long long)m.n_mdevs, 1, "full: one mdev");
	md = ap_model_find_mdev(&m, U1);
	ok(md && md->active && !md->defined && ap_mask_weight(&md->live.apm) == 1 &&
	   ap_mask_test(&md->live.apm, 6) && ap_mask_test(&md->live.aqm, 4) &&
	   ap_mask_test(&md->live.adm, 4), "full: mdev matrix from ap_config");
	ok(md && md->guest_known && ap_mask_test(&md->guest.apm, 6) && md->in_use,
	   "full: guest matrix, in use");
	ok(md && !md->guest_truncated, "full: guest matrix complete");
	ap_model_free(&m);
	ap_diags_free(&d);
}

/* the cost grows with what is asked for */
static void test_cost(struct ap_path *p)
{
	static const struct {
		unsigned int flags;
		unsigned long files, dirs;
		const char *name;
	} cases[] = {
		/* bus: 10 files; dirs: bus/ap + matrix */
		{ 0, 11, 2, "bus only" },
		/* + devices/ap, drivers, cex4card; 8 card files, but config and
		 * chkstop are implied by online 1 (card 05) */
		{ AP_RD_CARDS, 25, 5, "cards" },
		/* + bus/ap/devices, drivers, cex4card, cex4queue, vfio_ap */
		{ AP_RD_QUEUES, 11, 7, "queues (listings only)" },
		/* + online (config, chkstop implied) / config, chkstop, status */
		{ AP_RD_QUEUE_DETAIL, 15, 7, "queue details" },
		/* + available_instances, ap_config; the listing of pending
		 * removals (run/apctl/remove-pending, missing here); the first
		 * mdev's 'migratable' (v1 live migration; missing here) */
		{ AP_RD_MDEVS, 14, 3, "mdevs" },
		/* + guest_matrix, one status */
		{ AP_RD_GUEST, 16, 3, "mdevs with guests" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ap_diags d = { 0 };
		struct ap_model m;

		memset(&p->stats, 0, sizeof(p->stats));
		ap_read_model(p, cases[i].flags, &m, &d);
		ok(p->stats.files_read == cases[i].files && p->stats.dirs_listed == cases[i].dirs &&
		   p->stats.links_read == 0 && d.n == 0, "cost: %s: %lu files, %lu listings",
		   cases[i].name, cases[i].files, cases[i].dirs);
		if (p->stats.files_read != cases[i].files || p->stats.dirs_listed != cases[i].dirs)
			diag("got %lu files, %lu listings", p->stats.files_read,
			     p->stats.dirs_listed);
		if (i == 1)
			ok(m.host.n_cards == 2 && m.host.n_queues == 0 && m.n_mdevs == 0,
			   "cost: cards view has no queues or mdevs");
		ap_model_free(&m);
		ap_diags_free(&d);
	}
}

static void test_bad_files(struct ap_path *p)
{
	struct ap_diags d = { 0 };
	struct ap_model m;
	struct ap_card *c;

	mkfile("devices/ap/card05/hwtype", "abc\n");
	mkfile("devices/ap/card05/ap_functions", "0x9200000\n0");
	rmfile("devices/ap/card06/depth");
	mkfile("bus/ap/ap_domain", "4 \n");
	rmfile("bus/ap/ap_max_domain_id");
	mkfile("bus/ap/bindings", "3/2\n");
	mkfile("devices/vfio_ap/matrix/" U1 "/ap_config", M6 "," M4 "\n");
	/* issue 18: masks the kernel cannot print (kernel-abi.md 1.2) */
	mkfile("bus/ap/apmask", "0xff\n");
	mkfile("bus/ap/aqmask", "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\n");
	mkfile("bus/ap/ap_usage_domain_mask",
	       "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
	ap_read_model(p, AP_RD_ALL, &m, &d);
	ok(has_diag(&d, "bus/ap/apmask", "unexpected content \"0xff\\x0a\" (the kernel prints 0x, "
		    "64 lowercase hex digits and a newline)"), "bad: a short apmask is malformed");
	ok(has_diag(&d, "bus/ap/aqmask", NULL), "bad: an upper case aqmask is malformed");
	ok(has_diag(&d, "bus/ap/ap_usage_domain_mask", NULL) && !m.host.qci_known,
	   "bad: a configuration mask without its newline is malformed");
	mkfile("bus/ap/apmask", NO6);
	mkfile("bus/ap/aqmask", FULL);
	mkfile("bus/ap/ap_usage_domain_mask", CFG_AQM);
	c = ap_host_find_card(&m.host, 5);
	ok(c && c->hwtype == -1 && c->raw_hwtype == 13, "bad: malformed hwtype unknown, rest read");
	ok(has_diag(&d, "/card05/hwtype", "\"abc\\x0a\""),
	   "bad: hwtype diagnostic names file and content");
	ok(c && !c->functions_known && c->mode == AP_MODE_UNKNOWN &&
	   has_diag(&d, "/card05/ap_functions", NULL), "bad: ap_functions with junk refused");
	c = ap_host_find_card(&m.host, 6);
	ok(c && c->depth == -1 && has_diag(&d, "/card06/depth", "missing"),
	   "bad: missing depth reported");
	ok(m.host.ap_domain == -1 && has_diag(&d, "bus/ap/ap_domain", NULL),
	   "bad: ap_domain with a space refused");
	ok(m.host.max_domain_unknown && m.host.max_domain == 255 &&
	   has_diag(&d, "ap_max_domain_id", "the highest domain id is unknown"),
	   "bad: absent ap_max_domain_id is an error: the limit is unknown, not 15");
	ok(!m.host.bindings_complete && m.host.bindings_total == 0 &&
	   has_diag(&d, "bus/ap/bindings", NULL), "bad: bound > total refused");
	ok(m.n_mdevs == 1 && ap_mask_is_empty(&m.mdevs[0].live.apm) &&
	   has_diag(&d, U1 "/ap_config",
		    "\"0x0200000000000000000000000000" "000000000000000000000000000000...\""),
	   "bad: short ap_config refused (content shortened), nothing made up");
	is_int((long long)ap_diags_errors(&d), 10, "bad: exactly the broken files reported");
	if (ap_diags_errors(&d) != 10)
		dump_diags(&d);
	ap_model_free(&m);
	ap_diags_free(&d);
}

/* a guest_matrix the kernel cut at 4095 bytes: 511 lines and a 512th without '\n' */
static void test_truncated_guest(struct ap_path *p)
{
	struct ap_diags d;
	struct ap_model m;
	struct ap_mdev *md;
	char text[4200];
	size_t len = 0;
	unsigned int a, q;

	for (a = 0; a < 2; a++)
		for (q = 0; q < 256; q++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%02x.%04x\n", a, q);
	text[4095] = '\0';	/* the cap: "01.00ff" loses its newline */
	mkfile("devices/vfio_ap/matrix/" U1 "/guest_matrix", text);
	ap_diags_init(&d);
	ap_read_model(p, AP_RD_ALL, &m, &d);
	md = ap_model_find_mdev(&m, U1);
	ok(md && md->guest_known && md->guest_truncated, "cut: guest matrix marked truncated");
	ok(md && ap_mask_weight(&md->guest.aqm) == 256 && ap_mask_test(&md->guest.apm, 0),
	   "cut: what was complete is kept");
	ok(has_diag(&d, U1 "/guest_matrix", "4095"), "cut: diagnostic names the file");
	ap_model_free(&m);
	ap_diags_free(&d);
	mkfile("devices/vfio_ap/matrix/" U1 "/guest_matrix", "06.0004\n");
}

/* a 5.x-like kernel: no features, no ap_config, no guest_matrix, QCI unsupported */
static void test_old_kernel(struct ap_path *p)
{
	struct ap_diags d = { 0 };
	struct ap_model m;
	struct ap_mdev *md;

	mkfile("devices/ap/card05/hwtype", "13\n");
	mkfile("devices/ap/card05/ap_functions", "0x92000000\n");
	mkfile("devices/ap/card06/depth", "8\n");
	mkfile("bus/ap/ap_domain", "4\n");
	mkfile("bus/ap/bindings", "2/2 (complete)\n");
	rmfile("bus/ap/features");
	rmfile("bus/ap/scans");
	/* no APXA: the kernel prints its defaults */
	mkfile("bus/ap/ap_max_adapter_id", "63\n");
	mkfile("bus/ap/ap_max_domain_id", "15\n");
	mkfile("bus/ap/ap_adapter_mask", "not supported\n");
	rmfile("devices/vfio_ap/matrix/features");
	rmfile("devices/vfio_ap/matrix/" U1 "/ap_config");
	rmfile("devices/vfio_ap/matrix/" U1 "/guest_matrix");
	rmfile("devices/ap/card05/chkstop");
	mkfile("devices/vfio_ap/matrix/" U1 "/matrix", "06.0004\n06.00ab\n");
	mkfile("devices/vfio_ap/matrix/" U1 "/control_domains", "0004\n00ff\n");

	is_int(ap_read_model(p, AP_RD_ALL, &m, &d), AP_READ_OK, "old: read ok");
	if (!is_int((long long)d.n, 0, "old: no diagnostics (absent files are expected)"))
		dump_diags(&d);
	ok(!m.host.caps.bus_features && !m.host.caps.matrix_features && !m.host.caps.ap_config &&
	   !m.host.caps.guest_matrix, "old: capabilities absent");
	ok(!m.host.qci_known && ap_mask_is_empty(&m.host.cfg_apm), "old: QCI not supported");
	ok(m.host.max_adapter == 63 && m.host.max_domain == 15, "old: default max ids");
	md = ap_model_find_mdev(&m, U1);
	ok(md && ap_mask_test(&md->live.aqm, 0xab) && ap_mask_weight(&md->live.aqm) == 2 &&
	   ap_mask_test(&md->live.adm, 0xff) && ap_mask_weight(&md->live.adm) == 2,
	   "old: matrix and control_domains parsed");
	ok(md && !md->guest_known && md->in_use, "old: in use from the queue status");
	ap_model_free(&m);
	ap_diags_free(&d);

	/* 512 APQNs: the kernel cuts 'matrix' at 4095 bytes */
	{
		char big[4200];
		size_t n = 0;

		for (int a = 0; a < 2; a++)
			for (int q = 0; q < 256; q++)
				n += (size_t)snprintf(big + n, sizeof(big) - n, "%02x.%04x\n",
						      a, q);
		big[4095] = '\0';
		mkfile("devices/vfio_ap/matrix/" U1 "/matrix", big);
	}
	ap_read_model(p, AP_RD_MDEVS, &m, &d);
	md = ap_model_find_mdev(&m, U1);
	ok(md && ap_mask_test(&md->live.apm, 0) && ap_mask_weight(&md->live.aqm) >= 255 &&
	   d.n == 1 && d.v[0].level == AP_DIAG_WARN && strstr(d.v[0].msg, "4095") &&
	   has_diag(&d, U1 "/matrix", NULL),
	   "old: a cut matrix is read as far as it goes, with a warning");
	if (d.n != 1)
		dump_diags(&d);
	ap_model_free(&m);
	ap_diags_free(&d);
}

static void test_noap(void)
{
	char r2[700], cmd[800];
	struct ap_diags d = { 0 };
	struct ap_model m;
	struct ap_path p;

	snprintf(r2, sizeof(r2), "%s/laptop", root);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sys/bus/pci'", r2);
	if (system(cmd) != 0)
		diag("mkdir failed");
	ap_path_init(&p, r2);
	is_int(ap_read_model(&p, AP_RD_ALL, &m, &d), AP_READ_NOAP, "no AP bus: NOAP");
	ok(!m.host.caps.ap_bus && d.n == 0, "no AP bus: no diagnostics");
	ap_model_free(&m);
	ap_path_fini(&p);
}

int main(void)
{
	struct ap_path p;
	char cmd[700];

	if (!mkdtemp(root))
		return 99;
	unsetenv("SYSFS_ROOT");
	build_tree();
	ap_path_init(&p, root);

	test_full(&p);
	test_cost(&p);
	test_truncated_guest(&p);
	test_bad_files(&p);
	test_old_kernel(&p);
	test_noap();

	ap_path_fini(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("cleanup failed");
	return done_testing();
}

/* SPDX-License-Identifier: MIT */
/*
 * In-process cost of validating one change (core/validate.h), printed as
 * figures (a benchmark, not a test): one mdev create against a model with
 * N mdevctl definitions and no active mdevs, and against the maximal host
 * (256 adapters x 256 domains) with N active mdevs and N definitions, each
 * mdev on an APQN of its own.  For comparison, the whole audit (apctl
 * check's ap_validate with AP_REQ_NONE) of the same model.
 *   bench-validate [N] [RUNS]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/model.h"
#include "core/request.h"
#include "core/validate.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void host(struct ap_model *m)
{
	ap_model_init(m);
	m->host.caps.ap_bus = m->host.caps.vfio_ap = m->host.caps.masks = true;
	m->host.caps.guest_matrix = m->host.caps.ap_config = m->host.caps.queue_status = true;
	m->host.max_adapter = m->host.max_domain = 255;
	m->host.qci_known = true;
	ap_mask_fill(&m->host.cfg_apm);
	ap_mask_fill(&m->host.cfg_aqm);
	ap_mask_fill(&m->host.cfg_adm);
	/* every adapter reserved for vfio_ap */
	ap_mask_zero(&m->host.apmask);
	ap_mask_fill(&m->host.aqmask);
	m->host.persist_apmask = m->host.apmask;
	m->host.persist_aqmask = m->host.aqmask;
	m->host.persist_apmask_set = true;
}

/* mdev k on APQN (k % 256, k / 256) */
static void add(struct ap_model *m, unsigned int k, bool active, bool defined)
{
	char uuid[AP_UUID_STRLEN];
	struct ap_mdev *d;
	struct ap_matrix x;

	snprintf(uuid, sizeof(uuid), "%08x-0000-4000-8000-%012x", k, k);
	memset(&x, 0, sizeof(x));
	ap_mask_set(&x.apm, k % 256);
	ap_mask_set(&x.aqm, k / 256);
	d = ap_model_get_mdev(m, uuid);
	if (!d)
		exit(1);
	if (active) {
		d->active = true;
		d->live = x;
	}
	if (defined) {
		d->defined = true;
		d->def = x;
	}
}

static double median(const struct ap_model *m, const struct ap_request *r, int runs)
{
	double *v = malloc((size_t)runs * sizeof(*v)), res;

	for (int i = 0; i < runs; i++) {
		struct ap_problems p;
		double t0 = now_ms();

		if (ap_validate(m, r, &p))
			exit(1);
		v[i] = now_ms() - t0;
		ap_problems_free(&p);
	}
	qsort(v, (size_t)runs, sizeof(*v), cmp_d);
	res = v[runs / 2];
	free(v);
	return res;
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : 1000;
	int runs = argc > 2 ? atoi(argv[2]) : 101;
	struct ap_request create, none;
	struct ap_model m;

	ap_request_init(&create, AP_REQ_MDEV_CREATE);
	create.active = true;
	snprintf(create.uuid, sizeof(create.uuid), "ffffffff-0000-4000-8000-000000000000");
	ap_mask_set(&create.matrix.apm, 7);
	ap_mask_set(&create.matrix.aqm, 200);
	ap_request_init(&none, AP_REQ_NONE);

	printf("%-58s %12s\n", "in-process validation (median of runs)", "ms");
	host(&m);
	printf("%-58s %12.4f\n", "mdev create, no mdevs", median(&m, &create, runs));
	for (unsigned int k = 0; k < n; k++)
		add(&m, k, false, true);
	printf("%-58s %12.4f\n", "mdev create, N definitions, no active mdevs",
	       median(&m, &create, runs));
	printf("%-58s %12.4f\n", "  (whole audit of that model: check)", median(&m, &none, 11));
	ap_model_free(&m);
	host(&m);
	for (unsigned int k = 0; k < n; k++) {
		add(&m, k, true, false);
		add(&m, n + k, false, true);
	}
	printf("%-58s %12.4f\n", "mdev create, maximal host, N active + N definitions",
	       median(&m, &create, runs));
	printf("%-58s %12.4f\n", "  (whole audit of that model: check)", median(&m, &none, 11));
	ap_model_free(&m);
	printf("N = %u, runs = %d\n", n, runs);
	return 0;
}

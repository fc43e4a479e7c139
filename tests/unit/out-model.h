/* SPDX-License-Identifier: MIT */
/*
 * The three-guest host of the AP documentation as a constructed model, for
 * the output tests: adapters 5 (CEX7C, cca) and 6 (CEX8P, ep11), domains 4,
 * 0x47, 0xab, 0xff; adapters 5 and 6 reserved for vfio_ap; three mdevs:
 *   U1 adapters 5,6 domains 4,0xab (control 4), a guest attached, autostart
 *   U2 adapter 5 domains 0x47,0xff, active and defined (the definition differs)
 *   U3 adapter 6 domains 0x47,0xff, defined only
 */
#ifndef TEST_OUT_MODEL_H
#define TEST_OUT_MODEL_H

#include <string.h>

#include "core/model.h"

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"
#define U3 "33333333-3333-4333-8333-333333333333"

static const unsigned int doms[] = { 0x04, 0x47, 0xab, 0xff };

static inline void mx_set(struct ap_matrix *mx, const unsigned int *a, size_t na,
			  const unsigned int *d, size_t nd, const unsigned int *c, size_t nc)
{
	size_t i;

	memset(mx, 0, sizeof(*mx));
	for (i = 0; i < na; i++)
		ap_mask_set(&mx->apm, a[i]);
	for (i = 0; i < nd; i++)
		ap_mask_set(&mx->aqm, d[i]);
	for (i = 0; i < nc; i++)
		ap_mask_set(&mx->adm, c[i]);
}

static inline void build_three_guests(struct ap_model *m)
{
	static const unsigned int a56[] = { 5, 6 }, a5[] = { 5 }, a6[] = { 6 };
	static const unsigned int d1[] = { 0x04, 0xab }, d2[] = { 0x47, 0xff }, c1[] = { 4 };
	struct ap_host *h = &m->host;
	struct ap_card *c;
	struct ap_queue *q;
	struct ap_mdev *md;
	size_t i, j;

	ap_model_init(m);
	h->caps.ap_bus = h->caps.vfio_ap = h->caps.masks = h->caps.bindings = true;
	h->caps.guest_matrix = h->caps.ap_config = h->caps.queue_status = true;
	h->caps.matrix_features = true;
	strcpy(h->matrix_features, "guest_matrix hotplug ap_config");
	h->max_adapter = h->max_domain = 255;
	h->qci_known = true;
	ap_mask_set(&h->cfg_apm, 5);
	ap_mask_set(&h->cfg_apm, 6);
	for (i = 0; i < 4; i++) {
		ap_mask_set(&h->cfg_aqm, doms[i]);
		ap_mask_set(&h->cfg_adm, doms[i]);
	}
	ap_mask_fill(&h->apmask);
	ap_mask_clear(&h->apmask, 5);
	ap_mask_clear(&h->apmask, 6);
	ap_mask_fill(&h->aqmask);
	h->ap_domain = 4;
	h->available_instances = 65534;
	for (i = 5; i <= 6; i++) {
		c = ap_host_add_card(h, (unsigned int)i);
		c->hwtype = i == 5 ? 13 : 14;
		c->raw_hwtype = c->hwtype;
		c->depth = 8;
		c->functions_known = true;
		c->functions = i == 5 ? 0x92000000 : 0x94000000;
		c->mode = i == 5 ? AP_MODE_CCA : AP_MODE_EP11;
		strcpy(c->type, i == 5 ? "CEX7C" : "CEX8P");
		c->config = 1;
		c->chkstop = 0;
		c->online = 1;
		c->driver = AP_DRV_CEX4CARD;
		for (j = 0; j < 4; j++) {
			q = ap_host_add_queue(h, (unsigned int)i, doms[j]);
			q->driver = AP_DRV_VFIO_AP;
			q->config = 1;
			q->chkstop = 0;
			q->online = AP_UNK;
			q->status = AP_QS_ASSIGNED;
		}
	}
	h->bindings_bound = h->bindings_total = 8;
	h->bindings_complete = true;

	md = ap_model_get_mdev(m, U1);
	md->active = md->defined = md->autostart = true;
	mx_set(&md->live, a56, 2, d1, 2, c1, 1);
	md->def = md->live;
	md->guest_known = true;
	md->guest = md->live;
	memset(&md->guest.adm, 0, sizeof(md->guest.adm));
	md->in_use = true;
	md = ap_model_get_mdev(m, U2);
	md->active = md->defined = true;
	mx_set(&md->live, a5, 1, d2, 2, NULL, 0);
	mx_set(&md->def, a5, 1, d2, 1, NULL, 0);
	md->guest_known = true;
	md->guest = md->live;
	md = ap_model_get_mdev(m, U3);
	md->defined = true;
	mx_set(&md->def, a6, 1, d2, 2, NULL, 0);
	/* U1's queues are in use by its guest */
	for (i = 0; i < h->n_queues; i++) {
		q = &h->queues[i];
		if ((q->apqi == 0x04 || q->apqi == 0xab))
			q->status = AP_QS_IN_USE;
		if (q->apid == 6 && (q->apqi == 0x47 || q->apqi == 0xff))
			q->status = AP_QS_UNASSIGNED;
	}
	ap_model_sort(m);
}

#endif

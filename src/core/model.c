/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/model.h"

void ap_model_init(struct ap_model *m)
{
	memset(m, 0, sizeof(*m));
	m->host.max_adapter = 63;
	m->host.max_domain = 15;
	/* the kernel's default masks: everything belongs to the host */
	ap_mask_fill(&m->host.apmask);
	ap_mask_fill(&m->host.aqmask);
	/* and at the next boot, unless a rule or the command line says otherwise */
	ap_mask_fill(&m->host.persist_apmask);
	ap_mask_fill(&m->host.persist_aqmask);
	m->host.ap_domain = -1;
	m->host.available_instances = -1;
}

void ap_model_free(struct ap_model *m)
{
	free(m->host.cards);
	free(m->host.queues);
	free(m->mdevs);
	free(m->baddefs);
	ap_model_init(m);
}

int ap_model_add_baddef(struct ap_model *m, const struct ap_baddef *bd)
{
	struct ap_baddef *v = realloc(m->baddefs, (m->n_baddefs + 1) * sizeof(*v));

	if (!v)
		return -1;
	m->baddefs = v;
	v[m->n_baddefs++] = *bd;
	return 0;
}

const struct ap_baddef *ap_model_find_baddef(const struct ap_model *m, const char *uuid)
{
	for (size_t i = 0; i < m->n_baddefs; i++)
		if (!strcmp(m->baddefs[i].uuid, uuid))
			return &m->baddefs[i];
	return NULL;
}

/*
 * Make room for one element at index pos of a sorted dynamic array.
 * Returns the element (zeroed) or NULL when memory is short.
 */
/*
 * The allocated length is a function of the element count, so the arrays
 * need no capacity field: 0 for an empty array, else the next power of two
 * at least 8.  Growing one element at a time would copy the whole array at
 * each insertion (65536 queues on a maximal host).
 */
static size_t capacity(size_t n)
{
	size_t c = 8;

	if (n == 0)
		return 0;
	while (c < n)
		c *= 2;
	return c;
}

static void *insert_at(void **arr, size_t *n, size_t size, size_t pos)
{
	char *p = *arr;

	if (*n + 1 > capacity(*n)) {
		p = realloc(*arr, capacity(*n + 1) * size);
		if (!p)
			return NULL;
		*arr = p;
	}
	memmove(p + (pos + 1) * size, p + pos * size, (*n - pos) * size);
	memset(p + pos * size, 0, size);
	(*n)++;
	return p + pos * size;
}

/* index of the first element not less than the key (binary search) */
#define LOWER_BOUND(arr, n, less)					\
	({								\
		size_t lo_ = 0, hi_ = (n);				\
		while (lo_ < hi_) {					\
			size_t mid_ = lo_ + (hi_ - lo_) / 2;		\
			if (less(&(arr)[mid_]))				\
				lo_ = mid_ + 1;				\
			else						\
				hi_ = mid_;				\
		}							\
		lo_;							\
	})

/* "element e sorts before the key" for each array (the key is a local) */
#define MDEV_LESS(e)	(strcmp((e)->uuid, uuid) < 0)
#define CARD_LESS(e)	((e)->id < id)
#define QUEUE_LESS(e)	((e)->apid < apid || ((e)->apid == apid && (e)->apqi < apqi))

struct ap_mdev *ap_model_find_mdev(const struct ap_model *m, const char *uuid)
{
	size_t i = LOWER_BOUND(m->mdevs, m->n_mdevs, MDEV_LESS);

	if (i < m->n_mdevs && !strcmp(m->mdevs[i].uuid, uuid))
		return &m->mdevs[i];
	return NULL;
}

struct ap_mdev *ap_model_get_mdev(struct ap_model *m, const char *uuid)
{
	size_t i = LOWER_BOUND(m->mdevs, m->n_mdevs, MDEV_LESS);
	struct ap_mdev *d;

	if (i < m->n_mdevs && !strcmp(m->mdevs[i].uuid, uuid))
		return &m->mdevs[i];
	d = insert_at((void **)&m->mdevs, &m->n_mdevs, sizeof(*d), i);
	if (!d)
		return NULL;
	/* uuid is at most 36 characters; longer input is cut */
	strncpy(d->uuid, uuid, AP_UUID_STRLEN - 1);
	d->migratable = AP_UNK;	/* the reader sets it where the kernel has it */
	return d;
}

struct ap_card *ap_host_find_card(const struct ap_host *h, unsigned int id)
{
	size_t i = LOWER_BOUND(h->cards, h->n_cards, CARD_LESS);

	if (i < h->n_cards && h->cards[i].id == id)
		return &h->cards[i];
	return NULL;
}

struct ap_card *ap_host_add_card(struct ap_host *h, unsigned int id)
{
	size_t i = LOWER_BOUND(h->cards, h->n_cards, CARD_LESS);
	struct ap_card *c;

	if (i < h->n_cards && h->cards[i].id == id)
		return &h->cards[i];
	c = insert_at((void **)&h->cards, &h->n_cards, sizeof(*c), i);
	if (!c)
		return NULL;
	c->id = id;
	c->hwtype = c->raw_hwtype = c->depth = -1;
	c->config = c->chkstop = c->online = AP_UNK;
	return c;
}

struct ap_queue *ap_host_find_queue(const struct ap_host *h, unsigned int apid,
				    unsigned int apqi)
{
	size_t i = LOWER_BOUND(h->queues, h->n_queues, QUEUE_LESS);

	if (i < h->n_queues && h->queues[i].apid == apid && h->queues[i].apqi == apqi)
		return &h->queues[i];
	return NULL;
}

struct ap_queue *ap_host_add_queue(struct ap_host *h, unsigned int apid, unsigned int apqi)
{
	size_t i = LOWER_BOUND(h->queues, h->n_queues, QUEUE_LESS);
	struct ap_queue *q;

	if (i < h->n_queues && h->queues[i].apid == apid && h->queues[i].apqi == apqi)
		return &h->queues[i];
	q = insert_at((void **)&h->queues, &h->n_queues, sizeof(*q), i);
	if (!q)
		return NULL;
	q->apid = apid;
	q->apqi = apqi;
	q->config = q->chkstop = q->online = AP_UNK;
	return q;
}

#undef MDEV_LESS
#undef CARD_LESS
#undef QUEUE_LESS

static int card_cmp(const void *a, const void *b)
{
	const struct ap_card *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int queue_cmp(const void *a, const void *b)
{
	const struct ap_queue *x = a, *y = b;

	if (x->apid != y->apid)
		return (x->apid > y->apid) - (x->apid < y->apid);
	return (x->apqi > y->apqi) - (x->apqi < y->apqi);
}

static int mdev_cmp(const void *a, const void *b)
{
	const struct ap_mdev *x = a, *y = b;

	return strcmp(x->uuid, y->uuid);
}

void ap_model_sort(struct ap_model *m)
{
	if (m->host.n_cards > 1)
		qsort(m->host.cards, m->host.n_cards, sizeof(*m->host.cards), card_cmp);
	if (m->host.n_queues > 1)
		qsort(m->host.queues, m->host.n_queues, sizeof(*m->host.queues), queue_cmp);
	if (m->n_mdevs > 1)
		qsort(m->mdevs, m->n_mdevs, sizeof(*m->mdevs), mdev_cmp);
}

bool ap_matrix_equal(const struct ap_matrix *a, const struct ap_matrix *b)
{
	return ap_mask_equal(&a->apm, &b->apm) && ap_mask_equal(&a->aqm, &b->aqm) &&
	       ap_mask_equal(&a->adm, &b->adm);
}

bool ap_host_owns(const struct ap_host *h, unsigned int apid, unsigned int apqi)
{
	return ap_mask_test(&h->apmask, apid) && ap_mask_test(&h->aqmask, apqi);
}

enum ap_mode ap_mode_from_functions(uint32_t functions)
{
	if (functions & AP_FUNC_ACCEL)
		return AP_MODE_ACCEL;
	if (functions & AP_FUNC_CCA)
		return AP_MODE_CCA;
	if (functions & AP_FUNC_EP11)
		return AP_MODE_EP11;
	return AP_MODE_UNKNOWN;
}

/* remove element e of an array of n elements of size bytes */
static void remove_at(void *arr, size_t *n, size_t size, const void *e)
{
	size_t pos = (size_t)((const char *)e - (const char *)arr) / size;

	memmove((char *)arr + pos * size, (char *)arr + (pos + 1) * size, (*n - pos - 1) * size);
	(*n)--;
}

void ap_model_drop_mdev(struct ap_model *m, struct ap_mdev *md)
{
	remove_at(m->mdevs, &m->n_mdevs, sizeof(*md), md);
}

void ap_host_drop_card(struct ap_host *h, struct ap_card *c)
{
	remove_at(h->cards, &h->n_cards, sizeof(*c), c);
}

void ap_host_drop_queue(struct ap_host *h, struct ap_queue *q)
{
	remove_at(h->queues, &h->n_queues, sizeof(*q), q);
}

const char *ap_mode_name(enum ap_mode m)
{
	switch (m) {
	case AP_MODE_ACCEL:
		return "accel";
	case AP_MODE_CCA:
		return "cca";
	case AP_MODE_EP11:
		return "ep11";
	case AP_MODE_UNKNOWN:
	default:
		return NULL;
	}
}

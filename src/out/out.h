/* SPDX-License-Identifier: MIT */
/*
 * The output layer: one table of column descriptors per kind of object
 * (card, queue, mdev) feeds both renderers.  Text goes through libsmartcols
 * (widths, --raw, --noheadings, -o with +COL); JSON is built with json-c from
 * the model objects through the same descriptors, never from the rendered
 * table.  The JSON document carries "api_level" and apctl's version and is
 * described by schema/apctl.schema.json.
 */
#ifndef APCTL_OUT_OUT_H
#define APCTL_OUT_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>
#include <libsmartcols.h>

#include "core/apmask.h"
#include "core/model.h"

/* bumped when a key changes meaning or disappears (adding keys does not) */
#define APCTL_API_LEVEL 1

/* ---- ids ---------------------------------------------------------------- */

enum ap_idfmt {
	AP_IDS_DEC,	/* "4,71,171,255", "0-255" */
	AP_IDS_ADAPTER,	/* lszcrypt style: "05-06", "00-ff" */
	AP_IDS_DOMAIN,	/* "0004,0047,00ab,00ff" */
};

/* the set as a comma-separated range list; malloc'd, "" for the empty set;
 * NULL only on allocation failure */
char *ap_out_idlist(const struct ap_mask *m, enum ap_idfmt f);

/* ---- the environment the getters see ------------------------------------ */

struct ap_out_env {
	const struct ap_model *m;
};

/* 1-based index of an mdev in m->mdevs (the legend numbers), 0 if absent */
size_t ap_out_mdev_index(const struct ap_out_env *env, const struct ap_mdev *md);

/* ---- column descriptors ------------------------------------------------- */

enum ap_jtype {
	AP_J_STRING,
	AP_J_NUMBER,
	AP_J_BOOLEAN,
	AP_J_ARRAY,
	AP_J_OBJECT,
};

struct ap_col {
	const char *name;	/* header and -o name; NULL: in JSON only */
	const char *help;	/* N_() text for --help */
	double whint;		/* libsmartcols width hint */
	int flags;		/* SCOLS_FL_* */
	const char *json_key;	/* NULL: in the table only */
	enum ap_jtype jtype;	/* JSON type (null is always allowed) */
	/* table cell: malloc'd text or NULL for an empty cell */
	char *(*text)(const struct ap_out_env *env, const void *obj);
	/* JSON value: new object, or NULL for JSON null */
	struct json_object *(*json)(const struct ap_out_env *env, const void *obj);
	/* AP_NEED_*: what must be read for this column beyond the object itself */
	unsigned int needs;
};

/* what a column needs read (the commands map these to reader flags) */
#define AP_NEED_CARDS		0x01	/* card attributes (type, mode) */
#define AP_NEED_QUEUES		0x02	/* the queue devices and their drivers */
#define AP_NEED_QUEUE_DETAIL	0x04	/* per-queue attributes (status, online, ...) */
#define AP_NEED_MDEVS		0x08	/* active mdevs */
#define AP_NEED_GUEST		0x10	/* guest_matrix and whether a guest uses it */
#define AP_NEED_DEFS		0x20	/* mdevctl definitions */
#define AP_NEED_QFUNC		0x40	/* ap_functions of the queues bound to vfio_ap */

struct ap_colset {
	const char *what;		/* "cards": the command's noun, for messages */
	const struct ap_col *cols;
	size_t n;
	const char *defaults;		/* comma-separated default column names */
};

extern const struct ap_colset ap_card_cols;
extern const struct ap_colset ap_queue_cols;
/* 'show mdevs', 'mdev list' and the summary: one table, one default */
extern const struct ap_colset ap_mdev_cols;

#define AP_COLSEL_MAX 64

struct ap_colsel {
	size_t idx[AP_COLSEL_MAX];
	size_t n;
};

/*
 * Columns from an -o argument: NULL gives the defaults, "A,B" exactly A and
 * B, "+A,B" the defaults followed by A and B.  Names are matched without
 * regard to case.  Returns 0, or -1 with *bad pointing into a malloc'd copy
 * of the offending name (the caller frees it) or NULL for an empty list.
 */
int ap_colsel_parse(const struct ap_colset *cs, const char *spec, struct ap_colsel *sel,
		    char **bad);
/* what the selected columns need (AP_NEED_*) */
unsigned int ap_colsel_needs(const struct ap_colset *cs, const struct ap_colsel *sel);
/* what every column with a JSON key needs */
unsigned int ap_colset_json_needs(const struct ap_colset *cs);
/* "Available output columns:" block of a usage text */
void ap_colset_usage(FILE *out, const struct ap_colset *cs);

struct ap_table_opts {
	bool raw;
	bool noheadings;
};

/* new table with the selected columns, or NULL on allocation failure */
struct libscols_table *ap_table_new(const struct ap_colset *cs, const struct ap_colsel *sel,
				    const struct ap_table_opts *o);
/* one line for obj; 0 or -ENOMEM */
int ap_table_add(struct libscols_table *tb, const struct ap_colset *cs,
		 const struct ap_colsel *sel, const struct ap_out_env *env, const void *obj);

/* ---- JSON ---------------------------------------------------------------- */

/* {"api_level": N, "version": "x.y.z", "view": view} */
struct json_object *ap_json_doc_new(const char *view);
/*
 * How documents are printed: pretty (two-space indent) or compact (one
 * line); AP_JSON_AUTO is pretty when the stream is a terminal.
 */
enum ap_json_style { AP_JSON_AUTO, AP_JSON_PRETTY, AP_JSON_COMPACT };
void ap_json_set_style(enum ap_json_style style);
/* the argument of --json (NULL: auto); 0, or -1 for an unknown word */
int ap_json_parse_style(const char *arg, enum ap_json_style *style);
/* the document's text in the style, for 'out' (owned by doc) */
const char *ap_json_text(struct json_object *doc, FILE *out);
/* the document in the style, final newline; 0 or -1 (errno set) */
int ap_json_print(struct json_object *doc, FILE *out);
/* every column of cs that has a json_key */
struct json_object *ap_json_from_cols(const struct ap_colset *cs,
				      const struct ap_out_env *env, const void *obj);
/* {"mask": "0x..", "ids": [..], "ranges": "5-6", "hex_ranges": "05-06"}: f says
 * whether the ids are adapters (2 hex digits) or domains (4) */
struct json_object *ap_json_mask(const struct ap_mask *m, enum ap_idfmt f);
/* {"adapter": 5, "domain": 71, "apqn": "05.0047"} */
struct json_object *ap_json_apqn(unsigned int apid, unsigned int apqi);
/* the APQNs of apm x aqm, adapter-major */
struct json_object *ap_json_apqns(const struct ap_mask *apm, const struct ap_mask *aqm);
/* {"adapters": MASK, "domains": MASK, "control_domains": MASK, "apqns": [..]} */
struct json_object *ap_json_matrix(const struct ap_matrix *mx, bool with_adm);
/* {"id": 5, "name": "05"} etc. */
struct json_object *ap_json_string_or_null(const char *s);

/* ---- names of model values (machine words, not translated) -------------- */

const char *ap_out_driver_name(enum ap_driver d);	/* NULL for none */
const char *ap_out_mode_name(enum ap_mode m);		/* "cca", NULL if unknown */
const char *ap_out_qstatus_name(enum ap_qstatus s);	/* NULL for none */
/* card state word: online, offline, deconfigured, checkstopped, unknown */
const char *ap_out_card_state(const struct ap_card *c);
/* queue state word (see the column help) */
const char *ap_out_queue_state(const struct ap_queue *q);
/* mdev state word: active, defined, both */
const char *ap_out_mdev_state(const struct ap_mdev *md);
/* the matrix to show for an mdev: live if active, else its definition */
const struct ap_matrix *ap_out_mdev_matrix(const struct ap_mdev *md);
/* an active mdev whose guest cannot be known: no guest_matrix and no queue
 * status (kernels before 5.17) */
bool ap_out_guest_unknown(const struct ap_out_env *env, const struct ap_mdev *md);
/* active and defined, and the definition is not the live matrix */
bool ap_out_mdev_differs(const struct ap_mdev *md);

/* ---- the ownership grid of 'show matrix' and the guest filter reasons ---- */

enum ap_cell_kind {
	AP_CELL_UNCONFIGURED,	/* not in the host configuration, nobody's: "-" */
	AP_CELL_HOST,		/* host-owned (apmask and aqmask bits): "H" */
	AP_CELL_FREE,		/* in the vfio_ap pool, not assigned: "." */
	AP_CELL_DEFINED,	/* only named by the definition of mdev N: "(N)" */
	AP_CELL_MDEV,		/* assigned to active mdev N: "N" */
	AP_CELL_GUEST,		/* assigned to N and used by its guest: "N*" */
	AP_CELL_OVERPROV,	/* assigned to N, not in the host configuration: "N?" */
	AP_CELL_CONFLICT,	/* two mdevs, or an mdev and the host: "!" */
};

struct ap_cell {
	enum ap_cell_kind kind;
	size_t mdev;		/* 1-based index of the (first) mdev, 0 for none */
};

/* rows and columns that matter: configured or assigned (live or defined) */
void ap_grid_axes(const struct ap_model *m, struct ap_mask *rows, struct ap_mask *cols);
/* one cell, from the core's ownership (core/owner.h) */
void ap_grid_cell(const struct ap_model *m, unsigned int apid, unsigned int apqi,
		  struct ap_cell *c);
/* the same from an ownership grid entry (kind, AP_OWNF_* flags, first) */
void ap_grid_cell_from(const struct ap_model *m, unsigned int kind, unsigned int flags,
		       size_t first, struct ap_cell *c);
/* the short cell text ("H", ".", "3*"); buf of at least 16 bytes */
const char *ap_cell_text(const struct ap_cell *c, char *buf, size_t sz);
/* machine word: unconfigured, host, free, defined, mdev, guest, overprovisioned, conflict */
const char *ap_cell_kind_name(enum ap_cell_kind k);

/* why an assigned APQN of an active mdev is not in its guest_matrix */
enum ap_guest_reason {
	AP_GR_PASSED = 0,		/* it is in guest_matrix */
	AP_GR_NO_GUEST_MATRIX,		/* the kernel has no guest_matrix (< 6.0) */
	AP_GR_ADAPTER_NOT_CONFIGURED,	/* adapter not in the host configuration */
	AP_GR_DOMAIN_NOT_CONFIGURED,	/* domain not in the host configuration */
	AP_GR_NOT_BOUND,		/* no queue device, or not bound to vfio_ap */
	AP_GR_ADAPTER_NOT_PASSABLE,	/* another queue of the adapter is not passable */
	AP_GR_FILTERED,			/* none of the above: the kernel's filter state */
	AP_GR_GUEST_CUT,		/* guest_matrix hit the kernel's 4095-byte cap */
};

/* *other: the APQN's domain that makes the adapter not passable */
enum ap_guest_reason ap_guest_reason(const struct ap_model *m, const struct ap_mdev *md,
				     unsigned int apid, unsigned int apqi,
				     unsigned int *other);
const char *ap_guest_reason_name(enum ap_guest_reason r);

#endif

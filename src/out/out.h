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
};

struct ap_colset {
	const char *what;		/* "cards": the command's noun, for messages */
	const struct ap_col *cols;
	size_t n;
	const char *defaults;		/* comma-separated default column names */
};

extern const struct ap_colset ap_card_cols;
extern const struct ap_colset ap_queue_cols;
extern const struct ap_colset ap_mdev_cols;
/* the mdev columns with the defaults of 'apctl mdev list' */
extern const struct ap_colset ap_mdev_list_cols;

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
/* pretty-printed, two-space indent, final newline; 0 or -1 (errno set) */
int ap_json_print(struct json_object *doc, FILE *out);
/* every column of cs that has a json_key */
struct json_object *ap_json_from_cols(const struct ap_colset *cs,
				      const struct ap_out_env *env, const void *obj);
/* {"mask": "0x..", "ids": [..], "ranges": "5-6"} */
struct json_object *ap_json_mask(const struct ap_mask *m);
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
/* active and defined, and the definition is not the live matrix */
bool ap_out_mdev_differs(const struct ap_mdev *md);

#endif

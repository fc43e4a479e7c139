/* SPDX-License-Identifier: MIT */
/*
 * An event of the AP bus or vfio_ap, and what it means for owners and
 * guests.  Pure: the event is given (src/sys/uevent.c fills it), the model
 * is given (the parts the event touches re-read by the caller), the result
 * is a sentence and a JSON-ready record.
 */
#ifndef APCTL_CORE_EVENT_H
#define APCTL_CORE_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

#define AP_EV_MAXPROP 16

enum ap_ev_source {
	AP_EVS_UEVENT = 0,	/* a uevent from udev */
	AP_EVS_FILE,		/* a definition or rule file changed */
	AP_EVS_POLL,		/* a change found by re-reading (no uevent exists) */
	AP_EVS_OVERFLOW,	/* events were lost; the model was read again */
};

struct ap_event {
	enum ap_ev_source source;
	char action[16];		/* add, remove, change, bind, unbind, ... */
	char devpath[160];		/* /devices/ap/card05/05.0004 (uevents) */
	char subsystem[16];		/* ap, matrix, mdev */
	char props[AP_EV_MAXPROP][160];	/* KEY=VALUE, as received */
	size_t n_props;
	char file[320];			/* AP_EVS_FILE: the path that changed */
};

/* the value of property key, or NULL */
const char *ap_event_prop(const struct ap_event *ev, const char *key);

enum ap_ev_kind {
	AP_EVK_IGNORED = 0,	/* not about the AP bus or vfio_ap: print nothing */
	AP_EVK_MASK,
	AP_EVK_BINDINGS,
	AP_EVK_INITSCAN,
	AP_EVK_CONFIG,
	AP_EVK_ONLINE,
	AP_EVK_DEVICE_ADD,
	AP_EVK_DEVICE_REMOVE,
	AP_EVK_BIND,
	AP_EVK_UNBIND,
	AP_EVK_MDEV_ADD,
	AP_EVK_MDEV_REMOVE,
	AP_EVK_MATRIX,		/* the matrix device registered / unregistered */
	AP_EVK_ASSIGN,		/* an mdev's assignments changed (found by re-reading) */
	AP_EVK_GUEST,		/* an mdev's guest matrix changed */
	AP_EVK_DEFINITION,	/* an mdevctl definition written or removed */
	AP_EVK_RULE,		/* a udev rule file changed */
	AP_EVK_RESYNC,		/* events were lost; the model was read again */
	AP_EVK_OTHER,		/* of the AP bus, but nothing apctl explains */
};

/* the JSON name of a kind ("mask", "bindings", ...) */
const char *ap_event_kind_name(enum ap_ev_kind k);

/* what the devpath names */
struct ap_ev_object {
	int apid, apqi;		/* -1 when not part of it */
	char uuid[AP_UUID_STRLEN];	/* an mdev, "" none */
};

/*
 * Classify a uevent: its kind and object (apid/apqi/uuid from the devpath).
 * AP_EVK_IGNORED for devices apctl does not watch.
 */
enum ap_ev_kind ap_event_classify(const struct ap_event *ev, struct ap_ev_object *obj);

/* the APQNs that leave (or join) a guest: per mdev */
struct ap_ev_guest {
	char uuid[AP_UUID_STRLEN];
	char apqns[256];	/* "05.0004, 05.00ab" (cut with ", ..." when long) */
	size_t n;
};

#define AP_EV_MAXGUESTS 8

struct ap_ev_note {
	enum ap_ev_kind kind;
	struct ap_ev_object obj;
	char what[320];		/* translated: what happened */
	char effect[640];	/* translated: its consequence ("" none) */
	/* mask events: the ids whose ownership changed */
	char to_vfio[160], to_host[160];	/* "07, 08" lists ("" none) */
	bool apmask;		/* which mask */
	struct ap_ev_guest leave[AP_EV_MAXGUESTS];
	size_t n_leave;
	unsigned long complete_count;	/* BINDINGS */
};

/*
 * Explain a classified event against the model before it (old) and after
 * (cur, with the touched part re-read).  For a mask event old's masks are
 * compared with the value the event carries (cur may equal old).
 */
void ap_event_explain(const struct ap_event *ev, enum ap_ev_kind kind,
		      const struct ap_ev_object *obj, const struct ap_model *old,
		      const struct ap_model *cur, struct ap_ev_note *note);

/*
 * Compare two mdev records (assignments, guest matrix): fills note with an
 * AP_EVK_ASSIGN or AP_EVK_GUEST explanation; false when nothing changed.
 */
bool ap_event_mdev_diff(const struct ap_mdev *old, const struct ap_mdev *cur,
			struct ap_ev_note *note);

#endif

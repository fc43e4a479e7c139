/* SPDX-License-Identifier: MIT */
/*
 * The in-memory picture of one host: its AP configuration, masks, cards,
 * queues and every vfio_ap mediated device (active in sysfs and/or defined
 * for mdevctl).  Filled by src/sys (reader), consumed by validation,
 * planning and output.  Pure data and pure functions: no I/O here.
 */
#ifndef APCTL_CORE_MODEL_H
#define APCTL_CORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/apmask.h"

#define AP_UUID_STRLEN 37	/* 36 characters + NUL */

enum ap_driver {
	AP_DRV_NONE = 0,	/* no driver bound */
	AP_DRV_CEX4CARD,
	AP_DRV_CEX4QUEUE,
	AP_DRV_VFIO_AP,
	AP_DRV_OTHER,		/* bound, but to a driver apctl does not know */
};

enum ap_mode {
	AP_MODE_UNKNOWN = 0,
	AP_MODE_ACCEL,
	AP_MODE_CCA,
	AP_MODE_EP11,
};

/* the vfio_ap queue 'status' attribute */
enum ap_qstatus {
	AP_QS_NONE = 0,		/* not bound to vfio_ap, or no status file */
	AP_QS_UNASSIGNED,
	AP_QS_ASSIGNED,
	AP_QS_IN_USE,
};

/* tri-state values read from 0/1 sysfs files; AP_UNK when not readable */
#define AP_UNK ((int8_t)-1)

struct ap_card {
	unsigned int id;
	int hwtype;		/* compatible type 10..14 (CEX4..CEX8), -1 unknown */
	int raw_hwtype;		/* -1 unknown */
	int depth;		/* -1 unknown */
	bool functions_known;
	uint32_t functions;	/* ap_functions word */
	enum ap_mode mode;	/* from functions */
	char type[16];		/* cex4card 'type' such as "CEX7C", "" if unknown */
	int8_t config, chkstop, online;
	enum ap_driver driver;
};

struct ap_queue {
	unsigned int apid, apqi;
	enum ap_driver driver;
	int8_t config, chkstop, online;	/* online only while bound to cex4queue */
	enum ap_qstatus status;		/* only while bound to vfio_ap */
	char driver_override[32];	/* "" when unset or not supported */
	/* driverctl's saved override /etc/driverctl.d/ap-AA.DDDD (its first
	 * line; "" when there is none), which it sets again at boot */
	char saved_override[32];
	/* ap_functions of a queue a running guest uses (AP_RD_QFUNC): the
	 * card's word plus the Secure Execution bind state */
	bool functions_known;
	uint32_t functions;
};

/* What the running kernel offers, detected from files that exist. */
struct ap_caps {
	bool ap_bus;		/* /sys/bus/ap exists */
	bool vfio_ap;		/* /sys/devices/vfio_ap/matrix exists */
	bool masks;		/* apmask/aqmask exist */
	bool bindings;
	bool bus_features;	/* /sys/bus/ap/features */
	bool matrix_features;	/* /sys/devices/vfio_ap/matrix/features */
	bool guest_matrix;	/* dynamic configuration semantics (>= 6.0) */
	bool no_guest_matrix;	/* known to lack them (< 6.0): an active mdev has no
				   guest_matrix file, or the bus has no 'scans'
				   (< 5.18).  Neither flag set: unknown (5.18 to
				   6.3 with no mdev to tell by) */
	bool ap_config;		/* one-shot ap_config attribute (>= 6.10) */
	bool queue_status;	/* vfio_ap queue 'status' (>= 5.17) */
	bool driver_override;	/* >= 6.19: all-ones EBUSY rule, override rules */
	bool bindings_complete_count;
	/* live guest migration (a patch series, not mainline): the per-mdev
	 * 'migratable' attribute of its v1 was seen; the queues have se_bind
	 * (this host is a Secure Execution guest; read with AP_RD_QFUNC) */
	bool mdev_migratable;
	bool se_guest;
};

/*
 * Where the boot-time masks come from: the last udev rule file that writes
 * a mask (by the directory it is in), else the kernel command line, else
 * nothing (the kernel's defaults).
 */
enum ap_persist_src {
	AP_PERSIST_NONE = 0,	/* nothing persistent: the kernel default applies */
	AP_PERSIST_UDEV_ETC,	/* a rule file in /etc/udev/rules.d */
	AP_PERSIST_UDEV_RUN,	/* a rule file in /run/udev/rules.d */
	AP_PERSIST_CMDLINE,	/* ap.apmask= / ap.aqmask= on the kernel command line */
	AP_PERSIST_UDEV_LIB,	/* a rule file in /usr/lib/udev/rules.d */
};

#define AP_PERSIST_TEXT_MAX 512

struct ap_host {
	struct ap_caps caps;
	unsigned int max_adapter;	/* ap_max_adapter_id (255 when unknown) */
	unsigned int max_domain;	/* ap_max_domain_id (255 when unknown) */
	bool max_adapter_unknown;	/* the file could not be read: ids are not judged */
	bool max_domain_unknown;
	bool qci_known;			/* the three configuration masks were read */
	struct ap_mask cfg_apm;		/* ap_adapter_mask */
	struct ap_mask cfg_aqm;		/* ap_usage_domain_mask */
	struct ap_mask cfg_adm;		/* ap_control_domain_mask */
	struct ap_mask apmask, aqmask;	/* live masks */
	int ap_domain;			/* -1 when none */
	char bus_features[128];		/* "" when absent */
	char matrix_features[128];	/* "" when absent */
	unsigned int bindings_bound, bindings_total;
	bool bindings_complete;
	long available_instances;	/* -1 unknown */

	/*
	 * The next boot (the boot-time model, filled by src/sys/udevrule.c):
	 * persist_apmask/aqmask are the masks the host will have once udev
	 * has run its rules, always valid (the kernel default, all ones, when
	 * nothing sets them); *_set: a rule or the command line sets it.
	 */
	enum ap_persist_src persist_src;
	bool persist_apmask_set, persist_aqmask_set;
	struct ap_mask persist_apmask, persist_aqmask;
	bool persist_cmdline;		/* the running kernel's command line sets a mask */
	/* the rule files that write a mask, in the order udev runs them,
	 * "/etc/udev/rules.d/41-ap.rules" style, ", " separated */
	char persist_files[AP_PERSIST_TEXT_MAX];
	/* apctl's rule 41-ap.rules (the copy udev uses: /etc, else /run,
	 * else /usr/lib): where it is (NONE: there is none) and which
	 * masks it writes; apctl rewrites it in /etc */
	enum ap_persist_src persist_rule;
	bool persist_rule_ap, persist_rule_aq;
	/* the rule is /etc's and holds exactly apctl's rule, nothing else */
	bool persist_rule_plain;
	/* a rule file udev runs after 41-ap.rules that writes apmask /
	 * aqmask: a change in 41-ap.rules would be overwritten ("" none) */
	char persist_after_ap[320], persist_after_aq[320];
	/* why 41-ap.rules cannot be rewritten without losing what it says
	 * (translated, names the file and line; "" when it can) */
	char persist_refuse[AP_PERSIST_TEXT_MAX];
	/* ...and why it cannot get the mask it does not write yet */
	char persist_refuse_add[AP_PERSIST_TEXT_MAX];

	/*
	 * driverctl (the boot-time model of driver_override): the files of
	 * /etc/driverctl.d/ap-* were read (saved_override of each queue);
	 * n_saved_gone: saved overrides of queues that do not exist now;
	 * driverctl_boot: its udev rule (05-driverctl.rules) or its
	 * driverctl@.service is installed, so the saved overrides come back
	 * at boot
	 */
	bool driverctl_read;
	bool driverctl_boot;
	size_t n_saved_overrides;
	char saved_gone[AP_PERSIST_TEXT_MAX];	/* "05.0004, 06.00ab" of those gone */

	/* AP_RD_QFUNC was read: the queues a running guest uses have their
	 * ap_functions (functions_known); no other queue can be SE bound */
	bool qfunc_read;

	struct ap_card *cards;		/* ascending by id */
	size_t n_cards;
	struct ap_queue *queues;	/* ascending by (apid, apqi) */
	size_t n_queues;
};

struct ap_matrix {
	struct ap_mask apm;	/* adapters */
	struct ap_mask aqm;	/* usage domains */
	struct ap_mask adm;	/* control domains */
};

struct ap_mdev {
	char uuid[AP_UUID_STRLEN];	/* lowercase */
	bool active;			/* exists in sysfs */
	bool defined;			/* has an mdevctl definition */
	bool autostart;			/* definition says "start": "auto" */
	struct ap_matrix live;		/* assigned in sysfs (valid if active) */
	bool guest_known;		/* guest_matrix was read */
	bool guest_truncated;		/* ...but the kernel cut it at 4095 bytes: ids past
					 * the cut are unknown, not absent */
	struct ap_matrix guest;		/* guest_matrix (apm, aqm; adm unknown) */
	bool in_use;			/* a guest uses it */
	bool remove_pending;		/* its removal waits for the guest (sys/pending.h) */
	struct ap_matrix def;		/* from the definition (valid if defined) */
	char def_file[AP_UUID_STRLEN];	/* the definition's file name, as it is on disk
					 * (mdevctl also reads upper case); "" = uuid */
	int8_t migratable;		/* the v1 'migratable' attribute: 0/1, AP_UNK when
					 * the kernel has none (set by the reader) */
};

/*
 * A definition file (its name a UUID) apctl could not read or understand:
 * not part of any mdev, but its name and first bytes are kept so that it
 * can be shown and deleted as it is (apctl mdev remove --undefine).
 */
struct ap_baddef {
	char uuid[AP_UUID_STRLEN];	/* lowercase */
	char file[AP_UUID_STRLEN];	/* the name on disk */
	char head[280];			/* its first 64 bytes, escaped (core/escape.h)
					 * with "..." when cut; "" when unreadable */
	long size;			/* bytes; -1 when it could not be read */
};

struct ap_model {
	struct ap_host host;
	struct ap_mdev *mdevs;		/* sorted by uuid */
	size_t n_mdevs;
	struct ap_baddef *baddefs;	/* in the order read */
	size_t n_baddefs;
};

void ap_model_init(struct ap_model *m);
void ap_model_free(struct ap_model *m);
/*
 * Lookups are binary searches: the arrays must be sorted (the add functions
 * keep them so; call ap_model_sort() after filling an array directly).
 * The add functions find or insert in order; a new card has hwtype,
 * raw_hwtype and depth -1 and config/chkstop/online AP_UNK, a new queue the
 * same tri-states.  Adding in ascending order is O(1); out-of-order adds cost
 * a memmove.  Adding may move the array: earlier pointers become invalid.
 * ap_model_init() sets max_adapter 63, max_domain 15, apmask/aqmask all ones
 * (the kernel default), ap_domain -1, available_instances -1.
 */
/* find or add (zeroed, uuid set, kept sorted); NULL on allocation failure */
struct ap_mdev *ap_model_get_mdev(struct ap_model *m, const char *uuid);
struct ap_mdev *ap_model_find_mdev(const struct ap_model *m, const char *uuid);
struct ap_card *ap_host_add_card(struct ap_host *h, unsigned int id);
struct ap_queue *ap_host_add_queue(struct ap_host *h, unsigned int apid, unsigned int apqi);
struct ap_card *ap_host_find_card(const struct ap_host *h, unsigned int id);
struct ap_queue *ap_host_find_queue(const struct ap_host *h, unsigned int apid, unsigned int apqi);
/* remove an element (a device that went away while it was read); pointers
 * to later elements become invalid */
void ap_model_drop_mdev(struct ap_model *m, struct ap_mdev *md);
void ap_host_drop_card(struct ap_host *h, struct ap_card *c);
void ap_host_drop_queue(struct ap_host *h, struct ap_queue *q);
/* append an unreadable definition (copied); 0 or -1 when memory is short */
int ap_model_add_baddef(struct ap_model *m, const struct ap_baddef *bd);
/* the first unreadable definition of mdev uuid (lowercase), or NULL */
const struct ap_baddef *ap_model_find_baddef(const struct ap_model *m, const char *uuid);
/* sort cards/queues/mdevs after bulk insertion */
void ap_model_sort(struct ap_model *m);

/* ap_functions bits (kernel-abi.md 2.2) */
#define AP_FUNC_CCA	0x10000000u	/* "D" */
#define AP_FUNC_ACCEL	0x08000000u	/* "A" */
#define AP_FUNC_EP11	0x04000000u	/* "X" */
/* the classification byte (TAPQ GR2): what a live migration compares */
#define AP_FUNC_CLASS_MASK	0x00FF0000u
#define AP_FUNC_CLASS_FULL	0x00800000u	/* full native function set */
#define AP_FUNC_CLASS_STATELESS	0x00400000u	/* stateless / restricted function set */
#define AP_FUNC_APSC	0x80000000u
#define AP_FUNC_AP4KM	0x40000000u	/* 4K modular exponentiation */
#define AP_FUNC_AP4KC	0x20000000u	/* 4K CRT */
#define AP_FUNC_APXA	0x02000000u
#define AP_FUNC_SLCF	0x01000000u	/* command filtering; shown from Linux 6.17 */
#define AP_FUNC_SE_BS	0x0000C000u	/* SE bind state (queues only) */

/* the same adapters, usage domains and control domains */
bool ap_matrix_equal(const struct ap_matrix *a, const struct ap_matrix *b);

/* host-owned per the live masks: apmask bit AND aqmask bit */
bool ap_host_owns(const struct ap_host *h, unsigned int apid, unsigned int apqi);
enum ap_mode ap_mode_from_functions(uint32_t functions);
/* "accel", "cca", "ep11"; NULL when unknown */
const char *ap_mode_name(enum ap_mode m);

#endif

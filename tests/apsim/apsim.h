/* SPDX-License-Identifier: MIT */
/*
 * apsim: FUSE simulator of the s390 AP bus and vfio_ap sysfs ABI.
 * Shared declarations of the daemon. Nothing here comes from apctl (src/).
 */
#ifndef APSIM_H
#define APSIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- 256-bit masks, bit 0 = leftmost (MSB of the first word) ---------- */
typedef struct {
	uint64_t w[4];
} mask_t;

static inline bool m_test(const mask_t *m, unsigned int n)
{
	return (m->w[n / 64] >> (63 - n % 64)) & 1;
}

static inline void m_set(mask_t *m, unsigned int n)
{
	m->w[n / 64] |= 1ULL << (63 - n % 64);
}

static inline void m_clr(mask_t *m, unsigned int n)
{
	m->w[n / 64] &= ~(1ULL << (63 - n % 64));
}

static inline bool m_empty(const mask_t *m)
{
	return !(m->w[0] | m->w[1] | m->w[2] | m->w[3]);
}

static inline bool m_eq(const mask_t *a, const mask_t *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2] && a->w[3] == b->w[3];
}

static inline mask_t m_and(const mask_t *a, const mask_t *b)
{
	mask_t r;

	for (int i = 0; i < 4; i++)
		r.w[i] = a->w[i] & b->w[i];
	return r;
}

static inline mask_t m_andnot(const mask_t *a, const mask_t *b)
{
	mask_t r;

	for (int i = 0; i < 4; i++)
		r.w[i] = a->w[i] & ~b->w[i];
	return r;
}

static inline bool m_intersects(const mask_t *a, const mask_t *b)
{
	mask_t r = m_and(a, b);

	return !m_empty(&r);
}

static inline mask_t m_ones(void)
{
	mask_t r = {{~0ULL, ~0ULL, ~0ULL, ~0ULL}};

	return r;
}

/* "0x" + 64 hex digits (no newline), buf >= 67 bytes */
void m_fmt(const mask_t *m, char *buf);

/* ---- kernel parsers (kparse.c) ----------------------------------------- */
int k_kstrtoull(const char *s, unsigned int base, unsigned long long *res);
int k_sscanf_int(const char *s, int base, bool is_signed, long long *res);
int k_kstrtobool(const char *s, bool *res);
bool k_uuid_is_valid(const char *s);
int k_hex2bitmap(const char *s, mask_t *m);
int k_modify_bitmap(const char *s, mask_t *m);
int k_parse_bitmap_str(const char *s, const mask_t *cur, mask_t *out);
bool k_sysfs_streq(const char *a, const char *b);
const char *errno_name(int e);
int errno_from_name(const char *name);

/* ---- model ------------------------------------------------------------- */
#define NA 256
#define ND 256

enum drv { DRV_NONE, DRV_CEX4CARD, DRV_CEX4QUEUE, DRV_VFIO_AP, DRV_COUNT };
extern const char *const drv_names[DRV_COUNT];

enum ap_mode { MODE_ACCEL, MODE_CCA, MODE_EP11 };

/* QCI feature flags in features_show order */
#define QF_APSC 0x01
#define QF_APXA 0x02
#define QF_QACT 0x04
#define QF_RC8A 0x08
#define QF_APSB 0x10

struct qci {
	bool present;
	bool apxa;
	int na, nd;
	unsigned int features;
	mask_t apm, aqm, adm;
};

struct adapter_hw {
	bool installed;
	int raw_type;
	uint32_t functions;
	bool config;
	bool chkstop;
	int depth;
	unsigned int max_msg_size;
	char serial[33];
	mask_t se_bound;	/* domains whose queues report an SE bind state */
	char mkvp[19];		/* "0x" + 16 hex digits: CCA current master key
				   verification pattern ("" none) */
};

struct card {
	bool exists;
	uint64_t gen;
	uint64_t bind_gen;
	int driver;
	int hwtype, raw_type;
	uint32_t functions;
	bool config, chkstop;
	bool zonline;
	uint64_t reqcnt;
};

struct queue {
	bool exists;
	bool config, chkstop;
	bool initiated;
	bool zonline;
	uint8_t driver;
	uint64_t gen;
	uint64_t bind_gen;
	uint64_t reqcnt;
	char *override;
};

struct mdev {
	struct mdev *next; /* list head = most recently created */
	struct mdev *prev;
	struct mdev *hnext_uuid, *hnext_serial; /* hash chains */
	uint64_t serial;
	char uuid[37];
	mask_t apm, aqm, adm;
	mask_t s_apm, s_aqm, s_adm;
	mask_t add_apm, add_aqm, add_adm;
	int apm_max, aqm_max, adm_max;
	bool attached;
	bool removing;
	bool req_logged;
	bool migratable;	/* the v1 'migratable' attribute */
	bool migrating;		/* apsimctl migration UUID start: a migration runs */
};

struct fault {
	struct fault *next;
	int id;
	char *glob;
	int err;
	int nth; /* 0 = every */
	int delay_ms;
	bool lost;	/* accept the write without storing it */
	int seen;
	bool done;
};

/* a ring of at most max strings; cap is the index of the oldest */
struct strlog {
	char **v;
	size_t n, cap, max;
};

struct sim {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int kv; /* 510, 601, 612, 702 */
	char kname[16];
	char *mountpoint;

	struct qci hw;	/* the machine configuration (apsimctl host ...) */
	struct qci cur; /* the copy fetched at the last scan */
	struct adapter_hw ad[NA];
	struct card cards[NA];
	struct queue *q; /* NA * ND */
	mask_t apmask, aqmask;
	int ap_domain;
	int config_time;
	unsigned int timer_gen; /* bumped by config_time writes (re-arms the scan timer) */
	bool poll_thread;
	unsigned long long poll_timeout;
	bool interrupts;
	bool autoprobe;
	unsigned long long scans;
	bool initscan_done;
	bool bindings_done;
	unsigned long long complete_count;
	bool masks_in_use;
	int override_ctr;
	struct mdev *mdevs;
	long avail;
	uint64_t next_gen;
	int scan_adding; /* >0 while a scan processes host config additions */

	struct strlog dmesg;
	struct strlog uevents;
	struct fault *faults;
	int next_fault;
	bool stopping;
	/* live guest migration (not mainline): 0 none, 1 the v1 patch series
	 * (per-mdev 'migratable'), 4 v2-v4 (' migratable' in matrix features) */
	int migration;
	bool se_guest;	/* a Secure Execution guest: queues have se_bind/se_associate */
};

extern struct sim S;

#define KV(v) (S.kv >= (v))

static inline struct queue *Q(int a, int d)
{
	return &S.q[a * ND + d];
}

/* sim.c */
void sim_init(void);
int sim_max_adapter_id(void);
int sim_max_domain_id(void);
void sim_scan(void);
void sim_boot(void);
struct mdev *mdev_find(const char *uuid);
struct mdev *mdev_by_serial(uint64_t serial);
int mdev_create(const char *uuid_lower);
void mdev_refilter(struct mdev *m);
void mdev_filter_cdoms(struct mdev *m);
void mdev_finish_remove(struct mdev *m);
void logf_dmesg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void uevent_emit(const char *action, const char *devpath, const char *const *vars, int n);
void log_push(struct strlog *l, char *s);
void log_clear(struct strlog *l);
const char *log_get(const struct strlog *l, size_t i);
void card_uevent(int a, const char *action, const char *extra);
void queue_uevent(int a, int d, const char *action, const char *extra);
int assign_id(struct mdev *m, int what, unsigned long id);
void guest_attach(struct mdev *m, bool on);
int mode_of(uint32_t functions);
int sim_probe_card(int a);
void sim_attach_queue(int a, int d);
int sim_try_bind_queue(int a, int d, int drv);
void sim_unbind_queue(int a, int d);
void sim_unbind_card(int a);
void sim_revise_bindings(void);
int sim_validate_masks(struct mdev *m);
bool fs_exiting(void);
/* exact kernel device names: card%02x and %02x.%04x (lowercase) */
bool ap_card_name(const char *s, int *a);
bool ap_queue_name(const char *s, int *a, int *d);
/* the classification byte of ap_functions (TAPQ GR2; README) */
#define FUNC_CLASS_MASK		0x00FF0000u
#define FUNC_CLASS_FULL		0x00800000u	/* full native function set */
#define FUNC_CLASS_STATELESS	0x00400000u	/* stateless / restricted function set */
uint32_t default_functions(int mode, bool apxa);

/* netlink.c: uevents as libudev netlink messages (only in a private netns) */
int netlink_open(char *err, size_t errsz);
void netlink_send(const char *action, const char *devpath, const char *const *vars, int n);

/* fs.c: the file tree */
enum nkind { N_DIR, N_REG, N_LNK };

enum dkind {
	D_ROOT,
	D_BUS,
	D_BUS_AP,
	D_BUS_AP_DEVICES,
	D_BUS_AP_DRIVERS,
	D_AP_DRIVER,
	D_DEVICES,
	D_DEVICES_AP,
	D_CARD,
	D_QUEUE,
	D_POWER,
	D_VFIO_ROOT,
	D_MATRIX,
	D_TYPES,
	D_TYPE,
	D_TYPE_DEVICES,
	D_MDEV,
	D_BUS_MDEV,
	D_BUS_MDEV_DEVICES,
	D_BUS_MDEV_DRIVERS,
	D_MDEV_DRIVER,
	D_BUS_MATRIX,
	D_BUS_MATRIX_DEVICES,
	D_BUS_MATRIX_DRIVERS,
	D_MATRIX_DRIVER,
	D_CLASS,
	D_CLASS_MDEV_BUS,
	D_MODULE,
	D_MODULE_VFIO_AP,
	D_MODULE_ZCRYPT_CEX4,
	D_COUNT
};

/* ownership of a file, for ENODEV on removed objects */
enum own { O_NONE, O_CARD, O_QUEUE, O_CARD_DRV, O_QUEUE_DRV, O_MDEV };

struct node {
	int kind;      /* enum nkind */
	int dir;       /* enum dkind when kind == N_DIR */
	int ent;       /* index into entries[] for files and static links, -1 otherwise */
	int card, dom; /* -1 when not applicable */
	int drv;       /* driver for D_AP_DRIVER */
	uint64_t mdev; /* mdev serial, 0 when not applicable */
	char link[160];
};

struct sbuf {
	char *buf;
	size_t len, cap;
};
void sb_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct entry {
	const char *name;
	int parent; /* enum dkind */
	int kind;   /* N_REG, N_LNK or N_DIR */
	int child;  /* N_DIR: enum dkind */
	int mode;
	int owner; /* enum own */
	bool (*avail)(const struct node *n);
	int (*show)(const struct node *n, struct sbuf *sb);
	int (*store)(const struct node *n, const char *buf, size_t len);
	void (*target)(const struct node *n, char *out, size_t sz);
};
extern const struct entry entries[];
extern const size_t n_entries;

/* ctl.c */
int host_load(const char *path, char *err, size_t errsz);
int ctl_start(const char *path);
void ctl_stop(void);
/* the errno to fail a write with (0: none); *delay_ms to sleep first;
 * *lost: answer as if stored, store nothing */
int fault_check(const char *path, int *delay_ms, bool *lost);
char *dump_json(void);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * apsim FUSE layer: path resolution by parsing components (card%02x,
 * %02x.%04x, uuid), kernfs open/read/write semantics, and main().
 */
#include "config.h"

#define FUSE_USE_VERSION 35
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apsim.h"

static time_t start_time;

bool fs_exiting(void)
{
	struct fuse_context *c = fuse_get_context();

	if (S.stopping)
		return true;
	if (!c || !c->fuse)
		return false;
	return fuse_session_exited(fuse_get_session(c->fuse));
}

/* ---- names ---------------------------------------------------------------- */

static int hexd(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool parse_hex(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		int h = hexd(s[i]);

		if (h < 0)
			return false;
		v = v * 16 + h;
	}
	*out = v;
	return true;
}

bool ap_card_name(const char *s, int *a)
{
	return strlen(s) == 6 && !strncmp(s, "card", 4) && parse_hex(s + 4, 2, a);
}

bool ap_queue_name(const char *s, int *a, int *d)
{
	return strlen(s) == 7 && s[2] == '.' && parse_hex(s, 2, a) && parse_hex(s + 3, 4, d) &&
	       *d < ND;
}

static struct mdev *mdev_name(const char *s)
{
	if (strlen(s) != 36 || !k_uuid_is_valid(s))
		return NULL;
	for (const char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			return NULL;
	return mdev_find(s);
}

static bool card_ok(int a)
{
	return a >= 0 && a < NA && S.cards[a].exists;
}

static bool queue_ok(int a, int d)
{
	return card_ok(a) && Q(a, d)->exists;
}

static void qlink(char *out, size_t sz, const char *up, int a, int d)
{
	if (d < 0)
		snprintf(out, sz, "%sdevices/ap/card%02x", up, (unsigned int)a);
	else
		snprintf(out, sz, "%sdevices/ap/card%02x/%02x.%04x", up, (unsigned int)a,
			 (unsigned int)a, (unsigned int)d);
}

/* ---- resolution ----------------------------------------------------------- */

static void init_node(struct node *n)
{
	memset(n, 0, sizeof(*n));
	n->kind = N_DIR;
	n->dir = D_ROOT;
	n->ent = -1;
	n->card = n->dom = -1;
}

/* dynamic children; returns true and fills *c when name names one */
static bool dyn_child(const struct node *p, const char *name, struct node *c)
{
	int a, d;
	struct mdev *m;

	*c = *p;
	c->ent = -1;
	switch (p->dir) {
	case D_BUS_AP_DEVICES:
	case D_AP_DRIVER: {
		const char *up = p->dir == D_AP_DRIVER ? "../../../../" : "../../../";

		if (ap_card_name(name, &a) && card_ok(a) &&
		    (p->dir != D_AP_DRIVER || S.cards[a].driver == p->drv)) {
			c->kind = N_LNK;
			qlink(c->link, sizeof(c->link), up, a, -1);
			return true;
		}
		if (ap_queue_name(name, &a, &d) && queue_ok(a, d) &&
		    (p->dir != D_AP_DRIVER || Q(a, d)->driver == p->drv)) {
			c->kind = N_LNK;
			qlink(c->link, sizeof(c->link), up, a, d);
			return true;
		}
		return false;
	}
	case D_BUS_AP_DRIVERS:
		for (int i = DRV_CEX4CARD; i < DRV_COUNT; i++)
			if (!strcmp(name, drv_names[i])) {
				c->kind = N_DIR;
				c->dir = D_AP_DRIVER;
				c->drv = i;
				return true;
			}
		return false;
	case D_DEVICES_AP:
		if (ap_card_name(name, &a) && card_ok(a)) {
			c->dir = D_CARD;
			c->card = a;
			return true;
		}
		return false;
	case D_CARD:
		if (ap_queue_name(name, &a, &d) && a == p->card && queue_ok(a, d)) {
			c->dir = D_QUEUE;
			c->dom = d;
			return true;
		}
		return false;
	case D_MATRIX:
		m = mdev_name(name);
		if (m) {
			c->dir = D_MDEV;
			c->mdev = m->serial;
			return true;
		}
		return false;
	case D_TYPE_DEVICES:
	case D_BUS_MDEV_DEVICES:
	case D_MDEV_DRIVER:
		m = mdev_name(name);
		if (!m || (p->dir == D_TYPE_DEVICES && m->removing))
			return false;
		c->kind = N_LNK;
		snprintf(c->link, sizeof(c->link), "%s%s",
			 p->dir == D_TYPE_DEVICES	? "../../../"
			 : p->dir == D_BUS_MDEV_DEVICES ? "../../../devices/vfio_ap/matrix/"
							: "../../../../devices/vfio_ap/matrix/",
			 m->uuid);
		return true;
	default:
		return false;
	}
}

static int child(const struct node *p, const char *name, struct node *c)
{
	if (p->kind != N_DIR)
		return -ENOTDIR;
	if (dyn_child(p, name, c))
		return 0;
	for (size_t i = 0; i < n_entries; i++) {
		const struct entry *e = &entries[i];

		if (e->parent != p->dir || strcmp(e->name, name) || !e->avail(p))
			continue;
		*c = *p;
		c->ent = (int)i;
		c->kind = e->kind;
		if (e->kind == N_DIR)
			c->dir = e->child;
		else if (e->kind == N_LNK)
			e->target(p, c->link, sizeof(c->link));
		return 0;
	}
	return -ENOENT;
}

static int resolve(const char *path, struct node *n)
{
	char comp[256];

	init_node(n);
	while (*path) {
		size_t l;
		struct node c;
		int rc;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		l = strcspn(path, "/");
		if (l >= sizeof(comp))
			return -ENAMETOOLONG;
		memcpy(comp, path, l);
		comp[l] = 0;
		path += l;
		rc = child(n, comp, &c);
		if (rc)
			return rc;
		if (c.kind == N_LNK && *path && strspn(path, "/") != strlen(path))
			return -ENOENT;
		*n = c;
	}
	return 0;
}

struct dent {
	char name[40];
	int kind;
};

struct dlist {
	struct dent *v;
	size_t n, cap;
};

static void dl_add(struct dlist *l, const char *name, int kind)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	snprintf(l->v[l->n].name, sizeof(l->v[l->n].name), "%s", name);
	l->v[l->n++].kind = kind;
}

static void list_dir(const struct node *p, struct dlist *l)
{
	char nm[40];

	for (size_t i = 0; i < n_entries; i++)
		if (entries[i].parent == p->dir && entries[i].avail(p))
			dl_add(l, entries[i].name, entries[i].kind);
	switch (p->dir) {
	case D_BUS_AP_DRIVERS:
		for (int i = DRV_CEX4CARD; i < DRV_COUNT; i++)
			dl_add(l, drv_names[i], N_DIR);
		break;
	case D_BUS_AP_DEVICES:
	case D_AP_DRIVER:
		for (int a = 0; a < NA; a++) {
			if (!S.cards[a].exists)
				continue;
			if (p->dir != D_AP_DRIVER || S.cards[a].driver == p->drv) {
				snprintf(nm, sizeof(nm), "card%02x", (unsigned int)a);
				dl_add(l, nm, N_LNK);
			}
			for (int d = 0; d < ND; d++) {
				struct queue *q = Q(a, d);

				if (!q->exists || (p->dir == D_AP_DRIVER && q->driver != p->drv))
					continue;
				snprintf(nm, sizeof(nm), "%02x.%04x", (unsigned int)a,
					 (unsigned int)d);
				dl_add(l, nm, N_LNK);
			}
		}
		break;
	case D_DEVICES_AP:
		for (int a = 0; a < NA; a++)
			if (S.cards[a].exists) {
				snprintf(nm, sizeof(nm), "card%02x", (unsigned int)a);
				dl_add(l, nm, N_DIR);
			}
		break;
	case D_CARD:
		for (int d = 0; d < ND; d++)
			if (Q(p->card, d)->exists) {
				snprintf(nm, sizeof(nm), "%02x.%04x", (unsigned int)p->card,
					 (unsigned int)d);
				dl_add(l, nm, N_DIR);
			}
		break;
	case D_MATRIX:
	case D_TYPE_DEVICES:
	case D_BUS_MDEV_DEVICES:
	case D_MDEV_DRIVER:
		for (struct mdev *m = S.mdevs; m; m = m->next)
			if (p->dir != D_TYPE_DEVICES || !m->removing)
				dl_add(l, m->uuid, p->dir == D_MATRIX ? N_DIR : N_LNK);
		break;
	default:
		break;
	}
}

/* ---- FUSE operations -------------------------------------------------------- */

struct fh {
	struct node n;
	uint64_t gen, bind_gen;
	char *snap;
	size_t snaplen;
	bool have;
	char path[];
};

/* kernfs: a directory's link count is 2 plus its subdirectories */
static nlink_t subdirs(const struct node *p)
{
	nlink_t k = 0;

	for (size_t i = 0; i < n_entries; i++)
		if (entries[i].parent == p->dir && entries[i].kind == N_DIR && entries[i].avail(p))
			k++;
	switch (p->dir) {
	case D_BUS_AP_DRIVERS:
		k += DRV_COUNT - 1;
		break;
	case D_DEVICES_AP:
		for (int a = 0; a < NA; a++)
			k += S.cards[a].exists;
		break;
	case D_CARD:
		for (int d = 0; d < ND; d++)
			k += Q(p->card, d)->exists;
		break;
	case D_MATRIX:
		for (struct mdev *m = S.mdevs; m; m = m->next)
			k++;
		break;
	default:
		break;
	}
	return k;
}

static void node_stat(const struct node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_atime = st->st_mtime = st->st_ctime = start_time;
	switch (n->kind) {
	case N_DIR:
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2 + subdirs(n);
		st->st_size = 0;
		break;
	case N_REG:
		st->st_mode = S_IFREG | (mode_t)entries[n->ent].mode;
		st->st_nlink = 1;
		st->st_size = 4096;
		break;
	default:
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		st->st_size = (off_t)strlen(n->link);
		break;
	}
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct node n;
	int rc;

	pthread_mutex_lock(&S.lock);
	rc = resolve(path, &n);
	if (!rc)
		node_stat(&n, st);
	pthread_mutex_unlock(&S.lock);
	return rc;
}

static int op_readlink(const char *path, char *buf, size_t size)
{
	struct node n;
	int rc;

	pthread_mutex_lock(&S.lock);
	rc = resolve(path, &n);
	pthread_mutex_unlock(&S.lock);
	if (rc)
		return rc;
	if (n.kind != N_LNK)
		return -EINVAL;
	snprintf(buf, size, "%s", n.link);
	return 0;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct dlist l = {0};
	struct node n;
	struct stat st;
	int rc;

	pthread_mutex_lock(&S.lock);
	rc = resolve(path, &n);
	if (!rc && n.kind != N_DIR)
		rc = -ENOTDIR;
	if (!rc)
		list_dir(&n, &l);
	pthread_mutex_unlock(&S.lock);
	if (rc)
		return rc;
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFDIR;
	filler(buf, ".", &st, 0, 0);
	filler(buf, "..", &st, 0, 0);
	for (size_t i = 0; i < l.n; i++) {
		st.st_mode = l.v[i].kind == N_DIR   ? S_IFDIR
			     : l.v[i].kind == N_REG ? S_IFREG
						    : S_IFLNK;
		filler(buf, l.v[i].name, &st, 0, 0);
	}
	free(l.v);
	return 0;
}

static uint64_t owner_gen(const struct node *n, uint64_t *bind_gen)
{
	*bind_gen = 0;
	switch (entries[n->ent].owner) {
	case O_CARD:
	case O_CARD_DRV:
		*bind_gen = S.cards[n->card].bind_gen;
		return S.cards[n->card].gen;
	case O_QUEUE:
	case O_QUEUE_DRV:
		*bind_gen = Q(n->card, n->dom)->bind_gen;
		return Q(n->card, n->dom)->gen;
	default:
		return 0;
	}
}

static bool alive(const struct fh *h)
{
	const struct node *n = &h->n;
	int own = entries[n->ent].owner;
	uint64_t bg;

	switch (own) {
	case O_CARD:
	case O_CARD_DRV:
		if (!S.cards[n->card].exists || owner_gen(n, &bg) != h->gen)
			return false;
		return own == O_CARD || bg == h->bind_gen;
	case O_QUEUE:
	case O_QUEUE_DRV:
		if (!queue_ok(n->card, n->dom) || owner_gen(n, &bg) != h->gen)
			return false;
		return own == O_QUEUE || bg == h->bind_gen;
	case O_MDEV:
		return mdev_by_serial(n->mdev) != NULL;
	default:
		return true;
	}
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
	struct node n;
	struct fh *h;
	int rc, acc = fi->flags & O_ACCMODE;

	pthread_mutex_lock(&S.lock);
	rc = resolve(path, &n);
	if (!rc && n.kind != N_REG)
		rc = n.kind == N_DIR ? -EISDIR : -ELOOP;
	if (!rc) {
		const struct entry *e = &entries[n.ent];

		if (acc != O_WRONLY && (!(e->mode & 0444) || !e->show))
			rc = -EACCES;
		if (acc != O_RDONLY && (!(e->mode & 0222) || !e->store))
			rc = -EACCES;
	}
	if (rc) {
		pthread_mutex_unlock(&S.lock);
		return rc;
	}
	h = calloc(1, sizeof(*h) + strlen(path) + 1);
	if (!h) {
		pthread_mutex_unlock(&S.lock);
		return -ENOMEM;
	}
	h->n = n;
	h->gen = owner_gen(&n, &h->bind_gen);
	strcpy(h->path, path[0] == '/' ? path + 1 : path);
	pthread_mutex_unlock(&S.lock);
	fi->fh = (uint64_t)(uintptr_t)h;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	return 0;
}

static int op_release(const char *path, struct fuse_file_info *fi)
{
	struct fh *h = (struct fh *)(uintptr_t)fi->fh;

	if (h) {
		free(h->snap);
		free(h);
	}
	return 0;
}

static int op_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct fh *h = (struct fh *)(uintptr_t)fi->fh;
	size_t n;

	pthread_mutex_lock(&S.lock);
	if (!alive(h)) {
		pthread_mutex_unlock(&S.lock);
		return -ENODEV;
	}
	if (off == 0 || !h->have) {
		struct sbuf sb = {0};
		int rc = entries[h->n.ent].show(&h->n, &sb);

		if (rc) {
			pthread_mutex_unlock(&S.lock);
			free(sb.buf);
			return rc;
		}
		if (sb.len > 4095)
			sb.len = 4095; /* the kernel clamps with a WARN */
		free(h->snap);
		h->snap = sb.buf;
		h->snaplen = sb.len;
		h->have = true;
	}
	/* copy under the lock: another thread may renew the snapshot of this fd */
	n = 0;
	if (off >= 0 && (size_t)off < h->snaplen) {
		n = h->snaplen - (size_t)off;
		if (n > size)
			n = size;
		memcpy(buf, h->snap + off, n);
	}
	pthread_mutex_unlock(&S.lock);
	return (int)n;
}

static int op_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fh *h = (struct fh *)(uintptr_t)fi->fh;
	size_t len = size > 4096 ? 4096 : size;
	int rc, delay = 0;
	bool lost;
	char *tmp;

	if (size == 0)
		return 0;
	pthread_mutex_lock(&S.lock);
	rc = fault_check(h->path, &delay, &lost);
	pthread_mutex_unlock(&S.lock);
	if (delay > 0)
		usleep((useconds_t)delay * 1000);
	if (rc)
		return -rc;
	if (lost)
		return (int)len;	/* a lost write: success, nothing stored */
	tmp = malloc(len + 1);
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, buf, len);
	tmp[len] = 0;
	pthread_mutex_lock(&S.lock);
	if (!alive(h))
		rc = -ENODEV;
	else
		rc = entries[h->n.ent].store(&h->n, tmp, len);
	pthread_mutex_unlock(&S.lock);
	free(tmp);
	return rc ? rc : (int)len;
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct node n;
	int rc;

	if (fi)
		return 0;
	pthread_mutex_lock(&S.lock);
	rc = resolve(path, &n);
	pthread_mutex_unlock(&S.lock);
	if (rc)
		return rc;
	return n.kind == N_REG ? 0 : -EISDIR;
}

static int op_eperm(void)
{
	return -EPERM;
}

static int op_mkdir(const char *p, mode_t m)
{
	return op_eperm();
}

static int op_unlink(const char *p)
{
	return op_eperm();
}

static int op_rmdir(const char *p)
{
	return op_eperm();
}

static int op_symlink(const char *a, const char *b)
{
	return op_eperm();
}

static int op_rename(const char *a, const char *b, unsigned int flags)
{
	return op_eperm();
}

static int op_link(const char *a, const char *b)
{
	return op_eperm();
}

static int op_chmod(const char *p, mode_t m, struct fuse_file_info *fi)
{
	return op_eperm();
}

static int op_chown(const char *p, uid_t u, gid_t g, struct fuse_file_info *fi)
{
	return op_eperm();
}

static int op_utimens(const char *p, const struct timespec tv[2], struct fuse_file_info *fi)
{
	return 0;
}

static int op_mknod(const char *p, mode_t m, dev_t d)
{
	return -EACCES;
}

static int op_create(const char *p, mode_t m, struct fuse_file_info *fi)
{
	return -EACCES;
}

static int op_statfs(const char *p, struct statvfs *st)
{
	memset(st, 0, sizeof(*st));
	st->f_bsize = 4096;
	st->f_namemax = 255;
	return 0;
}

static bool periodic;
static pthread_t periodic_thread;

/* the kernel's scan timer: a bus scan every config_time seconds */
static void *periodic_main(void *arg)
{
	struct timespec ts;

	(void)arg;
	pthread_mutex_lock(&S.lock);
	while (!S.stopping) {
		unsigned int gen = S.timer_gen;
		int rc = 0;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += S.config_time;
		while (!S.stopping && gen == S.timer_gen && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&S.cond, &S.lock, &ts);
		/* a config_time write re-arms the timer without scanning */
		if (!S.stopping && gen == S.timer_gen)
			sim_scan();
	}
	pthread_mutex_unlock(&S.lock);
	return NULL;
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->use_ino = 0;
	cfg->direct_io = 1;
	ctl_start(NULL);
	if (periodic && pthread_create(&periodic_thread, NULL, periodic_main, NULL))
		periodic = false;
	return NULL;
}

static void op_destroy(void *data)
{
	if (periodic) {
		pthread_mutex_lock(&S.lock);
		S.stopping = true;
		pthread_cond_broadcast(&S.cond);
		pthread_mutex_unlock(&S.lock);
		pthread_join(periodic_thread, NULL);
	}
	ctl_stop();
}

static const struct fuse_operations ops = {
	.getattr = op_getattr,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.chmod = op_chmod,
	.chown = op_chown,
	.truncate = op_truncate,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.statfs = op_statfs,
	.release = op_release,
	.readdir = op_readdir,
	.init = op_init,
	.destroy = op_destroy,
	.create = op_create,
	.utimens = op_utimens,
};

/* ---- main ------------------------------------------------------------------ */

static int parse_kernel(const char *v)
{
	unsigned int maj, min;
	char tail;

	if (sscanf(v, "%u.%u%c", &maj, &min, &tail) != 2 || maj < 4 || maj > 9 || min > 99)
		return -1;
	snprintf(S.kname, sizeof(S.kname), "%u.%u", maj, min);
	return (int)(maj * 100 + min);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: apsim --host FILE [--kernel VER] --ctl SOCKET [--periodic-scans] [--netlink] "
		   "[-f] [-d]\n"
		   "             MOUNTPOINT\n"
		   "  VER: 5.10, 6.1, 6.12, 7.2 (default; 6.19 behaves as 7.2)\n");
}

/* fargv: room for fuse_main's arguments (argc + 4), owned by main() */
static int run(int argc, char **argv, char **fargv)
{
	const char *host = NULL, *ctl = NULL, *kernel = "7.2", *mnt = NULL;
	int fargc = 0;
	bool netlink = false;
	char err[512], opts[160];

	fargv[fargc++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((!strcmp(a, "--host") || !strcmp(a, "--kernel") || !strcmp(a, "--ctl")) &&
		    i + 1 < argc) {
			if (!strcmp(a, "--host"))
				host = argv[++i];
			else if (!strcmp(a, "--kernel"))
				kernel = argv[++i];
			else
				ctl = argv[++i];
		} else if (!strcmp(a, "--periodic-scans")) {
			periodic = true;
		} else if (!strcmp(a, "--netlink")) {
			netlink = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-f") || !strcmp(a, "-d") || !strcmp(a, "-s")) {
			fargv[fargc++] = argv[i];
		} else if (a[0] != '-' && !mnt) {
			mnt = a;
		} else {
			fprintf(stderr, "apsim: unknown argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!host || !ctl || !mnt) {
		usage(stderr);
		return 2;
	}
	sim_init();
	S.kv = parse_kernel(kernel);
	if (S.kv < 0) {
		fprintf(stderr, "apsim: unknown kernel version '%s'\n", kernel);
		return 2;
	}
	if (!strcmp(kernel, "6.19"))
		S.kv = 619;
	if (netlink && netlink_open(err, sizeof(err))) {
		fprintf(stderr, "apsim: %s\n", err);
		return 1;
	}
	if (host_load(host, err, sizeof(err))) {
		fprintf(stderr, "apsim: %s: %s\n", host, err);
		return 1;
	}
	if (ctl_start(ctl)) {
		fprintf(stderr, "apsim: cannot listen on %s\n", ctl);
		return 1;
	}
	start_time = time(NULL);
	S.mountpoint = realpath(mnt, NULL);
	snprintf(opts, sizeof(opts),
		 "fsname=apsim,subtype=apsim,default_permissions,max_threads=64,max_idle_threads="
		 "16%s",
		 geteuid() == 0 ? ",allow_other" : "");
	fargv[fargc++] = "-o";
	fargv[fargc++] = opts;
	fargv[fargc++] = (char *)mnt;
	return fuse_main(fargc, fargv, &ops, NULL);
}

int main(int argc, char **argv)
{
	char **fargv = calloc((size_t)argc + 4, sizeof(char *));
	int rc;

	if (!fargv)
		return 1;
	rc = run(argc, argv, fargv);
	free(fargv);
	return rc;
}

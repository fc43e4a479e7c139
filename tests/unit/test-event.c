/* SPDX-License-Identifier: MIT */
/* core/event.c: classifying uevents and explaining them against the model */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/event.h"
#include "tap.h"

#define U1 "11111111-1111-4111-8111-111111111111"

static void ev_set(struct ap_event *ev, const char *action, const char *devpath,
		   const char *prop)
{
	memset(ev, 0, sizeof(*ev));
	ev->source = AP_EVS_UEVENT;
	snprintf(ev->action, sizeof(ev->action), "%s", action);
	snprintf(ev->devpath, sizeof(ev->devpath), "%s", devpath);
	if (prop)
		snprintf(ev->props[ev->n_props++], sizeof(ev->props[0]), "%s", prop);
}

static void test_classify(void)
{
	struct ap_event ev;
	struct ap_ev_object o;

	ev_set(&ev, "change", "/devices/ap", "AQMASK=0xff");
	ok(ap_event_classify(&ev, &o) == AP_EVK_MASK, "mask event");
	ev_set(&ev, "change", "/devices/ap", "BINDINGS=complete");
	ok(ap_event_classify(&ev, &o) == AP_EVK_BINDINGS, "bindings event");
	ev_set(&ev, "change", "/devices/ap/card05", "CONFIG=0");
	ok(ap_event_classify(&ev, &o) == AP_EVK_CONFIG && o.apid == 5 && o.apqi == -1,
	   "card config: adapter 05");
	ev_set(&ev, "remove", "/devices/ap/card05/05.00ab", NULL);
	ok(ap_event_classify(&ev, &o) == AP_EVK_DEVICE_REMOVE && o.apid == 5 && o.apqi == 0xab,
	   "queue remove: 05.00ab");
	/* names the kernel would not make: upper case, a queue under another card */
	ev_set(&ev, "remove", "/devices/ap/card05/06.00ab", NULL);
	ok(ap_event_classify(&ev, &o) == AP_EVK_IGNORED, "a queue of another card is ignored");
	ev_set(&ev, "add", "/devices/ap/card0A", NULL);
	ok(ap_event_classify(&ev, &o) == AP_EVK_IGNORED, "upper-case card name is ignored");
	ev_set(&ev, "add", "/devices/vfio_ap/matrix/" U1, NULL);
	ok(ap_event_classify(&ev, &o) == AP_EVK_MDEV_ADD && !strcmp(o.uuid, U1), "mdev add");
	ev_set(&ev, "bind", "/devices/vfio_ap/matrix/" U1, "DRIVER=vfio_ap_mdev");
	ok(ap_event_classify(&ev, &o) == AP_EVK_IGNORED, "mdev bind is part of its add");
	ev_set(&ev, "add", "/devices/pci0000:00/foo", NULL);
	ok(ap_event_classify(&ev, &o) == AP_EVK_IGNORED, "other devices are ignored");
	is_str(ap_event_kind_name(AP_EVK_DEVICE_ADD), "device-add", "kind name");
}

static void test_explain(void)
{
	struct ap_model old, cur;
	struct ap_event ev;
	struct ap_ev_object o;
	struct ap_ev_note n;
	struct ap_mdev *md;

	ap_model_init(&old);
	/* apmask 0xf8: adapters 00-04 the host's; the new 0xf280: 00-03, 06, 08 */
	ap_mask_parse("0xf8", 4, &old.host.apmask, NULL, NULL);
	ap_mask_fill(&old.host.aqmask);
	ev_set(&ev, "change", "/devices/ap", "APMASK=0xf280\n");
	ap_event_explain(&ev, ap_event_classify(&ev, &o), &o, &old, &old, &n);
	is_str(n.what, "apmask changed: adapters 04 reserved for vfio_ap, adapters 06,08 "
			"returned to the host", "mask: both directions");
	/* config off: the guest of U1 holds 05.0004 and 05.00ab */
	md = ap_model_get_mdev(&old, U1);
	md->active = md->guest_known = true;
	ap_mask_set(&md->guest.apm, 5);
	ap_mask_set(&md->guest.apm, 6);
	ap_mask_set(&md->guest.aqm, 4);
	ap_mask_set(&md->guest.aqm, 0xab);
	ev_set(&ev, "change", "/devices/ap/card05", "CONFIG=0");
	ap_event_explain(&ev, ap_event_classify(&ev, &o), &o, &old, &old, &n);
	is_str(n.what, "adapter 05 configured off", "config off: what");
	is_str(n.effect, "APQNs 05.0004, 05.00ab leave the guest of mdev " U1, "config off: effect");
	ev_set(&ev, "remove", "/devices/ap/card06/06.0004", NULL);
	ap_event_explain(&ev, ap_event_classify(&ev, &o), &o, &old, &old, &n);
	is_str(n.effect, "APQNs 06.0004 leave the guest of mdev " U1, "queue gone: one APQN");
	ev_set(&ev, "remove", "/devices/ap/card07", NULL);
	ap_event_explain(&ev, ap_event_classify(&ev, &o), &o, &old, &old, &n);
	is_str(n.effect, "", "an adapter in no guest: no effect");
	/* assignments re-read: the guest gains 05.0047 */
	ap_model_init(&cur);
	{
		struct ap_mdev a = *md, b = *md;

		ap_mask_set(&b.live.aqm, 0x47);
		ap_mask_set(&b.guest.aqm, 0x47);
		ok(ap_event_mdev_diff(&a, &b, &n) && n.kind == AP_EVK_ASSIGN, "assignment found");
		is_str(n.effect, "APQNs 05.0047, 06.0047 join the guest of mdev " U1,
		       "assignment: the guest's new APQNs");
		ok(!ap_event_mdev_diff(&a, &a, &n), "nothing changed: no note");
	}
	ap_model_free(&cur);
	ap_model_free(&old);
}

int main(void)
{
	test_classify();
	test_explain();
	return done_testing();
}

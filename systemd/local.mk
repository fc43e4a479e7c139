# SPDX-License-Identifier: MIT
# apctl-autostart.service (issue 10): installed into $(systemdsystemunitdir)
# (configure --with-systemdsystemunitdir; =no installs none), with the path
# of apctl substituted.
if HAVE_SYSTEMD_UNITDIR
systemdsystemunit_DATA = systemd/apctl-autostart.service
endif
EXTRA_DIST += systemd/apctl-autostart.service.in
CLEANFILES += systemd/apctl-autostart.service

systemd/apctl-autostart.service: systemd/apctl-autostart.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/systemd/apctl-autostart.service.in >$@

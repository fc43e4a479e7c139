# SPDX-License-Identifier: MIT
# The JSON Schema of apctl's documents (show, check, mdev list), installed
# into $(pkgdatadir) and used by the tests to validate every JSON output.
dist_pkgdata_DATA += schema/apctl.schema.json
# apctl export / apply: the configuration document (issue 13)
dist_pkgdata_DATA += schema/apctl-config.schema.json
dist_pkgdata_DATA += schema/apctl-migrate.schema.json

#!/usr/bin/env bash
# ensure-chromium.sh: make sure Debian's Chromium is at /usr/bin/chromium for
# the portal's browser tests. As root it installs the package; otherwise it
# says what to install and fails, since the tests require it under make test.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
	exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
	echo "ensure-chromium: installing chromium from Debian packages" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends chromium
	exit 0
fi
echo "ensure-chromium: /usr/bin/chromium is missing; install it with:" >&2
echo "    sudo apt-get update && sudo apt-get install -y chromium" >&2
exit 1

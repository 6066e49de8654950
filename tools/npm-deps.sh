#!/bin/sh
# Installs the npm packages of the black-box and browser tests when
# package-lock.json has changed since the last install.
set -eu
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
	npm ci --no-audit --no-fund --loglevel=error </dev/null
fi

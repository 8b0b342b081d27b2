#!/bin/sh
# verify.sh TIMESTAMP DELIVERY SIGNATURE BODY_FILE
# Checks a paved webhook delivery: the X-Paved-Timestamp, X-Paved-Delivery
# and X-Paved-Signature headers and the raw body saved in BODY_FILE, with
# the secret in PAVED_WEBHOOK_SECRET. Exits 0 and prints ok when it holds.
set -eu
ts=$1 delivery=$2 signature=$3 body=$4
expected="sha256=$({ printf '%s.%s.' "$ts" "$delivery"; cat "$body"; } |
	openssl dgst -sha256 -hmac "$PAVED_WEBHOOK_SECRET" | sed 's/^.*= //')"
if [ "$expected" != "$signature" ]; then
	echo "bad signature" >&2
	exit 1
fi
age=$(($(date +%s) - ts))
if [ "${age#-}" -gt "${MAX_AGE:-300}" ]; then
	echo "stale timestamp: $age seconds" >&2
	exit 1
fi
echo ok

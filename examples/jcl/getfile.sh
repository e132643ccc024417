#!/bin/sh
# Get one file from the bridge's outbox into a z/OS UNIX file, byte for byte (binary, the
# z/OS sftp default). Exits non-zero when the file is not there; the old local copy is
# removed first, so a later step never reads yesterday's file.
#
# Run by GETSCORE (BPXBATCH, IBM z/OS OpenSSH); the settings come from its STDENV DD:
#   XFER_HOST XFER_USER XFER_REMOTE XFER_FILE
#   XFER_PORT (22), XFER_KEY, XFER_KNOWN_HOSTS (ssh's defaults when unset)
# Store it on z/OS UNIX as /u/xfer/bin/getfile.sh (text, EBCDIC), chmod 700.
set -o errexit -o nounset
umask 077
rm -f "$XFER_FILE" "$XFER_FILE.part"
sftp -b - -P "${XFER_PORT:-22}" ${XFER_KEY:+-i "$XFER_KEY"} \
     -o BatchMode=yes -o StrictHostKeyChecking=yes \
     ${XFER_KNOWN_HOSTS:+-o UserKnownHostsFile="$XFER_KNOWN_HOSTS"} \
     "$XFER_USER@$XFER_HOST" <<EOB >/dev/null
get $XFER_REMOTE $XFER_FILE.part
EOB
mv "$XFER_FILE.part" "$XFER_FILE"
echo "RECEIVED $XFER_REMOTE"

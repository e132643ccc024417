#!/bin/sh
# Put one file into the bridge's inbox: as NAME.part, renamed to NAME, then an empty
# NAME.trg, in one batch sftp session that stops at the first failing command.
#
# Run by SENDEXT (BPXBATCH, IBM z/OS OpenSSH); the settings come from its STDENV DD:
#   XFER_HOST XFER_USER XFER_DIR XFER_FILE XFER_NAME
#   XFER_PORT (22), XFER_KEY, XFER_KNOWN_HOSTS (ssh's defaults when unset)
# Store it on z/OS UNIX as /u/xfer/bin/sendext.sh (text, EBCDIC), chmod 700.
#
# No `binary` line: binary is the z/OS sftp default (and OpenSSH elsewhere has no ascii
# mode at all), so the bytes arrive as the data set holds them.
set -o errexit -o nounset
umask 077
trigger=$XFER_FILE.trg
: > "$trigger"
sftp -b - -P "${XFER_PORT:-22}" ${XFER_KEY:+-i "$XFER_KEY"} \
     -o BatchMode=yes -o StrictHostKeyChecking=yes \
     ${XFER_KNOWN_HOSTS:+-o UserKnownHostsFile="$XFER_KNOWN_HOSTS"} \
     "$XFER_USER@$XFER_HOST" <<EOB
cd $XFER_DIR
put $XFER_FILE $XFER_NAME.part
rename $XFER_NAME.part $XFER_NAME
put $trigger $XFER_NAME.trg
EOB
rm -f "$trigger"
echo "SENT $XFER_NAME"

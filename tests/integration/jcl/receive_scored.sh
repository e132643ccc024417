#!/bin/bash
# Stand-in for the receiving JCL job GETSCORE: get the status file with the script its GETSTAT
# step runs (examples/jcl/getfile.sh), test its RC as RCSTATUS does, then get the scored file
# with the same script (GETDATA). Exits with the status file's RC, or 16 when there is no
# status file (RCSTATUS's code for a missing or malformed status).
#
#   receive_scored.sh REMOTE_DIR SCORED_NAME LOCAL_DIR HOST PORT USER KEY_FILE KNOWN_HOSTS
set -o errexit -o nounset -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
getfile=$here/../../../examples/jcl/getfile.sh
remote_dir=$1 scored=$2 local_dir=$3
XFER_HOST=$4 XFER_PORT=$5 XFER_USER=$6 XFER_KEY=$7 XFER_KNOWN_HOSTS=$8
export XFER_HOST XFER_PORT XFER_USER XFER_KEY XFER_KNOWN_HOSTS

if ! XFER_REMOTE=$remote_dir/$scored.status XFER_FILE=$local_dir/$scored.status sh "$getfile" >/dev/null; then
    echo "NO STATUS FOR $scored"
    exit 16
fi
# RCSTATUS: the first line is RC=NNNN; anything else is 16
rc=$(sed -n '1s/^RC=\([0-9][0-9]*\)$/\1/p' "$local_dir/$scored.status")
rc=$((10#${rc:-16}))
echo "STATUS RC=$rc"
if [ "$rc" -gt 4 ]; then
    exit "$rc"
fi
XFER_REMOTE=$remote_dir/$scored XFER_FILE=$local_dir/$scored sh "$getfile" >/dev/null
echo "RECEIVED $scored"

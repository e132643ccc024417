#!/bin/bash
# Stand-in for the receiving JCL step: get the status file, test its RC (as IF (STEP.RC = 0)
# would on the mainframe), then get the scored file. Exits with the status file's RC, or 16
# when there is no status file yet.
#
#   receive_scored.sh REMOTE_DIR SCORED_NAME LOCAL_DIR HOST PORT USER KEY_FILE KNOWN_HOSTS
set -o errexit -o nounset -o pipefail
remote_dir=$1 scored=$2 local_dir=$3 host=$4 port=$5 user=$6 key=$7 known_hosts=$8

session() {
    sftp -b - -i "$key" -P "$port" \
         -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$known_hosts" "$user@$host"
}

if ! session <<EOB >/dev/null
get $remote_dir/$scored.status $local_dir/$scored.status
EOB
then
    echo "NO STATUS FOR $scored"
    exit 16
fi
rc=$(sed -n 's/^RC=0*\([0-9]\)/\1/p' "$local_dir/$scored.status")
rc=${rc:-16}
echo "STATUS RC=$rc"
if [ "$rc" -gt 4 ]; then
    exit "$rc"
fi
session <<EOB >/dev/null
get $remote_dir/$scored $local_dir/$scored
EOB
echo "RECEIVED $scored"

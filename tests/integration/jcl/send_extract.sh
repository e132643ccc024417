#!/bin/bash
# Stand-in for the sending JCL step (BPXBATCH + z/OS OpenSSH sftp, or COZBATCH + cozsftp):
# put the extract under a temporary name, rename it into place, then write its trigger,
# in one batch sftp session that stops at the first failing command.
#
#   send_extract.sh EXTRACT REMOTE_DIR NAME HOST PORT USER KEY_FILE KNOWN_HOSTS
set -o errexit -o nounset -o pipefail
extract=$1 remote_dir=$2 name=$3 host=$4 port=$5 user=$6 key=$7 known_hosts=$8

trigger=$(mktemp)
trap 'rm -f "$trigger"' EXIT

# binary is the sftp default: the bytes arrive as written (no code page or line-end changes)
sftp -b - -i "$key" -P "$port" \
     -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$known_hosts" \
     "$user@$host" <<EOB
cd $remote_dir
put $extract $name.part
rename $name.part $name
put $trigger $name.trg
EOB
echo "SENT $name"

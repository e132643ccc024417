#!/bin/bash
# Stand-in for the sending JCL step SENDEXT: runs the very script the step runs under BPXBATCH
# (examples/jcl/sendext.sh), with the settings its STDENV DD would give it. Put the extract
# under a temporary name, rename it into place, then write its trigger, in one batch sftp
# session that stops at the first failing command.
#
#   send_extract.sh EXTRACT REMOTE_DIR NAME HOST PORT USER KEY_FILE KNOWN_HOSTS
set -o errexit -o nounset -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
XFER_FILE=$1 XFER_DIR=$2 XFER_NAME=$3 XFER_HOST=$4 XFER_PORT=$5 XFER_USER=$6 XFER_KEY=$7 XFER_KNOWN_HOSTS=$8
export XFER_FILE XFER_DIR XFER_NAME XFER_HOST XFER_PORT XFER_USER XFER_KEY XFER_KNOWN_HOSTS
exec sh "$here/../../../examples/jcl/sendext.sh"

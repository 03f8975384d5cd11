#!/bin/sh
# A built copy of the repository as committed at COMMIT, in DIR, for measuring the server as
# committed (node bench/server.mjs --tree DIR) while the shared working tree keeps changing.
# node_modules are the repository's own (symlinked), except @tidyvault/*, which point into DIR.
# Usage: sh bench/server/snapshot.sh COMMIT DIR
set -eu
if [ $# -ne 2 ]; then
  echo "usage: sh bench/server/snapshot.sh COMMIT DIR" >&2
  exit 2
fi
commit=$1
dir=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ -e "$dir" ]; then
  if [ ! -f "$dir/.tidyvault-snapshot" ]; then
    echo "$dir exists and is not a snapshot made by this script" >&2
    exit 2
  fi
  rm -rf "$dir"
fi
mkdir -p "$dir/node_modules/@tidyvault"
git -C "$repo" archive "$commit" | tar -x -C "$dir"
git -C "$repo" rev-parse "$commit" > "$dir/.tidyvault-snapshot"
for p in "$repo"/node_modules/* "$repo"/node_modules/.bin; do
  name=$(basename "$p")
  [ "$name" = "@tidyvault" ] || ln -s "$p" "$dir/node_modules/$name"
done
for p in "$dir"/packages/*; do
  ln -s "../../packages/$(basename "$p")" "$dir/node_modules/@tidyvault/$(basename "$p")"
  # A workspace's own node_modules (engine-wasm's hyparquet) is linked too.
  if [ -d "$repo/packages/$(basename "$p")/node_modules" ]; then
    ln -s "$repo/packages/$(basename "$p")/node_modules" "$p/node_modules"
  fi
done
(cd "$dir" && "$repo/node_modules/.bin/tsc" -b packages/cli)
echo "built $(git -C "$repo" log -1 --format='%h %s' "$commit" | cut -c1-80) in $dir" >&2

#!/usr/bin/env bash
# Refresh the vendored Apache ECharts from the npm registry (no CDN at run time: the app
# serves shezhi/static/vendor/echarts/echarts.min.js itself). Pin the version and checksum.
set -euo pipefail
VERSION=${1:-6.1.0}
SHA256=${2:-681aff88cc1038c3fa941a3a53d1b177a52250b05335efc607d6105ae13be481}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "echarts@$VERSION" >/dev/null)
echo "$SHA256  $work/echarts-$VERSION.tgz" | sha256sum -c -
tar -xzf "$work/echarts-$VERSION.tgz" -C "$work"
dest="$here/shezhi/static/vendor/echarts"
mkdir -p "$dest"
cp "$work/package/dist/echarts.min.js" "$work/package/LICENSE" "$work/package/NOTICE" "$dest/"
printf 'echarts %s (Apache-2.0), from the npm registry: package/dist/echarts.min.js of\necharts-%s.tgz, sha256 %s.\nRefresh with scripts/vendor-echarts.sh.\n' "$VERSION" "$VERSION" "$SHA256" > "$dest/VERSION"
echo "vendored echarts $VERSION into $dest"

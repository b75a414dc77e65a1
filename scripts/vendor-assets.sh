#!/usr/bin/env bash
# Refresh the vendored front-end assets from the npm registry (run by hand, output committed).
# No CDN is used at run time: the files below are served from broker/web/static/vendor/.
set -euo pipefail
PICO=2.1.1
HTMX=2.0.11
SWAGGER=5.35.0
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/broker/web/static/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "@picocss/pico@$PICO" "htmx.org@$HTMX" "swagger-ui-dist@$SWAGGER" >/dev/null
for f in *.tgz; do mkdir -p "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
mkdir -p "$out"
cp "picocss-pico-$PICO/package/css/pico.min.css" "$out/pico.min.css"
cp "picocss-pico-$PICO/package/LICENSE.md" "$out/pico.LICENSE.md"
cp "htmx.org-$HTMX/package/dist/htmx.min.js" "$out/htmx.min.js"
cp "htmx.org-$HTMX/package/LICENSE" "$out/htmx.LICENSE"
cp "swagger-ui-dist-$SWAGGER/package/swagger-ui-bundle.js" "$out/swagger-ui-bundle.js"
cp "swagger-ui-dist-$SWAGGER/package/swagger-ui.css" "$out/swagger-ui.css"
cp "swagger-ui-dist-$SWAGGER/package/LICENSE" "$out/swagger-ui.LICENSE"
cat > "$out/VERSIONS.md" <<MD
# Vendored front-end assets

Fetched from the npm registry by \`scripts/vendor-assets.sh\`; served from this folder, never a CDN.

| package | version | licence | files |
| --- | --- | --- | --- |
| @picocss/pico | $PICO | MIT | pico.min.css |
| htmx.org | $HTMX | 0BSD | htmx.min.js |
| swagger-ui-dist | $SWAGGER | Apache-2.0 | swagger-ui-bundle.js, swagger-ui.css |
MD
echo "vendored into $out"

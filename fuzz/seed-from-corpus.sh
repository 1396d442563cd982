#!/bin/sh
# Copies the full third-party corpus (Mermaid flowcharts and syntax cases, Threat Dragon models) into the
# working corpora fuzz/corpus/<target>/, next to the small seeds committed in fuzz/seeds/<target>/.
# Usage: fuzz/seed-from-corpus.sh [CORPUS_DIR]   (default: the repository's tests/corpus)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-$here/../tests/corpus}
mkdir -p "$here/corpus/json_load" "$here/corpus/mermaid_import" "$here/corpus/threat_dragon_import"
find "$src/mermaid" "$src/mermaid-syntax" -name '*.mmd' | while read -r f; do
    cp "$f" "$here/corpus/mermaid_import/$(echo "${f#"$src"/}" | tr '/' '_')"
done
find "$src/threat-dragon" -name '*.json' | while read -r f; do
    cp "$f" "$here/corpus/threat_dragon_import/$(echo "${f#"$src"/}" | tr '/' '_')"
done
chmod -R u+w "$here/corpus"
echo "corpus copied from $src"

# Sourced by bin/kybao, bin/kybao-worker and scripts/start.sh: runs a program from dist/ (built by
# `npm ci` through the prepare script, or by `npm run build`), or its TypeScript sources with tsx when
# the build is missing or older than one of the files it was built from (dist/programs.inputs). The
# fallback says so in one line on stderr, so that an edited source is never silently ignored.
#
#   run_built ROOT PROGRAM SOURCE [NODE_OPTION…] -- [ARGUMENT…]
#     ROOT     the repository;  PROGRAM  cli | worker | main (dist/PROGRAM.mjs);  SOURCE  its entry file
#     NODE_OPTION…  given to node
# Both ways exec node itself (tsx as a loader, not its launcher), so the process id is the program's and
# a signal reaches it.
run_built() {
  local root="$1" program="$2" source="$3"
  shift 3
  local node_options=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do node_options+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  local why=""
  if [ ! -f "$root/dist/$program.mjs" ] || [ ! -f "$root/dist/programs.inputs" ]; then
    why="dist/$program.mjs has not been built"
  else
    local input
    while IFS= read -r input; do
      if [ ! -e "$root/$input" ]; then why="$input (a source of dist/$program.mjs) is gone"; break; fi
      if [ "$root/$input" -nt "$root/dist/$program.mjs" ]; then why="$input is newer than dist/$program.mjs"; break; fi
    done < "$root/dist/programs.inputs"
  fi
  if [ -z "$why" ]; then
    exec node "${node_options[@]}" "$root/dist/$program.mjs" "$@"
  fi
  echo "[kybao] $why: running the TypeScript sources with tsx (slower; \"npm run build\" makes it fast again)" >&2
  exec node --import "file://$root/node_modules/tsx/dist/loader.mjs" "${node_options[@]}" "$root/$source" "$@"
}

#!/bin/sh
# devflow-npm-start: runs package.json's start script as `npm start` would, without npm itself
# between the platform and the app (npm costs about a second of CPU at every start). What a
# start script relies on is kept: PATH with node_modules/.bin of the app dir and its parents,
# the npm_package_* variables (name, version, config, engines, bin, as npm 7+ sets them),
# npm_lifecycle_event / npm_lifecycle_script / npm_package_json / npm_command / INIT_CWD /
# npm_node_execpath, prestart and poststart scripts, and signals: a start script that is one
# simple command becomes the process itself (exec), so SIGTERM reaches node; any other (or one
# with a poststart script) runs in its own process group, to which SIGTERM / SIGINT are passed.
set -e
here="$(dirname "$0")"
# start.env (written at build time from package.json): the npm_package_* exports and
# npm_start_pre / npm_start_script / npm_start_post. Names a shell cannot carry
# (npm_package_bin_my-cli) are left out: npm's own `sh -c` drops them on this stack too.
. "$here/../start.env"

dir="$PWD"
bins=""
while :; do
  bins="$bins$dir/node_modules/.bin:"
  [ "$dir" = / ] && break
  dir="$(dirname "$dir")"
done
export PATH="$bins$PATH"
export npm_package_json="$PWD/package.json" npm_command=start INIT_CWD="$PWD"
npm_node_execpath="$(command -v node || true)"
export npm_node_execpath NODE="$npm_node_execpath"

run_script() { # <event> <script>
  npm_lifecycle_event="$1" npm_lifecycle_script="$2" /bin/sh -c "$2"
}

# One simple command (no operators, redirections, subshells or leading assignment) can be
# exec'd by the shell, so no shell stays between the platform and the program.
is_simple() {
  case "$1" in *[\;\&\|\<\>\(\)\`]* | *'
'*) return 1 ;; esac
  case "${1%% *}" in *=*) return 1 ;; esac
  return 0
}

if [ -n "$npm_start_pre" ]; then run_script prestart "$npm_start_pre"; fi

start="$npm_start_script"
if is_simple "$start"; then start="exec $start"; fi
export npm_lifecycle_event=start npm_lifecycle_script="$npm_start_script"

if [ -z "$npm_start_post" ] && is_simple "$npm_start_script"; then exec /bin/sh -c "$start"; fi

# Otherwise this shell stays: it runs the start script in a process group of its own, passes
# SIGTERM / SIGINT to the whole group (so node gets them even under `cd x && node y`, which npm
# does not manage), and runs poststart when the start script ends well, as npm does.
group=""
if command -v setsid >/dev/null 2>&1; then
  setsid /bin/sh -c "$start" &
  group=-
else
  /bin/sh -c "$start" &
fi
child=$!
forwarded=0
trap 'forwarded=1; kill -TERM "$group$child" 2>/dev/null || true' TERM
trap 'forwarded=1; kill -INT "$group$child" 2>/dev/null || true' INT
status=0
wait "$child" || status=$?
# A trapped signal interrupts wait; waiting again gives the start script's own exit status.
while [ "$forwarded" = 1 ]; do forwarded=0; status=0; wait "$child" || status=$?; done
[ "$status" -eq 0 ] || exit "$status"
[ -z "$npm_start_post" ] || run_script poststart "$npm_start_post"

#!/usr/bin/env bash
# DevFlow's pre-receive hook without a Node start (githooks(5), "pre-receive"): the same exchange
# with the server as hook.mjs (see hook-channel.ts), spoken over bash's /dev/tcp. Starting Node
# for hook.mjs took about 0.1 s of every push on an idle machine, and several times that on a
# busy one; bash starts in a few milliseconds.
#
# Arguments: the Node binary and hook.mjs. The updates are handed to them instead whenever this
# script cannot do the exchange itself: a bash built without /dev/tcp, a channel URL of another
# form, or a value that would need more JSON escaping than this script does.
#
# As with hook.mjs, stderr reaches the pusher as `remote:` lines, and exit 1 rejects the push.
set -u
export LC_ALL=C
node="$1" fallback="$2"

updates=()
while IFS= read -r update || [ -n "$update" ]; do updates+=("$update"); done

to_node() {
  if [ "${#updates[@]}" -eq 0 ]; then "$node" "$fallback" </dev/null; else printf '%s\n' "${updates[@]}" | "$node" "$fallback"; fi
  exit $?
}

url="${DEVFLOW_HOOK_URL:-}" secret="${DEVFLOW_HOOK_SECRET:-}"
if [ -z "$url" ] || [ -z "$secret" ]; then
  printf '%s\n' '! this repository only accepts pushes through DevFlow' >&2
  exit 1
fi
# The channel listens on loopback only: http://127.0.0.1:<port>/push/<id>.
case "$url" in http://127.0.0.1:*/push/*) ;; *) to_node ;; esac
authority="${url#http://}" && authority="${authority%%/*}"
path="/${url#http://*/}"
port="${authority##*:}"

quarantine="${GIT_QUARANTINE_PATH:-}"
case "$quarantine" in '' | /*) ;; *) quarantine="$PWD/$quarantine" ;; esac

# Sets JSON to a JSON string of a ref name, a hash or a path (a function, not $(...): no fork).
# Git refuses control characters and backslashes in ref names, so escaping '"' and '\' is
# enough; a value with a control character fails, and the updates go to hook.mjs.
json_string() {
  case "$1" in *[[:cntrl:]]*) return 1 ;; esac
  JSON="${1//\\/\\\\}"
  JSON="\"${JSON//\"/\\\"}\""
}

# The JSON body of each update, as hook.mjs sends it; the lines git gives are "<old> <new> <ref>".
bodies=()
for update in "${updates[@]+"${updates[@]}"}"; do
  read -r old new ref <<<"$update"
  [ -n "$ref" ] || continue
  body='{'
  for field in "oldSha:$old" "newSha:$new" "ref:$ref" ${quarantine:+"quarantine:$quarantine"}; do
    json_string "${field#*:}" || to_node
    body="$body\"${field%%:*}\":$JSON,"
  done
  bodies+=("${body%,}}")
done

# Sends one update and relays the answer; returns 0 when the server's verdict is ok.
send() {
  local body="$1" line text verdict="" in_body=0
  printf 'POST %s HTTP/1.0\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' \
    "$path" "$authority" "$secret" "${#body}" "$body" >&3
  while IFS= read -r line <&3 || [ -n "$line" ]; do
    if [ "$in_body" = 0 ]; then
      [ "${line%$'\r'}" = '' ] && in_body=1
      continue
    fi
    case "$line" in
      'log '*) printf '%s\n' "${line#log }" >&2 ;;
      ok | 'ok '*) verdict=ok text="${line#ok}" && text="${text# }" && if [ -n "$text" ]; then printf '%s\n' "$text" >&2; fi ;;
      fail | 'fail '*) verdict=fail text="${line#fail}" && text="${text# }" && if [ -n "$text" ]; then printf '! %s\n' "$text" >&2; fi ;;
    esac
  done
  exec 3<&-
  if [ -z "$verdict" ]; then printf '%s\n' '! the deploy service ended without a verdict' >&2; fi
  [ "$verdict" = ok ]
}

sent=0
for body in "${bodies[@]+"${bodies[@]}"}"; do
  if ! { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
    # Before any update was sent, hook.mjs can still do them all.
    if [ "$sent" = 0 ]; then to_node; fi
    printf '%s\n' '! push failed: the deploy service could not be reached' >&2
    exit 1
  fi
  sent=$((sent + 1))
  send "$body" || exit 1
done
exit 0

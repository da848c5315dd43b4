# shellcheck shell=bash disable=SC2034  # sets variables for the examples that source it
# Shared by the examples (sourced, not run). Each example repeats one experiment of the
# article jrun grew from and prints what jrun shows beside what the article shows.
#
# Environment:
#   JRUN                the jrun to run (default: jrun on PATH, else this checkout's ./jrun)
#   JRUN_EXAMPLE_IMAGE  the image to run (default: alpine)
#   JRUN_ROOT, XDG_CONFIG_HOME, ...  passed through to jrun (store, registries.conf)

examples_dir=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

if [[ -z ${JRUN:-} ]]; then
  if command -v jrun >/dev/null 2>&1; then
    JRUN=jrun
  else
    JRUN=$examples_dir/../jrun
  fi
fi
IMAGE=${JRUN_EXAMPLE_IMAGE:-alpine}
failures=0
_cleanup_pids=()
_cleanup_dirs=()

# The function calls the program: "command" skips functions, so JRUN=jrun does not recurse.
jrun() { command "$JRUN" "$@"; }

# --- cleanup: background processes and temporary directories, whatever way we exit ---------

_cleanup() {
  local pid dir
  for pid in "${_cleanup_pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${_cleanup_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  for dir in "${_cleanup_dirs[@]}"; do
    rm -rf "$dir" 2>/dev/null || jrun unshare rm -rf "$dir" 2>/dev/null || true
  done
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# make_tempdir: sets tmpdir to a new private directory, removed on exit (files that container
# UIDs left in it are removed inside the user namespace if need be).
tmpdir=
make_tempdir() {
  tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/jrun-example.XXXXXX")
  _cleanup_dirs+=("$tmpdir")
}

# Stops (SIGTERM) and waits for this background process on exit.
cleanup_pid() { _cleanup_pids+=("$1"); }

# --- output ----------------------------------------------------------------------------------

heading() { printf '\n== %s ==\n' "$*"; }
note() { printf '   %s\n' "$*"; }

# side_by_side LEFT-TITLE LEFT-TEXT RIGHT-TITLE RIGHT-TEXT: two columns, line by line.
side_by_side() {
  local -a left right
  mapfile -t left <<<"$2"
  mapfile -t right <<<"$4"
  local n=${#left[@]} i
  (( ${#right[@]} > n )) && n=${#right[@]}
  printf '   %-40s | %s\n' "$1" "$3"
  for (( i = 0; i < n; i++ )); do
    printf '   %-40s | %s\n' "${left[i]:-}" "${right[i]:-}"
  done
}

# must_equal WHAT EXPECTED ACTUAL: where jrun and the article must agree. A difference is
# reported with both texts and makes the example exit 1.
must_equal() {
  if [[ $2 == "$3" ]]; then
    printf 'OK: %s\n' "$1"
  else
    printf 'DIFFERS: %s\n' "$1"
    side_by_side "expected" "$2" "jrun" "$3"
    failures=$((failures + 1))
  fi
}

finish() {
  if (( failures > 0 )); then
    printf '\n%s: %d check(s) differ\n' "$(basename "$0")" "$failures"
    exit 1
  fi
  printf '\n%s: all checks agree\n' "$(basename "$0")"
}

# --- who runs this ---------------------------------------------------------------------------

me=$(id -un)
my_uid=$(id -u)
my_gid=$(id -g)

need_root() {
  if [[ $my_uid != 0 ]]; then
    echo "$(basename "$0"): this example needs root (it shows $*); run: sudo $0" >&2
    exit 2
  fi
}

need_ordinary_user() {
  if [[ $my_uid == 0 ]]; then
    echo "$(basename "$0"): run this as an ordinary user (sudo -u alice $0): as root jrun maps" \
      "every ID to itself (see 02-root-map)" >&2
    exit 2
  fi
}

# --- subordinate IDs -------------------------------------------------------------------------

# subid_ranges FILE NAME UID: "start count" lines of NAME's (or UID's) entries, in file order.
subid_ranges() {
  [[ -r $1 ]] || return 0
  awk -F: -v n="$2" -v u="$3" '($1 == n || $1 == u) && NF == 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { print $2, $3 }' "$1"
}

# map_line INSIDE OUTSIDE COUNT: one line as the kernel prints /proc/PID/uid_map.
map_line() { printf '%10d %10d %10d\n' "$1" "$2" "$3"; }

# rootless_map FILE NAME ID: podman's rootless map: 0 -> ID, then every subordinate range
# sorted by its host start, stacked from container ID 1.
rootless_map() {
  local next=1 start count
  map_line 0 "$3" 1
  while read -r start count; do
    map_line "$next" "$start" "$count"
    next=$((next + count))
  done < <(subid_ranges "$1" "$2" "$3" | sort -n -k1,1)
}

# first_subid FILE NAME ID: the lowest subordinate ID (container ID 1 in a rootless map).
first_subid() { subid_ranges "$1" "$2" "$3" | sort -n -k1,1 | awk 'NR == 1 { print $1 }'; }

# --- the store -------------------------------------------------------------------------------

# Where jrun keeps images: --root, else $JRUN_ROOT, else $XDG_DATA_HOME/jrun, else ~/.local/share/jrun.
store_root() {
  if [[ -n ${JRUN_ROOT:-} ]]; then
    readlink -m "$JRUN_ROOT"
  elif [[ -n ${XDG_DATA_HOME:-} ]]; then
    echo "$XDG_DATA_HOME/jrun"
  else
    echo "$HOME/.local/share/jrun"
  fi
}

# Pulls the image once, so that pull progress does not mix with what the examples print.
pull_image() {
  jrun image inspect "$IMAGE" >/dev/null 2>&1 || jrun pull -q "$IMAGE" >/dev/null
}

# --- podman, for comparison ------------------------------------------------------------------

PODMAN_IMAGE=${JRUN_EXAMPLE_PODMAN_IMAGE:-localhost/busybox:latest}

# podman_run CMD...: podman's output for this user, or a note on stderr and status 3 if podman
# or its image is missing (the comparison is then skipped).
podman_run() {
  if ! command -v podman >/dev/null 2>&1; then
    echo "podman is not installed: no comparison with podman" >&2
    return 3
  fi
  local runtime=()
  [[ -x /usr/sbin/runc ]] && runtime=(--runtime /usr/sbin/runc)
  if ! podman_env image exists "$PODMAN_IMAGE" 2>/dev/null; then
    echo "podman has no image $PODMAN_IMAGE for $me (.ci/provision-debian imports it for alice and vagrant):" \
      "no comparison with podman" >&2
    return 3
  fi
  podman_env "${runtime[@]}" run --rm --network=none "$PODMAN_IMAGE" "$@"
}

# podman with the user's own storage configuration: an XDG_CONFIG_HOME that only points jrun
# at a registries.conf (as the tests do) would also hide ~/.config/containers/storage.conf.
podman_env() {
  if [[ -n ${XDG_CONFIG_HOME:-} && ! -e $XDG_CONFIG_HOME/containers/storage.conf ]]; then
    env -u XDG_CONFIG_HOME podman "$@"
  else
    podman "$@"
  fi
}

# --- a container in the background, seen from the host ---------------------------------------

# start_sleep SECONDS JRUN-RUN-ARGS...: starts "jrun run --stop-timeout 1 ARGS sleep SECONDS"
# in the background (jrun has no -d: it stays the container's parent) and waits until the
# host's ps shows the sleep. Sets sleep_jrun (jrun's PID) and sleep_pid (the sleep's host PID).
start_sleep() {
  local seconds=$1 i line
  shift
  # Not through the jrun function: $! must be jrun itself, so that SIGTERM reaches it.
  "$JRUN" run --rm --stop-timeout 1 "$@" sleep "$seconds" &
  sleep_jrun=$!
  cleanup_pid "$sleep_jrun"
  sleep_pid=
  for (( i = 0; i < 600; i++ )); do
    # ps exits 1 while there is no sleep at all.
    line=$( (ps -o pid=,args= -C sleep || true) |
            awk -v want="sleep $seconds" '{ pid = $1; sub(/^ *[0-9]+ +/, "") } $0 == want { print pid; exit }')
    if [[ -n $line ]]; then
      sleep_pid=$line
      return 0
    fi
    kill -0 "$sleep_jrun" 2>/dev/null || { wait "$sleep_jrun" || true; echo "jrun exited before sleep $seconds started" >&2; return 1; }
    sleep 0.1
  done
  echo "no 'sleep $seconds' process appeared within 60 s" >&2
  return 1
}

# stop_sleep: SIGTERM to jrun, which forwards it; sleep as PID 1 ignores it, so jrun kills the
# container after --stop-timeout (1 s) and exits 137.
stop_sleep() {
  kill -TERM "$sleep_jrun" 2>/dev/null || true
  wait "$sleep_jrun" 2>/dev/null || true
}

# ps_sleep SECONDS: the article's view, "ps -o user,uid,cmd -C sleep", only this example's line.
ps_sleep() {
  (ps -o user,uid,cmd -C sleep || true) | awk -v want="sleep $1" 'NR == 1 || $3 " " $4 == want'
}

# host_id MAP ID: the host ID that container ID maps to under MAP (uid_map lines), or nothing.
host_id() {
  awk -v id="$2" '$1 <= id && id < $1 + $3 { print $2 + (id - $1); exit }' <<<"$1"
}

# indent: standard input, indented under a heading.
indent() {
  local line
  while IFS= read -r line; do printf '     %s\n' "$line"; done
}

# container_id MAP HOSTID: the container ID that a host ID appears as under MAP, or the
# overflow ID 65534 if the map does not cover it.
container_id() {
  awk -v id="$2" '$2 <= id && id < $2 + $3 { print $1 + (id - $2); found = 1; exit } END { if (!found) print 65534 }' <<<"$1"
}

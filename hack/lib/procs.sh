# shellcheck shell=bash
# Host process supervision: each component runs detached (setsid) with its PID in
# ${PID_DIR}/<name>.pid and the absolute path of its executable in ${PID_DIR}/<name>.exe.
# cluster-down.sh only kills a PID whose /proc/<pid>/exe still is that executable.

# proc_running NAME: true if NAME's recorded PID is alive and still runs the recorded binary.
proc_running() {
  local name="$1" pid exe
  [[ -f "${PID_DIR}/${name}.pid" && -f "${PID_DIR}/${name}.exe" ]] || return 1
  pid="$(cat "${PID_DIR}/${name}.pid")"; exe="$(cat "${PID_DIR}/${name}.exe")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ "$(readlink -f "/proc/${pid}/exe" 2>/dev/null)" == "$(readlink -f "$exe")" ]]
}

# proc_command_line_is NAME BINARY ARGS...: true if NAME's running process has exactly this argv.
proc_command_line_is() {
  local name="$1" pid; shift
  pid="$(cat "${PID_DIR}/${name}.pid")"
  [[ "$(tr '\0' '\n' < "/proc/${pid}/cmdline" 2>/dev/null)" == "$(printf '%s\n' "$@")" ]]
}

# proc_environment_has NAME VAR=VALUE...: true if NAME's running process was started with these variables.
proc_environment_has() {
  local pid setting; pid="$(cat "${PID_DIR}/${1}.pid")"; shift
  local environment; environment="$(tr '\0' '\n' < "/proc/${pid}/environ" 2>/dev/null)"
  for setting in "$@"; do
    grep -qxF -- "$setting" <<<"$environment" || return 1
  done
}

# start_proc NAME [VAR=VALUE ...] BINARY ARGS...: start unless already running with these arguments and
# these environment settings; a component whose command line or settings changed (a new flag or value
# in hack/) is restarted, so a warm cluster picks it up.
start_proc() {
  local name="$1"; shift
  local settings=()
  while [[ "$1" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do settings+=("$1"); shift; done
  local bin="$1"; shift
  mkdir -p "${PID_DIR}" "${LOG_DIR}"
  if proc_running "$name"; then
    if proc_command_line_is "$name" "$bin" "$@" && proc_environment_has "$name" "${settings[@]}"; then
      log "${name} already running (pid $(cat "${PID_DIR}/${name}.pid"))"
      return 0
    fi
    log "${name}: its command line or settings changed; restarting it"
    stop_proc "$name"
  fi
  [[ -x "$bin" ]] || die "${name}: binary ${bin} not found"
  log "starting ${name}"
  # Non-interactive bash has no job control, so the background child is not a process
  # group leader; the subshell, env and setsid exec in place: $! is the component's own PID.
  # The component gets no descriptor but 0-2: one inherited from the caller (say the lock file of
  # `flock LOCK hack/cluster-up.sh`) would stay open, and locked, as long as the component runs.
  (
    for fd in /proc/"${BASHPID}"/fd/*; do
      fd="${fd##*/}"; if (( fd > 2 )); then eval "exec ${fd}>&-"; fi
    done
    exec env "${settings[@]}" setsid "$bin" "$@"
  ) >>"${LOG_DIR}/${name}.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" > "${PID_DIR}/${name}.pid"
  readlink -f "$bin" > "${PID_DIR}/${name}.exe"
  STARTED_SOMETHING=1
  sleep 0.3
  proc_running "$name" || { tail -n 30 "${LOG_DIR}/${name}.log" >&2; die "${name} exited right after start"; }
}

# stop_proc NAME: SIGTERM, wait up to 20s, then SIGKILL. Only our recorded process.
stop_proc() {
  local name="$1" pid i
  if ! proc_running "$name"; then
    rm -f "${PID_DIR}/${name}.pid" "${PID_DIR}/${name}.exe"
    return 0
  fi
  pid="$(cat "${PID_DIR}/${name}.pid")"
  log "stopping ${name} (pid ${pid})"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 40); do
    proc_running "$name" || break
    sleep 0.5
  done
  if proc_running "$name"; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
  rm -f "${PID_DIR}/${name}.pid" "${PID_DIR}/${name}.exe"
}

# shellcheck shell=bash
# Shared helpers for targets/<impl>/start and stop. Sourced, never run.
#
# The contract a recipe implements (targets/README.md has the long form):
#   in:  ORIGIN_<ID>_HTTP / ORIGIN_<ID>_HTTPS = 127.0.0.1:PORT for ID in ASSETS SITE API SECURE LEGACY,
#        EDGE_HTTP_PORT, EDGE_HTTPS_PORT, EDGE_CERT, EDGE_KEY, EDGE_CA, WORKDIR
#   out: the software listening on 127.0.0.1:EDGE_HTTP_PORT (HTTP) and :EDGE_HTTPS_PORT (HTTPS),
#        config, pid file, logs and temp files under WORKDIR; `start` exits 0 once both ports accept.

EC_DOMAIN=d111111abcdef8.cloudfront.net
EC_ALIAS=www.example.com

ec_die() { echo "${EC_RECIPE:-recipe}: $*" >&2; exit 1; }
ec_log() { echo "${EC_RECIPE:-recipe}: $*" >&2; }

# ec_need_env VAR...: fail with the names of the missing variables.
ec_need_env() {
    local v missing=()
    for v in "$@"; do [[ -n "${!v:-}" ]] || missing+=("$v"); done
    ((${#missing[@]} == 0)) || ec_die "missing environment: ${missing[*]} (see targets/README.md)"
}

# ec_split_origins: for every ORIGIN_X_PROTO=host:port also export ORIGIN_X_PROTO_HOST and _PORT
# (VCL, squid and a few others want them apart).
ec_split_origins() {
    local v
    for v in $(compgen -v ORIGIN_); do
        [[ $v =~ ^ORIGIN_[A-Z0-9]+_HTTPS?$ ]] || continue
        export "${v}_HOST=${!v%:*}" "${v}_PORT=${!v##*:}"
    done
}

# ec_install BINARY PACKAGE...: install the Debian packages when BINARY is not on PATH (or not an
# existing file, for absolute paths). Nothing system-wide is started: a policy-rc.d that refuses
# every service start is in place for the install (written and removed by us if there is none).
ec_install() {
    local bin=$1; shift
    if [[ $bin == /* ]]; then [[ -e $bin ]] && return 0; else command -v "$bin" >/dev/null && return 0; fi
    [[ $(id -u) == 0 ]] || ec_die "$bin is missing; install it as root: apt-get install -y --no-install-recommends $*"
    local prc=/usr/sbin/policy-rc.d ours=0 t0=$SECONDS rc=0
    if [[ ! -e $prc ]]; then
        printf '#!/bin/sh\n# written by edgeconform targets/lib/common.sh during an install\nexit 101\n' >"$prc"
        chmod 755 "$prc"; ours=1
    fi
    ec_log "installing $* (Debian) ..."
    local apt=(apt-get -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends)
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "$@" >"${WORKDIR:-/tmp}/apt-install.log" 2>&1 || {
        # A fresh machine may have no package lists yet.
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q update >>"${WORKDIR:-/tmp}/apt-install.log" 2>&1 &&
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "$@" >>"${WORKDIR:-/tmp}/apt-install.log" 2>&1
    } || rc=$?
    ((ours)) && rm -f "$prc"
    ((rc == 0)) || ec_die "apt-get install $* failed (log: ${WORKDIR:-/tmp}/apt-install.log)"
    ec_log "installed $* in $((SECONDS - t0)) s"
}

# ec_render TEMPLATE OUT: copy TEMPLATE to OUT replacing every @NAME@ with the value of the
# environment variable NAME; an unset NAME is an error (no silent empty substitution).
ec_render() {
    local tpl=$1 out=$2 text name
    text=$(<"$tpl")
    while [[ $text =~ @([A-Z][A-Z0-9_]*)@ ]]; do
        name=${BASH_REMATCH[1]}
        [[ -n ${!name+x} ]] || ec_die "$tpl: @$name@ has no value (set $name)"
        text=${text//"@$name@"/${!name}}
    done
    printf '%s\n' "$text" >"$out"
}

# ec_port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
ec_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ec_check_free PORT...: fail early when a port is already taken (another run, a leftover).
ec_check_free() {
    local p
    for p in "$@"; do ! ec_port_open "$p" || ec_die "127.0.0.1:$p is already in use"; done
}

# ec_wait_ports PIDFILE TIMEOUT PORT...: wait until every port accepts, while the pid lives.
ec_wait_ports() {
    local pidfile=$1 timeout=$2; shift 2
    local deadline=$((SECONDS + timeout)) p pid
    for p in "$@"; do
        until ec_port_open "$p"; do
            pid=$(cat "$pidfile" 2>/dev/null || true)
            if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
                ec_die "exited before listening on $p (logs in $WORKDIR)"
            fi
            ((SECONDS < deadline)) || ec_die "port $p not listening after ${timeout}s (logs in $WORKDIR)"
            sleep 0.1
        done
    done
}

# ec_stop PIDFILE [TIMEOUT]: TERM the pid in PIDFILE, KILL it after TIMEOUT seconds (default 10).
ec_stop() {
    local pidfile=$1 timeout=${2:-10} pid i
    [[ -s $pidfile ]] || { ec_log "no pid file $pidfile: not running"; return 0; }
    pid=$(<"$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] || ec_die "$pidfile does not hold a pid"
    kill -TERM "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
    for ((i = 0; i < timeout * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
        sleep 0.1
    done
    ec_log "pid $pid still alive after ${timeout}s: KILL"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

# ec_daemonize PIDFILE LOG CMD...: run a foreground-only program in the background, its pid in PIDFILE.
ec_daemonize() {
    local pidfile=$1 log=$2; shift 2
    setsid "$@" </dev/null >>"$log" 2>&1 &
    echo $! >"$pidfile"
}

# ec_common_start: the checks every start does first.
ec_common_start() {
    ec_need_env WORKDIR EDGE_HTTP_PORT EDGE_HTTPS_PORT EDGE_CERT EDGE_KEY "$@"
    mkdir -p "$WORKDIR"
    WORKDIR=$(cd "$WORKDIR" && pwd); export WORKDIR
    ec_split_origins
    export EC_DOMAIN EC_ALIAS
}

# ec_free_port: a loopback port nothing listens on now (for a recipe's internal hop), below the
# kernel's ephemeral range: a port in that range can be held by an outgoing connection or its
# TIME_WAIT (the run before leaves thousands), which no listener shows but which makes the bind
# fail with "Address already in use".
ec_free_port() {
    local p low=32768
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
    ((low > 12000)) || low=40000
    while :; do
        p=$((10000 + RANDOM % (low - 10000)))
        ec_port_open "$p" || { echo "$p"; return; }
    done
}

# Sourced by .ci/run: make sure a PostgreSQL server answers before the tests, and export
# DRAMABOT_TEST_POSTGRES (a maintenance URL; tests/postgres.py makes one database per run there).
#  1. DRAMABOT_TEST_POSTGRES already set: used as it is.
#  2. 127.0.0.1:5432 accepts connections (pg_isready): postgres@127.0.0.1:5432 (this project's machines).
#  3. the machine's installed cluster (pg_lsclusters / pg_ctlcluster), started if down, when user
#     postgres may log in over 127.0.0.1 without a password.
#  4. a throwaway cluster: initdb in a temporary folder (as the postgres user when run as root:
#     initdb refuses root; the user is created when missing), on a free port, stopped and removed on exit.
# DRAMABOT_CI_OWN_POSTGRES=1 skips 2 and 3 (to try the throwaway path by hand).

_pg_bindir() {
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
    else
        ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
    fi
}

_pg_can_login() {  # host port
    "$(_pg_bindir)/psql" "postgresql://postgres@$1:$2/postgres?connect_timeout=3" -Atqc "SELECT 1" >/dev/null 2>&1 </dev/null
}

_pg_as_owner() {  # run a command as the cluster's owner (postgres when we are root)
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_pg_throwaway() {
    local bin port
    bin="$(_pg_bindir)"
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        echo ".ci/run: no PostgreSQL server and no initdb to make one (apt-get install postgresql)" >&2
        return 1
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    fi
    DRAMABOT_CI_PG_DIR="$(mktemp -d -t dramabot-ci-pg-XXXXXX)"
    [ "$(id -u)" = 0 ] && chown postgres "$DRAMABOT_CI_PG_DIR"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    _pg_as_owner "$bin/initdb" -D "$DRAMABOT_CI_PG_DIR/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
    trap '_pg_as_owner "'"$bin"'/pg_ctl" -D "$DRAMABOT_CI_PG_DIR/data" -m fast -w stop >/dev/null 2>&1; rm -rf "$DRAMABOT_CI_PG_DIR"' EXIT
    _pg_as_owner "$bin/pg_ctl" -D "$DRAMABOT_CI_PG_DIR/data" -l "$DRAMABOT_CI_PG_DIR/server.log" -w -t 60 \
        -o "-p $port -k $DRAMABOT_CI_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    export DRAMABOT_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/postgres"
    echo ".ci/run: started a throwaway PostgreSQL ($("$bin/postgres" --version)) on 127.0.0.1:$port in $DRAMABOT_CI_PG_DIR" >&2
}

ensure_postgres() {
    if [ -n "${DRAMABOT_TEST_POSTGRES:-}" ]; then
        return 0
    fi
    if [ -z "${DRAMABOT_CI_OWN_POSTGRES:-}" ]; then
        if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
            export DRAMABOT_TEST_POSTGRES="postgresql://postgres@127.0.0.1:5432/postgres"
            return 0
        fi
        if command -v pg_lsclusters >/dev/null 2>&1; then
            local version name port
            read -r version name port _ < <(pg_lsclusters -h 2>/dev/null | head -n 1) || true
            if [ -n "${version:-}" ]; then
                pg_ctlcluster "$version" "$name" start >/dev/null 2>&1 || true
                for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done
                if _pg_can_login 127.0.0.1 "$port"; then
                    export DRAMABOT_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/postgres"
                    return 0
                fi
            fi
        fi
    fi
    _pg_throwaway
}

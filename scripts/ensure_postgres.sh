#!/usr/bin/env bash
# Make sure PostgreSQL answers at $PGHOST:$PGPORT with the configured role. A local
# cluster that is down is started; on a local cluster we administer, the role is created.
source "$(dirname "$0")/common.sh"

is_local() { case "$PGHOST" in localhost|127.0.0.1|::1|/*) return 0;; *) return 1;; esac; }

if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
    is_local || die "PostgreSQL at $PGHOST:$PGPORT does not answer. Start it, or set PGHOST/PGPORT (or db_host/db_port in odoo.conf)."
    command -v pg_lsclusters >/dev/null || die "No PostgreSQL answers on $PGHOST:$PGPORT and no local cluster tools (pg_lsclusters) are installed. Install PostgreSQL 15 or point PGHOST at a server."
    cluster=$(pg_lsclusters -h | awk -v port="$PGPORT" '$3 == port {print $1" "$2; exit}')
    [ -n "$cluster" ] || die "No local PostgreSQL cluster listens on port $PGPORT (pg_lsclusters). Create one or set PGPORT."
    say "Starting the local PostgreSQL cluster $cluster"
    # shellcheck disable=SC2086
    pg_ctlcluster $cluster start || die "Could not start the PostgreSQL cluster $cluster (see its log in /var/log/postgresql)."
    for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
    pg_isready -q -h "$PGHOST" -p "$PGPORT" || die "PostgreSQL $cluster started but does not answer on $PGHOST:$PGPORT."
fi

if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    if is_local && id postgres >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        say "Creating the PostgreSQL role $PGUSER (createdb) on the local cluster"
        env -u PGHOST -u PGUSER -u PGPASSWORD runuser -u postgres -- psql -p "$PGPORT" -v ON_ERROR_STOP=1 -q -c \
            "DO \$\$ BEGIN
               IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGUSER') THEN
                 CREATE ROLE \"$PGUSER\" LOGIN CREATEDB PASSWORD '$PGPASSWORD';
               ELSE
                 ALTER ROLE \"$PGUSER\" LOGIN CREATEDB PASSWORD '$PGPASSWORD';
               END IF;
             END \$\$;" || die "Could not create the role $PGUSER."
    fi
    psql -d postgres -tAc 'select 1' >/dev/null \
        || die "Cannot log in to PostgreSQL at $PGHOST:$PGPORT as $PGUSER. Set PGUSER/PGPASSWORD (or db_user/db_password in odoo.conf)."
fi
say "PostgreSQL ready at $PGHOST:$PGPORT as $PGUSER"

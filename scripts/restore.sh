#!/usr/bin/env bash
# Restores a backup made by backup.sh into an EMPTY database and empty files and secrets directories.
# Stop the server first. Everything is checked before anything is written: the checksums, that the
# database has no tables, that the files and secrets directories are empty. The database is restored in
# one transaction; then the files and the secrets (owner-only permissions). A backed-up ENV_FILE is put
# back when none exists, or next to it as $ENV_FILE.from-backup when it differs.
#
# usage: restore.sh <backup directory>
# Settings (environment), as for backup.sh: DATABASE_URL, DATA_DIR (./data), FILE_STORAGE_PATH
# ($DATA_DIR/files), SECRETS_DIR ($DATA_DIR/secrets), ENV_FILE (.env).
set -euo pipefail
umask 077

DATA_DIR=${DATA_DIR:-./data}
FILE_STORAGE_PATH=${FILE_STORAGE_PATH:-$DATA_DIR/files}
SECRETS_DIR=${SECRETS_DIR:-$DATA_DIR/secrets}
ENV_FILE=${ENV_FILE:-.env}
CHATALOT_CLI=${CHATALOT_CLI:-$(dirname "$0")/../packages/server/dist/cli.js}

fail() {
  echo "restore: $*" >&2
  exit 1
}

[[ $# -eq 1 ]] || fail "usage: restore.sh <backup directory>"
backup=$1
[[ -f $backup/SHA256SUMS && -f $backup/backup.info ]] || fail "$backup is not a backup made by backup.sh"
(cd "$backup" && sha256sum --quiet --strict -c SHA256SUMS) >&2 || fail "$backup is damaged (checksums differ)"
kind=$(sed -n 's/^kind=//p' "$backup/backup.info")

is_empty_dir() { [[ ! -e $1 ]] || [[ -d $1 && -z $(ls -A -- "$1") ]]; }

restore_env() {
  [[ -f $backup/env ]] || return 0
  if [[ ! -e $ENV_FILE ]]; then
    cp -- "$backup/env" "$ENV_FILE"
  elif ! cmp -s -- "$backup/env" "$ENV_FILE"; then
    cp -- "$backup/env" "$ENV_FILE.from-backup"
    echo "restore: $ENV_FILE differs from the backed-up one, kept it; the backup's is $ENV_FILE.from-backup" >&2
  fi
}

if [[ $kind == embedded ]]; then
  # chatalot import runs the same checks itself and restores files and secrets from the archive.
  node "$CHATALOT_CLI" import "$backup/instance.tar.gz" || fail "chatalot import failed"
  restore_env
  exit 0
fi
[[ $kind == postgres ]] || fail "$backup/backup.info names an unknown kind '$kind'"
[[ -n ${DATABASE_URL:-} ]] || fail "set DATABASE_URL to the (new, empty) database to restore into"

tables=$(psql "$DATABASE_URL" -XAtq -c "select count(*) from pg_tables where schemaname = current_schema()") ||
  fail "cannot reach the database"
[[ $tables == 0 ]] || fail "the database already has $tables tables: restore into a new, empty database"
is_empty_dir "$FILE_STORAGE_PATH" || fail "$FILE_STORAGE_PATH is not empty"
is_empty_dir "$SECRETS_DIR" || fail "$SECRETS_DIR is not empty"

pg_restore --exit-on-error --single-transaction --no-owner --no-privileges \
  --dbname="$DATABASE_URL" "$backup/database.dump" || fail "pg_restore failed; the database was left empty"
mkdir -p -- "$FILE_STORAGE_PATH"
tar -xzf "$backup/files.tar.gz" -C "$FILE_STORAGE_PATH"
mkdir -p -m 700 -- "$SECRETS_DIR"
tar -xzf "$backup/secrets.tar.gz" -C "$SECRETS_DIR"
chmod 700 -- "$SECRETS_DIR"
find "$SECRETS_DIR" -type f -exec chmod 600 {} +
restore_env
echo "restore: restored $backup ($(sed -n 's/^schema_version=//p' "$backup/backup.info") migrations); start the server"

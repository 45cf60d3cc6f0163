#!/usr/bin/env bash
# Backs up a Chatalot instance into BACKUP_DIR/<UTC timestamp>/ and keeps the newest BACKUP_KEEP backups.
#
# With DATABASE_URL (PostgreSQL): database.dump (pg_dump, custom format, one consistent snapshot), then
# files.tar.gz (FILE_STORAGE_PATH) and secrets.tar.gz (SECRETS_DIR). The dump is taken first: uploads only
# add files, so every file a row of the dump refers to is in the files archive taken after it.
# Without DATABASE_URL (embedded database): instance.tar.gz from `chatalot export`, which needs the server
# stopped (PGlite is single-process).
# Both: a copy of ENV_FILE as `env` (it may hold TOTP_ENCRYPTION_KEY and the database password),
# backup.info (kind, schema version) and SHA256SUMS. A backup appears under its final name only when
# complete; any failure exits non-zero and leaves nothing that looks like a backup.
#
# Settings (environment): DATABASE_URL, DATA_DIR (./data), FILE_STORAGE_PATH ($DATA_DIR/files),
# SECRETS_DIR ($DATA_DIR/secrets), ENV_FILE (.env), BACKUP_DIR (./backups), BACKUP_KEEP (30).
set -euo pipefail
umask 077

DATA_DIR=${DATA_DIR:-./data}
FILE_STORAGE_PATH=${FILE_STORAGE_PATH:-$DATA_DIR/files}
SECRETS_DIR=${SECRETS_DIR:-$DATA_DIR/secrets}
ENV_FILE=${ENV_FILE:-.env}
BACKUP_DIR=${BACKUP_DIR:-./backups}
BACKUP_KEEP=${BACKUP_KEEP:-30}
CHATALOT_CLI=${CHATALOT_CLI:-$(dirname "$0")/../packages/server/dist/cli.js}

fail() {
  echo "backup: $*" >&2
  exit 1
}

[[ $BACKUP_KEEP =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_KEEP must be a whole number of at least 1 (got '$BACKUP_KEEP')"

# A directory's contents as a gzipped tar; an empty archive when the directory does not exist yet.
archive_dir() {
  if [[ -d $1 ]]; then
    tar -czf "$2" -C "$1" .
  else
    tar -czf "$2" --files-from /dev/null
  fi
}

stamp=$(date -u +%Y%m%dT%H%M%SZ)
final="$BACKUP_DIR/$stamp"
[[ ! -e $final ]] || fail "$final already exists"
mkdir -p "$BACKUP_DIR"
work=$(mktemp -d "$BACKUP_DIR/.partial-$stamp.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

if [[ -n ${DATABASE_URL:-} ]]; then
  kind=postgres
  pg_dump --format=custom --no-owner --no-privileges --file="$work/database.dump" "$DATABASE_URL" ||
    fail "pg_dump failed"
  schema=$(pg_restore --data-only --table=schema_migrations --file=- "$work/database.dump" |
    awk '/^COPY /{copy=1; next} /^\\\.$/{copy=0} copy && $1 > max {max = $1} END {print max + 0}')
  archive_dir "$FILE_STORAGE_PATH" "$work/files.tar.gz"
  archive_dir "$SECRETS_DIR" "$work/secrets.tar.gz"
else
  kind=embedded
  node "$CHATALOT_CLI" export "$work/instance.tar.gz" >/dev/null || fail "chatalot export failed"
  schema=$(tar -xzOf "$work/instance.tar.gz" ./manifest.json |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).schema.length))')
fi
[[ -f $ENV_FILE ]] && cp -- "$ENV_FILE" "$work/env"

printf 'format=chatalot-backup-1\nkind=%s\nschema_version=%s\ncreated_at=%s\n' \
  "$kind" "$schema" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$work/backup.info"
(cd "$work" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | sort | xargs sha256sum >SHA256SUMS)
mv -- "$work" "$final"
trap - EXIT
echo "backup: wrote $final ($kind, schema version $schema)"

mapfile -t backups < <(find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*T[0-9]*Z' | sort)
for ((i = 0; i < ${#backups[@]} - BACKUP_KEEP; i++)); do
  rm -rf -- "${backups[i]}"
  echo "backup: removed ${backups[i]} (keeping the newest $BACKUP_KEEP)"
done

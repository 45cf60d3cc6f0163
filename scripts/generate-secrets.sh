#!/usr/bin/env bash
# Makes the secrets a Chatalot instance needs, once: an Ed25519 key pair that signs access tokens
# (secrets/jwt_private.pem, secrets/jwt_public.pem) and a .env with a random database password and 2FA
# encryption key. Existing files are kept, so running it again never logs anyone out or breaks 2FA.
#
#   scripts/generate-secrets.sh [--owner UID:GID] [DIR]
#
# DIR defaults to the repository root. --owner hands the files to the user the server runs as (the Docker
# image runs as 1000:1000); without it they belong to whoever runs the script. Every file is mode 0600.
set -euo pipefail

owner=""
if [ "${1:-}" = "--owner" ]; then
  owner="${2:?--owner needs UID:GID}"
  shift 2
fi
dir="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
case "$dir" in
  *[[:space:]]*) echo "generate-secrets: the directory must not contain spaces: $dir" >&2; exit 1 ;;
esac
secrets="$dir/secrets"
env_file="$dir/.env"
umask 077
mkdir -p "$secrets"

if [ -f "$secrets/jwt_private.pem" ]; then
  echo "Keeping the existing signing key $secrets/jwt_private.pem"
else
  openssl genpkey -algorithm ed25519 -out "$secrets/jwt_private.pem"
  echo "Made the token signing key $secrets/jwt_private.pem"
fi
if [ ! -f "$secrets/jwt_public.pem" ]; then
  openssl pkey -in "$secrets/jwt_private.pem" -pubout -out "$secrets/jwt_public.pem"
fi

if [ -f "$env_file" ]; then
  echo "Keeping the existing $env_file"
else
  db_password="$(openssl rand -hex 24)"
  cat >"$env_file" <<ENV
# Made by scripts/generate-secrets.sh on $(date -u +%Y-%m-%d). Back it up with secrets/: losing
# TOTP_ENCRYPTION_KEY breaks every member's two-factor sign-in.
DB_PASSWORD=$db_password
TOTP_ENCRYPTION_KEY=$(openssl rand -hex 32)
JWT_PRIVATE_KEY_PATH=$secrets/jwt_private.pem
JWT_PUBLIC_KEY_PATH=$secrets/jwt_public.pem
REGISTRATION_MODE=invite_only
# Without Docker: uncomment to use PostgreSQL instead of the embedded database.
#DATABASE_URL=postgres://chatalot:$db_password@127.0.0.1:5432/chatalot
# With Docker, for two app nodes sharing Redis: uncomment both.
#COMPOSE_PROFILES=redis
#REDIS_URL=redis://redis:6379
ENV
  echo "Made $env_file"
fi

chmod 600 "$secrets/jwt_private.pem" "$secrets/jwt_public.pem" "$env_file"
if [ -n "$owner" ]; then
  chown "$owner" "$secrets" "$secrets/jwt_private.pem" "$secrets/jwt_public.pem" "$env_file"
fi

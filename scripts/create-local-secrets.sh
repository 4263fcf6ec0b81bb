#!/bin/sh
# Creates the secret files docker-compose.yml reads from ./secrets/, with values for a LOCAL stack only.
# Existing files are kept, so running it again changes nothing. Production secrets belong in the
# orchestrator's secret store, passed the same way (NAME_FILE).
set -eu
cd "$(dirname "$0")/.."
mkdir -p secrets
random() { node -e "process.stdout.write(require('node:crypto').randomBytes($1).toString('base64url'))"; }
put() {
  if [ -e "secrets/$1" ]; then echo "kept    secrets/$1"; return; fi
  printf '%s\n' "$2" > "secrets/$1"
  chmod 644 "secrets/$1"
  echo "created secrets/$1"
}
pg_password="$(random 18)"
if [ -e secrets/postgres_password.txt ]; then pg_password="$(head -n 1 secrets/postgres_password.txt)"; fi
put postgres_password.txt "$pg_password"
put database_url.txt "postgres://fulfill:$pg_password@postgres:5432/fulfill"
put redis_url.txt "redis://redis:6379"
put stripe_secret_key.txt "sk_test_local_only"
put stripe_webhook_secret.txt "whsec_$(random 24)"
put order_id_secret.txt "$(random 32)"
put smtp_url.txt "smtp://mailpit:1025"
put admin_password.txt "$(random 18)"

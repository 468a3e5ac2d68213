#!/bin/bash
# Cloudron runs this as root on every start (install, restart, update, restore):
# prepare /app/data, then run the server as the unprivileged cloudron user.
set -eu

# /app/data is the only persistent, backed-up place (localstorage addon).
mkdir -p /app/data

# First start only: a commented example that documents every key and changes
# nothing. Never overwrite it: the admin's edits must survive every restart.
if [[ ! -e /app/data/config.toml ]]; then
    cp /app/code/config.example.toml /app/data/config.toml
fi
chown -R cloudron:cloudron /app/data

# gunicorn logs to stdout/stderr, which Cloudron collects.
cd /app/code
exec gosu cloudron:cloudron /app/code/venv/bin/gunicorn -c /app/code/gunicorn.conf.py 'app:create_app()'

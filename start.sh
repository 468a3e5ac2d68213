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

# The tls addon's key may be readable by root only, and the server runs as
# cloudron: hand it a private copy in /run (tmpfs). Cloudron restarts the app
# when the certificate is renewed, so the copy is refreshed here.
if [[ -r /etc/certs/tls_cert.pem && -r /etc/certs/tls_key.pem ]]; then
    install -d -m 700 -o cloudron -g cloudron /run/certs
    install -m 600 -o cloudron -g cloudron /etc/certs/tls_cert.pem /etc/certs/tls_key.pem /run/certs/
    export AUTOCONFIG_TLS_CERT_FILE=/run/certs/tls_cert.pem AUTOCONFIG_TLS_KEY_FILE=/run/certs/tls_key.pem
fi

# gunicorn logs to stdout/stderr, which Cloudron collects.
cd /app/code
exec gosu cloudron:cloudron /app/code/venv/bin/gunicorn -c /app/code/gunicorn.conf.py 'app:create_app()'

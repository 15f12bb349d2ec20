#!/usr/bin/env bash
# The worked example of apps/server/README.md ("Bring your own CA"), line for line: a CA made
# with OpenSSL, imported into cmpkit-server, enrolled against with openssl cmp, checked with
# openssl verify. Run it in an empty directory with cmpkit-server on the PATH; PORT=0 picks a
# free port. apps/server/test/interop/import-openssl-ca.spec.ts runs it and checks that the
# README shows exactly these commands.
set -euo pipefail
# --- README example: begin ---
# 1. A root CA and an issuing CA below it, made with OpenSSL (keys unencrypted: -noenc)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -days 3650 \
  -subj "/O=Example/CN=Example Root CA" -keyout root.key -out root.pem
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
  -subj "/O=Example/CN=Example Issuing CA" -keyout ca.key -out ca.csr
printf '%s\n' 'basicConstraints = critical, CA:true, pathlen:0' 'keyUsage = critical, keyCertSign, cRLSign' \
  'subjectKeyIdentifier = hash' 'authorityKeyIdentifier = keyid' > ca.ext
openssl x509 -req -in ca.csr -CA root.pem -CAkey root.key -CAcreateserial -days 1825 -extfile ca.ext -out ca.pem

# 2. Import it: checked (chain to the root, key matches), copied into the data directory; the CA
#    issues the server's CMP protection certificate (id-kp-cmcCA) and signs a first CRL
cmpkit-server init --import --data-dir ca-data --ca-cert ca.pem --ca-key ca.key --ca-chain root.pem
cmpkit-server secret add factory --data-dir ca-data --secret pass:factory-secret-1

# 3. Serve it, and enroll a device with OpenSSL's client
cmpkit-server serve --data-dir ca-data --port "${PORT:-8080}" 2> serve.log & server_pid=$!
until url=$(grep -o -m1 'listening url=http://[^ ]*' serve.log); do kill -0 $server_pid; sleep 0.2; done
server=${url#listening url=http://} && server=${server%%/*}     # 127.0.0.1:8080
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out device.key
openssl cmp -cmd ir -server "$server" -path .well-known/cmp -ref factory -secret pass:factory-secret-1 \
  -newkey device.key -subject /CN=device-1 -certout device.pem
openssl verify -CAfile root.pem -untrusted ca.pem device.pem

# 4. The device renews with a signed kur, trusting the imported root
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out device2.key
openssl cmp -cmd kur -server "$server" -path .well-known/cmp -trusted root.pem -untrusted ca.pem \
  -cert device.pem -key device.key -newkey device2.key -certout device2.pem
openssl verify -CAfile root.pem -untrusted ca.pem device2.pem
kill $server_pid
# --- README example: end ---

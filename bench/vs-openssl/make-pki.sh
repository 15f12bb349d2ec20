#!/usr/bin/env bash
# Makes the PKI that `pnpm bench vs-openssl` gives both servers, with openssl only, in DIR:
#   root-ca.pem / root-ca.key.pem        root CA (EC P-256)
#   issuing-ca.pem / issuing-ca.key.pem  issuing CA under the root
#   cmp-server.pem / cmp-server.key.pem  the servers' CMP protection certificate (id-kp-cmcCA)
#   device.pem / device.key.pem          an enrolled end entity: signs the cr requests
#   new.key.pem / new.pem                the key every request asks a certificate for, and a
#                                        certificate for it (the mock server's fixed answer)
# The file names and subjects are those cmpkit-server writes itself on first start, so its data
# directory is DIR as is. Usage: make-pki.sh DIR
set -euo pipefail
dir=${1:?usage: make-pki.sh DIR}
mkdir -p "$dir"
cd "$dir"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
cat > ext.cnf <<'CNF'
[issuing]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[cmp_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = 1.3.6.1.5.5.7.3.27
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[end_entity]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
openssl req -x509 "${ec[@]}" -keyout root-ca.key.pem -out root-ca.pem -days 30 \
  -subj '/O=cmpkit demo/CN=cmpkit Root CA' \
  -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
  -addext 'subjectKeyIdentifier=hash' 2>/dev/null
# issue NAME SUBJECT SECTION CA: a key NAME.key.pem and a certificate NAME.pem signed by CA.
issue() {
  openssl req -new "${ec[@]}" -keyout "$1.key.pem" -out "$1.csr" -subj "$2" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key.pem" -CAcreateserial -days 30 \
    -extfile ext.cnf -extensions "$3" -out "$1.pem" 2>/dev/null
  rm "$1.csr"
}
issue issuing-ca '/O=cmpkit demo/CN=cmpkit Issuing CA' issuing root-ca
issue cmp-server '/O=cmpkit demo/CN=cmpkit CMP Server' cmp_server issuing-ca
issue device '/O=cmpkit bench/CN=enrolled device' end_entity issuing-ca
issue new '/O=cmpkit bench/CN=bench device' end_entity issuing-ca
chmod 600 ./*.key.pem
rm -f ext.cnf ./*.srl

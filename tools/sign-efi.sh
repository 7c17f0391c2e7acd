#!/bin/sh
# Signs a UEFI binary for Secure Boot with sbsigntool:
#   tools/sign-efi.sh KEY.pem CERT.pem IN.efi OUT.efi
# An encrypted KEY needs its passphrase, never on the command line (where
# every user sees it in the process list): SIGN_PASS_FILE=<file> names a
# file holding it, or SIGN_PASS in the environment holds it. The key is then
# decrypted into a private temporary directory that is removed on exit.
# OUT is checked with `sbverify --cert CERT` before the script succeeds.
set -eu
usage() { echo "usage: $0 KEY.pem CERT.pem IN.efi OUT.efi (passphrase: SIGN_PASS_FILE or SIGN_PASS)" >&2; exit 2; }
[ $# -eq 4 ] || usage
key=$1 cert=$2 in=$3 out=$4
for t in sbsign sbverify openssl; do
    command -v $t >/dev/null || { echo "$0: $t not found; install sbsigntool and openssl (tools/deps.sh)" >&2; exit 1; }
done
for f in "$key" "$cert" "$in"; do
    [ -r "$f" ] || { echo "$0: $f: cannot read" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
chmod 700 "$tmp"
usekey=$key
if grep -q "ENCRYPTED" "$key"; then
    if [ -n "${SIGN_PASS_FILE:-}" ]; then
        passin="file:$SIGN_PASS_FILE"
    elif [ -n "${SIGN_PASS+set}" ]; then
        passin="env:SIGN_PASS"
    else
        echo "$0: $key is encrypted: give its passphrase in SIGN_PASS_FILE (a file) or SIGN_PASS (environment)" >&2
        exit 1
    fi
    (umask 077; openssl pkey -in "$key" -passin "$passin" -out "$tmp/key.pem") || {
        echo "$0: cannot decrypt $key (wrong passphrase?)" >&2; exit 1; }
    usekey=$tmp/key.pem
fi
sbsign --key "$usekey" --cert "$cert" --output "$tmp/signed.efi" "$in" >/dev/null
sbverify --cert "$cert" "$tmp/signed.efi" >/dev/null || { echo "$0: sbverify rejects the result" >&2; exit 1; }
mv "$tmp/signed.efi" "$out"
echo "sign-efi.sh: $out signed with $(openssl x509 -in "$cert" -noout -subject)"

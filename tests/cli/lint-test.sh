#!/usr/bin/env bash
# Tests of `pushsim lint` as a user runs it: exit status, and the position and reason it prints.
#   lint-test.sh PUSHSIM VECTORS_DIR
set -u
pushsim=$1
vectors=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passed=0

expect() {  # expect NAME STATUS PATTERN -- ARGS...
  local name=$1 status=$2 pattern=$3
  shift 4
  local output actual
  output=$("$pushsim" lint "$@" 2>&1 < "${STDIN:-/dev/null}")
  actual=$?
  if [ "$actual" -ne "$status" ] || ! grep -qE -- "$pattern" <<<"$output"; then
    echo "FAIL $name: exit $actual (wanted $status), output:"
    echo "$output" | sed 's/^/    /'
    failures=$((failures + 1))
  else
    passed=$((passed + 1))
  fi
}

crlf() { sed 's/$/\r/'; }

# A valid MESSAGE, built by hand (18-byte body).
{
  printf 'MESSAGE sip:bob@home1.net SIP/2.0\r\n'
  printf 'Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK1\r\n'
  printf 'Max-Forwards: 70\r\nFrom: <sip:push@home1.net>;tag=1\r\nTo: <sip:bob@home1.net>\r\n'
  printf 'Call-ID: c1\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 18\r\n\r\n'
  printf 'Push content here.'
} > "$work/message.sip"

expect valid-message 0 'message.sip:1: ok: SIP MESSAGE request' -- "$work/message.sip"
expect every-spec-vector 0 ' 0 invalid$' -- "$vectors"/*.sip "$vectors"/*.msrp

# Two messages in one file: the second starts on line 11.
cat "$work/message.sip" "$work/message.sip" > "$work/two.sip"
expect two-messages 0 'two.sip:11: ok: SIP MESSAGE' -- "$work/two.sip"

# Line 5 is the To header; '<' at column 5 is never closed.
sed 's/To: <sip:bob@home1.net>/To: <sip:bob@home1.net/' "$work/message.sip" > "$work/bad-to.sip"
expect unterminated-angle 1 'bad-to.sip:5:5: error: bad header value: To' -- "$work/bad-to.sip"

# Content-Length 30 promises more than the 18 bytes there are.
sed 's/Content-Length: 18/Content-Length: 30/' "$work/message.sip" > "$work/short.sip"
expect content-length 1 'short.sip:.*error: bad Content-Length' -- "$work/short.sip"

# Missing Call-ID.
grep -v '^Call-ID' "$work/message.sip" > "$work/no-callid.sip"
expect missing-header 1 'error: missing header: Call-ID is mandatory' -- "$work/no-callid.sip"

# A bad SDP body: the m-line's port is not a number. The body starts on line 11 (start line,
# 8 header lines, empty line); the m-line is its 6th line.
body=$'v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\nm=message 7x54 TCP/MSRP *\r\n'
{
  printf 'INVITE sip:bob@home1.net SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK2\r\nMax-Forwards: 70\r\n'
  printf 'From: <sip:push@home1.net>;tag=1\r\nTo: <sip:bob@home1.net>\r\nCall-ID: c2\r\nCSeq: 1 INVITE\r\n'
  printf 'Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s' "${#body}" "$body"
} > "$work/bad-sdp.sip"
expect sdp-body 1 'bad-sdp.sip:16:[0-9]+: error: .*body \(application/sdp\)' -- "$work/bad-sdp.sip"

# LF-only text is accepted, and refused with --strict on line 1.
tr -d '\r' < "$work/message.sip" > "$work/lf.sip"
sed -i 's/Content-Length: 18/Content-Length: 18/' "$work/lf.sip"
expect bare-lf 0 'ok: SIP MESSAGE' -- "$work/lf.sip"
expect bare-lf-strict 1 'lf.sip:1:[0-9]+: error: bad character' -- --strict "$work/lf.sip"

# MSRP without its end-line.
head -n 5 "$vectors/ts-c3-msrp-report.msrp" > "$work/cut.msrp"
expect msrp-truncated 1 'cut.msrp:.*error' -- "$work/cut.msrp"

# --canonical prints the compact form expanded.
sed 's/^Call-ID:/i:/' "$work/message.sip" > "$work/compact.sip"
expect canonical 0 '^Call-ID: c1' -- --canonical "$work/compact.sip"

# Standard input, and binary junk.
STDIN="$work/message.sip" expect stdin 0 '<stdin>:1: ok' --
head -c 300 /dev/urandom > "$work/junk.bin"
expect junk 1 'junk.bin:.*error' -- "$work/junk.bin"
expect missing-file 1 'nothere.sip: error: cannot open' -- "$work/nothere.sip"

echo "lint: $passed passed, $failures failed"
[ "$failures" -eq 0 ]

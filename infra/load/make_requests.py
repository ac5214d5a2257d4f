#!/usr/bin/env python3
"""Writes N distinct, correctly signed incoming_call requests as a Lua table for wrk:
distinct CallSids and callers, so the load exercises the real store writes and per-caller
limits rather than one cached call."""

import base64
import hashlib
import hmac
import sys
import urllib.parse

base, token, to, count, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
url = base + "/webhook/incoming_call"


def sign(params):
    data = url + "".join(k + v for k, v in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def lua(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


with open(out, "w") as f:
    f.write("return {\n")
    for i in range(count):
        params = [
            ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
            ("ApiVersion", "2010-04-01"),
            ("CallSid", "CA%032x" % i),
            ("CallStatus", "ringing"),
            ("Called", to),
            ("Caller", "+9725%08d" % i),
            ("CallerCountry", "IL"),
            ("CallerName", "Load Test %d" % i),
            ("Direction", "inbound"),
            ("From", "+9725%08d" % i),
            ("FromCountry", "IL"),
            ("To", to),
            ("ToCountry", "IL"),
        ]
        body = urllib.parse.urlencode(params)
        f.write("{%s,%s},\n" % (lua(body), lua(sign(params))))
    f.write("}\n")

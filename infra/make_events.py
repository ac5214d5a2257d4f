#!/usr/bin/env python3
"""Writes events/*.json: API Gateway HTTP API (payload 2.0) sample events, one or more per
function, with form bodies base64-encoded as API Gateway sends them and X-Twilio-Signature
computed for the documented sample token and URL (see events/README.md). Re-run after
changing a sample: `python3 infra/make_events.py`."""

import base64
import hashlib
import hmac
import json
import pathlib
import urllib.parse

TOKEN = "frontdesk-sample-auth-token"
# Meta's samples: X-Hub-Signature-256 with this app secret, the handshake with this verify token.
META_APP_SECRET = "frontdesk-sample-meta-app-secret"
META_VERIFY_TOKEN = "frontdesk-sample-verify-token"
HOST = "abc123.execute-api.eu-west-1.amazonaws.com"
EVENTS = pathlib.Path(__file__).resolve().parent.parent / "events"

CALL = {
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "ApiVersion": "2010-04-01",
    "CallSid": "CA0123456789abcdef0123456789abcdef",
    "From": "+972501234567",
    "To": "+97233334444",
    "Direction": "inbound",
}
APPOINTMENT_ID = "0192f0c1a2b34c5d8e9f0a1b2c3d4e5f"
RECORDING_URL = "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/RE0123456789abcdef0123456789abcdef"


def sign(url, params):
    data = url + "".join(k + v for k in sorted(set(k for k, _ in params)) for v in sorted(set(v for kk, v in params if kk == k)))
    return base64.b64encode(hmac.new(TOKEN.encode(), data.encode(), hashlib.sha1).digest()).decode()


def http_event(name, method, path, params=None, headers=None, query="", json_body=None, user_agent=None, browser_form=None):
    headers = dict(headers or {})
    headers.update({"host": HOST, "x-forwarded-proto": "https", "user-agent": "TwilioProxy/1.1"})
    if user_agent:
        headers["user-agent"] = user_agent
    body = None
    if json_body is not None:
        # The bytes as Meta sends them: ASCII JSON with \uXXXX escapes, signed as they are.
        raw = json_body.encode()
        body = base64.b64encode(raw).decode()
        headers["content-type"] = "application/json"
        if path.startswith("/webhook/meta/"):
            headers["x-hub-signature-256"] = "sha256=" + hmac.new(META_APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    if browser_form is not None:
        # A browser's form: no Twilio signature.
        body = base64.b64encode(urllib.parse.urlencode(list(browser_form.items())).encode()).decode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    if params is not None:
        pairs = list(params.items())
        body = base64.b64encode(urllib.parse.urlencode(pairs).encode()).decode()
        headers["content-type"] = "application/x-www-form-urlencoded"
        # Twilio signs the URL it calls, query included.
        url = f"https://{HOST}{path}" + (f"?{query}" if query else "")
        headers["x-twilio-signature"] = sign(url, pairs)
        headers["i-twilio-idempotency-token"] = f"sample-{name}"
    event = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": HOST,
            "domainPrefix": "abc123",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "54.172.60.1", "userAgent": headers["user-agent"]},
            "requestId": f"sample-{name}",
            "routeKey": f"{method} {path}",
            "stage": "$default",
            "time": "21/Nov/2026:10:00:00 +0000",
            "timeEpoch": 1795255200000,
        },
        "isBase64Encoded": body is not None,
    }
    if body is not None:
        event["body"] = body
    if query:
        event["queryStringParameters"] = dict(urllib.parse.parse_qsl(query))
    (EVENTS / f"{name}.json").write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n")


def sqs_event(name, queue, body):
    """An SQS event source mapping batch of one message, as Lambda hands it over."""
    event = {
        "Records": [
            {
                "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
                "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a-sample-receipt-handle",
                "body": json.dumps(body, ensure_ascii=False),
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1795255260000",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1795255260500",
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(json.dumps(body, ensure_ascii=False).encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:eu-west-1:123456789012:frontdesk-{queue}",
                "awsRegion": "eu-west-1",
            }
        ]
    }
    (EVENTS / f"{name}.json").write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n")


def main():
    http_event("health", "GET", "/health", headers={"user-agent": "curl/8.5.0"})
    http_event("incoming-call", "POST", "/webhook/incoming_call", {**CALL, "CallStatus": "ringing", "CallerName": "Dana Levi"})
    http_event("handle-recording", "POST", "/webhook/handle_recording", {**CALL, "CallStatus": "in-progress", "RecordingUrl": RECORDING_URL, "RecordingSid": "RE0123456789abcdef0123456789abcdef", "RecordingDuration": "14", "Digits": "*"})
    http_event("recording-status", "POST", "/webhook/recording_status", {"AccountSid": CALL["AccountSid"], "CallSid": CALL["CallSid"], "RecordingSid": "RE0123456789abcdef0123456789abcdef", "RecordingUrl": RECORDING_URL, "RecordingStatus": "completed", "RecordingDuration": "14", "RecordingChannels": "1", "RecordingSource": "RecordVerb"})
    http_event("call-status", "POST", "/webhook/call_status", {**CALL, "CallStatus": "completed", "CallDuration": "31", "SequenceNumber": "3", "Timestamp": "Sat, 21 Nov 2026 10:00:31 +0000", "CallbackSource": "call-progress-events"})
    http_event("gather", "POST", "/webhook/gather", {**CALL, "CallStatus": "in-progress", "Digits": "482913"})
    # The booking menu's first turn: the caller says "tomorrow at three" (Twilio's speech
    # result for a he-IL <Gather>), posted to the action incoming_call gave (step 1).
    http_event("voice-booking", "POST", "/webhook/voice_booking", {**CALL, "CallStatus": "in-progress", "SpeechResult": "מחר בשלוש", "Confidence": "0.9"}, query="step=1")
    # A placed call answered: Twilio asks what the callee hears, the placement's id in the URL.
    outbound = {**CALL, "From": CALL["To"], "To": CALL["From"], "Direction": "outbound-api"}
    http_event("outbound-call", "POST", "/webhook/outbound_call", {**outbound, "CallStatus": "in-progress", "AnsweredBy": "human"}, query="placement=5f0c2b9e8a7d41c3b6e2d9f01a4c7e35")
    whatsapp = {
        "AccountSid": CALL["AccountSid"],
        "ApiVersion": "2010-04-01",
        "MessageSid": "SM0123456789abcdef0123456789abcdef",
        "SmsMessageSid": "SM0123456789abcdef0123456789abcdef",
        "SmsSid": "SM0123456789abcdef0123456789abcdef",
        "From": "whatsapp:+972501234567",
        "To": "whatsapp:+97233334444",
    }
    http_event("whatsapp-incoming", "POST", "/webhook/whatsapp/incoming", {**whatsapp, "Body": "שלום, אפשר לקבוע תור? 🦷", "NumMedia": "0", "NumSegments": "1", "ProfileName": "Dana Levi", "WaId": "972501234567", "SmsStatus": "received", "MessageType": "text"})
    http_event("whatsapp-status", "POST", "/webhook/whatsapp/status", {**whatsapp, "From": "whatsapp:+97233334444", "To": "whatsapp:+972501234567", "MessageSid": "SM1123456789abcdef0123456789abcdef", "SmsSid": "SM1123456789abcdef0123456789abcdef", "SmsMessageSid": "SM1123456789abcdef0123456789abcdef", "MessageStatus": "delivered", "SmsStatus": "delivered", "ChannelPrefix": "whatsapp", "ChannelToAddress": "+97250123XXXX"})
    meta_body = json.dumps({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "97233334444", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "דנה"}, "wa_id": "972501234567"}],
            "messages": [{"from": "972501234567", "id": "wamid.HBgMOTcyNTAxMjM0NTY3FQIAEhgUM0VCMDZCMzlEQUE4OTJBMTE4RTUA", "timestamp": "1795255200", "type": "text", "text": {"body": "שלום! 👋 מתי אתם פתוחים?"}}],
        }}]}],
    }, separators=(",", ":"), ensure_ascii=True)
    http_event("meta-whatsapp", "POST", "/webhook/meta/whatsapp", json_body=meta_body, user_agent="facebookexternalua")
    http_event("meta-whatsapp-verify", "GET", "/webhook/meta/whatsapp", query=urllib.parse.urlencode({"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": META_VERIFY_TOKEN}), user_agent="facebookplatform/1.0")
    http_event("whatsapp-messages", "GET", "/api/whatsapp/messages", query="with=%2B972501234567&limit=20", headers={"authorization": "Bearer fdk_" + "A" * 43}, user_agent="curl/8.5.0")
    http_event("greeting", "GET", "/greetings/demo.mp3")
    http_event("greeting-head", "HEAD", "/greetings/demo.mp3")
    api_headers = {"authorization": "Bearer fdk_SAMPLEsampleSAMPLEsampleSAMPLEsampleSAMPLEs", "origin": "https://crm.example.com"}
    http_event("api-calls", "GET", "/api/calls", headers=api_headers)
    call_request = json.dumps({"to": "+972501234567", "purpose": "callback", "say": "Hello from Demo Dental: we called you back. Call us any time."})
    http_event("api-calls-post", "POST", "/api/calls", headers={**api_headers, "idempotency-key": "crm-callback-1042"}, json_body=call_request, user_agent="curl/8.5.0")
    http_event("api-call", "GET", "/api/calls/" + CALL["CallSid"], headers=api_headers)
    # The appointments API, for a business whose booking settings offer `checkup`. A booking's
    # start is a fixed date: after it passes, the sample answers 422 `past` with alternatives.
    http_event("api-availability", "GET", "/api/availability", headers=api_headers, query="service=checkup&days=7", user_agent="curl/8.5.0")
    http_event("api-appointments-list", "GET", "/api/appointments", headers=api_headers, query="status=booked&limit=20", user_agent="curl/8.5.0")
    booking = json.dumps({"service": "checkup", "start": "2027-01-05T10:00:00+02:00", "phone": "+972501234567", "name": "Dana Levi"})
    http_event("api-appointments", "POST", "/api/appointments", headers={**api_headers, "idempotency-key": "crm-order-1042"}, json_body=booking, user_agent="curl/8.5.0")
    http_event("api-appointment-cancel", "POST", f"/api/appointments/{APPOINTMENT_ID}/cancel", headers={**api_headers, "idempotency-key": "crm-cancel-1042"}, user_agent="curl/8.5.0")
    http_event("api-appointment-reschedule", "POST", f"/api/appointments/{APPOINTMENT_ID}/reschedule", headers={**api_headers, "idempotency-key": "crm-move-1042"}, json_body=json.dumps({"start": "2027-01-06T11:30:00+02:00"}), user_agent="curl/8.5.0")
    # The owner's inbox (the `inbox` function serves every page). A sign-in link's token that
    # was never issued: the sample answers 401 with the signed-out page.
    browser = "Mozilla/5.0 (Linux; Android 14) Mobile"
    http_event("inbox", "GET", "/inbox", headers={"cookie": "frontdesk_inbox=" + "A" * 43 + ".sample"}, user_agent=browser)
    http_event("inbox-login", "GET", "/inbox/login", query="token=" + "S" * 43, user_agent=browser)
    http_event("inbox-customers", "GET", "/inbox/customers", headers={"cookie": "frontdesk_inbox=" + "A" * 43 + ".sample"}, user_agent=browser)
    http_event("inbox-search", "GET", "/inbox/search", query="q=crown", headers={"cookie": "frontdesk_inbox=" + "A" * 43 + ".sample"}, user_agent=browser)
    # A customer's page and its actions, with the same cookie: 401 with the signed-out page.
    stranger = {"cookie": "frontdesk_inbox=" + "A" * 43 + ".sample"}
    customer = "/inbox/customers/+972501234567"
    http_event("inbox-customer", "GET", customer, headers=stranger, user_agent=browser)
    key = "0123456789abcdef0123456789abcdef"
    http_event("inbox-customer-reply", "POST", customer + "/reply", browser_form={"csrf": "sample", "body": "See you tomorrow at 10", "key": key}, headers=stranger, user_agent=browser)
    http_event("inbox-customer-call", "POST", customer + "/call", browser_form={"csrf": "sample", "key": key}, headers=stranger, user_agent=browser)
    http_event("inbox-customer-block", "POST", customer + "/block", browser_form={"csrf": "sample", "blocked": "true"}, headers=stranger, user_agent=browser)
    # The week's appointments, a cancel, and the calls list's live update, with the same cookie:
    # 401 with the signed-out page. The page's script is served to anyone.
    http_event("inbox-appointments", "GET", "/inbox/appointments", query="from=2026-12-06", headers=stranger, user_agent=browser)
    http_event("inbox-appointment-cancel", "POST", "/inbox/appointments/0196f0a0b1c27d3e8f9a0b1c2d3e4f50/cancel", browser_form={"csrf": "sample", "key": key, "from": "2026-12-06"}, headers=stranger, user_agent=browser)
    http_event("inbox-updates", "GET", "/inbox/updates", query="since=2026-12-06T08%3A00%3A00Z", headers=stranger, user_agent=browser)
    http_event("inbox-script", "GET", "/inbox/app.js", user_agent=browser)
    scheduled = {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-21T10:05:00Z",
        "region": "eu-west-1",
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/frontdesk-reconciler"],
        "detail": {},
    }
    (EVENTS / "reconciler-schedule.json").write_text(json.dumps(scheduled, indent=2) + "\n")
    sqs_event("transcribe", "recordings", {
        "call_sid": CALL["CallSid"],
        "recording_sid": "RE0123456789abcdef0123456789abcdef",
        "recording_url": RECORDING_URL,
        "recording_duration_seconds": 14,
        "business_id": "demo",
        "from": CALL["From"],
        "to": CALL["To"],
        "direction": "inbound",
        "enqueued_at": "2026-11-21T10:00:31Z",
    })
    sqs_event("notify", "notify", {
        "event": "call.completed",
        "call_sid": CALL["CallSid"],
        "business_id": "demo",
        "trigger": "transcription",
        "digits": None,
    })
    # An owner alert for the same call, to the demo clinic's owner by email.
    sqs_event("notify-alert", "notify", {
        "job": "alert",
        "business_id": "demo",
        "about": {"kind": "call", "call_sid": CALL["CallSid"]},
        "recipient": {"channel": "email", "to": "owner@demo-clinic.example"},
    })


if __name__ == "__main__":
    main()

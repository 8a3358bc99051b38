package fulfillment

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Webhooks are signed per the Standard Webhooks scheme (standardwebhooks.com): headers
// webhook-id (the delivery's id, the same on every retry), webhook-timestamp (Unix
// seconds of the attempt) and webhook-signature "v1,<base64 HMAC-SHA256>" of
// "<id>.<timestamp>.<body>" keyed with the secret's bytes ("whsec_" + base64).

// secretPrefix marks a Standard Webhooks secret.
const secretPrefix = "whsec_"

// NewWebhookSecret returns a fresh endpoint secret: "whsec_" and 32 random bytes in base64.
func NewWebhookSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return secretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

func secretKey(secret string) ([]byte, error) {
	raw, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return nil, errors.New("webhook secret must start with " + secretPrefix)
	}
	return base64.StdEncoding.DecodeString(raw)
}

// SignWebhook returns the webhook-signature value of a message.
func SignWebhook(secret, id string, at time.Time, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(at.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Errors of VerifyWebhook.
var (
	ErrWebhookHeaders   = errors.New("webhook-id, webhook-timestamp and webhook-signature are required")
	ErrWebhookTimestamp = errors.New("webhook-timestamp outside the tolerance")
	ErrWebhookSignature = errors.New("no webhook-signature matches")
)

// VerifyWebhook checks a received webhook as a receiver should: the timestamp within
// tolerance of now, and one of the space-separated signatures matching.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return ErrWebhookHeaders
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrWebhookTimestamp
	}
	at := time.Unix(sec, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return ErrWebhookTimestamp
	}
	want, err := SignWebhook(secret, id, at, body)
	if err != nil {
		return err
	}
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrWebhookSignature
}

package fulfillment

import (
	"net/http"
	"time"

	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the fulfilment domain over one pool. Every method takes the Principal it
// acts for and runs in one transaction under that principal's scope.
type Service struct {
	pool *pgxpool.Pool
	jobs jobs.Enqueuer
	now  func() time.Time
	cfg  Config
}

// Config holds the tunables; zero values take the defaults.
type Config struct {
	// SLAHours is how long a supplier without its own setting has to accept or reject a
	// drop-ship order before the SLA job treats it as rejected (default 48).
	SLAHours int
	// SLAInterval is how often the SLA job runs (default 15 minutes).
	SLAInterval time.Duration
	// WebhookTimeout bounds one delivery attempt (default 10 s), so a dead endpoint
	// holds a worker that long at most.
	WebhookTimeout time.Duration
	// WebhookMaxAttempts is how many times a delivery is tried (default 12: about 3
	// days with the default backoff).
	WebhookMaxAttempts int
	// WebhookBackoff is the wait before attempt n+1 after attempt n failed (default
	// 30 s × 2^(n−1), at most 12 h).
	WebhookBackoff func(attempt int) time.Duration
	// HTTPClient sends webhooks (default: a client with WebhookTimeout).
	HTTPClient *http.Client
}

func (c Config) withDefaults() Config {
	if c.SLAHours <= 0 {
		c.SLAHours = 48
	}
	if c.SLAInterval <= 0 {
		c.SLAInterval = 15 * time.Minute
	}
	if c.WebhookTimeout <= 0 {
		c.WebhookTimeout = 10 * time.Second
	}
	if c.WebhookMaxAttempts <= 0 {
		c.WebhookMaxAttempts = 12
	}
	if c.WebhookBackoff == nil {
		c.WebhookBackoff = func(n int) time.Duration {
			if n < 1 {
				n = 1
			}
			if n > 11 {
				return 12 * time.Hour
			}
			return min(30*time.Second<<(n-1), 12*time.Hour)
		}
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.WebhookTimeout}
	}
	return c
}

// NewService returns the service over pool; enq enqueues webhook deliveries in the
// transaction that causes them (nil: none are enqueued, e.g. in tests).
func NewService(pool *pgxpool.Pool, enq jobs.Enqueuer) *Service {
	return &Service{pool: pool, jobs: enq, now: time.Now, cfg: Config{}.withDefaults()}
}

// WithConfig returns a copy of s with cfg (defaults filled in).
func (s *Service) WithConfig(cfg Config) *Service {
	c := *s
	c.cfg = cfg.withDefaults()
	return &c
}

// WithEnqueuer returns a copy of s that enqueues jobs with enq.
func (s *Service) WithEnqueuer(enq jobs.Enqueuer) *Service {
	c := *s
	c.jobs = enq
	return &c
}

// Config returns the service's configuration with defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// Limits.
const (
	MaxPage          = 100  // largest connection page
	MaxCartLines     = 100  // distinct variants in one cart
	MaxLineQuantity  = 9999 // units of one variant in one cart
	maxRerouteRounds = 3    // routing rounds when lines drop out
)

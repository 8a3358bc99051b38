package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/guildmart/guildmart/internal/telemetry"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server is the gateway's HTTP handler. Other areas mount their HTTP endpoints with
// Handle (public) or HandleAuthed (behind authentication).
type Server struct {
	mux     *http.ServeMux
	handler http.Handler
	auth    func(http.Handler) http.Handler
	metrics *metrics
	log     *slog.Logger
	Schema  *graphql.Schema
	home    atomic.Pointer[string] // where GET / redirects; GraphiQL unless SetHome
}

// SetHome makes GET / redirect to path (the web console, when the binary serves it).
func (s *Server) SetHome(path string) { s.home.Store(&path) }

// NewServer builds the gateway over svc. extra authenticators resolve sessions.
func NewServer(cfg Config, svc Services, log *slog.Logger, extra ...Authenticator) (*Server, error) {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	s := &Server{mux: http.NewServeMux(), metrics: newMetrics(svc.Pool), log: log}
	s.metrics.reg.MustRegister(telemetry.Collectors()...) // jobs worked, checkout outcomes
	sch, err := NewSchema(&Resolver{svc: svc}, cfg)
	if err != nil {
		return nil, err
	}
	s.Schema = sch
	s.auth = authenticate(svc.Tenants, extra)
	s.routes(cfg, svc)
	s.handler = s.requestContext(s.recoverer(s.mux))
	return s, nil
}

// Handle mounts a public endpoint.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// HandleAuthed mounts an endpoint behind authentication (tenants.PrincipalFrom works).
func (s *Server) HandleAuthed(pattern string, h http.Handler) { s.mux.Handle(pattern, s.auth(h)) }

// RegisterMetrics adds collectors to /metrics (workers add the job queue's gauges).
func (s *Server) RegisterMetrics(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := s.metrics.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// requestContext gives every request an ID (X-Request-ID, echoed) and a logger carrying
// it, and logs the request when it ends.
func (s *Server) requestContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		l := s.log.With(slog.String("request_id", id))
		ctx := context.WithValue(r.Context(), loggerKey, l)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(sw, r.WithContext(ctx))
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.metrics.http.WithLabelValues(route, http.StatusText(sw.status)).Inc()
		if r.URL.Path != "/healthz" && r.URL.Path != "/metrics" {
			l.Debug("request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)))
		}
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				logger(r.Context()).Error("panic", slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
}

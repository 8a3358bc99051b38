package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/guildmart/guildmart/internal/migrate"
	"github.com/jackc/pgx/v5/pgxpool"
)

// healthz answers while the process runs.
func healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
}

// readyz answers 200 when the database is reachable and fully migrated, else 503.
func readyz(pool *pgxpool.Pool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		body := map[string]any{"status": "ok"}
		status := http.StatusOK
		st, err := migrate.Check(ctx, pool)
		if err == nil {
			err = st.Ready()
		}
		body["migration"] = map[string]int32{"current": st.Current, "latest": st.Latest}
		if err != nil {
			status = http.StatusServiceUnavailable
			body["status"] = "unavailable"
			body["error"] = err.Error()
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	})
}

package gateway

import "net/http"

func (s *Server) routes(cfg Config, svc Services) {
	s.mux.Handle("POST /graphql", s.auth(graphqlHandler(s.Schema, svc, s.metrics, cfg)))
	s.mux.Handle("GET /graphql", graphiqlHandler())
	s.mux.Handle("GET /healthz", healthz())
	s.mux.Handle("GET /readyz", readyz(svc.Pool))
	s.mux.Handle("GET /metrics", s.metricsHandler())
	s.mux.Handle("GET /{$}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		home := "/graphql"
		if p := s.home.Load(); p != nil {
			home = *p
		}
		http.Redirect(w, r, home, http.StatusFound)
	}))
}

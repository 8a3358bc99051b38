package imports

import (
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"

	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/tenants"
)

// UploadHandler serves POST /v1/imports/offers behind the gateway's authentication: the
// body is the file, its format the ?format= parameter (csv, jsonl) or else the
// Content-Type (text/csv; application/x-ndjson, application/jsonl). It answers 202
// {"id", "status"} or 4xx {"errors": [{"message", "code", "field"}]}.
func (s *Service) UploadHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := tenants.PrincipalFrom(r.Context())
		if !ok {
			writeErrors(w, http.StatusUnauthorized, apperr.Errorf(apperr.EUNAUTHENTICATED, "an API key of the supplier is required (Authorization: Bearer …)"))
			return
		}
		format := r.URL.Query().Get("format")
		if format == "" {
			format = formatOfContentType(r.Header.Get("Content-Type"))
		}
		if format == "" {
			writeErrors(w, http.StatusUnsupportedMediaType, apperr.Invalid("format",
				"say which format the body is: ?format=csv|jsonl, or Content-Type text/csv or application/x-ndjson"))
			return
		}
		body := http.MaxBytesReader(w, r.Body, MaxFileBytes+1)
		job, err := s.Create(r.Context(), p, format, body)
		if err != nil {
			writeCreateError(w, r, err)
			return
		}
		gid := ids.Global(GlobalKind, job.ID)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(map[string]string{"id": gid, "status": job.Status})
	})
}

func formatOfContentType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	switch mt {
	case "text/csv", "application/csv":
		return FormatCSV
	case "application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines":
		return FormatJSONL
	}
	return ""
}

func isMaxBytes(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func writeCreateError(w http.ResponseWriter, r *http.Request, err error) {
	if IsTooLarge(err) {
		writeErrors(w, http.StatusRequestEntityTooLarge, apperr.As(err))
		return
	}
	e := apperr.As(err)
	if e == nil {
		slog.ErrorContext(r.Context(), "import upload", "error", err)
		writeErrors(w, http.StatusInternalServerError, apperr.Errorf(apperr.EINTERNAL, "internal error"))
		return
	}
	status := http.StatusBadRequest
	switch e.Code {
	case apperr.EUNAUTHENTICATED:
		status = http.StatusUnauthorized
	case apperr.EFORBIDDEN:
		status = http.StatusForbidden
	case apperr.ENOTFOUND:
		status = http.StatusNotFound
	case apperr.ECONFLICT:
		status = http.StatusConflict
	}
	writeErrors(w, status, e)
}

func writeErrors(w http.ResponseWriter, status int, e *apperr.Error) {
	type entry struct {
		Message string   `json:"message"`
		Code    string   `json:"code"`
		Field   []string `json:"field,omitempty"`
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string][]entry{"errors": {{Message: e.Message, Code: e.Code, Field: e.Field}}})
}

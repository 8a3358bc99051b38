// Package web serves the browser pages embedded in the binary: the reference
// storefront at /s/{handle}, the member and operator console at /console, and the
// files they share at /assets. The pages talk only to the public GraphQL API.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var static embed.FS

// file is one embedded file, prepared once: type, validator and a gzip copy when that
// is worth it.
type file struct {
	body, gz    []byte
	ctype, etag string
}

// storefrontCSP lets the storefront load Stripe.js (card payments) and nothing else
// from elsewhere; images may come from any https host (offer images).
const storefrontCSP = "default-src 'self'; script-src 'self' https://js.stripe.com; frame-src https://js.stripe.com https://hooks.stripe.com; " +
	"connect-src 'self' https://api.stripe.com; img-src 'self' data: https:; style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Handler serves the pages. Paths: /s/{handle} and everything under it → the
// storefront app (its index.html; the app routes on the client); /console and under →
// a console file when one exists at that path, else the console's index.html;
// /assets/{path} → static/{path} (e.g. /assets/shared/gql.js).
func Handler() http.Handler {
	files := map[string]*file{}
	_ = fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		files[strings.TrimPrefix(p, "static/")] = prepare(p, b)
		return nil
	})
	mux := http.NewServeMux()
	serveIndex := func(name, csp string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			f := files[name]
			if f == nil {
				http.NotFound(w, r)
				return
			}
			if csp != "" {
				w.Header().Set("Content-Security-Policy", csp)
			}
			serve(w, r, f)
		}
	}
	storefront := serveIndex("storefront/index.html", storefrontCSP)
	mux.HandleFunc("GET /s/{handle}", storefront)
	mux.HandleFunc("GET /s/{handle}/{rest...}", storefront)
	console := serveIndex("console/index.html", "")
	mux.HandleFunc("GET /console", console)
	mux.HandleFunc("GET /console/{rest...}", func(w http.ResponseWriter, r *http.Request) {
		if f := files["console/"+r.PathValue("rest")]; f != nil && !strings.HasSuffix(r.URL.Path, "/") {
			serve(w, r, f)
			return
		}
		console(w, r)
	})
	mux.HandleFunc("GET /assets/{path...}", func(w http.ResponseWriter, r *http.Request) {
		f := files[r.PathValue("path")]
		if f == nil {
			http.NotFound(w, r)
			return
		}
		serve(w, r, f)
	})
	return mux
}

func prepare(name string, b []byte) *file {
	sum := sha256.Sum256(b)
	f := &file{body: b, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
	f.ctype = mime.TypeByExtension(path.Ext(name))
	if f.ctype == "" {
		f.ctype = http.DetectContentType(b)
	}
	if path.Ext(name) == ".js" || path.Ext(name) == ".mjs" {
		f.ctype = "text/javascript; charset=utf-8" // modules need a JavaScript type whatever the system's mime table says
	}
	if compressible(f.ctype) && len(b) > 512 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(b)
		_ = zw.Close()
		if buf.Len() < len(b)*9/10 {
			f.gz = buf.Bytes()
		}
	}
	return f
}

func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/javascript", "application/json", "image/svg+xml"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}

// serve writes f with revalidation caching: the files change with each release but keep
// their names (no bundler to fingerprint them), so browsers ask again and get a 304.
func serve(w http.ResponseWriter, r *http.Request, f *file) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

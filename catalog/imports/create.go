package imports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// MaxFileBytes is the largest file Create accepts.
const MaxFileBytes = 64 << 20

// Up-front rejections (nothing is written).
var (
	errEmpty    = apperr.Invalid("body", "the file is empty")
	errNoRows   = apperr.Invalid("body", "the file has no rows")
	errEncoding = apperr.Invalid("body", "the file is not UTF-8 text (save it as CSV UTF-8 or JSON Lines)")
	errTooLarge = apperr.Invalid("body", "the file is larger than %d MiB: split it into several imports", MaxFileBytes>>20)
	errNotJSONL = apperr.Invalid("body", "a JSON Lines file holds one JSON object per line, starting with '{'")
)

func errHeader(format string, args ...any) error {
	return apperr.Invalid("header", "bad CSV header: "+format, args...)
}

// IsTooLarge reports whether err is Create's rejection of an oversized file (HTTP 413).
func IsTooLarge(err error) bool { return apperr.As(err) == errTooLarge }

// canImport reports whether p may import offers: a member's owner, admin, staff or
// supplier-ops user or key; never a storefront key.
func canImport(p tenants.Principal) error {
	if p.Kind != tenants.KindMember {
		return apperr.Forbidden("only a supplier member may import offers")
	}
	switch p.Role {
	case tenants.RoleOwner, tenants.RoleAdmin, tenants.RoleStaff, tenants.RoleSupplierOps:
		return nil
	}
	return apperr.Forbidden("role %s may not import offers", p.Role)
}

// Create checks an uploaded file and queues its import: the job row (QUEUED, with the
// file) and the River job are written in one transaction. A file that cannot be imported
// at all (empty, too large, not UTF-8, wrong CSV header, unknown format) is rejected here
// and nothing is written; problems in single rows are reported by the job.
func (s *Service) Create(ctx context.Context, p tenants.Principal, format string, body io.Reader) (*Job, error) {
	if err := canImport(p); err != nil {
		return nil, err
	}
	format, err := ParseFormat(format)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(body, MaxFileBytes+1))
	if err != nil {
		if IsTooLarge(err) || isMaxBytes(err) {
			return nil, errTooLarge
		}
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, errTooLarge
	}
	rows, err := checkFile(format, data)
	if err != nil {
		return nil, err
	}
	var job *Job
	err = db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var status string
		var supplier bool
		err := tx.QueryRow(ctx, `SELECT status, is_supplier FROM members WHERE consortium_id = $1 AND id = $2`,
			p.ConsortiumID, p.MemberID).Scan(&status, &supplier)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.Forbidden("only a supplier member may import offers")
		} else if err != nil {
			return err
		}
		if status != tenants.MemberActive {
			return apperr.Forbidden("the member is %s; only active members may import offers", status)
		}
		if !supplier {
			return apperr.Forbidden("only a supplier member may import offers")
		}
		job, err = scanJob(tx.QueryRow(ctx, `INSERT INTO import_jobs
			(consortium_id, supplier_id, format, total_rows, payload_bytes, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+jobCols,
			p.ConsortiumID, p.MemberID, format, rows, len(data), catalog.Actor(p)))
		if err != nil {
			return err
		}
		// One statement per part, so no protocol message is larger than a part.
		for part, off := 0, 0; off < len(data); part, off = part+1, off+filePartBytes {
			if _, err := tx.Exec(ctx, `INSERT INTO import_job_files (consortium_id, job_id, part, data) VALUES ($1, $2, $3, $4)`,
				p.ConsortiumID, job.ID, part, data[off:min(len(data), off+filePartBytes)]); err != nil {
				return err
			}
		}
		_, err = s.jobs.InsertTx(ctx, tx, Args{JobID: job.ID, ConsortiumID: p.ConsortiumID, SupplierID: p.MemberID}, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return job, nil
}

// checkFile rejects what cannot be imported at all and counts the rows (for progress)
// with the same readers the job uses.
func checkFile(format string, data []byte) (int, error) {
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, bom))) == 0 {
		return 0, errEmpty
	}
	if looksUTF16(data) {
		return 0, errEncoding
	}
	rows := 0
	switch format {
	case FormatCSV:
		src, err := newCSVSource(bytes.NewReader(bytes.TrimPrefix(data, bom)))
		if err != nil {
			return 0, err
		}
		for {
			rec, err := src.r.read()
			if err == io.EOF {
				break
			} else if err != nil {
				return 0, err
			}
			if !rec.blank() {
				rows++
			}
		}
	case FormatJSONL:
		first := true
		for line := range bytes.Lines(bytes.TrimPrefix(data, bom)) {
			t := bytes.TrimSpace(line)
			if len(t) == 0 {
				continue
			}
			if first && !utf8.Valid(t) {
				return 0, errEncoding
			}
			if first && t[0] != '{' {
				return 0, errNotJSONL
			}
			first = false
			rows++
		}
	}
	if rows == 0 {
		return 0, errNoRows
	}
	return rows, nil
}

// looksUTF16 spots files saved as UTF-16 (a byte-order mark, or NUL bytes between the
// characters of the first line). Other encodings (Latin-1, Windows-1252) show up as
// invalid UTF-8 in the header line, or as row errors where accented text appears.
func looksUTF16(b []byte) bool {
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return true
	}
	head := b[:min(len(b), 256)]
	return bytes.IndexByte(head, 0) >= 0
}

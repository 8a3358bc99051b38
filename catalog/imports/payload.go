package imports

import (
	"context"
	"fmt"
	"io"

	"github.com/guildmart/guildmart/internal/db"
	"github.com/jackc/pgx/v5"
)

// payloadSlice is how much of the stored file one read fetches.
const payloadSlice = 4 << 20

// payloadReader streams the job's file out of import_jobs.payload (stored uncompressed,
// so substring() reads only the slice asked for): memory stays flat whatever the size.
type payloadReader struct {
	ctx context.Context
	run *run
	off int64
	buf []byte
}

func (p *payloadReader) Read(b []byte) (int, error) {
	if len(p.buf) == 0 {
		if p.off >= p.run.size {
			return 0, io.EOF
		}
		a := p.run.args
		err := db.InReadTx(p.ctx, p.run.svc.pool, p.run.scope, func(tx pgx.Tx) error {
			return tx.QueryRow(p.ctx, `SELECT substring(payload FROM $3 FOR $4) FROM import_jobs WHERE consortium_id = $1 AND id = $2`,
				a.ConsortiumID, a.JobID, p.off+1, min(payloadSlice, p.run.size-p.off)).Scan(&p.buf)
		})
		if err != nil {
			return 0, fmt.Errorf("read import file: %w", err)
		}
		if len(p.buf) == 0 {
			return 0, io.ErrUnexpectedEOF
		}
		p.off += int64(len(p.buf))
	}
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	return n, nil
}

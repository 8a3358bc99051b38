package imports

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/guildmart/guildmart/internal/db"
	"github.com/jackc/pgx/v5"
)

// filePartBytes is the size of the parts a file is stored in (import_job_files).
const filePartBytes = 4 << 20

// payloadReader streams the job's file out of import_job_files a part at a time: memory
// stays flat whatever the size.
type payloadReader struct {
	ctx  context.Context
	run  *run
	off  int64
	part int
	buf  []byte
}

func (p *payloadReader) Read(b []byte) (int, error) {
	if len(p.buf) == 0 {
		if p.off >= p.run.size {
			return 0, io.EOF
		}
		a := p.run.args
		err := db.InReadTx(p.ctx, p.run.svc.pool, p.run.scope, func(tx pgx.Tx) error {
			return tx.QueryRow(p.ctx, `SELECT data FROM import_job_files WHERE consortium_id = $1 AND job_id = $2 AND part = $3`,
				a.ConsortiumID, a.JobID, p.part).Scan(&p.buf)
		})
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, io.ErrUnexpectedEOF // the job ended (its file deleted) while this run read it
		} else if err != nil {
			return 0, fmt.Errorf("read import file: %w", err)
		}
		if len(p.buf) == 0 {
			return 0, io.ErrUnexpectedEOF
		}
		p.part++
		p.off += int64(len(p.buf))
	}
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	return n, nil
}

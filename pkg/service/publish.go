package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
)

// FileWriter writes one object: the public bucket of the 360Giving file.
type FileWriter interface {
	Put(ctx context.Context, key, contentType string, body []byte) error
}

// GrantsFile is a programme's 360Giving file at a stable public address,
// which the funder registers with 360Giving; it is rewritten every morning,
// so what 360Giving's tools fetch is never more than a day old. A nil
// *GrantsFile publishes nothing: the deployment has publishing off.
type GrantsFile struct {
	Views     Views
	Programme string
	Funder    export.Funder
	To        FileWriter
	// Key is the one object written, the only one the public may read.
	Key string
}

// grantsFileType is what the file is served as.
const grantsFileType = "application/json"

// Publish writes the programme's 360Giving file, the same one the exports
// serve. A programme with nothing to publish yet (no active, completed or
// part-paid agreement) leaves whatever was there as it was: the standard's
// schema has no valid empty file. It says whether a file was written.
func (f *GrantsFile) Publish(ctx context.Context) (bool, error) {
	if f == nil {
		return false, nil
	}
	out, err := f.Views.ThreeSixtyGiving(ctx, f.Programme, f.Funder)
	var nothing *grants.Error
	if errors.As(err, &nothing) && nothing.Reason == "nothing_to_publish" {
		slog.InfoContext(ctx, "360Giving file not written: nothing to publish yet", "programme", f.Programme)
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("publish 360Giving file: %w", err)
	}
	if err := f.To.Put(ctx, f.Key, grantsFileType, out); err != nil {
		return false, fmt.Errorf("publish 360Giving file: %w", err)
	}
	slog.InfoContext(ctx, "360Giving file published", "programme", f.Programme, "key", f.Key, "bytes", len(out))
	return true, nil
}

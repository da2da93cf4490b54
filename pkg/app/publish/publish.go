// Package publish wires the GrantsDataFunction, which writes the public
// 360Giving file; pkg/app's doc says why it is apart: it is the one
// scheduled function with the S3 client, which would add 4.6 MB to the
// sweep's bootstrap.
package publish

import (
	"fmt"
	"os"
	"time"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/objects"
	"github.com/partnership-grants/backend/pkg/service"
)

// GrantsFile is the deployment's public 360Giving file: GRANTS_DATA_KEY in
// the bucket GRANTS_DATA_BUCKET, for the programme PROGRAMME_CODE. With no
// bucket (the stack's PublishGrantsData off) there is no file: nil.
func GrantsFile(d *app.Deps) (*service.GrantsFile, error) {
	bucket, key := os.Getenv("GRANTS_DATA_BUCKET"), os.Getenv("GRANTS_DATA_KEY")
	if bucket == "" {
		return nil, nil
	}
	if key == "" {
		return nil, fmt.Errorf("GRANTS_DATA_BUCKET is set but GRANTS_DATA_KEY is not")
	}
	loc, _ := time.LoadLocation(d.Env.TimeZone) // checked by LoadEnv
	return &service.GrantsFile{
		Views:     service.Views{Store: d.Store, Now: d.Clock, Location: loc},
		Programme: os.Getenv("PROGRAMME_CODE"),
		Funder:    app.Funder(),
		To:        objects.New(senders.S3(d), bucket),
		Key:       key,
	}, nil
}

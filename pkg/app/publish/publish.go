// Package publish wires the GrantsDataFunction, which writes the public
// 360Giving file; pkg/app's doc says why it is apart: it is the one
// scheduled function with the S3 client, which would add 4.6 MB to the
// sweep's bootstrap.
package publish

import (
	"fmt"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/objects"
	"github.com/partnership-grants/backend/pkg/service"
)

// GrantsFile is the deployment's public 360Giving file: GRANTS_DATA_KEY in
// the bucket GRANTS_DATA_BUCKET, for the programme PROGRAMME_CODE. With no
// bucket (the stack's PublishGrantsData off) there is no file: nil.
func GrantsFile(d *app.Deps) (*service.GrantsFile, error) {
	bucket, key := d.Config.GrantsDataBucket, d.Config.GrantsDataKey
	if bucket == "" {
		return nil, nil
	}
	if key == "" {
		return nil, fmt.Errorf("GRANTS_DATA_BUCKET is set but GRANTS_DATA_KEY is not")
	}
	return &service.GrantsFile{
		Views:     service.NewViews(d.Store, d.Env()),
		Programme: d.Config.ProgrammeCode,
		Funder:    d.Config.Funder(),
		To:        objects.New(senders.S3(d), bucket),
		Key:       key,
	}, nil
}

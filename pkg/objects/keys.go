package objects

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Keys calls fn with the key of each object under prefix, in key order,
// starting after startAfter (from the first when empty), until fn returns
// false or the objects run out.
func (b *Bucket) Keys(ctx context.Context, prefix, startAfter string, fn func(key string) bool) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(b.Name), Prefix: aws.String(prefix)}
	if startAfter != "" {
		in.StartAfter = aws.String(startAfter)
	}
	for {
		out, err := b.Client.ListObjectsV2(ctx, in)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", b.Name, prefix, err)
		}
		for _, o := range out.Contents {
			if !fn(aws.ToString(o.Key)) {
				return nil
			}
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			return nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

package rehearse

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TemplateBodyLimit is the largest template CloudFormation takes inline (TemplateBody); a
// larger one must be passed as an S3 TemplateURL, which the CLI does by publishing it to the
// bootstrap bucket ("Template body size in a request", CloudFormation quotas:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
const TemplateBodyLimit = 51200

// assetFile is a file asset of an asset manifest (<stack>.assets.json).
type assetFile struct {
	Source struct {
		Path string `json:"path"`
	} `json:"source"`
	Destinations map[string]struct {
		BucketName string `json:"bucketName"`
		ObjectKey  string `json:"objectKey"`
		Region     string `json:"region"`
	} `json:"destinations"`
}

// assetFindings checks that each stack's template was published to the bootstrap bucket of its
// environment (the object is the template file, byte for byte) and that the stack moto holds
// has that template (GetTemplate); and that at least one template is over TemplateBodyLimit,
// so that the path a large template needs is exercised.
func assetFindings(ctx context.Context, d *Deployment, states []*StackState) ([]Finding, error) {
	assets, err := templateAssets(d.Options.Output)
	if err != nil {
		return nil, err
	}
	var out []Finding
	largest := 0
	for _, st := range states {
		largest = max(largest, st.TemplateBytes)
		f, err := assetFinding(ctx, d, st, assets[st.TemplateFile])
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	big := Finding{Check: "asset", Subject: "template over 51,200 bytes", Status: StatusPass, Summary: true,
		Detail: fmt.Sprintf("the largest template has %d bytes: above CloudFormation's inline limit, it can only be deployed from S3", largest)}
	if largest <= TemplateBodyLimit {
		big.Status, big.Detail = StatusSkipped, fmt.Sprintf("the largest template has %d bytes: this deployment does not exercise the path of templates over %d bytes", largest, TemplateBodyLimit)
	}
	return append(out, big), nil
}

// templateAssets reads every asset manifest of the assembly: file assets by source path.
func templateAssets(dir string) (map[string]assetFile, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.assets.json"))
	if err != nil {
		return nil, err
	}
	out := map[string]assetFile{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var m struct {
			Files map[string]assetFile `json:"files"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, a := range m.Files {
			out[a.Source.Path] = a
		}
	}
	return out, nil
}

// assetFinding checks one stack's published template.
func assetFinding(ctx context.Context, d *Deployment, st *StackState, a assetFile) (Finding, error) {
	f := Finding{Check: "asset", Stack: st.Name, Subject: st.TemplateFile, Status: StatusFail}
	local, err := os.ReadFile(filepath.Join(d.Options.Output, st.TemplateFile))
	if err != nil {
		return f, err
	}
	if len(a.Destinations) != 1 {
		f.Detail = fmt.Sprintf("%d destinations for the template in the asset manifests; expected the bootstrap bucket of %s/%s", len(a.Destinations), st.Account, st.Region)
		return f, nil
	}
	for _, dest := range a.Destinations {
		cfg := AWSConfig(d.Options.Endpoint, dest.Region)
		obj, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetObject(ctx,
			&s3.GetObjectInput{Bucket: aws.String(dest.BucketName), Key: aws.String(dest.ObjectKey)})
		if err != nil {
			f.Detail = fmt.Sprintf("s3://%s/%s: %v", dest.BucketName, dest.ObjectKey, err)
			return f, nil
		}
		published, err := io.ReadAll(obj.Body)
		_ = obj.Body.Close()
		if err != nil {
			return f, err
		}
		deployed, err := cloudformation.NewFromConfig(AWSConfig(d.Options.Endpoint, st.Region)).GetTemplate(ctx,
			&cloudformation.GetTemplateInput{StackName: aws.String(st.ID)})
		if err != nil {
			return f, fmt.Errorf("stack %s: GetTemplate: %w", st.Name, err)
		}
		switch {
		case !bytes.Equal(published, local):
			f.Detail = fmt.Sprintf("s3://%s/%s holds %d bytes, not the %d-byte template", dest.BucketName, dest.ObjectKey, len(published), len(local))
		case !sameTemplate(aws.ToString(deployed.TemplateBody), local):
			f.Detail = "the stack's template (GetTemplate) is not the synthesized one"
		default:
			f.Status = StatusPass
			f.Detail = fmt.Sprintf("%d bytes, published to s3://%s/%s; the stack holds that template", len(local), dest.BucketName, dest.ObjectKey)
		}
	}
	return f, nil
}

// sameTemplate compares two templates as JSON values.
func sameTemplate(a string, b []byte) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

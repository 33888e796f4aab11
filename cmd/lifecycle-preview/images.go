package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/acme-platform/ecr-replication/lifecycle"
)

// describeImagesOutput is the part of `aws ecr describe-images` output the
// preview reads; other fields are ignored so newer CLI output keeps working.
type describeImagesOutput struct {
	ImageDetails *[]json.RawMessage `json:"imageDetails"`
	NextToken    string             `json:"nextToken"`
}

type imageDetail struct {
	RepositoryName       string          `json:"repositoryName"`
	ImageDigest          string          `json:"imageDigest"`
	ImageTags            []string        `json:"imageTags"`
	ImageSizeInBytes     int64           `json:"imageSizeInBytes"`
	ImagePushedAt        json.RawMessage `json:"imagePushedAt"`
	LastRecordedPullTime json.RawMessage `json:"lastRecordedPullTime"`
	ImageStatus          string          `json:"imageStatus"`
	LastArchivedAt       json.RawMessage `json:"lastArchivedAt"`
}

// loadImages reads a describe-images output file. Problems with individual
// images are all reported; warnings cover input that is readable but probably
// not what the reviewer meant (one page of several, another repository).
func loadImages(path, repository string) ([]lifecycle.Image, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read --images: %w", err)
	}
	var out describeImagesOutput
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, nil, fmt.Errorf("%s: not valid describe-images JSON: %s", path, jsonProblem(data, err))
	}
	if out.ImageDetails == nil {
		return nil, nil, fmt.Errorf("%s: no \"imageDetails\" list: expected the output of aws ecr describe-images", path)
	}

	var problems []string
	var warnings []string
	images := make([]lifecycle.Image, 0, len(*out.ImageDetails))
	repos := map[string]bool{}
	for i, raw := range *out.ImageDetails {
		var d imageDetail
		where := fmt.Sprintf("%s: imageDetails[%d]", path, i)
		if err := json.Unmarshal(raw, &d); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s", where, jsonProblem(raw, err)))
			continue
		}
		if d.ImageDigest != "" {
			where += " (" + shortDigest(d.ImageDigest) + ")"
		} else {
			problems = append(problems, where+": imageDigest is missing")
		}
		img := lifecycle.Image{Digest: d.ImageDigest, Tags: d.ImageTags, SizeBytes: d.ImageSizeInBytes}
		if d.ImageSizeInBytes < 0 {
			problems = append(problems, fmt.Sprintf("%s: imageSizeInBytes: got %d, expected a size in bytes", where, d.ImageSizeInBytes))
		}
		times := []struct {
			field    string
			raw      json.RawMessage
			dst      *time.Time
			required bool
		}{
			{"imagePushedAt", d.ImagePushedAt, &img.PushedAt, true},
			{"lastRecordedPullTime", d.LastRecordedPullTime, &img.LastPulledAt, false},
			{"lastArchivedAt", d.LastArchivedAt, &img.TransitionedAt, false},
		}
		for _, tf := range times {
			t, err := parseAWSTime(tf.raw)
			switch {
			case err != nil:
				problems = append(problems, fmt.Sprintf("%s: %s: %v", where, tf.field, err))
			case t.IsZero() && tf.required:
				problems = append(problems, fmt.Sprintf("%s: %s is missing", where, tf.field))
			default:
				*tf.dst = t
			}
		}
		switch d.ImageStatus {
		case "", "ACTIVE":
			img.StorageClass = lifecycle.StorageStandard
		case "ARCHIVED":
			img.StorageClass = lifecycle.StorageArchive
		default:
			img.StorageClass = lifecycle.StorageStandard
			warnings = append(warnings, fmt.Sprintf("%s: imageStatus %q is treated as standard storage", where, d.ImageStatus))
		}
		if d.RepositoryName != "" {
			repos[d.RepositoryName] = true
		}
		images = append(images, img)
	}
	if len(problems) > 0 {
		return nil, nil, errors.New(strings.Join(problems, "\n"))
	}

	if out.NextToken != "" {
		warnings = append(warnings, fmt.Sprintf("%s has a nextToken: it is one page of describe-images output, and count-based verdicts need every image of the repository", path))
	}
	names := make([]string, 0, len(repos))
	for r := range repos {
		names = append(names, r)
	}
	sort.Strings(names)
	if len(names) > 1 {
		warnings = append(warnings, fmt.Sprintf("%s mixes images of %d repositories (%s); the policy applies to each repository separately", path, len(names), strings.Join(names, ", ")))
	}
	if repository != "" && len(names) == 1 && names[0] != repository {
		warnings = append(warnings, fmt.Sprintf("%s lists images of %s, not of --repository %s", path, names[0], repository))
	}
	return images, warnings, nil
}

// parseAWSTime reads a timestamp the way the AWS CLI prints it: an ISO-8601
// string with an offset ("2026-11-01T10:00:00+00:00", optionally with
// fractional seconds) or epoch seconds as a number ("1762855200.123").
// null and absent values are the zero time.
func parseAWSTime(raw json.RawMessage) (time.Time, error) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" {
		return time.Time{}, nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return time.Time{}, fmt.Errorf("got %s, expected an ISO-8601 timestamp or epoch seconds", s)
		}
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return time.Time{}, fmt.Errorf("got %q, expected an ISO-8601 timestamp with an offset such as 2026-11-01T10:00:00+00:00", str)
		}
		return t, nil
	}
	if s[0] == '-' || (s[0] >= '0' && s[0] <= '9') {
		return parseEpoch(s)
	}
	return time.Time{}, fmt.Errorf("got %s, expected an ISO-8601 timestamp or epoch seconds", s)
}

// parseEpoch converts epoch seconds, possibly fractional, without going
// through float64 so that microseconds survive.
func parseEpoch(s string) (time.Time, error) {
	bad := fmt.Errorf("got %s, expected epoch seconds", s)
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return time.Time{}, bad
		}
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return time.Time{}, bad
	}
	var nsec int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		n, err := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		if err != nil || n < 0 {
			return time.Time{}, bad
		}
		nsec = n
		if strings.HasPrefix(whole, "-") {
			nsec = -nsec
		}
	}
	return time.Unix(sec, nsec).UTC(), nil
}

// jsonProblem turns an encoding/json error into a message with a line and column.
func jsonProblem(data []byte, err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		// Offset counts the bytes read, including the offending one.
		return fmt.Sprintf("%s: %v", position(data, syntax.Offset-1), err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "value"
		}
		return fmt.Sprintf("%s: got a JSON %s, expected %s", field, typ.Value, goTypeName(typ.Type.String()))
	}
	return err.Error()
}

func goTypeName(t string) string {
	switch t {
	case "string":
		return "a string"
	case "int64", "int":
		return "a number"
	case "[]string":
		return "a list of strings"
	case "[]json.RawMessage", "*[]json.RawMessage":
		return "a list"
	case "main.describeImagesOutput", "main.imageDetail":
		return "an object"
	}
	return t
}

// position renders the byte at offset as "line L, column C" (1-based).
func position(data []byte, offset int64) string {
	offset = max(0, min(offset, int64(len(data))))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

func shortDigest(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	return d
}

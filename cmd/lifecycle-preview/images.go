package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
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
// not what the reviewer meant (one page of several, another repository). flag names the
// file in the message when it cannot be read.
func loadImages(path, repository, flag string) ([]lifecycle.Image, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read %s: %w", flag, err)
	}
	var out describeImagesOutput
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, nil, fmt.Errorf("%s: not valid describe-images JSON: %s", path, jsonProblem(data, err))
	}
	if out.ImageDetails == nil {
		return nil, nil, fmt.Errorf("%s: no \"imageDetails\" list: expected the output of aws ecr describe-images", path)
	}
	r := &imageReader{path: path, repos: map[string]bool{}}
	images := make([]lifecycle.Image, 0, len(*out.ImageDetails))
	for i, raw := range *out.ImageDetails {
		if img, ok := r.image(i, raw); ok {
			images = append(images, img)
		}
	}
	if len(r.problems) > 0 {
		return nil, nil, errors.New(strings.Join(r.problems, "\n"))
	}
	return images, append(r.warnings, pageWarnings(path, repository, out.NextToken, r.repos)...), nil
}

// imageReader reads the images of one describe-images file, collecting every problem.
type imageReader struct {
	path               string
	problems, warnings []string
	repos              map[string]bool // the repositories named by the images
}

// image reads imageDetails[i]; ok is false when it could not be decoded at all.
func (r *imageReader) image(i int, raw json.RawMessage) (lifecycle.Image, bool) {
	var d imageDetail
	where := fmt.Sprintf("%s: imageDetails[%d]", r.path, i)
	if err := json.Unmarshal(raw, &d); err != nil {
		r.problems = append(r.problems, fmt.Sprintf("%s: %s", where, jsonProblem(raw, err)))
		return lifecycle.Image{}, false
	}
	if d.ImageDigest != "" {
		where += " (" + shortDigest(d.ImageDigest) + ")"
	} else {
		r.problems = append(r.problems, where+": imageDigest is missing")
	}
	img := lifecycle.Image{Digest: d.ImageDigest, Tags: d.ImageTags, SizeBytes: d.ImageSizeInBytes}
	if d.ImageSizeInBytes < 0 {
		r.problems = append(r.problems, fmt.Sprintf("%s: imageSizeInBytes: got %d, expected a size in bytes", where, d.ImageSizeInBytes))
	}
	r.times(where, d, &img)
	switch d.ImageStatus {
	case "", "ACTIVE":
		img.StorageClass = lifecycle.StorageStandard
	case "ARCHIVED":
		img.StorageClass = lifecycle.StorageArchive
	default:
		img.StorageClass = lifecycle.StorageStandard
		r.warnings = append(r.warnings, fmt.Sprintf("%s: imageStatus %q is treated as standard storage", where, d.ImageStatus))
	}
	if d.RepositoryName != "" {
		r.repos[d.RepositoryName] = true
	}
	return img, true
}

// times reads the image's push, last pull and archive times.
func (r *imageReader) times(where string, d imageDetail, img *lifecycle.Image) {
	for _, tf := range []struct {
		field    string
		raw      json.RawMessage
		dst      *time.Time
		required bool
	}{
		{"imagePushedAt", d.ImagePushedAt, &img.PushedAt, true},
		{"lastRecordedPullTime", d.LastRecordedPullTime, &img.LastPulledAt, false},
		{"lastArchivedAt", d.LastArchivedAt, &img.TransitionedAt, false},
	} {
		t, err := parseAWSTime(tf.raw)
		switch {
		case err != nil:
			r.problems = append(r.problems, fmt.Sprintf("%s: %s: %v", where, tf.field, err))
		case t.IsZero() && tf.required:
			r.problems = append(r.problems, fmt.Sprintf("%s: %s is missing", where, tf.field))
		default:
			*tf.dst = t
		}
	}
}

// pageWarnings says when the file is one page of several, mixes repositories, or lists another
// repository than --repository.
func pageWarnings(path, repository, nextToken string, repos map[string]bool) []string {
	var warnings []string
	if nextToken != "" {
		warnings = append(warnings, fmt.Sprintf("%s has a nextToken: it is one page of describe-images output, and count-based verdicts need every image of the repository", path))
	}
	names := slices.Sorted(maps.Keys(repos))
	if len(names) > 1 {
		warnings = append(warnings, fmt.Sprintf("%s mixes images of %d repositories (%s); the policy applies to each repository separately", path, len(names), strings.Join(names, ", ")))
	}
	if repository != "" && len(names) == 1 && names[0] != repository {
		warnings = append(warnings, fmt.Sprintf("%s lists images of %s, not of --repository %s", path, names[0], repository))
	}
	return warnings
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

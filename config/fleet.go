package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/acme-platform/ecr-replication/awsid"
)

// This file reads repositoriesFile, the fleet file: YAML (or JSON, which is YAML too)
// of the form
//
//	repositories:
//	  - name: api              # short name under repoPrefix, required
//	    profile: production    # production or testing, required
//	    imageCount: 20         # optional overrides of the profile's settings
//	    tagPrefixes: [v, hotfix]
//	    untaggedExpiryDays: 3  # production only
//	  - name: sandbox
//	    profile: testing
//	    maxAgeDays: 14         # testing only
//
// or, for several teams, namespaces: a list of namespaces each with its prefix and a
// repositories list of the same entries (namespaces.go reads the namespaces).
//
// Every problem names the file, the line and column, and the key path of the value
// (repositories[3].imageCount, namespaces[1].repositories[0].name, 0-based), like the
// problems of the context keys.

// maxFleetFileBytes bounds the size of repositoriesFile.
const maxFleetFileBytes = 1 << 20

// Fields of the fleet file.
const (
	fleetRepositories       = "repositories"
	fleetNamespaces         = "namespaces"
	fieldName               = "name"
	fieldProfile            = "profile"
	fieldImageCount         = "imageCount"
	fieldTagPrefixes        = "tagPrefixes"
	fieldUntaggedExpiryDays = "untaggedExpiryDays"
	fieldMaxAgeDays         = "maxAgeDays"
)

var repositoryFields = []string{fieldName, fieldProfile, fieldImageCount, fieldTagPrefixes, fieldUntaggedExpiryDays, fieldMaxAgeDays}

// repositoryFieldAliases: the context keys a field overrides, normalized, suggest the field.
var repositoryFieldAliases = map[string]string{
	"productionimagecount":  fieldImageCount,
	"testingimagecount":     fieldImageCount,
	"productiontagprefixes": fieldTagPrefixes,
	"testingtagprefixes":    fieldTagPrefixes,
	"testingmaxagedays":     fieldMaxAgeDays,
	"repository":            fieldName,
	"repositoryname":        fieldName,
}

const (
	expFleetFile = "a path, relative to the project directory (where cdk runs) and inside it, of a .yaml, .yml or .json fleet file, such as fleet.yaml"
	expFleetRoot = "a mapping with a repositories list, such as repositories: [{name: api, profile: production}], " +
		"or with a namespaces list, such as namespaces: [{prefix: payments, repositories: [{name: api, profile: production}]}]"
	expFleetList = "a list of repositories, each a mapping such as {name: api, profile: production}"
	expFleetRepo = "a repository: a mapping with a name and a profile, such as {name: api, profile: production}"
	expProfile   = "production or testing"
	expFileTags  = "a list of 1 to 49 tag prefixes such as [v, hotfix]"
)

// fleetEntry is one repository of the fleet file.
type fleetEntry struct {
	name      string
	profile   Profile // "" when missing or bad
	overrides Overrides
	index     int      // in its repositories list
	at        Location // of the name
}

// fleetDoc is what the fleet file holds: the repositories of one namespace, or namespaces.
type fleetDoc struct {
	given        bool         // repositoriesFile is set
	ok           bool         // no problem was recorded in the file
	repositories []fleetEntry // repositories: (the one-namespace form)
	many         bool         // namespaces: is in the file
	namespaces   []nsEntry    // its namespaces
	node         *yaml.Node   // the namespaces list, for problems about all of them
	file         string       // the path as given
}

// fleetReader reads one fleet file.
type fleetReader struct {
	p      *parser
	file   string // the path as given
	prefix string // repoPrefix, "" when it is bad
}

// add records a problem at node n (nil: the file as a whole).
func (f *fleetReader) add(n *yaml.Node, keyPath, value, expected string) {
	at := Location{File: f.file, Path: keyPath}
	if n != nil {
		at.Line, at.Column = n.Line, n.Column
	}
	f.p.problems = append(f.p.problems, Problem{Key: keyRepositoriesFile, Value: value, Expected: expected, At: at})
}

// fleet reads repositoriesFile. Repositories are returned when their name is valid, even if
// another of their fields is bad, so that later checks do not report them as missing.
func (p *parser) fleet(prefix string) *fleetDoc {
	s, given, ok := p.text(keyRepositoriesFile, expFleetFile)
	doc := &fleetDoc{given: given, ok: ok, file: s}
	if !given || !ok {
		return doc
	}
	doc.ok = false
	name := path.Clean(filepath.ToSlash(s))
	if filepath.IsAbs(s) || path.IsAbs(name) || !fs.ValidPath(name) || name == "." {
		p.add(keyRepositoriesFile, s, expFleetFile+" (this path is absolute or leaves the project directory)")
		return doc
	}
	ext := strings.ToLower(path.Ext(name))
	if ext != ".yaml" && ext != ".yml" && ext != ".json" {
		p.add(keyRepositoriesFile, s, fmt.Sprintf("%s; got a file without one of these extensions (%q)", expFleetFile, ext))
		return doc
	}
	b, ok := p.readProjectFile(s, name)
	if !ok {
		return doc
	}
	before := len(p.problems)
	f := &fleetReader{p: p, file: s, prefix: prefix}
	f.read(b, ext == ".json", doc)
	doc.ok = len(p.problems) == before
	return doc
}

// readProjectFile reads name from the project directory; problems show the path as given.
func (p *parser) readProjectFile(given, name string) ([]byte, bool) {
	fsys := p.env.ProjectFiles
	if fsys == nil {
		root, err := os.OpenRoot(".")
		if err != nil {
			p.add(keyRepositoriesFile, given, fmt.Sprintf("a readable file in the working directory (%v)", err))
			return nil, false
		}
		defer root.Close()
		fsys = root.FS()
	}
	info, err := fs.Stat(fsys, name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		p.add(keyRepositoriesFile, given, "an existing file: there is no such file in the project directory (the path is relative to the directory cdk runs in)")
		return nil, false
	case err != nil:
		p.add(keyRepositoriesFile, given, fmt.Sprintf("a readable file inside the project directory (%v)", unwrapPathError(err)))
		return nil, false
	case info.IsDir():
		p.add(keyRepositoriesFile, given, "a file, not a directory")
		return nil, false
	case !info.Mode().IsRegular():
		p.add(keyRepositoriesFile, given, "a regular file")
		return nil, false
	case info.Size() > maxFleetFileBytes:
		p.add(keyRepositoriesFile, given, fmt.Sprintf("a fleet file of at most %d bytes; got %d", maxFleetFileBytes, info.Size()))
		return nil, false
	}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		p.add(keyRepositoriesFile, given, fmt.Sprintf("a readable file inside the project directory (%v)", unwrapPathError(err)))
		return nil, false
	}
	return b, true
}

// unwrapPathError drops the operation and path of an *fs.PathError, which the message
// already shows.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// yamlLine finds the line number in a yaml.v3 error ("yaml: line 3: …").
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// read parses the file and walks its document into doc.
func (f *fleetReader) read(b []byte, isJSON bool, doc *fleetDoc) {
	format := "YAML"
	if isJSON {
		format = "JSON"
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line, col := position(b, se.Offset)
				f.add(&yaml.Node{Line: line, Column: col}, "", lineText(b, line), "well-formed JSON ("+se.Error()+")")
			} else {
				f.add(nil, "", "", "well-formed JSON ("+err.Error()+")")
			}
			return
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			f.add(nil, "", "", expFleetRoot+"; the file is empty")
		} else {
			f.parseError(b, err, format)
		}
		return
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		f.parseError(b, err, format)
		return
	default:
		f.add(&extra, "", "---", "one YAML document: a second one starts here")
		return
	}
	if len(root.Content) == 0 {
		f.add(nil, "", "", expFleetRoot+"; the file is empty")
		return
	}
	f.root(deref(root.Content[0]), doc)
}

// parseError reports a yaml.v3 error at the line of the problem. yaml.v3 names the line
// where the enclosing block starts (counted from 0) rather than the offending one, so the
// line is found as the shortest run of leading lines that fails with the same message; the
// parser's own line is kept when that search finds none.
func (f *fleetReader) parseError(b []byte, err error, format string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if l := failingLine(b, err.Error()); l > 0 {
		line = l
	} else if line > 0 {
		msg = fmt.Sprintf("line %d: %s", line, msg)
	}
	if line == 0 {
		f.add(nil, "", "", fmt.Sprintf("well-formed %s (the parser says: %s)", format, msg))
		return
	}
	f.add(&yaml.Node{Line: line}, "", lineText(b, line), fmt.Sprintf("well-formed %s (the parser says: %s)", format, msg))
}

// failingLine returns the smallest n such that the first n lines of b fail to parse with
// the error message want, by binary search (a prefix of a YAML document that parses nearly
// always parses when shortened), or 0.
func failingLine(b []byte, want string) int {
	ends := []int{} // ends[i] is the length of the first i+1 lines
	for i, c := range b {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(b) {
		ends = append(ends, len(b))
	}
	fails := func(n int) bool { return yamlError(b[:ends[n-1]]) == want }
	lo, hi := 1, len(ends)
	if !fails(hi) {
		return 0
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// yamlError returns the message of the error parsing b (up to its second document) gives,
// or "".
func yamlError(b []byte) string {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for range 2 {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return ""
			}
			return err.Error()
		}
	}
	return ""
}

// position converts a byte offset into a 1-based line and column (in bytes).
func position(b []byte, offset int64) (line, col int) {
	if offset > int64(len(b)) {
		offset = int64(len(b))
	}
	before := b[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	if col > 1 && offset > 0 {
		col-- // the offset is just after the offending byte
	}
	return line, col
}

// lineText returns line n (1-based) of b, trimmed, for a message.
func lineText(b []byte, n int) string {
	lines := strings.Split(string(b), "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}

// deref follows an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// kindName names the kind of a node for a message.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
		return "a string"
	}
	return "a YAML node"
}

// nodeText renders a node for a message: a scalar as written, anything else in flow style
// on one line.
func nodeText(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		if n.ShortTag() == "!!null" && n.Value == "" {
			return "null"
		}
		return n.Value
	}
	c := *n
	c.Style = yaml.FlowStyle
	c.HeadComment, c.LineComment, c.FootComment = "", "", ""
	out, err := yaml.Marshal(&c)
	if err != nil {
		return kindName(n)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// isNull reports whether n is a null scalar (including an empty value).
func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// field is one key and value of a mapping.
type field struct{ key, value *yaml.Node }

// fields returns the fields of a mapping that are among known, reporting unknown and
// repeated fields (at path.<field>).
func (f *fleetReader) fields(m *yaml.Node, keyPath string, known []string, aliases map[string]string) map[string]field {
	out := map[string]field{}
	join := func(name string) string {
		if keyPath == "" {
			return name
		}
		return keyPath + "." + name
	}
	where := keyPath
	if where == "" {
		where = "the document"
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), deref(m.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			f.add(k, keyPath, nodeText(k), "a field name, not "+kindName(k))
			continue
		}
		name := k.Value
		if first, dup := out[name]; dup {
			f.add(k, join(name), name, fmt.Sprintf("each field once in %s: %s is already on line %d", where, name, first.key.Line))
			continue
		}
		isKnown := false
		for _, kn := range known {
			isKnown = isKnown || kn == name
		}
		if !isKnown {
			hint := ""
			if name == "<<" {
				hint = " (merge keys are not supported: write the fields out)"
			} else if s := suggestAmong(name, known, aliases); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			f.add(k, join(name), name, fmt.Sprintf("a known field in %s: %s%s", where, strings.Join(known, ", "), hint))
			continue
		}
		out[name] = field{k, v}
	}
	return out
}

// root walks the document: a mapping with the repositories list, or with the namespaces
// list.
func (f *fleetReader) root(n *yaml.Node, doc *fleetDoc) {
	if n.Kind != yaml.MappingNode {
		f.add(n, "", nodeText(n), expFleetRoot+", not "+kindName(n))
		return
	}
	top := f.fields(n, "", []string{fleetRepositories, fleetNamespaces}, nil)
	repos, hasRepos := top[fleetRepositories]
	nss, hasNamespaces := top[fleetNamespaces]
	switch {
	case !hasRepos && !hasNamespaces:
		f.add(n, "", "", expFleetRoot+"; the repositories (or namespaces) field is missing")
		return
	case hasRepos && hasNamespaces:
		f.add(nss.key, fleetNamespaces, fleetNamespaces, fmt.Sprintf(
			"either repositories (the repositories of one namespace, repoPrefix) or namespaces (several, each with its prefix and repositories), "+
				"not both: repositories is on line %d; move those repositories under a namespace", repos.key.Line))
	}
	if hasRepos {
		doc.repositories = f.repositoryList(repos.value, fleetRepositories, f.prefix)
	}
	if hasNamespaces {
		doc.many, doc.node = true, nss.value
		doc.namespaces = f.namespaceList(nss.value)
	}
}

// repositoryList walks a repositories list at keyPath whose names are under prefix ("" when
// it is bad). Each name is listed once.
func (f *fleetReader) repositoryList(seq *yaml.Node, keyPath, prefix string) []fleetEntry {
	if seq.Kind != yaml.SequenceNode {
		f.add(seq, keyPath, nodeText(seq), expFleetList+", not "+kindName(seq))
		return nil
	}
	var entries []fleetEntry
	first := map[string]fleetEntry{}
	for i, item := range seq.Content {
		e, ok := f.repository(fmt.Sprintf("%s[%d]", keyPath, i), i, deref(item), prefix)
		if !ok {
			continue
		}
		if prev, dup := first[e.name]; dup {
			expected := fmt.Sprintf("each repository once: %q is already %s[%d] (line %d)", e.name, keyPath, prev.index, prev.at.Line)
			if prev.profile != "" && e.profile != "" && prev.profile != e.profile {
				expected = fmt.Sprintf("a repository in one profile: %q is already %s[%d] (line %d) with profile %s, so it would be in both profiles",
					e.name, keyPath, prev.index, prev.at.Line, prev.profile)
			}
			f.add(&yaml.Node{Line: e.at.Line, Column: e.at.Column}, e.at.Path, e.name, expected)
			continue
		}
		first[e.name] = e
		entries = append(entries, e)
	}
	return entries
}

// repository walks entry i of a repositories list, at keyPath, under prefix ("" when it is
// bad). ok is false when the entry has no valid name.
func (f *fleetReader) repository(keyPath string, i int, n *yaml.Node, prefix string) (fleetEntry, bool) {
	e := fleetEntry{index: i}
	if n.Kind != yaml.MappingNode {
		f.add(n, keyPath, nodeText(n), expFleetRepo+", not "+kindName(n))
		return e, false
	}
	given := f.fields(n, keyPath, repositoryFields, repositoryFieldAliases)

	nameOK := false
	if fl, ok := given[fieldName]; !ok {
		f.add(n, keyPath, nodeText(n), expFleetRepo+"; the name field is missing")
	} else {
		e.at = Location{File: f.file, Line: fl.value.Line, Column: fl.value.Column, Path: keyPath + "." + fieldName}
		e.name, nameOK = f.repositoryName(fl.value, e.at.Path, prefix)
	}

	if fl, ok := given[fieldProfile]; !ok {
		f.add(n, keyPath, nodeText(n), expFleetRepo+"; the profile field ("+expProfile+") is missing")
	} else {
		v := fl.value
		switch pr := Profile(v.Value); {
		case v.Kind == yaml.ScalarNode && !isNull(v) && (pr == ProfileProduction || pr == ProfileTesting):
			e.profile = pr
		case v.Kind == yaml.ScalarNode && !isNull(v):
			hint := ""
			if l := Profile(strings.ToLower(v.Value)); l == ProfileProduction || l == ProfileTesting {
				hint = " (in lower case)"
			}
			f.add(v, keyPath+"."+fieldProfile, v.Value, expProfile+hint)
		default:
			f.add(v, keyPath+"."+fieldProfile, nodeText(v), expProfile+", not "+kindName(v))
		}
	}

	if fl, ok := given[fieldImageCount]; ok {
		e.overrides.ImageCount = f.integer(fl.value, keyPath+"."+fieldImageCount, 1, maxImageCount, expCount)
	}
	if fl, ok := given[fieldTagPrefixes]; ok {
		e.overrides.TagPrefixes = f.tagPrefixes(fl.value, keyPath+"."+fieldTagPrefixes)
	}
	// The profile-specific fields: a value for the other profile is refused.
	profileOnly := func(name string, profile Profile, overrides, other string) int {
		fl, ok := given[name]
		if !ok {
			return 0
		}
		if e.profile != "" && e.profile != profile {
			f.add(fl.key, keyPath+"."+name, nodeText(fl.value), fmt.Sprintf(
				"no %s in a %s repository: it overrides the %s profile's %s (%s repositories take %s)",
				name, e.profile, profile, overrides, e.profile, other))
			return 0
		}
		return f.integer(fl.value, keyPath+"."+name, 1, maxDays, expDays)
	}
	e.overrides.UntaggedExpiryDays = profileOnly(fieldUntaggedExpiryDays, ProfileProduction, keyUntaggedExpiryDays, fieldMaxAgeDays)
	e.overrides.MaxAgeDays = profileOnly(fieldMaxAgeDays, ProfileTesting, keyTestingMaxAgeDays, fieldUntaggedExpiryDays)
	return e, nameOK
}

// repositoryName checks a name under prefix ("" when it is bad): the grammar of the context
// keys, and the full name within ECR's limit.
func (f *fleetReader) repositoryName(v *yaml.Node, keyPath, prefix string) (string, bool) {
	if v.Kind != yaml.ScalarNode || isNull(v) {
		f.add(v, keyPath, nodeText(v), expRepoName+", not "+kindName(v))
		return "", false
	}
	n := v.Value
	switch {
	case !awsid.IsRepositoryNamespace(n):
		f.add(v, keyPath, n, expRepoName)
	case prefix != "" && len(prefix)+1+len(n) > maxRepoNameLen:
		f.add(v, keyPath, n, fmt.Sprintf("a full repository name %s/<name> of at most %d characters (ECR's limit); got %d",
			prefix, maxRepoNameLen, len(prefix)+1+len(n)))
	default:
		return n, true
	}
	return "", false
}

// integer reads a whole number in [lo, hi]; 0 when it is bad.
func (f *fleetReader) integer(v *yaml.Node, keyPath string, lo, hi int, expected string) int {
	if v.Kind != yaml.ScalarNode || (v.ShortTag() != "!!int" && v.ShortTag() != "!!float") {
		f.add(v, keyPath, nodeText(v), expected+", not "+kindName(v))
		return 0
	}
	var x float64
	if err := v.Decode(&x); err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x != math.Trunc(x) || x < float64(lo) || x > float64(hi) {
		f.add(v, keyPath, v.Value, expected)
		return 0
	}
	return int(x)
}

// tagPrefixes reads a list of tag prefixes with the rules of productionTagPrefixes; nil
// when it is bad.
func (f *fleetReader) tagPrefixes(v *yaml.Node, keyPath string) []string {
	entries, nodes, index, ok := f.scalars(v, keyPath, expFileTags, "a tag prefix")
	if entries == nil {
		return nil
	}
	prefixes, fine := checkTagPrefixes(entries, keyPath, func(i int, value, expected string) {
		if i < 0 {
			f.add(v, keyPath, nodeText(v), expected)
			return
		}
		f.add(nodes[i], fmt.Sprintf("%s[%d]", keyPath, index[i]), value, expected)
	})
	if !ok || !fine {
		return nil
	}
	return prefixes
}

// scalars reads a non-empty list of scalars at keyPath, as the strings written. expected
// describes the list, item one entry ("a tag prefix"). It returns the scalar entries with
// their nodes and positions in the list; ok is false when a problem was recorded.
func (f *fleetReader) scalars(v *yaml.Node, keyPath, expected, item string) (entries []string, nodes []*yaml.Node, index []int, ok bool) {
	if v.Kind != yaml.SequenceNode {
		f.add(v, keyPath, nodeText(v), expected+", not "+kindName(v))
		return nil, nil, nil, false
	}
	if len(v.Content) == 0 {
		f.add(v, keyPath, nodeText(v), expected+"; got none")
		return nil, nil, nil, false
	}
	ok = true
	for i, n := range v.Content {
		n = deref(n)
		if n.Kind != yaml.ScalarNode || isNull(n) {
			f.add(n, fmt.Sprintf("%s[%d]", keyPath, i), nodeText(n), item+", not "+kindName(n))
			ok = false
			continue
		}
		entries = append(entries, n.Value)
		nodes = append(nodes, n)
		index = append(index, i)
	}
	return entries, nodes, index, ok
}

// boolean reads true or false; nil when it is bad.
func (f *fleetReader) boolean(v *yaml.Node, keyPath string) *bool {
	var b bool
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(&b) != nil {
		f.add(v, keyPath, nodeText(v), "true or false, not "+kindName(v))
		return nil
	}
	return &b
}

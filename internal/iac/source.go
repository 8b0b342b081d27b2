package iac

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"

	"github.com/paved-dev/paved"
)

// SourceIndex maps Terraform resource addresses to the .tf file and line
// that declare them, for SARIF results and annotations that point at code
// rather than at the plan.
type SourceIndex struct {
	decls map[string]sourceLoc // "module.a.module.b|aws_x.y" -> declaration
}

type sourceLoc struct {
	file string
	line int
}

// maxModuleDepth bounds module recursion: a module that calls itself
// through a relative path would otherwise never end.
const maxModuleDepth = 32

var sourceSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "resource", LabelNames: []string{"type", "name"}},
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "ephemeral", LabelNames: []string{"type", "name"}},
		{Type: "module", LabelNames: []string{"name"}},
	},
}

var moduleSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "source"}},
}

// LocateSources parses the *.tf and *.tf.json files of dir and, recursively,
// of the modules it calls: local modules (source = "./modules/x") by their
// path, and any module that terraform init installed by
// .terraform/modules/modules.json.
func LocateSources(dir string) (*SourceIndex, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fileError(dir, err)
	}
	if !fi.IsDir() {
		return nil, paved.FieldErrorf(paved.EINVALID, dir, "the Terraform source must be a folder")
	}
	idx := &SourceIndex{decls: map[string]sourceLoc{}}
	l := &locator{root: dir, idx: idx, parser: hclparse.NewParser(), installed: installedModules(dir)}
	if err := l.module(dir, nil, 0); err != nil {
		return nil, err
	}
	return idx, nil
}

// Locate returns the declaration of a resource address such as
// module.a["x"].module.b[0].aws_s3_bucket.logs["k"]; instance keys are
// ignored, since count and for_each instances share one block.
func (s *SourceIndex) Locate(address string) (file string, line int, ok bool) {
	if s == nil {
		return "", 0, false
	}
	a := parseAddress(address)
	loc, ok := s.decls[a.configPath()+"|"+a.relAddress()]
	return loc.file, loc.line, ok
}

// Len is the number of declarations indexed.
func (s *SourceIndex) Len() int {
	if s == nil {
		return 0
	}
	return len(s.decls)
}

type locator struct {
	root      string
	idx       *SourceIndex
	parser    *hclparse.Parser
	installed map[string]string // "a.b" -> module dir
}

// installedModules reads terraform init's manifest of installed modules.
func installedModules(root string) map[string]string {
	data, err := os.ReadFile(filepath.Join(root, ".terraform", "modules", "modules.json"))
	if err != nil {
		return nil
	}
	var manifest struct {
		Modules []struct {
			Key string `json:"Key"`
			Dir string `json:"Dir"`
		} `json:"Modules"`
	}
	if json.Unmarshal(data, &manifest) != nil {
		return nil
	}
	out := map[string]string{}
	for _, m := range manifest.Modules {
		if m.Key != "" && m.Dir != "" {
			out[m.Key] = filepath.Join(root, filepath.FromSlash(m.Dir))
		}
	}
	return out
}

func (l *locator) module(dir string, path []string, depth int) error {
	if depth > maxModuleDepth {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fileError(dir, err)
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !(strings.HasSuffix(n, ".tf") || strings.HasSuffix(n, ".tf.json")) {
			continue
		}
		files = append(files, n)
	}
	// Override files change blocks declared elsewhere: read them last so
	// that the original declaration wins.
	sort.SliceStable(files, func(i, j int) bool {
		oi, oj := isOverride(files[i]), isOverride(files[j])
		if oi != oj {
			return !oi
		}
		return files[i] < files[j]
	})
	prefix := ""
	if len(path) > 0 {
		prefix = "module." + strings.Join(path, ".module.")
	}
	for _, n := range files {
		p := filepath.Join(dir, n)
		var f *hcl.File
		var diags hcl.Diagnostics
		if strings.HasSuffix(n, ".json") {
			f, diags = l.parser.ParseJSONFile(p)
		} else {
			f, diags = l.parser.ParseHCLFile(p)
		}
		if diags.HasErrors() {
			return hclError(p, diags)
		}
		content, _, diags := f.Body.PartialContent(sourceSchema)
		if diags.HasErrors() {
			return hclError(p, diags)
		}
		for _, b := range content.Blocks {
			switch b.Type {
			case "resource", "data", "ephemeral":
				rel := b.Labels[0] + "." + b.Labels[1]
				if b.Type != "resource" {
					rel = b.Type + "." + rel
				}
				key := prefix + "|" + rel
				if _, ok := l.idx.decls[key]; !ok {
					l.idx.decls[key] = sourceLoc{file: p, line: b.DefRange.Start.Line}
				}
			case "module":
				name := b.Labels[0]
				child := append(append([]string(nil), path...), name)
				cdir := l.installed[strings.Join(child, ".")]
				if cdir == "" {
					cdir = localSource(dir, b.Body)
				}
				if cdir == "" {
					continue // a registry or git module that is not installed
				}
				if err := l.module(cdir, child, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func isOverride(name string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".tf")
	return base == "override" || strings.HasSuffix(base, "_override")
}

// localSource returns the folder of a module block whose source is a local
// path ("./x", "../x"), "" otherwise.
func localSource(dir string, body hcl.Body) string {
	content, _, _ := body.PartialContent(moduleSchema)
	if content == nil {
		return ""
	}
	attr := content.Attributes["source"]
	if attr == nil {
		return ""
	}
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	src := v.AsString()
	if !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
		return ""
	}
	p := filepath.Join(dir, filepath.FromSlash(src))
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		return ""
	}
	return p
}

func hclError(file string, diags hcl.Diagnostics) error {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		field := file
		if d.Subject != nil {
			field = fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		return paved.FieldErrorf(paved.EINVALID, field, "invalid Terraform configuration: %s", msg)
	}
	return paved.FieldErrorf(paved.EINVALID, file, "invalid Terraform configuration: %s", diags.Error())
}

package scorecard

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	paved "github.com/paved-dev/paved"
)

// DirName is the folder of scorecards in a platform config directory.
const DirName = "scorecards"

// MaxCards bounds the scorecards of one config.
const MaxCards = 50

//go:embed defaults/*.yaml
var defaultFiles embed.FS

// Set is the scorecards of one platform config, in file-name order.
type Set struct {
	Cards []*Card
}

// Find returns the scorecard with id, or nil.
func (s *Set) Find(id string) *Card {
	if s == nil {
		return nil
	}
	for _, c := range s.Cards {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Defaults returns the embedded scorecards: Production readiness, Security
// hygiene, Cost hygiene. They are parsed on every call (a few KiB), so
// that no caller can change another's.
func Defaults() *Set {
	s, err := loadEmbedded()
	if err != nil {
		panic("scorecard: the embedded defaults do not parse: " + err.Error()) // a test covers this
	}
	return s
}

func loadEmbedded() (*Set, error) {
	entries, err := fs.ReadDir(defaultFiles, "defaults")
	if err != nil {
		return nil, err
	}
	s := &Set{}
	for _, e := range entries {
		p := path.Join("defaults", e.Name())
		data, err := defaultFiles.ReadFile(p)
		if err != nil {
			return nil, err
		}
		c, err := Parse(p, data)
		if err != nil {
			return nil, err
		}
		c.Source, c.Default = "", true
		s.Cards = append(s.Cards, c)
	}
	return s, s.check()
}

// Load reads dir (a config directory's scorecards/ folder). A folder that
// does not exist, or dir "", gives the defaults; a folder that exists
// replaces them whole (an empty folder: no scorecards), so an
// organisation keeps exactly the scorecards it writes. Every *.yaml or
// *.yml file holds one scorecard; errors name file:line.
func Load(dir string) (*Set, error) {
	if dir == "" {
		return Defaults(), nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Defaults(), nil
		}
		return nil, paved.FieldErrorf(paved.EINVALID, dir, "cannot read the scorecards folder: %v", paved.UnwrapPathError(err))
	}
	if !fi.IsDir() {
		return nil, paved.FieldErrorf(paved.EINVALID, dir, "scorecards must be a folder of scorecard files, not a file")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, dir, "cannot read the scorecards folder: %v", paved.UnwrapPathError(err))
	}
	s := &Set{}
	for _, e := range entries {
		name := e.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if (ext != ".yaml" && ext != ".yml") || strings.HasPrefix(name, ".") || e.IsDir() {
			continue
		}
		if len(s.Cards) == MaxCards {
			return nil, paved.FieldErrorf(paved.EINVALID, dir, "more than %d scorecards: keep the ones people act on", MaxCards)
		}
		p := filepath.Join(dir, name)
		data, err := readCapped(p)
		if err != nil {
			return nil, err
		}
		c, err := Parse(p, data)
		if err != nil {
			return nil, err
		}
		s.Cards = append(s.Cards, c)
	}
	return s, s.check()
}

func readCapped(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, p, "cannot read the scorecard: %v", paved.UnwrapPathError(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, p, "cannot read the scorecard: %v", paved.UnwrapPathError(err))
	}
	return data, nil
}

// check refuses two scorecards with one id: results name the id.
func (s *Set) check() error {
	seen := map[string]*Card{}
	for _, c := range s.Cards {
		if prev, ok := seen[c.ID]; ok {
			return paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", c.Source, c.Lines["id"]),
				"scorecard id %q is also the id of %s: each scorecard needs its own id", c.ID, prev.Source)
		}
		seen[c.ID] = c
	}
	return nil
}

// CheckItems refuses an item rule naming an item the templates do not
// have (items holds every questionnaire and checklist item id), naming
// the rule's file:line.
func (s *Set) CheckItems(items map[string]bool) error {
	for _, c := range s.Cards {
		for _, r := range c.rules {
			if r.Kind != paved.RuleKindItem || items[r.Item] {
				continue
			}
			src := c.Source
			if src == "" {
				src = "scorecard " + c.ID
			}
			return paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", src, c.Lines["rule:"+r.ID]),
				"rule %s names item %q, which neither the questionnaire nor the checklist has", r.ID, r.Item)
		}
	}
	return nil
}

// GuardRails lists the guard-rail rule ids the scorecards name, with where
// (file:line), for the config validation to look up in the engine.
func (s *Set) GuardRails() map[string]string {
	out := map[string]string{}
	for _, c := range s.Cards {
		for _, r := range c.rules {
			if r.Kind == paved.RuleKindGuardRail {
				if _, ok := out[r.GuardRail]; !ok {
					src := c.Source
					if src == "" {
						src = "scorecard " + c.ID
					}
					out[r.GuardRail] = fmt.Sprintf("%s:%d", src, c.Lines["rule:"+r.ID])
				}
			}
		}
	}
	return out
}

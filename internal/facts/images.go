package facts

import (
	"path"
	"regexp"
	"strings"
)

// Image is a container image reference split into its parts, with Docker
// Hub's implicit defaults made explicit, exactly as the guard rails' Rego
// library does (lib.image): "nginx" is docker.io/library/nginx, and a first
// path part is a registry only if it has a dot or a port or is localhost.
type Image struct {
	Registry   string `json:"registry"`
	Repository string `json:"repository"` // registry/path, without tag or digest
	Tag        string `json:"tag,omitempty"`
	Digest     string `json:"digest,omitempty"`
}

var registryRE = regexp.MustCompile(`[.:]|^localhost$`)

// ParseImage splits ref.
func ParseImage(ref string) Image {
	ref = strings.TrimSpace(ref)
	var img Image
	name, digest, _ := strings.Cut(ref, "@")
	img.Digest = digest
	segs := strings.Split(name, "/")
	last := segs[len(segs)-1]
	if n, tag, ok := strings.Cut(last, ":"); ok {
		last, img.Tag = n, tag
	}
	names := append(append([]string{}, segs[:len(segs)-1]...), last)
	if len(segs) > 1 && registryRE.MatchString(segs[0]) {
		img.Registry = segs[0]
		switch img.Registry {
		case "index.docker.io", "registry-1.docker.io":
			img.Registry = "docker.io"
		}
		names = names[1:]
	} else {
		img.Registry = "docker.io"
	}
	if img.Registry == "docker.io" && len(names) == 1 {
		names = []string{"library", names[0]}
	}
	img.Repository = strings.Join(append([]string{img.Registry}, names...), "/")
	return img
}

// Approved reports whether repo (an Image.Repository) is approved by one
// of the patterns of the k8s-approved-registries guard rail: an entry
// matches the repository itself or any repository below it, and * matches
// within one path part (glob.match with "/" as delimiter).
func Approved(patterns []string, repo string) bool {
	segs := strings.Split(repo, "/")
	for _, p := range patterns {
		p = strings.TrimSuffix(p, "/")
		n := len(strings.Split(p, "/"))
		if n > len(segs) {
			continue
		}
		if ok, err := path.Match(p, strings.Join(segs[:n], "/")); err == nil && ok {
			return true
		}
	}
	return false
}

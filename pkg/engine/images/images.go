// Package images parses container image references and extracts the images
// of Pods and Pod controllers, for the `images` variable of policies:
// images.containers.<name>.{registry,path,name,tag,digest,reference,...}.
package images

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultRegistry is added to references without a registry.
const DefaultRegistry = "docker.io"

// Info is a parsed image reference.
type Info struct {
	Registry string
	Path     string
	Name     string
	Tag      string
	Digest   string
	// Pointer is the JSON pointer of the image field in the resource.
	Pointer string
}

// Reference is registry/path:tag, or registry/path@digest when there is a digest.
func (i Info) Reference() string {
	base := i.base()
	if i.Digest != "" {
		return base + "@" + i.Digest
	}
	return base + ":" + i.Tag
}

// ReferenceWithTag is registry/path:tag.
func (i Info) ReferenceWithTag() string { return i.base() + ":" + i.Tag }

func (i Info) base() string {
	if i.Registry == "" {
		return i.Path
	}
	return i.Registry + "/" + i.Path
}

// Map is the JSON form used in the policy context.
func (i Info) Map() map[string]any {
	m := map[string]any{
		"registry":         i.Registry,
		"path":             i.Path,
		"name":             i.Name,
		"reference":        i.Reference(),
		"referenceWithTag": i.ReferenceWithTag(),
	}
	if i.Tag != "" {
		m["tag"] = i.Tag
	}
	if i.Digest != "" {
		m["digest"] = i.Digest
	}
	if i.Pointer != "" {
		m["jsonPointer"] = i.Pointer
	}
	return m
}

var (
	pathComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*$`)
	tagRE         = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	digestRE      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$`)
)

// Parse parses an image reference. A reference without a registry gets
// docker.io; one without tag or digest gets the tag "latest".
func Parse(image string) (Info, error) {
	if image == "" {
		return Info{}, fmt.Errorf("invalid image reference: empty")
	}
	ref := image
	if i := strings.IndexByte(ref, '/'); i == -1 || (!strings.ContainsAny(ref[:i], ".:") && ref[:i] != "localhost" && strings.ToLower(ref[:i]) == ref[:i]) {
		ref = DefaultRegistry + "/" + ref
	}
	var info Info
	if at := strings.IndexByte(ref, '@'); at >= 0 {
		info.Digest = ref[at+1:]
		ref = ref[:at]
		if !digestRE.MatchString(info.Digest) {
			return Info{}, fmt.Errorf("invalid image reference %q: invalid digest %q", image, info.Digest)
		}
	}
	slash := strings.IndexByte(ref, '/')
	info.Registry, ref = ref[:slash], ref[slash+1:]
	if colon := strings.LastIndexByte(ref, ':'); colon >= 0 && !strings.Contains(ref[colon:], "/") {
		info.Tag = ref[colon+1:]
		ref = ref[:colon]
		if !tagRE.MatchString(info.Tag) {
			return Info{}, fmt.Errorf("invalid image reference %q: invalid tag %q", image, info.Tag)
		}
	}
	for _, c := range strings.Split(ref, "/") {
		if !pathComponent.MatchString(c) {
			return Info{}, fmt.Errorf("invalid image reference %q: invalid repository %q", image, ref)
		}
	}
	info.Path = ref
	info.Name = ref[strings.LastIndexByte(ref, '/')+1:]
	if info.Tag == "" && info.Digest == "" {
		info.Tag = "latest"
	}
	return info, nil
}

// podSpecPaths gives, per kind, where the Pod spec lives.
var podSpecPaths = map[string][]string{
	"Pod":                   {"spec"},
	"Deployment":            {"spec", "template", "spec"},
	"DaemonSet":             {"spec", "template", "spec"},
	"StatefulSet":           {"spec", "template", "spec"},
	"ReplicaSet":            {"spec", "template", "spec"},
	"ReplicationController": {"spec", "template", "spec"},
	"Job":                   {"spec", "template", "spec"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template", "spec"},
}

// Extract returns the images of a Pod or Pod controller as
// {containers|initContainers|ephemeralContainers: {containerName: info}}.
// Other kinds give nil. Unparsable images are reported in the error but do
// not hide the others.
func Extract(obj map[string]any) (map[string]any, error) {
	kind, _ := obj["kind"].(string)
	path, ok := podSpecPaths[kind]
	if !ok {
		return nil, nil
	}
	var spec any = obj
	for _, p := range path {
		m, ok := spec.(map[string]any)
		if !ok {
			return nil, nil
		}
		spec = m[p]
	}
	podSpec, ok := spec.(map[string]any)
	if !ok {
		return nil, nil
	}
	pointer := "/" + strings.Join(path, "/")
	out := map[string]any{}
	var errs []string
	for _, field := range []string{"initContainers", "containers", "ephemeralContainers"} {
		list, _ := podSpec[field].([]any)
		if len(list) == 0 {
			continue
		}
		byName := map[string]any{}
		for i, c := range list {
			cm, _ := c.(map[string]any)
			name, _ := cm["name"].(string)
			image, _ := cm["image"].(string)
			if image == "" {
				continue
			}
			info, err := Parse(image)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			info.Pointer = fmt.Sprintf("%s/%s/%d/image", pointer, field, i)
			byName[name] = info.Map()
		}
		if len(byName) > 0 {
			out[field] = byName
		}
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return out, nil
}

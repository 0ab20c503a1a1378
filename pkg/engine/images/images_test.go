package images

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		name, image                      string
		registry, path, img, tag, digest string
		reference                        string
		wantErr                          bool
	}{
		{name: "bare name", image: "nginx", registry: "docker.io", path: "nginx", img: "nginx", tag: "latest", reference: "docker.io/nginx:latest"},
		{name: "name and tag", image: "nginx:1.25", registry: "docker.io", path: "nginx", img: "nginx", tag: "1.25", reference: "docker.io/nginx:1.25"},
		{name: "docker hub org", image: "bitnami/redis:7", registry: "docker.io", path: "bitnami/redis", img: "redis", tag: "7", reference: "docker.io/bitnami/redis:7"},
		{name: "registry with port", image: "localhost:5000/team/app:v1", registry: "localhost:5000", path: "team/app", img: "app", tag: "v1", reference: "localhost:5000/team/app:v1"},
		{name: "localhost", image: "localhost/app", registry: "localhost", path: "app", img: "app", tag: "latest", reference: "localhost/app:latest"},
		{name: "digest", image: "ghcr.io/org/app@sha256:" + sha, registry: "ghcr.io", path: "org/app", img: "app", digest: "sha256:" + sha, reference: "ghcr.io/org/app@sha256:" + sha},
		{name: "tag and digest", image: "ghcr.io/org/app:1.0@sha256:" + sha, registry: "ghcr.io", path: "org/app", img: "app", tag: "1.0", digest: "sha256:" + sha, reference: "ghcr.io/org/app@sha256:" + sha},
		{name: "empty", image: "", wantErr: true},
		{name: "upper case repository", image: "docker.io/Nginx", wantErr: true},
		{name: "bad tag", image: "nginx:-x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.image)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if got.Registry != tt.registry || got.Path != tt.path || got.Name != tt.img || got.Tag != tt.tag || got.Digest != tt.digest || got.Reference() != tt.reference {
				t.Errorf("got %+v (reference %s)", got, got.Reference())
			}
		})
	}
}

const sha = "b0f1e5d1ac6b8a1b3c47f8a43b4bbd2bfa5d7c3e2e4ed3d8a1d2a3e4f5a6b7c8"

func TestExtract(t *testing.T) {
	deploy := map[string]any{
		"kind": "Deployment",
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"initContainers": []any{map[string]any{"name": "init", "image": "busybox"}},
			"containers":     []any{map[string]any{"name": "app", "image": "ghcr.io/org/app:2"}},
		}}},
	}
	got, err := Extract(deploy)
	if err != nil {
		t.Fatal(err)
	}
	app := got["containers"].(map[string]any)["app"].(map[string]any)
	if app["registry"] != "ghcr.io" || app["tag"] != "2" || app["jsonPointer"] != "/spec/template/spec/containers/0/image" {
		t.Errorf("app = %v", app)
	}
	if got["initContainers"].(map[string]any)["init"].(map[string]any)["path"] != "busybox" {
		t.Errorf("init = %v", got["initContainers"])
	}
	if m, _ := Extract(map[string]any{"kind": "ConfigMap"}); m != nil {
		t.Errorf("ConfigMap has no images, got %v", m)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"nginx", "a/b:c", "x@sha256:" + sha, "localhost:5000/a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if info, err := Parse(s); err == nil && info.Path == "" {
			t.Fatalf("%q parsed without a path", s)
		}
	})
}

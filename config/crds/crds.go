// Package crds embeds the CustomResourceDefinitions of the API groups Kanon
// serves (kyverno.io/v1 ClusterPolicy and Policy, wgpolicyk8s.io/v1alpha2
// PolicyReport and ClusterPolicyReport). The YAML files beside this file are
// generated from the types in api/ by `make generate` and checked by
// `make verify-generated`; tests and installers read them through Files or
// Objects.
package crds

import (
	"embed"
	"fmt"
	"io/fs"
	"sync"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

//go:embed *.yaml
var files embed.FS

// Files returns the CRD manifests: one YAML file per CRD, named
// <group>_<plural>.yaml, at the root of the returned file system.
func Files() fs.FS { return files }

var decoded = sync.OnceValues(func() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	names, err := fs.Glob(files, "*.yaml")
	if err != nil {
		return nil, err
	}
	out := make([]*apiextensionsv1.CustomResourceDefinition, 0, len(names))
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(data, crd); err != nil {
			return nil, fmt.Errorf("config/crds/%s: %w", name, err)
		}
		if crd.Kind != "CustomResourceDefinition" || crd.APIVersion != apiextensionsv1.SchemeGroupVersion.String() {
			return nil, fmt.Errorf("config/crds/%s: apiVersion %q kind %q is not an apiextensions.k8s.io/v1 CustomResourceDefinition", name, crd.APIVersion, crd.Kind)
		}
		out = append(out, crd)
	}
	return out, nil
})

// Objects returns the decoded CRDs in file-name order. Each call returns
// fresh copies that the caller may modify.
func Objects() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	crds, err := decoded()
	if err != nil {
		return nil, err
	}
	out := make([]*apiextensionsv1.CustomResourceDefinition, len(crds))
	for i, crd := range crds {
		out[i] = crd.DeepCopy()
	}
	return out, nil
}

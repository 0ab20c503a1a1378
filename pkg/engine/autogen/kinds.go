package autogen

import (
	"regexp"
	"sort"
	"strings"
)

// Kinds of the pod controllers autogen knows about.
const (
	KindPod                   = "Pod"
	KindDaemonSet             = "DaemonSet"
	KindDeployment            = "Deployment"
	KindJob                   = "Job"
	KindStatefulSet           = "StatefulSet"
	KindReplicaSet            = "ReplicaSet"
	KindReplicationController = "ReplicationController"
	KindCronJob               = "CronJob"
)

// templateControllers are the controllers whose pod template sits at
// spec.template, in the order Kyverno lists them for the "all" value.
var templateControllers = []string{
	KindDaemonSet, KindDeployment, KindJob, KindStatefulSet, KindReplicaSet, KindReplicationController,
}

// PodControllers returns every controller autogen targets by default, sorted.
func PodControllers() []string {
	out := append([]string{KindCronJob}, templateControllers...)
	sort.Strings(out)
	return out
}

func isTemplateController(kind string) bool {
	for _, k := range templateControllers {
		if k == kind {
			return true
		}
	}
	return false
}

// isAutogenKind reports whether kind is, as written, Pod or a pod controller.
// Kyverno compares the raw strings here, so "v1/Pod" does not count.
func isAutogenKind(kind string) bool {
	return kind == KindPod || kind == KindCronJob || isTemplateController(kind)
}

// controllerGVK maps the plain kinds to the fully qualified form written in the
// match/exclude blocks of generated rules (Kyverno >= 1.17), so that custom
// resources sharing a kind name (e.g. another group's "Job") are not matched.
var controllerGVK = map[string]string{
	KindDaemonSet:             "apps/v1/DaemonSet",
	KindDeployment:            "apps/v1/Deployment",
	KindJob:                   "batch/v1/Job",
	KindStatefulSet:           "apps/v1/StatefulSet",
	KindReplicaSet:            "apps/v1/ReplicaSet",
	KindReplicationController: "v1/ReplicationController",
	KindCronJob:               "batch/v1/CronJob",
	KindPod:                   "v1/Pod",
}

// toGVK qualifies the known kinds and leaves any other value (custom
// controllers named in the annotation) as it is. It always returns a new slice.
func toGVK(kinds []string) []string {
	out := make([]string, 0, len(kinds))
	for _, k := range kinds {
		if gvk, ok := controllerGVK[k]; ok {
			out = append(out, gvk)
		} else {
			out = append(out, k)
		}
	}
	return out
}

// versionLike recognises a leading API version segment ("v1", "v2beta1") or a
// trailing wildcard, as used to split "group/version/kind" selectors.
var versionLike = regexp.MustCompile(`^v\d((alpha|beta)\d)?|\*$`)

// selectorKind extracts the kind (possibly "kind/subresource") from a kind
// selector written as Kind, version/Kind, group/version/Kind, Kind/sub,
// Kind.sub, ...
func selectorKind(s string) string {
	parts := strings.Split(s, "/")
	sub := func(v string) string { return strings.Replace(v, ".", "/", 1) }
	switch len(parts) {
	case 1:
		return sub(s)
	case 2:
		if parts[0] == "*" && parts[1] == "*" {
			return "*/*"
		}
		if versionLike.MatchString(parts[0]) {
			return sub(parts[1])
		}
		return parts[0] + "/" + parts[1]
	case 3:
		if versionLike.MatchString(parts[0]) {
			return parts[1] + "/" + parts[2]
		}
		return sub(parts[2])
	case 4:
		return parts[2] + "/" + parts[3]
	default:
		return ""
	}
}

// containsKind reports whether one of the selectors in list names kind,
// ignoring group, version and subresource.
func containsKind(list []string, kind string) bool {
	for _, e := range list {
		k := selectorKind(e)
		if i := strings.Index(k, "/"); i >= 0 && strings.Count(k, "/") == 1 {
			k = k[:i]
		}
		if k == kind {
			return true
		}
	}
	return false
}

// splitSorted splits a comma list and sorts the items (empty items are kept,
// as Kyverno does).
func splitSorted(s string) []string {
	items := strings.Split(s, ",")
	sort.Strings(items)
	return items
}

// Package autogen reproduces Kyverno's "autogen v1": the rules Kyverno derives
// from the Pod rules of a kyverno.io/v1 policy so that the same checks apply to
// the pod templates of pod controllers.
//
// For every rule matching Pod, two rules may be generated:
//
//   - autogen-<rule>, matching DaemonSet, Deployment, Job, ReplicaSet,
//     ReplicationController and StatefulSet (pod template at spec.template);
//   - autogen-cronjob-<rule>, matching CronJob (pod template at
//     spec.jobTemplate.spec.template).
//
// Patterns, anyPatterns, strategic merge patches and assertions are wrapped
// under the template path, and JMESPath (and, for validate.cel rules, CEL)
// references to request.object.spec / metadata are rewritten to point into the
// template. The policy annotation pod-policies.kyverno.io/autogen-controllers
// selects the controllers ("none" disables autogen), and a policy is not
// auto-generated at all when any rule would not translate (generate rules,
// JSON 6902 patches, name/names/selector/annotations filters, Pod mixed with
// other kinds, or no Pod/controller kind anywhere).
//
// The package is pure: it works on the API types and their JSON form only, does
// no I/O and never modifies its input. It runs once when a policy is compiled.
package autogen

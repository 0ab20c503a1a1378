package webhook

import (
	"fmt"

	"github.com/kanon-policy/kanon/pkg/engine"
)

// Event is a Kubernetes Event about a policy or a resource, with Kyverno's
// reasons (PolicyViolation, PolicyApplied, PolicyError) and actions
// ("Resource Blocked", "Resource Passed", "Resource Mutated").
type Event struct {
	// Regarding is the object the event is about.
	Regarding ObjectRef
	// Related is the other side (the resource for a policy event).
	Related *ObjectRef
	Type    string // Normal or Warning
	Reason  string
	Action  string
	Note    string
}

// ObjectRef names an object.
type ObjectRef struct {
	APIVersion, Kind, Namespace, Name, UID string
}

// Recorder records events; implementations must not block (drop and count
// when their queue is full).
type Recorder interface {
	Record(Event)
}

// GenerateRequest is the background work of one policy for one admitted
// trigger: the downstream resources its generate rules produced (Rules), or,
// when MutateExisting is set, its mutate-existing rules to evaluate.
type GenerateRequest struct {
	Policy    *engine.Policy
	Trigger   map[string]any
	Namespace string
	Rules     []engine.RuleResponse
	// MutateExisting is the admission request, for the Generator to
	// evaluate Policy's mutate-existing rules on after admission, with its
	// own Targets; the webhook no longer uses it.
	MutateExisting *engine.Request
}

// Generator applies generated resources and mutate-existing patches
// asynchronously; implementations must not block.
type Generator interface {
	Generate(GenerateRequest)
}

// emit records the events of one review: for each failing rule a
// PolicyViolation on the policy (blocked or audited) and, for audited
// failures, on the resource; errors as PolicyError. Dry-run requests and
// passing rules record nothing.
func (s *Server) emit(rr *resourceRequest, responses []*engine.PolicyResponse, blocked bool) {
	if s.opts.Events == nil || rr.dryRun {
		return
	}
	req := rr.review
	resource := ObjectRef{APIVersion: apiVersion(rr.kind.Group, rr.kind.Version), Kind: rr.kind.Kind, Namespace: req.Namespace, Name: req.Name, UID: string(req.UID)}
	if rr.object != nil {
		if meta, ok := rr.object["metadata"].(map[string]any); ok {
			if uid, ok := meta["uid"].(string); ok {
				resource.UID = uid
			}
		}
	}
	for _, pr := range responses {
		policy := ObjectRef{APIVersion: "kyverno.io/v1", Kind: pr.Policy.Kind, Namespace: pr.Policy.Namespace, Name: pr.Policy.Name}
		for _, r := range pr.Rules {
			var ev Event
			switch {
			case r.Status == engine.StatusFail && r.Enforce && blocked:
				ev = Event{Type: "Warning", Reason: "PolicyViolation", Action: "Resource Blocked",
					Note: fmt.Sprintf("%s %s: [%s] fail (blocked); %s", rr.kind.Kind, name(req.Namespace, req.Name), r.Name, r.Message)}
			case r.Status == engine.StatusFail || r.Status == engine.StatusWarn:
				ev = Event{Type: "Warning", Reason: "PolicyViolation", Action: "Resource Passed",
					Note: fmt.Sprintf("%s %s: [%s] %s; %s", rr.kind.Kind, name(req.Namespace, req.Name), r.Name, r.Status, r.Message)}
			case r.Status == engine.StatusError:
				ev = Event{Type: "Warning", Reason: "PolicyError", Action: "None",
					Note: fmt.Sprintf("%s %s: [%s] error; %s", rr.kind.Kind, name(req.Namespace, req.Name), r.Name, r.Message)}
			case r.Status == engine.StatusPass && r.Type == engine.Mutation:
				ev = Event{Type: "Normal", Reason: "PolicyApplied", Action: "Resource Mutated",
					Note: fmt.Sprintf("%s %s is successfully mutated by rule %s", rr.kind.Kind, name(req.Namespace, req.Name), r.Name)}
			default:
				continue
			}
			res := resource
			ev.Regarding, ev.Related = policy, &res
			s.opts.Events.Record(ev)
			if !blocked && req.Name != "" && ev.Action != "Resource Blocked" {
				resEv := ev
				resEv.Regarding, resEv.Related = resource, &policy
				resEv.Note = fmt.Sprintf("policy %s/%s %s; %s", pr.Policy.Name, r.Name, r.Status, r.Message)
				if r.Type == engine.Mutation && r.Status == engine.StatusPass {
					resEv.Note = fmt.Sprintf("policy %s/%s applied", pr.Policy.Name, r.Name)
				}
				s.opts.Events.Record(resEv)
			}
		}
	}
}

func apiVersion(group, version string) string {
	if group == "" {
		return version
	}
	return group + "/" + version
}

func name(namespace, n string) string {
	if namespace == "" {
		return n
	}
	return namespace + "/" + n
}

package mutate

import (
	"errors"
	"fmt"
)

// ErrSkip is matched (with errors.Is) by every error that means "the anchors
// of the patch do not hold for this resource, skip the rule".
var ErrSkip = errors.New("mutate anchor condition not satisfied")

// ConditionError reports a failed conditional anchor (Global == false) or a
// failed global anchor (Global == true). At the top level of a patch both
// make the rule skip; inside a list of maps a conditional failure only skips
// the element.
type ConditionError struct {
	// Global is true for a "<(key)" anchor.
	Global bool
	// Err describes the mismatch.
	Err error
}

func (e *ConditionError) Error() string {
	if e.Global {
		return "global condition failed: " + e.Err.Error()
	}
	return "condition failed: " + e.Err.Error()
}

// Unwrap returns the underlying mismatch.
func (e *ConditionError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrSkip) true.
func (e *ConditionError) Is(target error) bool { return target == ErrSkip }

// IsSkip reports whether err means that the patch's anchors are not satisfied
// and the rule must be skipped rather than reported as an error.
func IsSkip(err error) bool { return err != nil && errors.Is(err, ErrSkip) }

func isCondition(err error) bool {
	var ce *ConditionError
	return errors.As(err, &ce) && !ce.Global
}

func isGlobal(err error) bool {
	var ce *ConditionError
	return errors.As(err, &ce) && ce.Global
}

func missingKey(key string) error {
	return fmt.Errorf("could not found %q key in the resource", key)
}

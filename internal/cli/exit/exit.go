// Package exit carries a command's exit code from the command packages to
// main, which alone calls os.Exit.
package exit

// Error asks main to exit with Code, printing Message (if any) to stderr.
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string { return e.Message }

// Code returns an Error with the given code and message.
func Code(code int, message string) *Error { return &Error{Code: code, Message: message} }

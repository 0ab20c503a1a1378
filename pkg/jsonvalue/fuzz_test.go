package jsonvalue

import "testing"

// FuzzDecode checks that Decode never panics and agrees with encoding/json
// (plus the number conversion) on every input: the same inputs are valid,
// with the same values; invalid ones fail with the same message at the
// same offset, truncated ones with io.ErrUnexpectedEOF.
func FuzzDecode(f *testing.F) {
	for _, tc := range append(append([]decodeCase{}, valid...), invalid...) {
		if len(tc.in) < 1000 {
			f.Add([]byte(tc.in))
		}
	}
	f.Add(reviewJSON(f))
	f.Add(podJSON(f))
	f.Fuzz(func(t *testing.T, data []byte) { agree(t, data) })
}

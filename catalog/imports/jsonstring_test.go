package imports

import (
	"encoding/json"
	"testing"
)

// TestUnmarshalJSONString holds the fast path for JSON string values to what
// json.Unmarshal makes of them.
func TestUnmarshalJSONString(t *testing.T) {
	for _, raw := range []string{
		`""`, `"plain"`, `"a \"quoted\" word"`, `"tab\there"`, `"\u00e9t\u00e9"`, `"été"`, `"😀"`,
		`"back\\slash"`, `"line\nbreak"`, "\"bad \xff byte\"", `"\/"`,
	} {
		var fast, want string
		errFast := unmarshalJSONString([]byte(raw), &fast)
		errWant := json.Unmarshal([]byte(raw), &want)
		if fast != want || (errFast == nil) != (errWant == nil) {
			t.Errorf("%q: got %q (%v), json.Unmarshal %q (%v)", raw, fast, errFast, want, errWant)
		}
	}
}

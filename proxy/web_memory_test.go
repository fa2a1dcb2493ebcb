package proxy

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/lcgate/lcgate/translate/jsontree"
)

// TestTranslatedWebBodyOverMaxJSONValuesIs413: a translated body with more JSON values than
// MaxJSONValues is refused with 413 entity_too_large in the API's format, naming the limit,
// before its tree grows past the cap; a body within it is served.
func TestTranslatedWebBodyOverMaxJSONValuesIs413(t *testing.T) {
	defer jsontree.SetMaxValues(0)
	gw := startGateway(t, Options{Upstream: startSim(t), UpstreamVersion: "3.2", MaxJSONValues: 1000})
	fields := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"f` + strconv.Itoa(i) + `":"v"`)
		}
		return `{"payload":{"name":"Ann","fields":{` + b.String() + `}}}`
	}
	h := http.Header{"Authorization": {"Bearer many-fields"}, "Content-Type": {"application/json"}}
	got := do(t, gw.Addr, "POST", "/v3.0/customer/action/update_customer?license_id=123", h, fields(2000))
	want := errorJSON("entity_too_large", "lcgate: the body holds more than 1000 JSON values (--max-json-values)")
	if got.Status != 413 || got.Body != want {
		t.Errorf("2,000 fields: %d %s, want 413 %s", got.Status, got.Body, want)
	}
	if got := do(t, gw.Addr, "POST", "/v3.0/customer/action/update_customer?license_id=123", h, fields(10)); got.Status != 200 {
		t.Errorf("10 fields: %d %s, want 200", got.Status, got.Body)
	}
}

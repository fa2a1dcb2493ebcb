package proxy

import (
	"errors"
	"io"
	"testing"

	"github.com/fasthttp/websocket"
)

func TestCloseForRepeatsSendableCodesOnly(t *testing.T) {
	const lost = 1011
	tests := []struct {
		desc string
		err  error
		code int
		text string
	}{
		{"normal", &websocket.CloseError{Code: 1000, Text: "bye"}, 1000, "bye"},
		{"going away", &websocket.CloseError{Code: 1001}, 1001, ""},
		{"application code", &websocket.CloseError{Code: 4001, Text: "x"}, 4001, "x"},
		{"no status", &websocket.CloseError{Code: 1005}, 1005, ""},
		{"abnormal", &websocket.CloseError{Code: 1006}, lost, ""},
		{"tls", &websocket.CloseError{Code: 1015}, lost, ""},
		{"eof", io.ErrUnexpectedEOF, lost, ""},
		{"other", errors.New("read: connection reset"), lost, ""},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			code, text := closeFor(tc.err, lost)
			if code != tc.code || text != tc.text {
				t.Errorf("closeFor = %d %q, want %d %q", code, text, tc.code, tc.text)
			}
		})
	}
}

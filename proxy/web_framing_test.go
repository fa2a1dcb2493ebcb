package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestContentLengthWithChunkedEmptyBodyIs400: a request with both Content-Length and
// Transfer-Encoding is refused with 400 and the connection closed, also when its chunked body
// is empty (fasthttp then knows its length, 0, as if it had come with Content-Length): it is
// a request-smuggling shape whatever its body (RFC 9112 §6.3).
func TestContentLengthWithChunkedEmptyBodyIs400(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2"})
	for name, body := range map[string]string{"empty": "0\r\n\r\n", "one chunk": "2\r\n{}\r\n0\r\n\r\n"} {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", gw.Addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write(rawRequest(body,
				"POST /v3.2/customer/action/list_chats?license_id=1 HTTP/1.1", "Host: gw",
				"Authorization: Bearer t", "Content-Length: 4", "Transfer-Encoding: chunked")); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 400 || string(b) != errorJSON("validation", "lcgate: conflicting Content-Length and Transfer-Encoding") {
				t.Errorf("got %d %s, want 400 validation", resp.StatusCode, b)
			}
			if !resp.Close {
				t.Error("the connection is kept open after a request-smuggling shape")
			}
		})
	}
	up.noMoreRequests(t)
}

// TestHeadersNotReceivedInTimeAre408: a client that does not finish sending its request
// headers within --read-timeout gets 408 request_timeout in the API's error format (not 400
// "malformed request"), and the connection is closed.
func TestHeadersNotReceivedInTimeAre408(t *testing.T) {
	up := startUpstream(t, &fakeUpstream{})
	gw := startGateway(t, Options{Upstream: up.URL, UpstreamVersion: "3.2", ReadTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", gw.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST /v3.2/customer/action/list_chats?license_id=1 HTTP/1.1\r\nHost: gw\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a request cut at the read time-out: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 408 || string(body) != errorJSON("request_timeout", "lcgate: the request was not received within the read time-out") {
		t.Errorf("got %d %s, want 408 request_timeout", resp.StatusCode, body)
	}
	up.noMoreRequests(t)
}

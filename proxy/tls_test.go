package proxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/sim"
	"github.com/tidwall/gjson"
)

// testCA is a certificate authority made by the test, and a server certificate it signed
// for localhost.
type testCA struct {
	caPEM  []byte
	server tls.Certificate
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lcgate test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{
		caPEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		server: tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey},
	}
}

// startTLSSim serves the simulator over TLS on localhost; it records the SNI names it saw.
func startTLSSim(t *testing.T, ca testCA) (url string, sni func() []string) {
	t.Helper()
	var mu sync.Mutex
	var names []string
	cfg := &tls.Config{Certificates: []tls.Certificate{ca.server}, MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			mu.Lock()
			names = append(names, h.ServerName)
			mu.Unlock()
			return nil, nil
		}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := sim.New(sim.Options{})
	go func() { _ = s.Serve(tls.NewListener(ln, cfg)) }()
	t.Cleanup(func() { _ = s.Shutdown() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return "https://localhost:" + port, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), names...)
	}
}

// TestTLSUpstreamIsVerifiedAgainstAPrivateCA: an https upstream signed by a private CA works
// with UpstreamCA (Web and wss RTM, SNI set to the host name), fails without it, and works
// with the insecure switch.
func TestTLSUpstreamIsVerifiedAgainstAPrivateCA(t *testing.T) {
	ca := newTestCA(t)
	upstream, sni := startTLSSim(t, ca)
	auth := http.Header{"Authorization": {"Bearer tls-token"}}

	gw := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2", UpstreamCA: ca.caPEM})
	got := do(t, gw.Addr, "POST", "/v3.0/customer/action/get_groups_status?license_id=123", auth, `{"payload":{"all":true}}`)
	if got.Status != 200 || !strings.Contains(got.Body, `"groups_status"`) {
		t.Fatalf("translated call over TLS = %d %s", got.Status, got.Body)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+gw.Addr+"/v3.1/customer/rtm/ws?license_id=123", nil)
	if err != nil {
		t.Fatalf("RTM over wss: %v", err)
	}
	_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"1","action":"login","payload":{"token":"Bearer tls-token"}}`))
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, msg, err := conn.ReadMessage()
	if err != nil || !gjson.GetBytes(msg, "payload.customer_id").Exists() {
		t.Fatalf("login over wss = %s, %v", msg, err)
	}
	_ = conn.Close()
	for _, name := range sni() {
		if name != "localhost" {
			t.Errorf("the upstream saw SNI %q, want localhost", name)
		}
	}

	untrusting := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2"})
	if got := do(t, untrusting.Addr, "POST", "/v3.2/customer/action/get_customer?license_id=123", auth, `{}`); got.Status != 502 {
		t.Errorf("without the CA: %d %s, want 502 (certificate not trusted)", got.Status, got.Body)
	}

	insecure := startGateway(t, Options{Upstream: upstream, UpstreamVersion: "3.2", UpstreamInsecureSkipVerify: true})
	if got := do(t, insecure.Addr, "POST", "/v3.2/customer/action/get_customer?license_id=123", auth, `{}`); got.Status != 200 {
		t.Errorf("insecure switch: %d %s, want 200", got.Status, got.Body)
	}
}

func TestUpstreamCAMustHoldACertificate(t *testing.T) {
	if _, err := New(Options{Upstream: "https://localhost:1", UpstreamVersion: "3.2", UpstreamCA: []byte("not pem")}); err == nil ||
		!strings.Contains(err.Error(), "UpstreamCA") {
		t.Fatalf("New = %v, want an UpstreamCA error", err)
	}
}

package proxy

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/routing"
	"github.com/tidwall/gjson"
)

// canaryTable routes between a stable 3.1 simulator and a canary 3.2 simulator.
func canaryTable(t *testing.T, stable, canary string, percent float64) *routing.Table {
	t.Helper()
	tab, err := routing.New(routing.Config{Upstreams: []routing.Upstream{
		{Name: "stable", URL: stable, Version: "3.1"},
		{Name: "canary", URL: canary, Version: "3.2"},
	}, Default: "stable", Canary: "canary", CanaryPercent: percent})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// canaryCustomer is one simulated customer: a token, the chat its Web call started and the
// upstream version that served it.
type canaryCustomer struct {
	token, chat, version string
}

// startChatOverWeb starts a chat as a 3.2 Web client and reports which upstream version
// served it (Lcgate-Upstream-Version) and the chat's id.
func startChatOverWeb(addr, token string) (version, chat string, err error) {
	req, _ := http.NewRequest("POST", "http://"+addr+"/v3.2/customer/action/start_chat?license_id=123",
		strings.NewReader(`{"chat":{"thread":{"events":[{"type":"message","text":"hi"}]}}}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", err
	}
	defer res.Body.Close()
	var body [4096]byte
	n, _ := res.Body.Read(body[:])
	if res.StatusCode != 200 {
		return "", "", fmt.Errorf("start_chat: %d %s", res.StatusCode, body[:n])
	}
	return res.Header.Get(UpstreamVersionHeader), gjson.GetBytes(body[:n], "chat_id").String(), nil
}

// loginOverRTM opens a 3.2 RTM session, logs in and returns the connection and the chats the
// login answer lists (the customer's chats on the upstream that serves the session).
func loginOverRTM(addr, token string) (*websocket.Conn, []string, error) {
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/v3.2/customer/rtm/ws?license_id=123", nil)
	if err != nil {
		return nil, nil, err
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"login","action":"login","payload":{"token":"Bearer `+token+`"}}`)); err != nil {
		conn.Close()
		return nil, nil, err
	}
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			conn.Close()
			return nil, nil, err
		}
		if gjson.GetBytes(msg, "request_id").String() != "login" {
			continue // a push
		}
		if !gjson.GetBytes(msg, "success").Bool() {
			conn.Close()
			return nil, nil, fmt.Errorf("login: %s", msg)
		}
		var chats []string
		for _, c := range gjson.GetBytes(msg, "payload.chats.#.chat_id").Array() {
			chats = append(chats, c.String())
		}
		return conn, chats, nil
	}
}

// TestCanaryTenPercentIsStickyAcrossWebAndRTMAndSurvivesAReload sends 1,000 customers
// through a gateway whose canary takes 10 %: about 100 land on the canary, each customer's
// RTM session lands where its Web call did (its chat is there), and a reload to 50 % keeps
// the open RTM sessions on their upstream while new calls follow the new share.
func TestCanaryTenPercentIsStickyAcrossWebAndRTMAndSurvivesAReload(t *testing.T) {
	stable, canary := startSim(t), startSim(t)
	gw := startGateway(t, Options{Routes: canaryTable(t, stable, canary, 10), Logger: slog.New(slog.DiscardHandler)})
	const n = 1000
	customers := make([]canaryCustomer, n)
	held := make([]*websocket.Conn, n) // the first 100 sessions stay open across the reload
	defer func() {
		for _, c := range held {
			if c != nil {
				c.Close()
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	work := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				c := &customers[i]
				c.token = fmt.Sprintf("dal:customer-%d", i)
				var err error
				if c.version, c.chat, err = startChatOverWeb(gw.Addr, c.token); err != nil {
					errs <- err
					continue
				}
				conn, chats, err := loginOverRTM(gw.Addr, c.token)
				if err != nil {
					errs <- err
					continue
				}
				if len(chats) != 1 || chats[0] != c.chat {
					errs <- fmt.Errorf("customer %d: Web started %s on %s, its RTM login lists %v: not the same upstream", i, c.chat, c.version, chats)
				}
				if i < 100 {
					held[i] = conn
				} else {
					conn.Close()
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	onCanary := 0
	for _, c := range customers {
		if c.version == "3.2" {
			onCanary++
		}
	}
	if onCanary < 70 || onCanary > 130 {
		t.Fatalf("%d of %d customers on the 10 %% canary, want 100 ± 30", onCanary, n)
	}

	if err := gw.Reload(canaryTable(t, stable, canary, 50)); err != nil {
		t.Fatal(err)
	}
	moved := 0
	for i := range 100 {
		c := customers[i]
		v, _, err := startChatOverWeb(gw.Addr, c.token)
		if err != nil {
			t.Fatal(err)
		}
		if c.version == "3.2" && v != "3.2" {
			t.Errorf("customer %d left the canary when its share grew", i)
		}
		if v != c.version {
			moved++
		}
		// The open session still answers from its first upstream: the chat its first Web call
		// started is there, and the chat just started elsewhere is not (or is, when it did not move).
		conn := held[i]
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"request_id":"l","action":"list_chats","payload":{}}`)); err != nil {
			t.Fatalf("customer %d: session closed by the reload: %v", i, err)
		}
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				t.Fatalf("customer %d: session closed by the reload: %v", i, err)
			}
			if gjson.GetBytes(msg, "request_id").String() != "l" {
				continue
			}
			ids := gjson.GetBytes(msg, "payload.chats_summary.#.id").Array()
			want := 1
			if v == c.version {
				want = 2 // both Web calls reached the session's upstream
			}
			if len(ids) != want || ids[len(ids)-1].String() != c.chat {
				t.Errorf("customer %d (first on %s, now on %s): its open session lists %s", i, c.version, v, msg)
			}
			break
		}
	}
	if moved < 25 || moved > 55 {
		t.Errorf("%d of 100 customers moved to the canary at 50 %%, want about 40", moved)
	}
}

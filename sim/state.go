package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// kv is one ordered string pair: a customer field, a session field or a side-storage entry.
type kv struct{ k, v string }

// rawField is one type-specific field of an event, kept as the raw JSON the client sent.
type rawField struct {
	key string
	val json.RawMessage
}

// propSet holds properties: namespace → name → value, every level in insertion order.
type propSet struct {
	ns []propNS
}

type propNS struct {
	name  string
	props []rawField
}

// customer is one customer, identified by the token it authenticates with.
type customer struct {
	id                string
	name, email       string
	avatar            string
	fields            []kv
	sideStorage       []kv
	pageURL           string
	pageTitle         string
	groupID           int
	visits            int
	pageViews         int
	greetingsShown    int
	greetingsAccepted int
	lastVisit         time.Time
	chatIDs           []string
	greeting          *greeting
}

// agent is a member of the licence's staff. The simulator has a fixed roster.
type agent struct {
	id, name, avatar, jobTitle string
	isBot                      bool
}

// group is a licence group with its routing status.
type group struct {
	id     int
	name   string
	status string // online, offline, online_for_queue
}

// chat is one conversation between a customer and the licence's agents.
type chat struct {
	id         string
	customerID string
	agentIDs   []string
	access     []int
	props      propSet
	threads    []*thread
	continuous bool
	seen       map[string]time.Time // user id → events seen up to
}

// thread is one period of activity of a chat.
type thread struct {
	id        string
	createdAt time.Time
	active    bool
	userIDs   []string
	events    []*event
	props     propSet
	access    []int
	queue     *queue
}

// queue is a thread's position in the group's waiting line.
type queue struct {
	position, waitTime int
	queuedAt           time.Time
}

// event is one event of a thread.
type event struct {
	id              string
	customID        string
	typ             string
	authorID        string
	createdAt       time.Time
	recipients      string
	recipientsGiven bool
	body            []rawField
	props           propSet
}

// file is an uploaded file.
type file struct {
	name, contentType string
	size              int
	width, height     int
	tmpURL, permURL   string
}

// greeting is a greeting (invitation) shown to a customer.
type greeting struct {
	id                 int
	uniqueID           string
	agentID            string
	text               string
	event              *event
	addon              string
	accepted           bool
	displayedFirstTime bool
}

// store is the simulator's whole state. Every field is guarded by mu.
type store struct {
	mu        sync.Mutex
	clock     Clock
	seq       int
	customers map[string]*customer // by token digest
	byID      map[string]*customer
	chats     map[string]*chat
	chatOrder []string         // creation order
	files     map[string]*file // by temporary and permanent URL
	agents    []*agent
	groups    []*group
	licProps  propSet
	grpProps  map[int]*propSet
	conns     map[string]map[*rtmConn]struct{} // logged-in RTM connections by customer id
	anon      map[*rtmConn]*rtmConn            // connections that have not logged in
}

func newStore(clock Clock) *store {
	st := &store{
		clock:     &monotonicClock{src: clock},
		customers: map[string]*customer{},
		byID:      map[string]*customer{},
		chats:     map[string]*chat{},
		files:     map[string]*file{},
		grpProps:  map[int]*propSet{},
		conns:     map[string]map[*rtmConn]struct{}{},
		anon:      map[*rtmConn]*rtmConn{},
	}
	st.agents = []*agent{
		{id: "b5657aff34dd32e198160d54666df9d8", name: "Agent Smith", avatar: "https://cdn.livechat-static.com/sim/agent-smith.png", jobTitle: "Support Agent"},
		{id: "bbb67d600796e9f277e360e842418833", name: "Agent Jones", avatar: "https://cdn.livechat-static.com/sim/agent-jones.png", jobTitle: "Sales Agent"},
		{id: "0a6ccb1b7b3bd03d2a6d1c8a4e9d1f2c", name: "ChatBot", avatar: "https://cdn.livechat-static.com/sim/bot.png", jobTitle: "Bot", isBot: true},
	}
	st.groups = []*group{
		{id: 0, name: "General", status: "online"},
		{id: 1, name: "Sales", status: "offline"},
		{id: 2, name: "Support", status: "online_for_queue"},
	}
	st.licProps.set("0805e283233042b37f460ed8fbf22160", "string_property", json.RawMessage(`"string value"`))
	gp := &propSet{}
	gp.set("0805e283233042b37f460ed8fbf22160", "string_property", json.RawMessage(`"group 0 value"`))
	st.grpProps[0] = gp
	return st
}

// now returns the next strictly increasing instant.
func (st *store) now() time.Time { return st.clock.Now() }

// nextSeq returns the next value of the id counter.
func (st *store) nextSeq() int {
	st.seq++
	return st.seq
}

// newChatID returns a new chat id in LiveChat's 10-character style.
func (st *store) newChatID() string { return fmt.Sprintf("CH%08d", st.nextSeq()) }

// newThreadID returns a new thread id in LiveChat's 10-character style.
func (st *store) newThreadID() string { return fmt.Sprintf("TH%08d", st.nextSeq()) }

// customerFor returns the customer of token, creating it on first use.
func (st *store) customerFor(token string) *customer {
	sum := sha256.Sum256([]byte(token))
	key := hex.EncodeToString(sum[:])
	if c, ok := st.customers[key]; ok {
		return c
	}
	h := key[:32]
	c := &customer{id: h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]}
	st.customers[key] = c
	st.byID[c.id] = c
	return c
}

// agentByID returns the agent with id, or nil.
func (st *store) agentByID(id string) *agent {
	for _, a := range st.agents {
		if a.id == id {
			return a
		}
	}
	return nil
}

// groupByID returns the group with id, or nil.
func (st *store) groupByID(id int) *group {
	for _, g := range st.groups {
		if g.id == id {
			return g
		}
	}
	return nil
}

// lastThread returns the chat's newest thread, or nil.
func (ch *chat) lastThread() *thread {
	if len(ch.threads) == 0 {
		return nil
	}
	return ch.threads[len(ch.threads)-1]
}

// active reports whether the chat has an active thread.
func (ch *chat) active() bool {
	t := ch.lastThread()
	return t != nil && t.active
}

// threadByID returns the chat's thread with id, or nil.
func (ch *chat) threadByID(id string) *thread {
	for _, t := range ch.threads {
		if t.id == id {
			return t
		}
	}
	return nil
}

// eventByID returns the thread's event with id, or nil.
func (t *thread) eventByID(id string) *event {
	for _, e := range t.events {
		if e.id == id {
			return e
		}
	}
	return nil
}

// addEvent appends e to t, giving it the next id of the thread.
func (t *thread) addEvent(e *event) {
	e.id = fmt.Sprintf("%s_%d", t.id, len(t.events)+1)
	t.events = append(t.events, e)
}

// set stores one property, keeping the order of first insertion.
func (p *propSet) set(ns, name string, val json.RawMessage) {
	for i := range p.ns {
		if p.ns[i].name == ns {
			for j := range p.ns[i].props {
				if p.ns[i].props[j].key == name {
					p.ns[i].props[j].val = val
					return
				}
			}
			p.ns[i].props = append(p.ns[i].props, rawField{name, val})
			return
		}
	}
	p.ns = append(p.ns, propNS{name: ns, props: []rawField{{name, val}}})
}

// remove deletes one property; an emptied namespace disappears.
func (p *propSet) remove(ns, name string) {
	for i := range p.ns {
		if p.ns[i].name != ns {
			continue
		}
		props := p.ns[i].props
		for j := range props {
			if props[j].key == name {
				p.ns[i].props = append(props[:j], props[j+1:]...)
				break
			}
		}
		if len(p.ns[i].props) == 0 {
			p.ns = append(p.ns[:i], p.ns[i+1:]...)
		}
		return
	}
}

// merge sets every property of other into p.
func (p *propSet) merge(other propSet) {
	for _, ns := range other.ns {
		for _, f := range ns.props {
			p.set(ns.name, f.key, f.val)
		}
	}
}

// empty reports whether p holds no property.
func (p propSet) empty() bool { return len(p.ns) == 0 }

// setKV sets key in an ordered pair list, appending when new.
func setKV(list []kv, k, v string) []kv {
	for i := range list {
		if list[i].k == k {
			list[i].v = v
			return list
		}
	}
	return append(list, kv{k, v})
}

package proxy

import (
	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/translate"
	"github.com/lcgate/lcgate/versions"
)

// rtmTranslator adapts translate.RTM to a session: it writes the frames the translator
// sends on its own (queued requests, expansions' calls and answers, held pushes) to the
// session's legs, and ends the session when one of those writes fails.
type rtmTranslator struct{ rtm *translate.RTM }

func (s *Server) newRTMTranslator(sess *session, client, upstream string) *rtmTranslator {
	cv, _ := versions.Parse(client)
	uv, _ := versions.Parse(upstream)
	sendUp := func(msg []byte, own bool) error { // a queued request, or an expansion's own call
		if own {
			sess.up.generated.Add(1)
		}
		if err := sess.writeData(sess.upstream, websocket.TextMessage, msg); err != nil {
			sess.up.dropped.Add(1)
			return err
		}
		sess.up.out.Add(1)
		return nil
	}
	sendClient := func(msgs ...[]byte) error { // answers of the gateway's own, held pushes
		sess.down.generated.Add(int64(len(msgs)))
		return sess.toClient(msgs) // in one write; SockJS-framed if need be
	}
	rtm := translate.NewRTM(&s.engine, translate.RTMConfig{Client: cv, Upstream: uv,
		MaxPending: s.opts.MaxPendingPerSession, MaxQueuedBytes: int(s.opts.MaxMessageSize), Budget: s.held,
		CallTimeout: s.opts.UpstreamTimeout, SendUp: sendUp, SendClient: sendClient, Fail: sess.abort,
		QueuedDropped: func() { sess.up.dropped.Add(1) }})
	if m := s.opts.Metrics; m != nil {
		rtm.OnDrop = func(direction, reason string) { m.FramesDropped.WithLabelValues(direction, reason).Inc() }
		rtm.OnThrottle = m.Throttled.Inc
	}
	return &rtmTranslator{rtm: rtm}
}

func (t *rtmTranslator) fromClient(msg []byte) (toUpstream, toClient []byte, queued bool) {
	return t.rtm.FromClient(msg)
}

func (t *rtmTranslator) fromUpstream(msg []byte) [][]byte { return t.rtm.FromUpstream(msg) }

func (t *rtmTranslator) upstreamGone() { t.rtm.UpstreamGone() }

func (t *rtmTranslator) stop() { t.rtm.Stop() }

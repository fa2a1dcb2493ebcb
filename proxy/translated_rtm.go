package proxy

import (
	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/translate"
	"github.com/lcgate/lcgate/versions"
)

// rtmTranslator adapts translate.RTM to a session: it writes the frames the translator
// sends on its own (expansions' calls and answers) to the session's legs.
type rtmTranslator struct{ rtm *translate.RTM }

func (s *Server) newRTMTranslator(sess *session, client, upstream string) *rtmTranslator {
	cv, _ := versions.Parse(client)
	uv, _ := versions.Parse(upstream)
	sendUp := func(msg []byte) error { // an expansion's own call
		sess.up.generated.Add(1)
		if err := sess.writeData(sess.upstream, websocket.TextMessage, msg); err != nil {
			sess.up.dropped.Add(1)
			return err
		}
		sess.up.out.Add(1)
		return nil
	}
	sendClient := func(msg []byte) error { // an expansion's answer, or a held push
		sess.down.generated.Add(1)
		return sess.toClient([][]byte{msg}) // SockJS-framed if need be
	}
	rtm := translate.NewRTM(&s.engine, cv, uv, s.opts.MaxPendingPerSession, sendUp, sendClient)
	if m := s.opts.Metrics; m != nil {
		rtm.OnDrop = func(direction, reason string) { m.FramesDropped.WithLabelValues(direction, reason).Inc() }
	}
	return &rtmTranslator{rtm: rtm}
}

func (t *rtmTranslator) fromClient(msg []byte) (toUpstream, toClient []byte) {
	return t.rtm.FromClient(msg)
}

func (t *rtmTranslator) fromUpstream(msg []byte) [][]byte { return t.rtm.FromUpstream(msg) }

func (t *rtmTranslator) stop() { t.rtm.Stop() }

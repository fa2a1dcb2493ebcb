package proxy

import (
	"github.com/fasthttp/websocket"
	"github.com/lcgate/lcgate/translate"
	"github.com/lcgate/lcgate/versions"
)

// rtmTranslator adapts translate.RTM to a session: it writes the frames the translator
// sends on its own (expansions' calls and answers) to the session's legs.
type rtmTranslator struct{ rtm *translate.RTM }

func (s *Server) newRTMTranslator(sess *session, client string) *rtmTranslator {
	cv, _ := versions.Parse(client)
	uv, _ := versions.Parse(s.opts.UpstreamVersion)
	sendUp := func(msg []byte) error { return sess.writeData(sess.upstream, websocket.TextMessage, msg) }
	sendClient := func(msg []byte) error { return sess.toClient([][]byte{msg}) } // SockJS-framed if need be
	return &rtmTranslator{rtm: translate.NewRTM(&s.engine, cv, uv, sendUp, sendClient)}
}

func (t *rtmTranslator) fromClient(msg []byte) (toUpstream, toClient []byte) {
	return t.rtm.FromClient(msg)
}

func (t *rtmTranslator) fromUpstream(msg []byte) [][]byte { return t.rtm.FromUpstream(msg) }

func (t *rtmTranslator) stop() { t.rtm.Stop() }

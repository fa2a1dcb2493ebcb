package versions

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/lcgate/lcgate/translate/jsontree"
)

// This file holds the page ids lcgate makes for a 3.2 client's list_chats and list_threads on
// an older upstream, which pages by offset (spec/methods.md R11, R14). A page id is opaque to
// the client and stable: the same page always has the same id.

// page is one page of a list: which list, its direction, and its offset and size.
type page struct {
	list      string // "chats", or "threads:" + chat id
	desc      bool
	offset    int
	limit     int
	minEvents int // list_threads' min_events_count, or 0
}

const pageTokenPrefix = "lcgate1|"

// token encodes the page as an opaque page id.
func (p page) token() string {
	s := pageTokenPrefix + p.list + "|" + strconv.FormatBool(p.desc) + "|" + strconv.Itoa(p.offset) + "|" +
		strconv.Itoa(p.limit) + "|" + strconv.Itoa(p.minEvents)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// parsePageToken decodes a page id made by token for the list named list.
func parsePageToken(id, list string) (page, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || !strings.HasPrefix(string(raw), pageTokenPrefix) {
		return page{}, false
	}
	rest := strings.TrimPrefix(string(raw), pageTokenPrefix)
	if !strings.HasPrefix(rest, list+"|") {
		return page{}, false
	}
	parts := strings.Split(strings.TrimPrefix(rest, list+"|"), "|")
	if len(parts) != 4 {
		return page{}, false
	}
	desc, err1 := strconv.ParseBool(parts[0])
	off, err2 := strconv.Atoi(parts[1])
	lim, err3 := strconv.Atoi(parts[2])
	minEv, err4 := strconv.Atoi(parts[3])
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || off < 0 || lim < 1 || minEv < 0 {
		return page{}, false
	}
	return page{list: list, desc: desc, offset: off, limit: lim, minEvents: minEv}, true
}

// readPage reads a 3.2 list request's sort_order, limit and page_id (which overrides the other
// two), as the 3.2 server does.
func readPage(req *Doc, list string, defLimit, maxLimit int64) (page, error) {
	pg := page{list: list, desc: true}
	switch n := req.Get(req.Root(), "sort_order"); {
	case n == None || req.Kind(n) == jsontree.Null:
	default:
		s, _ := req.Str(n)
		switch s {
		case "desc":
		case "asc":
			pg.desc = false
		default:
			return pg, paramError("`sort_order` must be \"asc\" or \"desc\"")
		}
	}
	limit, err := optInt(req, "limit", defLimit, 1, maxLimit)
	if err != nil {
		return pg, err
	}
	pg.limit = int(limit)
	n := req.Get(req.Root(), "page_id")
	if n == None || req.Kind(n) == jsontree.Null {
		return pg, nil
	}
	id, ok := req.Str(n)
	if !ok {
		return pg, paramError("`page_id` must be a string")
	}
	got, ok := parsePageToken(id, list)
	if !ok {
		return pg, paramError("`page_id` is not valid")
	}
	return got, nil
}

// setPageLinks adds next_page_id and previous_page_id around page pg of a list of total items.
func setPageLinks(d *Doc, out Node, pg page, total int) {
	if pg.offset+pg.limit < total {
		next := pg
		next.offset += pg.limit
		d.Set(out, "next_page_id", d.NewString(next.token()))
	}
	if pg.offset > 0 {
		prev := pg
		prev.offset = max(0, pg.offset-pg.limit)
		d.Set(out, "previous_page_id", d.NewString(prev.token()))
	}
}

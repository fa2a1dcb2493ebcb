package versions

// This file holds small request and answer rewrites shared by the steps.

// renameParam renames a top-level request parameter.
func renameParam(from, to string) func(*Env, *Doc) error {
	return func(_ *Env, d *Doc) error {
		d.Rename(d.Root(), from, to)
		return nil
	}
}

// renameFieldsUp turns the {"k": "v"} parameter from into the [{"k": "v"}] parameter to.
func renameFieldsUp(from, to string) func(*Env, *Doc) error {
	return func(_ *Env, d *Doc) error {
		r := d.Root()
		f := d.Get(r, from)
		if !d.IsObject(f) {
			return nil // the upstream reports a missing or mistyped parameter itself
		}
		d.Set(r, from, fieldsToSession(d, f))
		d.Rename(r, from, to)
		return nil
	}
}

// sessionParamDown turns the [{"k": "v"}] parameter from into the {"k": "v"} parameter to.
func sessionParamDown(from, to string) func(*Env, *Doc) error {
	return func(e *Env, d *Doc) error {
		r := d.Root()
		f := d.Get(r, from)
		if !d.IsArray(f) {
			return nil
		}
		d.Set(r, from, sessionToFields(e, d, f))
		d.Rename(r, from, to)
		return nil
	}
}

// renameFieldsDown turns a 3.2 session_fields parameter into the older name.
func renameFieldsDown(to string) func(*Env, *Doc) error {
	return sessionParamDown("session_fields", to)
}

// dropTop removes top-level members of an answer or request.
func dropTop(keys ...string) func(*Env, *Doc) error {
	return func(_ *Env, d *Doc) error {
		for _, k := range keys {
			d.Delete(d.Root(), k)
		}
		return nil
	}
}

// dropPath removes the member at a path.
func dropPath(path ...string) func(*Env, *Doc) error {
	return func(_ *Env, d *Doc) error {
		parent := d.Path(d.Root(), path[:len(path)-1]...)
		if d.IsObject(parent) {
			d.Delete(parent, path[len(path)-1])
		}
		return nil
	}
}

// emptyAnswer makes the answer an empty object.
func emptyAnswer(_ *Env, d *Doc) error {
	d.Clear(d.Root())
	return nil
}

// lossyNote leaves the answer as it is and counts a lossy conversion: the newer version's
// answer has a member the older one cannot supply.
func lossyNote(change string) func(*Env, *Doc) error {
	return func(e *Env, _ *Doc) error {
		e.lossy(change)
		return nil
	}
}

package sim

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif"  // registers GIF for image.DecodeConfig
	_ "image/jpeg" // registers JPEG for image.DecodeConfig
	_ "image/png"  // registers PNG for image.DecodeConfig
	"path"
	"strings"
)

// This file holds upload_file and the 3.0 send_file.

// uploadForm is a parsed multipart/form-data request.
type uploadForm struct {
	values map[string]string
	file   *uploadedFile
	// fileField is the name of the form field that carried the file.
	fileField string
}

// uploadedFile is the file part of an upload.
type uploadedFile struct {
	name, contentType string
	data              []byte
	size              int
}

// executableExts are refused by 3.2's upload_file ("executables rejected").
var executableExts = map[string]bool{".exe": true, ".bat": true, ".cmd": true, ".com": true,
	".msi": true, ".scr": true, ".dll": true, ".sh": true, ".jar": true, ".ps1": true}

// formValue reads a multipart field by its version's name: `payload.<name>` in 3.0, `<name>`
// later. The other spelling is accepted too (tolerant reading).
func (c *call) formValue(name string) (string, bool) {
	if c.form == nil {
		return "", false
	}
	first, second := name, "payload."+name
	if c.v == v30 {
		first, second = second, first
	}
	if v, ok := c.form.values[first]; ok {
		return v, true
	}
	v, ok := c.form.values[second]
	return v, ok
}

// storeUpload checks and keeps the request's file, returning its record.
func (c *call) storeUpload() (*file, *apiError) {
	if c.form == nil {
		return nil, validationf("Request must be multipart/form-data")
	}
	want := "file"
	if c.v == v30 {
		want = "payload.file"
	}
	up := c.form.file
	if up == nil {
		return nil, validationf("`%s` is required", want)
	}
	if up.size > MaxUploadSize {
		return nil, errorf("entity_too_large", "Upload limit exceeded (10MB)")
	}
	if c.v == v32 && executableExts[strings.ToLower(path.Ext(up.name))] {
		return nil, validationf("Executable files are not allowed")
	}
	n := c.st.nextSeq()
	name := path.Base(up.name)
	f := &file{name: name, contentType: up.contentType, size: up.size,
		tmpURL:  fmt.Sprintf("https://cdn.files-text.livechatinc.com/tmp/%d/%s", n, name),
		permURL: fmt.Sprintf("https://cdn.files-text.livechatinc.com/lc/att/%d/%s", n, name)}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(up.data)); err == nil {
		f.width, f.height = cfg.Width, cfg.Height
	}
	c.st.files[f.tmpURL] = f
	c.st.files[f.permURL] = f
	return f, nil
}

func mUploadFile(c *call) (*obj, *apiError) {
	f, err := c.storeUpload()
	if err != nil {
		return nil, err
	}
	return newObj().set("url", f.tmpURL), nil
}

// mSendFile serves 3.0 send_file: an upload and a file event in one call, with send_event's
// thread rules; it answers the file's permanent URL.
func mSendFile(c *call) (*obj, *apiError) {
	chatID, _ := c.formValue("chat_id")
	if chatID == "" {
		return nil, validationf("`payload.chat_id` is required")
	}
	ch, err := c.ownChat(chatID)
	if err != nil {
		return nil, err
	}
	requireActive := false
	if raw, ok := c.formValue("require_active_thread"); ok {
		switch raw {
		case "true", "1":
			requireActive = true
		case "false", "0", "":
		default:
			return nil, validationf("`payload.require_active_thread` must be a boolean")
		}
	}
	f, err := c.storeUpload()
	if err != nil {
		return nil, err
	}
	customID, _ := c.formValue("custom_id")
	e := &event{typ: "file", customID: customID, recipients: "all", body: fileBody(f)}
	if _, err := c.deliverEvent(ch, e, false, requireActive); err != nil {
		return nil, err
	}
	return newObj().set("url", f.permURL), nil
}

// Package readall reads a whole stream into a buffer the caller keeps, so that a loop reading
// one message after another reuses one buffer instead of allocating one per message as
// io.ReadAll does.
package readall

import "io"

// Append appends everything r holds, up to io.EOF, to b and returns the extended slice. On
// any other error it returns what was read with the error.
func Append(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

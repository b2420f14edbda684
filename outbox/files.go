package outbox

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"supportbot/store"
)

// SafeFileName keeps the letters, digits and a few marks of a file name
// that came from outside (a customer's or a staff member's upload), so it is
// safe as the last element of a path on disk.
func SafeFileName(name string) string {
	name = filepath.Base(name)
	var b strings.Builder
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".-_", r) {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	s := strings.TrimLeft(b.String(), ".")
	if r := []rune(s); len(r) > 80 {
		s = string(r[len(r)-80:])
	}
	if s == "" {
		return "file"
	}
	return s
}

// SaveFile keeps data, a file the bot made to send (a digest chart, a
// statement), as dir/name: written whole beside it, then renamed into
// place, so the dispatcher never sends half a file. It describes the file
// for an outbox.Post.
func SaveFile(dir, name string, kind store.FileKind, mime string, data []byte) (*store.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return nil, err
	}
	_, werr := tmp.Write(data)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return nil, err
	}
	return &store.File{Kind: kind, Name: name, MIME: mime, Bytes: int64(len(data)), Path: path}, nil
}

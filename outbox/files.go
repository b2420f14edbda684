package outbox

import (
	"path/filepath"
	"strings"
	"unicode"
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

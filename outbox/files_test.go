package outbox

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"supportbot/store"
)

func TestSafeFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{"تصویر خطا.png", "تصویر_خطا.png"},
		{"..hidden", "hidden"},
		{"", "file"},
		{"/", "_"},
		{"a b;c|d.txt", "a_b_c_d.txt"},
	}
	for _, tt := range tests {
		if got := SafeFileName(tt.in); got != tt.want {
			t.Errorf("SafeFileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSaveFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "files") // made on first use
	data := []byte("\x89PNG chart")
	for range 2 { // a second save of the same name replaces the first
		f, err := SaveFile(dir, "sla-1405-09-08-0800.png", store.FileImage, "image/png", data)
		if err != nil {
			t.Fatal(err)
		}
		want := store.File{Kind: store.FileImage, Name: "sla-1405-09-08-0800.png", MIME: "image/png", Bytes: int64(len(data)), Path: filepath.Join(dir, "sla-1405-09-08-0800.png")}
		if *f != want || !filepath.IsAbs(f.Path) {
			t.Errorf("SaveFile = %+v, want %+v", *f, want)
		}
		if got, err := os.ReadFile(f.Path); err != nil || !bytes.Equal(got, data) {
			t.Errorf("file holds %q (%v), want %q", got, err, data)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("the folder holds %v (%v), want the file alone: no temporary file left", entries, err)
	}
	if _, err := SaveFile(filepath.Join(dir, "sla-1405-09-08-0800.png"), "x.png", store.FileImage, "image/png", data); err == nil {
		t.Error("SaveFile into a path that is a file: no error")
	}
}

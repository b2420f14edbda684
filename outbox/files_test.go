package outbox

import "testing"

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

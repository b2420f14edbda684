package outbox

import "testing"

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in      Address
		want    Dest
		wantErr bool
	}{
		{WhatsApp("+989121234567"), Dest{Transport: "whatsapp", Contact: "+989121234567"}, false},
		{WhatsApp("lid:123456"), Dest{Transport: "whatsapp", Contact: "lid:123456"}, false},
		{StaffGroup, Dest{Transport: "telegram", Group: StaffGroup}, false},
		{ManagersGroup, Dest{Transport: "telegram", Group: ManagersGroup}, false},
		{TelegramUser(42), Dest{Transport: "telegram", UserID: 42}, false},
		{"telegram:user:0", Dest{}, true},
		{"telegram:user:x", Dest{}, true},
		{"telegram:someone", Dest{}, true},
		{"whatsapp:", Dest{}, true},
		{"whatsapp", Dest{}, true},
		{"sms:+989121234567", Dest{}, true},
		{"", Dest{}, true},
	}
	for _, tt := range tests {
		got, err := ParseAddress(string(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseAddress(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if got := TelegramUser(7).Transport(); got != "telegram" {
		t.Errorf("Transport = %q", got)
	}
}

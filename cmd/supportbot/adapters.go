package main

import (
	"supportbot/bot"
	"supportbot/bot/telegram"
	"supportbot/bot/whatsapp"
)

// The adapters declare what they need of the engine as small interfaces
// and never import package bot; the engine must be each of them.
var (
	_ telegram.Handler      = (*bot.Engine)(nil)
	_ whatsapp.Handler      = (*bot.Engine)(nil)
	_ whatsapp.CompanyPhone = (*bot.Engine)(nil)
	_ whatsapp.Holder       = (*bot.Engine)(nil)
	_ whatsapp.Revealer     = (*bot.Engine)(nil)
	_ whatsapp.Editor       = (*bot.Engine)(nil)
)

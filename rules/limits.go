package rules

// The shipped limits on one customer's messages (docs/conversation.md):
// the engine holds a message past them, the WhatsApp adapter does not
// download a larger file, and the configuration's defaults are these.
const (
	DefaultMessagesPerMinute = 20       // messages one phone may send in a minute
	DefaultMaxTextRunes      = 4000     // characters of one text acted on
	DefaultMaxFileMB         = 16       // megabytes of one file kept or sent
	DefaultMaxFileBytes      = 16 << 20 // DefaultMaxFileMB in bytes
)

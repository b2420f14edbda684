package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"supportbot/bot"
	"supportbot/bot/netproxy"
	"supportbot/bot/whatsapp"
	"supportbot/jobs"
	"supportbot/rules"
	"supportbot/store/sqlite"
)

// Config is the whole configuration. Its YAML keys mirror config.example.yaml;
// DefaultConfig holds the shipped values, the file overrides them, then the
// environment overrides secrets, then Validate checks the result.
type Config struct {
	Timezone      string             `yaml:"timezone"`
	Database      string             `yaml:"database"`
	FilesDir      string             `yaml:"files_dir"`
	Language      string             `yaml:"language"`
	CompanyName   string             `yaml:"company_name"`
	FallbackPhone string             `yaml:"fallback_phone"`
	SupportPhone  string             `yaml:"support_phone"`
	SalesPhone    string             `yaml:"sales_phone"`
	OfficeHours   WeekHours          `yaml:"office_hours"`
	ContactHours  WeekHours          `yaml:"contact_hours"`
	Holidays      HolidayConfig      `yaml:"holidays"`
	Conversation  ConversationConfig `yaml:"conversation"`
	Desk          DeskConfig         `yaml:"desk"`
	Tiers         TierTable          `yaml:"tiers"`
	Hourly        rules.HourlyRules  `yaml:"hourly"`
	Telegram      TelegramConfig     `yaml:"telegram"`
	WhatsApp      WhatsAppConfig     `yaml:"whatsapp"`
	Metrics       MetricsConfig      `yaml:"metrics"`
	Schedule      ScheduleConfig     `yaml:"schedule"`
	Limits        LimitsConfig       `yaml:"limits"`
	Retention     RetentionConfig    `yaml:"retention"`
	Storage       StorageConfig      `yaml:"storage"`
	Lifecycle     LifecycleConfig    `yaml:"lifecycle"`

	// dir is the folder of the config file read, against which its
	// relative paths are resolved; "" when no file was read.
	dir string
}

// LifecycleConfig times waiting on the customer and the satisfaction
// question (docs/lifecycle.md).
type LifecycleConfig struct {
	NudgeDays     int `yaml:"nudge_days"`     // office days before a waiting customer is reminded; 0: never
	AutoCloseDays int `yaml:"autoclose_days"` // office days before a waiting ticket closes; 0: never
	CSATDays      int `yaml:"csat_days"`      // days a score still answers the question; 0: no question
}

// WeekHours maps a weekday name (saturday…friday) to "HH:MM-HH:MM" intervals.
type WeekHours map[string][]string

// UnmarshalYAML merges the file's days onto the week already present: a
// day given replaces that day only, `closed` or `[]` closes it, and days
// left out keep their hours (docs/operations.md, "The config file").
func (w *WeekHours) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: want a mapping of weekday to hours, such as wednesday: [\"08:30-13:00\"]", n.Line)
	}
	merged := WeekHours{}
	for day, spans := range *w {
		merged[day] = spans
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, body := n.Content[i].Value, n.Content[i+1]
		day := strings.ToLower(strings.TrimSpace(name))
		if _, ok := weekdays[day]; !ok {
			return fmt.Errorf("line %d: %q is not a weekday (saturday … friday)", n.Content[i].Line, name)
		}
		switch {
		case body.Kind == yaml.ScalarNode && strings.EqualFold(strings.TrimSpace(body.Value), "closed"):
			merged[day] = []string{}
		case body.Kind == yaml.ScalarNode && body.Tag == "!!null":
			return fmt.Errorf("line %d: %s has no hours: write closed, or a list such as [\"08:30-17:30\"]", body.Line, day)
		case body.Kind == yaml.ScalarNode:
			merged[day] = []string{body.Value} // one span written without brackets
		case body.Kind == yaml.SequenceNode:
			spans := []string{}
			for _, s := range body.Content {
				if s.Kind != yaml.ScalarNode {
					return fmt.Errorf("line %d: %s: want hours such as \"08:30-17:30\"", s.Line, day)
				}
				spans = append(spans, s.Value)
			}
			merged[day] = spans
		default:
			return fmt.Errorf("line %d: %s: want closed, or a list of hours such as [\"08:30-17:30\"]", body.Line, day)
		}
	}
	*w = merged
	return nil
}

// HolidayConfig adds dates to, or removes dates from, the shipped holiday list.
type HolidayConfig struct {
	Add    []string `yaml:"add"`
	Remove []string `yaml:"remove"`
}

// ConversationConfig tunes the customer dialogue.
type ConversationConfig struct {
	IdleTimeout Duration `yaml:"idle_timeout"`
	// ReopenDays: a customer message within this many calendar days after
	// a close reopens the ticket; 0 turns reopening off.
	ReopenDays int `yaml:"reopen_days"`
}

// DeskConfig is how the staff desk shows itself to customers.
type DeskConfig struct {
	// StaffNames maps a Telegram user id to the name customers see; staff
	// not listed are «کارشناس پشتیبانی».
	StaffNames map[int64]string `yaml:"staff_names"`
}

// TelegramConfig is the staff side.
type TelegramConfig struct {
	Token          string  `yaml:"token"`
	APIEndpoint    string  `yaml:"api_endpoint"`
	StaffChatID    int64   `yaml:"staff_chat_id"`
	ManagersChatID int64   `yaml:"managers_chat_id"`
	Managers       []int64 `yaml:"managers"`
	// Proxy carries the Bot API calls and file downloads, and nothing else
	// (http, https, socks5 or socks5h URL; "" goes direct).
	Proxy string `yaml:"proxy"`
	// Topics gives each ticket its own forum topic in the staff group (a
	// forum supergroup where the bot may manage topics): docs/telegram.md.
	Topics bool `yaml:"topics"`
}

// WhatsAppConfig is the customer side.
type WhatsAppConfig struct {
	Enabled   bool   `yaml:"enabled"`
	SessionDB string `yaml:"session_db"`
	MediaDir  string `yaml:"media_dir"`   // customers' files, kept with their tickets
	MaxFileMB int    `yaml:"max_file_mb"` // largest file kept or sent
	// The pause before each WhatsApp send is a random time between these.
	MinSendGap Duration `yaml:"min_send_gap"`
	MaxSendGap Duration `yaml:"max_send_gap"`
	// Proxy carries WhatsApp's websocket and media, and nothing else.
	Proxy string `yaml:"proxy"`
	// MarkRead is when customers' messages are marked read: immediate,
	// after_answer (a person answered) or never (docs/whatsapp.md).
	MarkRead string `yaml:"mark_read"`
	// Debug passes whatsmeow's own debug log into the log (keys redacted).
	Debug bool `yaml:"debug"`
	// A queued message (one with a file, and its chat's later ones) that
	// keeps failing is given up after QueueAttempts failed rounds or
	// QueueGiveUpAfter since its first failure: handled without its file,
	// else held. QueueStuckAfter is the wait of the oldest queued message
	// that tells staff and degrades /healthz (docs/whatsapp.md).
	QueueAttempts    int      `yaml:"queue_attempts"`
	QueueGiveUpAfter Duration `yaml:"queue_give_up_after"`
	QueueStuckAfter  Duration `yaml:"queue_stuck_after"`
}

// MetricsConfig is the monitoring endpoint of `supportbot run`.
type MetricsConfig struct {
	Listen string `yaml:"listen"` // host:port of /metrics and /healthz; "" turns them off
}

// LimitsConfig bounds what one customer can make the bot do (flood and
// size); the file size limit is whatsapp.max_file_mb.
type LimitsConfig struct {
	MessagesPerMinute int `yaml:"messages_per_minute"` // 0 turns the flood limit off
	MaxTextChars      int `yaml:"max_text_chars"`
}

// EngineLimits are the limits the engine enforces.
func (c Config) EngineLimits() bot.Limits {
	return bot.Limits{
		MessagesPerMinute: c.Limits.MessagesPerMinute,
		MaxTextRunes:      c.Limits.MaxTextChars,
		MaxFileBytes:      int64(c.WhatsApp.MaxFileMB) << 20,
	}
}

// RetentionConfig says how long records kept only for the bot's own use
// are kept.
type RetentionConfig struct {
	// InboundIDDays is how long a received message's id is kept to
	// recognise a redelivery; 0 keeps ids for ever.
	InboundIDDays int `yaml:"inbound_ids_days"`
}

// StorageConfig is how the database is kept durable and watched
// (docs/durability.md).
type StorageConfig struct {
	// Sync is "full" (a commit survives a power cut; the default) or
	// "normal" (it survives the process dying, not the power).
	Sync string `yaml:"sync"`
	// ProbeEvery is how often the health probe writes to the database.
	ProbeEvery Duration `yaml:"probe_every"`
	// MinFreeMB is the free disk space under which managers are warned
	// and /healthz fails.
	MinFreeMB int `yaml:"min_free_mb"`
}

// minInboundIDDays is the shortest id retention: WhatsApp delivers what it
// held for an offline phone for up to 30 days (Telegram, a day), and a
// redelivery must still find its id.
const minInboundIDDays = 31

// ScheduleConfig times the scheduled jobs.
type ScheduleConfig struct {
	Reminders            []Duration `yaml:"reminders"`
	Digest               string     `yaml:"digest"`
	ContractEndReminders []int      `yaml:"contract_end_reminders"`
	// ContractEndPerHour caps the contract-end reminder messages in one
	// hour; the rest go in the following contact hours. 0: no cap.
	ContractEndPerHour int `yaml:"contract_end_per_hour"`
}

// Duration is a time.Duration written in Go syntax ("30m", "1h30m").
type Duration time.Duration

// UnmarshalYAML parses Go duration syntax.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration like 30m or 1h30m", n.Line, s)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes Go duration syntax.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// TierTable is rules.Tiers read from YAML so that a file may change one
// field of one tier and keep the shipped values of everything else.
type TierTable rules.Tiers

// UnmarshalYAML merges the file's tiers onto the defaults already present.
func (t *TierTable) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: tiers must be a mapping of kind to tiers", n.Line)
	}
	if *t == nil {
		*t = TierTable{}
	}
	known := yamlKeys(reflect.TypeOf(rules.TierRules{}))
	for i := 0; i+1 < len(n.Content); i += 2 {
		kind := rules.Kind(n.Content[i].Value)
		tiersNode := n.Content[i+1]
		if tiersNode.Kind != yaml.MappingNode {
			return fmt.Errorf("line %d: tiers.%s must be a mapping of tier to rules", tiersNode.Line, kind)
		}
		if (*t)[kind] == nil {
			(*t)[kind] = map[rules.Tier]rules.TierRules{}
		}
		for j := 0; j+1 < len(tiersNode.Content); j += 2 {
			tier := rules.Tier(tiersNode.Content[j].Value)
			body := tiersNode.Content[j+1]
			if body.Kind != yaml.MappingNode {
				return fmt.Errorf("line %d: tiers.%s.%s must be a mapping", body.Line, kind, tier)
			}
			for k := 0; k+1 < len(body.Content); k += 2 {
				if key := body.Content[k].Value; !known[key] {
					return fmt.Errorf("line %d: tiers.%s.%s: unknown field %q", body.Content[k].Line, kind, tier, key)
				}
			}
			r := (*t)[kind][tier]
			if err := body.Decode(&r); err != nil {
				return fmt.Errorf("tiers.%s.%s: %w", kind, tier, err)
			}
			if len(r.Kinds) == 0 {
				r.Kinds = nil
			}
			if len(r.OnsiteSeverity) == 0 {
				r.OnsiteSeverity = nil
			}
			(*t)[kind][tier] = r
		}
	}
	return nil
}

func yamlKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" {
			keys[name] = true
		}
	}
	return keys
}

// DefaultConfig is the shipped configuration: the numbers of docs/rules.md.
func DefaultConfig() Config {
	office := WeekHours{}
	contact := WeekHours{}
	for _, day := range []string{"saturday", "sunday", "monday", "tuesday", "wednesday"} {
		office[day] = []string{"08:30-17:30"}
		contact[day] = []string{"08:30-17:30"}
	}
	contact["thursday"] = []string{"08:30-17:30"}
	office["thursday"], office["friday"], contact["friday"] = []string{}, []string{}, []string{}
	return Config{
		Timezone:      "Asia/Tehran",
		Database:      "supportbot.db",
		FilesDir:      "files",
		Language:      "fa",
		CompanyName:   "",
		FallbackPhone: "09198906850",
		SupportPhone:  "02191001234",
		SalesPhone:    "02191001235",
		OfficeHours:   office,
		ContactHours:  contact,
		Holidays:      HolidayConfig{Add: []string{}, Remove: []string{}},
		Conversation:  ConversationConfig{IdleTimeout: Duration(30 * time.Minute), ReopenDays: 7},
		Desk:          DeskConfig{StaffNames: map[int64]string{}},
		Tiers:         TierTable(rules.DefaultTiers()),
		Hourly:        rules.DefaultHourlyRules(),
		Telegram: TelegramConfig{
			APIEndpoint: "https://api.telegram.org/bot%s/%s",
			Managers:    []int64{},
		},
		WhatsApp: WhatsAppConfig{Enabled: true, SessionDB: "whatsapp-session.db", MediaDir: "media", MaxFileMB: rules.DefaultMaxFileMB,
			MinSendGap: Duration(whatsapp.DefaultMinGap), MaxSendGap: Duration(whatsapp.DefaultMaxGap),
			MarkRead: whatsapp.MarkReadImmediate, QueueAttempts: whatsapp.DefaultQueueAttempts,
			QueueGiveUpAfter: Duration(whatsapp.DefaultQueueGiveUpAfter), QueueStuckAfter: Duration(whatsapp.DefaultQueueStuckAfter)},
		Metrics: MetricsConfig{Listen: "127.0.0.1:9090"},
		Schedule: ScheduleConfig{
			Reminders:            []Duration{Duration(2 * time.Hour), Duration(30 * time.Minute)},
			Digest:               "0 8 * * *",
			ContractEndReminders: []int{30, 7},
			ContractEndPerHour:   20,
		},
		Limits:    LimitsConfig{MessagesPerMinute: rules.DefaultMessagesPerMinute, MaxTextChars: rules.DefaultMaxTextRunes},
		Retention: RetentionConfig{InboundIDDays: 90},
		Storage:   StorageConfig{Sync: "full", ProbeEvery: Duration(15 * time.Second), MinFreeMB: 500},
		Lifecycle: LifecycleConfig{NudgeDays: 2, AutoCloseDays: 5, CSATDays: 7},
	}
}

// Environment variables that override the file, for secrets and deployment.
const (
	EnvTelegramToken = "SUPPORTBOT_TELEGRAM_TOKEN"
	EnvDatabase      = "SUPPORTBOT_DATABASE"
)

// LoadConfig reads path over the defaults. A missing file at the default path
// means "run on the shipped values"; a missing file that was asked for by
// name is an error. Relative paths in the file are made absolute against
// the file's folder; the environment's database is relative to the current
// folder, like -db.
func LoadConfig(path string, explicit bool, getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	var keys map[int]string
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
	case err != nil:
		return Config{}, fmt.Errorf("config: %w", err)
	default:
		if keys, err = decodeConfig(path, data, &cfg); err != nil {
			return Config{}, err
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		cfg.dir = filepath.Dir(abs)
		cfg.Resolve(cfg.dir)
	}
	if v := getenv(EnvTelegramToken); strings.TrimSpace(v) != "" {
		cfg.Telegram.Token = v
	}
	// An env file saved on Windows ends the token with "\r"; a copy and
	// paste adds spaces. Only the ends are trimmed: whitespace inside is
	// refused by check-config and run.
	cfg.Telegram.Token = strings.TrimSpace(cfg.Telegram.Token)
	if v := getenv(EnvDatabase); v != "" {
		cfg.Database = v
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s%s: %w", path, lineOf(keys, err.Error()), err)
	}
	return cfg, nil
}

// Resolve makes the relative paths among database, files_dir,
// whatsapp.session_db and whatsapp.media_dir absolute against dir, once,
// so that no later step depends on the current folder.
func (c *Config) Resolve(dir string) {
	for _, p := range []*string{&c.Database, &c.FilesDir, &c.WhatsApp.SessionDB, &c.WhatsApp.MediaDir} {
		if strings.TrimSpace(*p) != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
}

// decodeConfig reads data over cfg. Errors are said in the file's terms:
// FILE:LINE: key.path: what is wrong, never a Go type.
// It returns the dotted key of each line, to place later errors.
func decodeConfig(path string, data []byte, cfg *Config) (map[int]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	if hint := utf16Hint(data); hint != "" {
		return nil, fmt.Errorf("%s: %s", path, hint)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, errors.New(yamlError(path, nil, err))
	}
	keys := keyPaths(&root)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return nil, errors.New(yamlError(path, keys, err))
	}
	return keys, nil
}

// lineOf is ":LINE" of the key a validation message starts with
// ("tiers.product.gold.response_days: …"), or of its nearest parent that
// the file holds; "" when the file does not hold it.
func lineOf(keys map[int]string, msg string) string {
	key, _, ok := strings.Cut(msg, ":")
	if !ok || strings.ContainsAny(key, " ,") {
		return ""
	}
	for key != "" {
		best := 0
		for line, k := range keys {
			if k == key && (best == 0 || line < best) {
				best = line
			}
		}
		if best != 0 {
			return ":" + strconv.Itoa(best)
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return ""
}

// keyPaths maps each line of a YAML document to the dotted key that starts
// or holds a value on it (tiers.product.gold.kinds), for error messages.
func keyPaths(root *yaml.Node) map[int]string {
	paths := map[int]string{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, prefix)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				key := n.Content[i].Value
				if prefix != "" {
					key = prefix + "." + key
				}
				paths[n.Content[i].Line] = key
				if v := n.Content[i+1]; v.Line != n.Content[i].Line || v.Kind == yaml.ScalarNode {
					paths[v.Line] = key
				}
				walk(n.Content[i+1], key)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				key := fmt.Sprintf("%s[%d]", prefix, i)
				if _, ok := paths[c.Line]; !ok {
					paths[c.Line] = key
				}
				walk(c, key)
			}
		}
	}
	walk(root, "")
	return paths
}

var (
	yamlLine      = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlTypeError = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.*)$")
	yamlUnknown   = regexp.MustCompile(`^field (\S+) not found in type .*$`)
)

// yamlError rewrites the YAML library's messages ("line 3: cannot
// unmarshal !!str `abc` into int64") as FILE:LINE: key: "abc" is not a
// whole number.
func yamlError(path string, keys map[int]string, err error) string {
	var lines []string
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for _, msg := range msgs {
		m := yamlLine.FindStringSubmatch(strings.TrimPrefix(msg, "yaml: "))
		if m == nil {
			lines = append(lines, fmt.Sprintf("%s: %s", path, strings.TrimPrefix(msg, "yaml: ")))
			continue
		}
		line, _ := strconv.Atoi(m[1])
		what, key := m[2], keys[line]
		if t := yamlTypeError.FindStringSubmatch(what); t != nil {
			what = fmt.Sprintf("%q is not %s", t[2], goTypeWords(t[3], t[1]))
			if t[1] == "seq" || t[1] == "map" {
				what = "want " + goTypeWords(t[3], t[1])
			}
		} else if u := yamlUnknown.FindStringSubmatch(what); u != nil {
			what = fmt.Sprintf("unknown key %q (config.example.yaml lists every key)", u[1])
		}
		if key != "" && !strings.HasPrefix(what, key) {
			what = key + ": " + what
		}
		lines = append(lines, fmt.Sprintf("%s:%d: %s", path, line, what))
	}
	return strings.Join(lines, "\n")
}

// goTypeWords says what a value of a Go type is in a config file's words.
func goTypeWords(goType, yamlTag string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list (write [a, b] or one item per line starting with -)"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "main."), strings.Contains(goType, "Config"):
		if yamlTag == "seq" {
			return "a mapping of keys (not a list)"
		}
		return "a mapping of keys (key: value, indented below)"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case goType == "string", strings.HasPrefix(goType, "rules."):
		return "a text value"
	}
	return "a value of the right kind"
}

// utf16Hint recognises a file saved as UTF-16 (Windows "Unicode") and says
// how to save it instead; "" for anything else.
func utf16Hint(data []byte) string {
	if isUTF16(data) {
		return "the file is UTF-16 (\"Unicode\" in Windows editors); save it as UTF-8"
	}
	return ""
}

// isUTF16 is true for data with a UTF-16 byte-order mark, or with a zero
// byte in every other place of its start (UTF-16 text without a mark).
func isUTF16(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return true
	}
	n := min(len(data), 64) &^ 1
	if n < 4 {
		return false
	}
	zeroEven, zeroOdd := 0, 0
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			zeroEven++
		}
		if data[i+1] == 0 {
			zeroOdd++
		}
	}
	return zeroEven*2 > n/2 || zeroOdd*2 > n/2
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// Validate checks every value and names the first bad field.
func (c Config) Validate() error {
	if _, err := c.Location(); err != nil {
		return fmt.Errorf("timezone: %w", err)
	}
	if strings.TrimSpace(c.Database) == "" {
		return errors.New("database: must name a file")
	}
	if strings.TrimSpace(c.FilesDir) == "" {
		return errors.New("files_dir: must name a folder")
	}
	if c.Language != "fa" && c.Language != "en" {
		return fmt.Errorf("language: %q is not fa or en", c.Language)
	}
	for field, phone := range map[string]string{"fallback_phone": c.FallbackPhone, "support_phone": c.SupportPhone, "sales_phone": c.SalesPhone} {
		if _, err := rules.ParsePhone(phone); err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
	}
	if _, err := c.Calendar(time.UTC); err != nil {
		return err
	}
	if l := c.Lifecycle; l.NudgeDays < 0 || l.AutoCloseDays < 0 || l.CSATDays < 0 {
		return errors.New("lifecycle: nudge_days, autoclose_days and csat_days must be 0 or more")
	}
	if l := c.Lifecycle; l.NudgeDays > 0 && l.AutoCloseDays > 0 && l.NudgeDays >= l.AutoCloseDays {
		return fmt.Errorf("lifecycle.nudge_days: %d must be less than autoclose_days (%d)", l.NudgeDays, l.AutoCloseDays)
	}
	if c.Conversation.IdleTimeout < Duration(time.Minute) {
		return errors.New("conversation.idle_timeout: must be at least 1m")
	}
	if d := c.Conversation.ReopenDays; d < 0 || d > 366 {
		return fmt.Errorf("conversation.reopen_days: %d is not between 0 and 366", d)
	}
	for id, name := range c.Desk.StaffNames {
		if id <= 0 || strings.TrimSpace(name) == "" {
			return fmt.Errorf("desk.staff_names: %d: want a Telegram user id and a name", id)
		}
	}
	if err := rules.Tiers(c.Tiers).Validate(); err != nil {
		return err
	}
	if err := c.Hourly.Validate(); err != nil {
		return err
	}
	if c.Telegram.APIEndpoint == "" || strings.Count(c.Telegram.APIEndpoint, "%s") != 2 {
		return errors.New("telegram.api_endpoint: must contain %s twice, for the token and the method")
	}
	if _, err := netproxy.Parse(c.Telegram.Proxy); err != nil {
		return fmt.Errorf("telegram.proxy: %w", err)
	}
	if _, err := netproxy.Parse(c.WhatsApp.Proxy); err != nil {
		return fmt.Errorf("whatsapp.proxy: %w", err)
	}
	for i, id := range c.Telegram.Managers {
		if id <= 0 {
			return fmt.Errorf("telegram.managers[%d]: %d is not a Telegram user id", i, id)
		}
	}
	if c.WhatsApp.Enabled && strings.TrimSpace(c.WhatsApp.SessionDB) == "" {
		return errors.New("whatsapp.session_db: must name a file when whatsapp.enabled is true")
	}
	if c.WhatsApp.Enabled && strings.TrimSpace(c.WhatsApp.MediaDir) == "" {
		return errors.New("whatsapp.media_dir: must name a directory when whatsapp.enabled is true")
	}
	if !slices.Contains(whatsapp.MarkReadModes, c.WhatsApp.MarkRead) {
		return fmt.Errorf("whatsapp.mark_read: %q is not one of %s", c.WhatsApp.MarkRead, strings.Join(whatsapp.MarkReadModes, ", "))
	}
	if c.WhatsApp.MaxFileMB < 1 || c.WhatsApp.MaxFileMB > 100 {
		return fmt.Errorf("whatsapp.max_file_mb: %d is not between 1 and 100 (WhatsApp's own limit)", c.WhatsApp.MaxFileMB)
	}
	if c.WhatsApp.MinSendGap <= 0 || c.WhatsApp.MaxSendGap < c.WhatsApp.MinSendGap || c.WhatsApp.MaxSendGap > Duration(time.Minute) {
		return errors.New("whatsapp.min_send_gap, whatsapp.max_send_gap: want 0 < min_send_gap <= max_send_gap <= 1m")
	}
	if n := c.WhatsApp.QueueAttempts; n < 1 || n > 1000 {
		return fmt.Errorf("whatsapp.queue_attempts: %d is not between 1 and 1000", n)
	}
	if d := c.WhatsApp.QueueGiveUpAfter; d < Duration(time.Minute) || d > Duration(7*24*time.Hour) {
		return fmt.Errorf("whatsapp.queue_give_up_after: %s is not between 1m and 168h", time.Duration(d))
	}
	if d := c.WhatsApp.QueueStuckAfter; d < Duration(time.Minute) || d > Duration(24*time.Hour) {
		return fmt.Errorf("whatsapp.queue_stuck_after: %s is not between 1m and 24h", time.Duration(d))
	}
	if c.Metrics.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Metrics.Listen); err != nil {
			return fmt.Errorf("metrics.listen: %q is not host:port such as 127.0.0.1:9090 (\"\" turns the endpoint off)", c.Metrics.Listen)
		}
	}
	if n := c.Limits.MessagesPerMinute; n < 0 || n > 1000 {
		return fmt.Errorf("limits.messages_per_minute: %d is not between 0 (no limit) and 1000", n)
	}
	if n := c.Limits.MaxTextChars; n < 100 || n > 65536 {
		return fmt.Errorf("limits.max_text_chars: %d is not between 100 and 65536", n)
	}
	for i, d := range c.Schedule.Reminders {
		if d <= 0 {
			return fmt.Errorf("schedule.reminders[%d]: must be positive", i)
		}
	}
	if _, err := jobs.ParseSchedule(c.Schedule.Digest, time.UTC); err != nil {
		return fmt.Errorf("schedule.digest: %w", err)
	}
	for i, days := range c.Schedule.ContractEndReminders {
		if days <= 0 || days > 365 {
			return fmt.Errorf("schedule.contract_end_reminders[%d]: %d is not between 1 and 365 days", i, days)
		}
	}
	if n := c.Schedule.ContractEndPerHour; n < 0 || n > 1000 {
		return fmt.Errorf("schedule.contract_end_per_hour: %d is not between 0 (no cap) and 1000", n)
	}
	if n := c.Retention.InboundIDDays; n != 0 && (n < minInboundIDDays || n > 3650) {
		return fmt.Errorf("retention.inbound_ids_days: %d is not 0 (for ever) or between %d and 3650 days", n, minInboundIDDays)
	}
	if s := sqlite.Sync(c.Storage.Sync); s == "" || !s.Valid() {
		return fmt.Errorf("storage.sync: %q is not full or normal", c.Storage.Sync)
	}
	if d := time.Duration(c.Storage.ProbeEvery); d < time.Second || d > 10*time.Minute {
		return fmt.Errorf("storage.probe_every: %s is not between 1s and 10m", d)
	}
	if n := c.Storage.MinFreeMB; n < 0 || n > 1<<20 {
		return fmt.Errorf("storage.min_free_mb: %d is not between 0 (no warning) and 1048576", n)
	}
	return nil
}

// Location loads the configured zone and refuses zone data that still
// carries Tehran's old summer time (+04:30): the office keeps +03:30.
func (c Config) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, err
	}
	if c.Timezone == "Asia/Tehran" {
		summer := time.Date(2026, 7, 1, 12, 0, 0, 0, loc)
		if _, off := summer.Zone(); off != 3*3600+1800 {
			return time.FixedZone("Asia/Tehran", 3*3600+1800), nil
		}
	}
	return loc, nil
}

// Calendar builds the business-hours calendar in loc.
func (c Config) Calendar(loc *time.Location) (*rules.Calendar, error) {
	cal := rules.DefaultCalendar(loc)
	var err error
	if cal.Office, err = c.OfficeHours.week("office_hours"); err != nil {
		return nil, err
	}
	if cal.Contact, err = c.ContactHours.week("contact_hours"); err != nil {
		return nil, err
	}
	for i, s := range c.Holidays.Add {
		d, err := rules.ParseDate(s)
		if err != nil {
			return nil, fmt.Errorf("holidays.add[%d]: %w", i, err)
		}
		cal.Holidays[d] = "configured"
	}
	for i, s := range c.Holidays.Remove {
		d, err := rules.ParseDate(s)
		if err != nil {
			return nil, fmt.Errorf("holidays.remove[%d]: %w", i, err)
		}
		delete(cal.Holidays, d)
	}
	if err := cal.Validate(); err != nil {
		return nil, fmt.Errorf("office_hours: %w", err)
	}
	return cal, nil
}

func (w WeekHours) week(field string) ([7][]rules.Interval, error) {
	var out [7][]rules.Interval
	names := make([]string, 0, len(w))
	for name := range w {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		day, ok := weekdays[strings.ToLower(name)]
		if !ok {
			return out, fmt.Errorf("%s.%s: not a weekday (saturday … friday)", field, name)
		}
		for i, span := range w[name] {
			iv, err := parseInterval(span)
			if err != nil {
				return out, fmt.Errorf("%s.%s[%d]: %w", field, name, i, err)
			}
			out[day] = append(out[day], iv)
		}
		sort.Slice(out[day], func(i, j int) bool { return out[day][i].Start < out[day][j].Start })
		for i := 1; i < len(out[day]); i++ {
			if out[day][i].Start < out[day][i-1].End {
				return out, fmt.Errorf("%s.%s: intervals overlap", field, name)
			}
		}
	}
	return out, nil
}

func parseInterval(s string) (rules.Interval, error) {
	from, to, ok := strings.Cut(rules.NormalizeDigits(strings.TrimSpace(s)), "-")
	if !ok {
		return rules.Interval{}, fmt.Errorf("%q is not HH:MM-HH:MM", s)
	}
	start, err1 := parseClock(from)
	end, err2 := parseClock(to)
	if err := errors.Join(err1, err2); err != nil {
		return rules.Interval{}, fmt.Errorf("%q: %w", s, err)
	}
	if end <= start {
		return rules.Interval{}, fmt.Errorf("%q ends before it starts", s)
	}
	return rules.Interval{Start: start, End: end}, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time of day", s)
	}
	return hh*60 + mm, nil
}

// Policy builds the rules the bot enforces.
func (c Config) Policy(loc *time.Location) (*rules.Policy, error) {
	cal, err := c.Calendar(loc)
	if err != nil {
		return nil, err
	}
	return &rules.Policy{Calendar: cal, Tiers: rules.Tiers(c.Tiers), Hourly: c.Hourly}, nil
}

// holidayLookahead is how far ahead the administrator is warned that the
// holiday list runs out.
const holidayLookahead = 90 * 24 * time.Hour

// missingHolidayYear names the first Jalali year, from now to the lookahead,
// for which the calendar knows no holiday at all: deadlines in it would
// silently count official holidays as office days. 0 when none is missing.
func missingHolidayYear(cal *rules.Calendar, now time.Time) int {
	known := map[int]bool{}
	for d := range cal.Holidays {
		y, _, _ := d.Jalali()
		known[y] = true
	}
	for _, t := range []time.Time{now, now.Add(holidayLookahead)} {
		if y, _, _ := rules.JalaliOf(t.In(cal.Loc)); !known[y] {
			return y
		}
	}
	return 0
}

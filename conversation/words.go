package conversation

import (
	"slices"
	"strings"
	"unicode"

	"supportbot/locales"
	"supportbot/rules"
)

// How customers answer a numbered menu besides the bare digit: «گزینه ۱»,
// «یک», «اولی», or the option's name («بحرانی»). Words are matched after
// rules.Fold, so Arabic-keyboard letters and any digit script work.

// choicePrefixes are words a customer may put before the number.
var choicePrefixes = []string{"گزینه ی", "گزینهی", "گزینه", "شماره", "option", "no."}

// numberWords are number words that stand alone as an answer. «نه» (nine,
// but also "no") counts only after a prefix such as «گزینه».
var numberWords = map[string]int{
	"یک": 1, "یه": 1, "اول": 1, "اولی": 1, "دو": 2, "دوم": 2, "دومی": 2, "سه": 3, "سوم": 3, "سومی": 3,
	"چهار": 4, "چهارم": 4, "پنج": 5, "پنجم": 5, "شش": 6, "شیش": 6, "هفت": 7, "هشت": 8, "ده": 10,
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
}

// severityWords name the severities (codes 1–3) in the words customers use.
var severityWords = map[string]int{
	"عادی": 1, "معمولی": 1, "normal": 1, "کم": 1,
	"مهم": 2, "important": 2, "متوسط": 2,
	"بحرانی": 3, "خیلی مهم": 3, "فوری": 3, "اضطراری": 3, "critical": 3, "urgent": 3,
}

// readChoice reads the answer to a numbered menu whose numbers run from 1
// to max: a number in any digit script, a prefixed or spelled-out number,
// or one of words (folded text → number).
func readChoice(text string, max int, words map[string]int) (int, bool) {
	n, ok := parseChoice(text, words)
	if !ok || n < 1 || n > max {
		return 0, false
	}
	return n, true
}

func parseChoice(text string, words map[string]int) (int, bool) {
	if n, ok := rules.ParseMenuChoice(text); ok {
		return n, true
	}
	f := strings.TrimFunc(rules.Fold(text), trimmable)
	if n, ok := words[f]; ok {
		return n, true
	}
	if n, ok := numberWords[f]; ok {
		return n, true
	}
	for _, p := range choicePrefixes {
		rest, found := strings.CutPrefix(f, p)
		if !found {
			continue
		}
		rest = strings.TrimFunc(rest, trimmable)
		if n, ok := rules.ParseMenuChoice(rest); ok {
			return n, true
		}
		if n, ok := numberWords[rest]; ok {
			return n, true
		}
		if rest == "نه" {
			return 9, true
		}
	}
	return 0, false
}

// thanksWords and agreeWords each make a message courtesy on their own
// («ممنون»، «باشه»); courtesyPhrase words only beside them («دستتون درد
// نکنه»، «لطف کردید»، «ممنونم از شما»): «از» or «شما» alone is no thanks,
// and «از صبح» is part of a description.
var thanksWords = map[string]bool{
	"ممنون": true, "ممنونم": true, "مرسی": true, "مرسیی": true, "متشکرم": true, "متشکر": true, "تشکر": true,
	"سپاس": true, "سپاسگزارم": true, "سپاسگزاریم": true, "دستتون": true, "دستتان": true, "دستت": true,
	"thanks": true, "thank": true, "thx": true, "tnx": true, "tanks": true, "merci": true, "mersi": true,
	"لطف": true, "بزرگوار": true, "بزرگوارید": true,
}

var agreeWords = map[string]bool{
	"باشه": true, "باشد": true, "اوکی": true, "اکی": true, "ok": true, "okay": true, "oki": true, "چشم": true, "عالی": true,
}

var courtesyPhrase = map[string]bool{
	"درد": true, "نکنه": true, "نکند": true, "کردید": true, "کردین": true, "فرمودید": true, "شما": true, "از": true, "you": true,
}

// courtesyFillers may stand beside courtesy words but not alone («خیلی
// ممنون»، «بسیار سپاس»، «سلام، ممنون»).
var courtesyFillers = map[string]bool{
	"خیلی": true, "بسیار": true, "very": true, "much": true, "so": true, "هم": true, "و": true, "جان": true,
	"sir": true, "بله": true, "حتما": true, "حتماً": true,
}

// Emoji that say thanks (🙏 🌹 ❤️) or agreement (👍 👌); any other emoji
// alone (😡 😢 🤔) is courtesy too, but is not answered as thanks.
const (
	thanksEmoji = "🙏🌹💐❤♥🌸🌺🌷😊☺🥰😍💙💚🤍🧡💜💛🫶👏💯"
	agreeEmoji  = "👍👌✅🆗✔"
)

// courtesy is what a courtesy message says, for its reply.
type courtesy int

const (
	notCourtesy courtesy = iota
	courtesyThanks
	courtesyAgree
	courtesyEmoji // only emoji that neither thank nor agree
)

// isCourtesy reports whether text is only thanks, agreement or emoji: it
// gets at most a short polite reply and changes nothing.
func isCourtesy(text string) bool { return courtesyOf(text) != notCourtesy }

// stickerTexts are what the WhatsApp adapter puts in place of a sticker
// («[استیکر]», in every language): a sticker says no more than an emoji.
var stickerTexts = locales.Words("whatsapp.kind.sticker")

// courtesyOf reads a message that is only thanks, agreement or emoji (or a
// sticker); notCourtesy for anything else.
func courtesyOf(text string) courtesy {
	if slices.Contains(stickerTexts, strings.TrimSpace(text)) {
		return courtesyEmoji
	}
	f := rules.Fold(text)
	if f == "" || len(f) > 200 {
		return notCourtesy
	}
	thanks, agree, greet := 0, 0, 0
	thanksIcon, agreeIcon, emoji := 0, 0, 0
	for _, w := range strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) }) {
		switch {
		case thanksWords[w]:
			thanks++
		case agreeWords[w]:
			agree++
		case greetingWords[w]:
			greet++
		case courtesyPhrase[w], courtesyFillers[w]:
		default:
			return notCourtesy
		}
	}
	for _, r := range f {
		switch {
		case unicode.IsLetter(r), unicode.IsSpace(r), unicode.IsPunct(r):
		case strings.ContainsRune(thanksEmoji, r):
			thanksIcon++
		case strings.ContainsRune(agreeEmoji, r):
			agreeIcon++
		case unicode.Is(unicode.So, r), unicode.Is(unicode.Sk, r):
			emoji++
		case r == '\u200d' || r == '\ufe0f' || r == '\u20e3' || unicode.Is(unicode.Mn, r):
		default:
			return notCourtesy // digits and other marks: an answer, not courtesy
		}
	}
	switch {
	case thanks > 0:
		return courtesyThanks
	case agree > 0:
		return courtesyAgree
	case greet > 0: // «سلام 🙏» is a greeting: it gets the menu
		return notCourtesy
	case thanksIcon > 0:
		return courtesyThanks
	case agreeIcon > 0:
		return courtesyAgree
	case emoji > 0:
		return courtesyEmoji
	}
	return notCourtesy
}

// phonePhrases ask for the company's number («شماره تماس شما چنده؟»،
// «تلفن پشتیبانی؟»، "phone number?"), folded (no ZWNJ).
var phonePhrases = []string{
	"شماره تماس", "شماره تلفن", "شماره پشتیبانی", "شمارتون", "شمارهتون", "شماره شرکت", "شماره شما",
	"تلفن پشتیبانی", "تلفن شرکت", "تلفنتون", "تلفن تماس", "phone number", "contact number", "telephone",
}

// questionWords mark a question where the customer left out «؟».
var questionWords = []string{"چنده", "چند", "چیه", "چیست", "کدومه", "کدام", "بدید", "بدین", "بفرمایید", "میخواستم", "می خواستم", "what", "send"}

// asksForPhone reports whether text is a short question for the company's
// phone number: it gets the contact details, not a new request. A message
// with digits in it gives a number rather than asks for one, and one about
// the customer's own number («شماره تماس من …») is not such a question.
func asksForPhone(text string) bool {
	f := rules.Fold(text)
	words := strings.Fields(f)
	if len(words) == 0 || len(words) > 10 || strings.ContainsFunc(f, unicode.IsDigit) {
		return false
	}
	for _, w := range words {
		if w == "من" || w == "my" || w == "بنده" || w == "ما" {
			return false
		}
	}
	asks := strings.ContainsAny(f, "?؟")
	for _, q := range questionWords {
		if slices.Contains(words, q) || strings.HasPrefix(f, q+" ") {
			asks = true
		}
	}
	if !asks {
		return false
	}
	for _, p := range phonePhrases {
		if strings.Contains(f, p) {
			return true
		}
	}
	return false
}

// resolvedPhrases say the problem is gone («حل شد»، «درست شد»، «الان کار
// میکنه»), folded (no ZWNJ).
var resolvedPhrases = []string{
	"حل شد", "حل شده", "برطرف شد", "برطرف شده", "درست شد", "درست شده", "اوکی شد", "کار کرد", "کار میکنه", "کار می کنه",
	"کار میکند", "کار می کند", "solved", "fixed", "resolved", "it works", "works now",
}

// resolvedWords may stand beside a resolved phrase («مشکل ما حل شد»،
// «الان درست شد، مرسی»); anything else («حل نشد»، «ولی …») makes the message
// more than a report that all is well.
var resolvedWords = map[string]bool{
	"مشکل": true, "مشکلم": true, "مشکلمون": true, "مشکلمان": true, "ما": true, "الان": true, "الآن": true,
	"دیگه": true, "دیگر": true, "خداروشکر": true, "شکر": true, "خدا": true, "را": true, "رو": true,
	"حل": true, "شد": true, "شده": true, "برطرف": true, "درست": true, "کار": true, "کرد": true, "میکنه": true,
	"می": true, "کنه": true, "میکند": true, "کند": true, "it": true, "is": true, "now": true, "works": true,
	"solved": true, "fixed": true, "resolved": true, "the": true, "problem": true, "issue": true,
}

// saysResolved reports whether text only says the problem is solved,
// perhaps with thanks («ممنون، حل شد»): after a close it must not reopen
// the ticket, and it is no new request.
func saysResolved(text string) bool {
	f := rules.Fold(text)
	if f == "" || len(f) > 200 {
		return false
	}
	found := false
	for _, p := range resolvedPhrases {
		if strings.Contains(f, p) {
			found = true
		}
	}
	if !found {
		return false
	}
	for _, w := range strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if !resolvedWords[w] && !thanksWords[w] && !agreeWords[w] && !courtesyPhrase[w] && !courtesyFillers[w] && !greetingWords[w] {
			return false
		}
	}
	return true
}

// statusPhrases ask what became of a request («کی جواب میدید؟»، «پیگیری
// درخواست»), folded (no ZWNJ); whatPhrases («چی شد؟») only beside a word
// for the request («تیکتم چی شد؟»), since «سیستم چی شد؟» is a problem.
var (
	statusPhrases = []string{
		"کی جواب", "کی پاسخ", "جواب ندادید", "پاسخ ندادید", "جواب ندادین", "خبری نشد", "خبری نیست", "وضعیت درخواست",
		"وضعیت تیکت", "پیگیری درخواست", "پیگیری تیکت", "what happened to my", "status of my", "any update on my",
	}
	whatPhrases  = []string{"چی شد", "چیشد", "به کجا رسید", "چه شد"}
	requestWords = map[string]bool{
		"تیکت": true, "تیکتم": true, "تیکتمون": true, "تیکتمان": true, "درخواست": true, "درخواستم": true,
		"درخواستمون": true, "درخواستمان": true, "پیگیری": true, "ticket": true, "request": true,
	}
)

// asksStatus reports whether text is a short question about the
// customer's requests rather than a new problem.
func asksStatus(text string) bool {
	f := rules.Fold(text)
	words := strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) })
	if len(words) == 0 || len(words) > 10 {
		return false
	}
	for _, p := range statusPhrases {
		if strings.Contains(f, p) {
			return true
		}
	}
	for _, p := range whatPhrases {
		if strings.Contains(f, p) && slices.ContainsFunc(words, func(w string) bool { return requestWords[w] }) {
			return true
		}
	}
	return false
}

package mailer

import (
	"strconv"

	"github.com/partnership-grants/backend/pkg/grants"
)

// KindReflection is the "kind" tag of a programme's "you said, we did".
const KindReflection = "reflection"

const tmplReflection = "reflection"

// reflectionView is what the reflection templates see.
type reflectionView struct {
	Names, Programme, Reference, Message string
	Round                                string
	SignOff                              string
}

// Reflection is the programme's "you said, we did" of a round (issue 24,
// item 4) to the agreement's lead contact: the officer's words as sent,
// from the officer. Its Reply-To is the agreement's signed message+
// address, so an answer lands as a message on the agreement.
func Reflection(a *grants.Agreement, programme string, r grants.Reflection, to []string, replyTo string, o grants.Officer) (Email, error) {
	v := reflectionView{
		Names:     joinNames(namesFor(a.Contacts, to)),
		Programme: oneLine(programme, maxSubjectPart),
		Reference: a.Reference,
		Message:   clip(r.Message, grants.MaxReflectionLength),
		Round:     strconv.Itoa(r.Round),
		SignOff:   signOff(o),
	}
	name := v.Programme
	if name == "" {
		name = "the programme"
	}
	tags := agreementTags(KindReflection, a)
	tags["round"] = v.Round
	e, err := render(tmplReflection, "You said, we did – what "+name+" did with your feedback", to, addrs(replyTo), tags, v)
	return fromOfficer(e, err, o, false)
}

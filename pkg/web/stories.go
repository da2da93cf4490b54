package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// Stories shared only with consent (issue 24, item 5): on the agreement
// page an officer marks a passage of a reply as a story (the partner is
// asked by email at the send time) and records a consent given another
// way; the Stories page and its download list the consented ones.

func init() {
	fieldLabels["passage"], fieldLabels["name"], fieldLabels["where"] = "Passage", "Name to use", "Where"
	flashes["story-marked"] = "The passage was marked as a story: the partner's lead contact is asked at the next send time whether it may be shared."
	flashes["story-consent"] = "The partner's consent to share the story was recorded."
}

// storyForm is a story form as the officer sent it, shown again when it
// was refused: For is the reply's SES message ID ("story-N" for story N's
// consent form).
type storyForm struct {
	For, Passage, Note string
}

type storyFormKey struct{}

// storyFormOf is the refused story form the request carries, if any.
func storyFormOf(r *http.Request) storyForm {
	f, _ := r.Context().Value(storyFormKey{}).(storyForm)
	return f
}

// markStory marks a passage of a reply as a story to share.
func (a *App) markStory(w http.ResponseWriter, r *http.Request) {
	a.storyPost(w, r, "story-marked", func(v *view) (storyForm, error) {
		g := r.PostForm.Get
		in := service.StoryInput{Passage: g("passage")}
		in.CheckIn, _ = strconv.Atoi(strings.TrimSpace(g("checkIn")))
		_, _, err := a.Stories.Mark(r.Context(), v.Actor.Name, r.PathValue("id"), in, nil)
		return storyForm{For: g("messageId"), Passage: in.Passage}, err
	})
}

// recordStoryConsent records a consent the partner gave another way.
func (a *App) recordStoryConsent(w http.ResponseWriter, r *http.Request) {
	a.storyPost(w, r, "story-consent", func(v *view) (storyForm, error) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		in := service.StoryConsentInput{Note: r.PostForm.Get("note"), Name: r.PostForm.Get("name"), Where: r.PostForm["where"]}
		_, err := a.Stories.RecordConsent(r.Context(), v.Actor.Name, r.PathValue("id"), n, in)
		return storyForm{For: "story-" + r.PathValue("n"), Note: in.Note}, err
	})
}

// storyPost runs a story form's change; refused, the agreement page shows
// again with the fault by its field on the form that was sent.
func (a *App) storyPost(w http.ResponseWriter, r *http.Request, what string, change func(v *view) (storyForm, error)) {
	v, ok := a.page(w, r, "Agreement", "agreements", programmeOnly...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	form, err := change(v)
	if err != nil {
		if status(err) == http.StatusInternalServerError {
			a.fail(w, r, err)
			return
		}
		v.Error, v.Fields = "Nothing was changed: "+message(err), fieldsOf(err)
		a.showAgreement(w, r.WithContext(context.WithValue(r.Context(), storyFormKey{}, form)), v, status(err))
		return
	}
	done(w, r, "/app/agreements/"+r.PathValue("id"), what)
}

// stories is the Stories page: the programme's consented stories with
// their consent, for every reader (they are meant to be shared).
func (a *App) stories(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Stories to share", "stories", grants.Readers...)
	if !ok {
		return
	}
	s, err := a.Stories.Shared(r.Context(), v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, layout(v, storiesPage(v, s)))
}

// storiesCSV downloads the consented stories with their consent.
func (a *App) storiesCSV(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Stories to share", "stories", grants.Readers...)
	if !ok {
		return
	}
	s, err := a.Stories.Shared(r.Context(), v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := export.StoriesCSV(&buf, s.Stories, storyZone()); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+v.Programme+`-stories.csv"`)
	_, _ = w.Write(buf.Bytes())
}

// storyZone is the time zone consents are dated in: the deployment's.
func storyZone() *time.Location {
	if loc, err := time.LoadLocation(grants.DefaultTimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// storiesOfCheckIn are an agreement's stories from its replies to check-in n.
func storiesOfCheckIn(a *grants.Agreement, n int) []grants.Story {
	var out []grants.Story
	for _, s := range a.Stories {
		if s.CheckIn == n {
			out = append(out, s)
		}
	}
	return out
}

// storyStatus says where a story's consent stands, in words.
func storyStatus(s grants.Story) string {
	switch s.Status {
	case grants.StoryConsented:
		return "May be shared"
	case grants.StoryDeclined:
		return "Declined: not to be shared"
	case grants.StoryWithdrawn:
		return "Consent withdrawn: not to be shared"
	}
	if len(s.Answers) > 0 {
		return "Asked; the answer is not a clear yes: not to be shared (read it, or record a consent given another way)"
	}
	return "Asked; no answer yet: not to be shared"
}

// consentWords says a consent in words: as what name, where, who, how.
func consentWords(c grants.StoryAnswer, zone string) string {
	how := "by reply"
	if c.How == grants.StoryByOfficer {
		how = "recorded by " + c.RecordedBy
	}
	return grants.StoryNameWords(c.Name) + "; on " + strings.Join(grants.StoryPlaceWords(c.Where), ", ") + "; consent from " + c.By + " on " + instant(c.At, zone) + ", " + how
}

// passageOf is a reply's text to offer as a story's passage: its words as
// the person reading may see them, cut to a story's length.
func passageOf(rep grants.Reply) string {
	s, _ := grants.Clip(strings.TrimSpace(rep.Text), grants.MaxStoryPassage)
	return s
}

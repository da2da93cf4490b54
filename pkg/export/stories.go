package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// StoriesHeader is the stories download's header row.
var StoriesHeader = []string{"Reference", "Partner", "Story", "Check-in", "Passage", "Name to use", "Where", "Consent by", "Consent on", "How", "Note", "Partner's words"}

// StoriesCSV writes a programme's consented stories (issue 24, item 5),
// one a row with the consent they are shared under: the name to use, where,
// who consented, when (in loc) and how (by reply, or recorded by an officer
// with a note). Cells are one line and guarded against formulas, as CSV's.
func StoriesCSV(w io.Writer, stories []grants.SharedStory, loc *time.Location) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(StoriesHeader); err != nil {
		return err
	}
	for _, s := range stories {
		c := s.Consent
		how := "by reply"
		if c.How == grants.StoryByOfficer {
			how = "recorded by " + c.RecordedBy
		}
		row := []string{s.Reference, s.Partner, strconv.Itoa(s.Number), strconv.Itoa(s.CheckIn), s.Passage, grants.StoryNameWords(c.Name),
			strings.Join(grants.StoryPlaceWords(c.Where), "; "), c.By, c.At.In(loc).Format(time.DateOnly), how, c.Note, c.Words}
		for i := range row {
			row[i] = cell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

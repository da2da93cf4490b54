package memstore

import "github.com/partnership-grants/backend/pkg/grants"

// feedbackMarkOp sets an officer's mark on a stored reply (issue 24),
// replacing any earlier one; the reply must be there, as pkg/dynamo's
// condition says.
func (st *Store) feedbackMarkOp(m grants.MarkedFeedback) op {
	sk := replySK(m.CheckIn, m.MessageID)
	mark := m.Mark
	mark.At = mark.At.UTC().Round(0)
	return op{
		item: "AGR#" + m.AgreementID + "\x00" + sk,
		cond: func() bool { _, ok := st.replies[m.AgreementID][sk]; return ok },
		apply: func() {
			r := st.replies[m.AgreementID][sk]
			r.FeedbackMark = &mark
			st.replies[m.AgreementID][sk] = r
		},
	}
}

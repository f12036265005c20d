package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gcconboard/gcconboard/shared/eligibility"
	"github.com/gcconboard/gcconboard/shared/onboard"
)

func TestReviewFlow(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		reviewer := "Bearer " + e.token(onboard.RoleEligibilityReviewer, "")
		var receipt onboard.Receipt
		e.do("POST", "/v1/eligibility/partner", partnerIntake()).json(t, &receipt)

		t.Run("Queue", func(t *testing.T) {
			e.now = e.now.AddDate(0, 0, 7) // past the reply-by date
			defer func() { e.now = e.now.AddDate(0, 0, -7) }()
			var q List[eligibility.QueueItem]
			res := e.do("GET", "/v1/eligibility/requests?type=partner", nil, "Authorization", "Bearer "+e.token(onboard.RoleEligibilityReviewer, ""))
			res.json(t, &q)
			if res.status != 200 || q.TotalCount != 1 || q.Items[0].ID != receipt.ID || !q.Items[0].Overdue {
				t.Errorf("queue = %d %s", res.status, res.body)
			}
		})
		t.Run("Evidence", func(t *testing.T) {
			var ev eligibility.CheckedEvidence
			e.do("GET", "/v1/eligibility/requests/"+receipt.ID+"/evidence", nil, "Authorization", reviewer).json(t, &ev)
			if !ev.Intact || ev.SHA256 != ev.RecomputedSHA256 || ev.RequestID != receipt.ID {
				t.Errorf("evidence = %+v", ev)
			}
		})
		t.Run("DeniedNeedsReason", func(t *testing.T) {
			p := e.do("POST", "/v1/eligibility/requests/"+receipt.ID+"/decision", map[string]any{"decision": "Denied"},
				"Authorization", reviewer).problem(t, 422, onboard.ErrValidationFailed)
			if p.Errors[0].Field != "reason" {
				t.Errorf("errors = %+v", p.Errors)
			}
		})
		t.Run("ConcurrentDecisionsOneWinner", func(t *testing.T) {
			const n = 10
			var wg sync.WaitGroup
			statuses := make([]int, n)
			for i := range n {
				wg.Go(func() {
					statuses[i] = e.do("POST", "/v1/eligibility/requests/"+receipt.ID+"/decision",
						map[string]any{"decision": "Approved"}, "Authorization", reviewer).status
				})
			}
			wg.Wait()
			won := 0
			for _, s := range statuses {
				switch s {
				case 200:
					won++
				case 409:
				default:
					t.Errorf("status %d", s)
				}
			}
			if won != 1 {
				t.Errorf("%d of %d concurrent decisions won, want exactly 1 (%v)", won, n, statuses)
			}
		})
		t.Run("AlreadyDecided", func(t *testing.T) {
			e.do("POST", "/v1/eligibility/requests/"+receipt.ID+"/decision", map[string]any{"decision": "Denied", "reason": "late"},
				"Authorization", reviewer).problem(t, http.StatusConflict, onboard.ErrRequestAlreadyDecided)
		})
		t.Run("DecisionMailed", func(t *testing.T) {
			mails, _ := e.store.Notifications(t.Context(), onboard.MailPending, partnerTenant)
			found := 0
			for _, m := range mails {
				if strings.HasPrefix(m.Subject, "Approved:") && m.To[0] == "ana@contoso.example" {
					found++
				}
			}
			if found != 1 {
				t.Errorf("approval mails to the contact = %d, want 1: %+v", found, mails)
			}
		})
		t.Run("NewRequestAllowedAfterFinalDecision", func(t *testing.T) {
			if res := e.do("POST", "/v1/eligibility/partner", partnerIntake()); res.status != 201 {
				t.Errorf("after a final decision a new request = %d %s", res.status, res.body)
			}
		})
	})
}

// TestRaceDecisions: concurrent denials of one request have exactly one winner. Denials write
// nothing but the request, so only its version check can decide (concurrent approvals also collide
// on creating the partner's profile). Part of the race suite: go test -run '^TestRace'.
func TestRaceDecisions(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		reviewer := "Bearer " + e.token(onboard.RoleEligibilityReviewer, "")
		var rc onboard.Receipt
		e.do("POST", "/v1/eligibility/partner", partnerIntake()).json(t, &rc)
		const n = 10
		var wg sync.WaitGroup
		statuses := make([]int, n)
		for i := range n {
			wg.Go(func() {
				statuses[i] = e.do("POST", "/v1/eligibility/requests/"+rc.ID+"/decision",
					map[string]any{"decision": "Denied", "reason": fmt.Sprint("reason ", i)}, "Authorization", reviewer).status
			})
		}
		wg.Wait()
		if won := slices.Index(statuses, 200); won < 0 || slices.Index(statuses[won+1:], 200) >= 0 {
			t.Errorf("statuses %v, want exactly one 200", statuses)
		}
	})
}

package web

import (
	"context"
	"testing"

	"github.com/gcconboard/gcconboard/shared/onboard"
)

func TestAuditAndNotifications(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		reviewer := "Bearer " + e.token(onboard.RoleEligibilityReviewer, "")
		agent := "Bearer " + e.token(onboard.RoleAdminAgent, partnerTenant)
		stranger := "Bearer " + e.token(onboard.RoleAdminAgent, "99999999-9999-4999-8999-999999999999")
		var receipt onboard.Receipt
		e.do("POST", "/v1/eligibility/partner", partnerIntake()).json(t, &receipt)
		e.do("POST", "/v1/eligibility/requests/"+receipt.ID+"/decision", map[string]any{"decision": "Approved"}, "Authorization", reviewer)
		day := "?startDate=2026-12-03&endDate=2026-12-03"

		t.Run("AuditRecords", func(t *testing.T) {
			for who, want := range map[string]int{reviewer: 2, agent: 2, stranger: 0} {
				var got List[onboard.AuditRecord]
				e.do("GET", "/v1/auditrecords"+day, nil, "Authorization", who).json(t, &got)
				if got.TotalCount != want {
					t.Errorf("audit records = %d, want %d: %+v", got.TotalCount, want, got.Items)
				}
			}
			e.do("GET", "/v1/auditrecords?startDate=2026-12-04&endDate=2026-12-01", nil, "Authorization", reviewer).
				problem(t, 422, onboard.ErrValidationFailed)
		})
		t.Run("ListByStatusAndOwner", func(t *testing.T) {
			for who, want := range map[string]int{reviewer: 3, agent: 2, stranger: 0} {
				var got List[notificationView]
				e.do("GET", "/v1/notifications?status=Pending", nil, "Authorization", who).json(t, &got)
				if got.TotalCount != want {
					t.Errorf("pending mail = %d, want %d", got.TotalCount, want)
				}
			}
			e.do("GET", "/v1/notifications?status=Lost", nil, "Authorization", reviewer).problem(t, 422, onboard.ErrValidationFailed)
		})
		t.Run("ResendFailed", func(t *testing.T) {
			ctx := context.Background()
			mails, _ := e.store.Notifications(ctx, onboard.MailPending, partnerTenant)
			n := &mails[0]
			n.Status, n.Attempts, n.LastError = onboard.MailFailed, onboard.MaxMailAttempts, "SES throttled"
			if err := e.store.UpdateNotification(ctx, n); err != nil {
				t.Fatal(err)
			}
			e.do("POST", "/v1/notifications/"+n.ID+"/resend", nil, "Authorization", stranger).problem(t, 404, onboard.ErrNotFound)
			res := e.do("POST", "/v1/notifications/"+n.ID+"/resend", nil, "Authorization", agent)
			var v notificationView
			res.json(t, &v)
			if res.status != 202 || v.Status != onboard.MailPending || v.Attempts != 0 {
				t.Errorf("resend = %d %s", res.status, res.body)
			}
			if after, _ := e.store.Notification(ctx, n.ID); after.Status != onboard.MailPending || after.LastError != "" {
				t.Errorf("stored after resend: %+v", after)
			}
		})
	})
}
